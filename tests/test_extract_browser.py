"""The review page in a real Chromium: upload a document, read the proposals, tick, edit, accept; axe-core."""

# The browser fixtures are shared with test_browser.py by import; pytest injects them by name.
# ruff: noqa: F811

from __future__ import annotations

from pathlib import Path

import pytest

from govmap.ingest.reading.load import load_register
from tests.test_accessibility import axe
from tests.test_browser import CHROMIUM, Site, Watch, browser, sign_in, site, watch  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

DOC = """# Testshire Night-Time Economy Strategy 2025-2028

## Governance

The Testshire Night-Time Economy Partnership is chaired by Testshire Police.
The Testshire Night-Time Economy Strategy 2025-2028 is owned by the Testshire Community Safety Board.

## Priorities

Our priorities are:

- Safer streets at night
- Alcohol-related violence
"""


def test_an_editor_reads_a_document_ticks_edits_and_accepts_its_proposals(
    site: Site, watch: Watch, tmp_path: Path
) -> None:
    doc = tmp_path / "night-time-economy.md"
    doc.write_text(DOC, encoding="utf-8")
    page = watch.page()
    sign_in(page, site, "alice")
    page.goto(site("/extract"))
    assert axe(page) == []
    page.set_input_files("#document", str(doc))
    with page.expect_navigation():
        page.click("#extract-form button[type=submit]")
    assert page.inner_text("h1") == "Proposals from night-time-economy.md"
    assert axe(page) == [], "the review page passes axe-core at WCAG 2.2 AA"
    body = "body-testshire-night-time-economy-partnership"
    quote = page.locator(f"#p-{body} blockquote").first.inner_text()
    assert "The Testshire Night-Time Economy Partnership is chaired by Testshire Police." in quote
    page.check(f"#accept-{body}")
    page.fill(f"#name-{body}", "Testshire Night-Time Economy Board")
    page.check("#accept-theme-safer-streets-at-night")
    with page.expect_navigation():
        page.click("#proposals-form button[type=submit]")
    assert page.inner_text("h1") == "Proposals saved"
    assert axe(page) == []
    saved = page.locator("ul.saved li").all_inner_texts()
    assert "add body 'testshire-night-time-economy-board'" in saved
    assert "add theme 'safer-streets-at-night'" in saved
    register = load_register(str(site.register))
    board = register.get("testshire-night-time-economy-board")
    assert board.name == "Testshire Night-Time Economy Board" and board.status.value == "unconfirmed"
    assert register.get("safer-streets-at-night").kind.value == "priority"
