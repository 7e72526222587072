"""The accessibility statement, as public-sector sites publish one (GOV.UK's model statement)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, render_template

bp = Blueprint("accessibility", __name__)

#: When the statement was written, and when it was last checked against the tests it cites.
PREPARED = dt.date(2026, 12, 7)
REVIEWED = dt.date(2026, 12, 7)


def contact_link(contact: str | None) -> tuple[str, str] | None:
    """(href, text) for the configured contact, or None when none is set or it is neither an
    e-mail address nor a web address.

    >>> contact_link("access@example.gov.uk")
    ('mailto:access@example.gov.uk', 'access@example.gov.uk')
    >>> contact_link("https://example.gov.uk/accessibility"), contact_link("javascript:alert(1)")
    (('https://example.gov.uk/accessibility', 'https://example.gov.uk/accessibility'), None)
    """
    text = (contact or "").strip()
    if text.startswith(("https://", "http://")):
        return text, text
    if "@" in text and " " not in text and ":" not in text:
        return f"mailto:{text}", text
    return None


@bp.get("/accessibility")
def statement() -> str:
    return render_template(
        "accessibility.html",
        prepared=f"{PREPARED.day} {PREPARED:%B %Y}",
        reviewed=f"{REVIEWED.day} {REVIEWED:%B %Y}",
        contact=contact_link(current_app.config.get("GOVMAP_ACCESSIBILITY_CONTACT")),
    )
