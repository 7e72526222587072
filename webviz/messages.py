"""Form errors in plain words, the GOV.UK way: "Enter a name", "Choose which body this reports to".

The register's validator speaks to someone reading a YAML file ("body 'x': missing required
key 'name'", with a file, line and column); a form's reader sees a field with a label, so
each message of an :class:`~govmap.ingest.errors.EditInvalid` is said again for its field:
what to do, in the words of the form, keeping any "did you mean" the validator found.  A
message this module does not recognise keeps its words, without the validator's "body 'x':"
prefix, which only repeats what the form already shows.

>>> plain_message("body 'x': missing required key 'name'", "body", "name")
'Enter a name'
>>> plain_message("body 'x': missing required key 'to'", "body", "to", "reports_to")
'Choose which body this reports to'
"""

from __future__ import annotations

import re

from govmap.ingest.errors import EditInvalid, GovmapError
from govmap.ingest.reading.messages import article

#: What a link field asks for, as the end of "Choose ..." (the field names of ``REF_RULES``).
LINK_CHOICE = {
    "reports_to": "which body this reports to",
    "sub_group_of": "which body this is a sub-group of",
    "accountable_to": "who this body is accountable to",
    "areas": "which area this covers",
    "within": "which area this lies within",
    "broader": "which theme is broader than this one",
    "matches": "which theme this matches",
    "holds": "which post this person holds",
    "hosted_by": "which organisation hosts this body",
    "informs": "which strategy this informs",
    "links_with": "which body this links with",
    "members": "who the member is",
    "owner": "who owns this",
    "part_of": "which organisation this is part of",
    "scrutinises": "what this body scrutinises",
    "succeeded_by": "what took this one's place",
    "themes": "which theme this body works on",
    "users": "who uses this platform",
    "uses": "which platform this body uses",
    "organisation": "which organisation this post belongs to",
    "on_behalf_of": "which organisation this member represents",
}

#: What a link to the record itself is told.
SELF_LINK = {
    "reports_to": "Choose another body: a body cannot report to itself",
    "sub_group_of": "Choose another body: a body cannot be a sub-group of itself",
}

#: The form fields that name a link's target (``Item.target_key`` of each link model).
TARGET_KEYS = frozenset({"to", "member", "theme"})

_WHO = re.compile(r"^(?:[a-z]+ (?:'[^']*'|#\d+ in [a-z_]+)|[a-z_]+): ")
_MISSING = re.compile(r"missing required key '([^']+)'$")
_UNDEFINED = re.compile(r"^[a-z_]+ '([^']*)' is not defined(?: \((did you mean [^)]*)\))?")
_WRONG_KIND = re.compile(r"^[a-z_]+ '([^']*)' is (an? [a-z ]+); [a-z_]+ must name (an? [a-z ]+)$")
_NOT_A_DATE = re.compile(r"'[^']*' is not a date")
_NOT_ONE_OF = re.compile(r"(?:[a-z_#\d ]+: )?'([^']*)' is not one of ([^(]*?)(?: \((did you mean [^)]*)\))?$")
_BAD_ID = re.compile(
    r"'[^']*' is not a valid id \(use lowercase letters, digits and hyphens, e\.g\. '([^']*)'\)"
)
_ITSELF = re.compile(r"names the record itself$")
_CHARACTER = re.compile(
    r"contains (the [a-z ]+ character|a [a-z ]+ character|the line separator) (U\+[0-9A-F]+(?: \([A-Z0-9 -]+\))?); (?:remove it|.*)$"
)
_WEB_ADDRESS = re.compile(r"must be a web address starting http:// or https://")


def _choice(field: str, link_field: str | None) -> str:
    return LINK_CHOICE.get(link_field or field) or LINK_CHOICE.get(field) or "which record this links to"


def _missing(key: str, word: str, field: str, link_field: str | None) -> str:
    if key == "name":
        return "Enter a name"
    if key == "id":
        return "Enter an id: lowercase letters, digits and hyphens, such as the name in short"
    if key in ("kind", "type"):
        return f"Choose what {key} of {word} this is"
    if key == "role":
        return "Choose a role"
    if key in TARGET_KEYS or key in LINK_CHOICE:
        return f"Choose {_choice(field, link_field if key in TARGET_KEYS else key)}"
    return f"Enter {article(key.replace('_', ' '))}"


def plain_message(message: str, word: str, field: str, link_field: str | None = None) -> str:
    """One validator message as a form says it, for the form field ``field``.

    ``word`` is what the record is (``body``, ``theme`` ...); ``link_field`` the link list a
    link form edits (``reports_to``, ``members`` ...), if it is one.

    >>> plain_message("theme #3 in themes: missing required key 'kind'", "theme", "kind")
    'Choose what kind of theme this is'
    >>> plain_message("body 'b': members 'polce' is not defined (did you mean 'police'?)", "body", "member", "members")
    "No record has the id 'polce': choose who the member is (did you mean 'police'?)"
    >>> plain_message("body 'x': areas 'north' is a body; areas must name an area", "body", "areas")
    "'north' is a body, not an area: choose which area this covers"
    >>> plain_message("body 'x': review_date: 'soon' is not a date; write YYYY-MM-DD, YYYY-MM or YYYY", "body", "review_date")
    'Enter a real date, as year-month-day (2026-04-01), year and month (2026-04) or a year (2026)'
    """
    m = _MISSING.search(message)
    if m:
        return _missing(m.group(1), word, field, link_field)
    text = _WHO.sub("", message, count=1)
    m = _UNDEFINED.match(text)
    if m:
        mean = f" ({m.group(2)})" if m.group(2) else ""
        return f"No record has the id '{m.group(1)}': choose {_choice(field, link_field)}{mean}"
    m = _WRONG_KIND.match(text)
    if m:
        return f"'{m.group(1)}' is {m.group(2)}, not {m.group(3)}: choose {_choice(field, link_field)}"
    if _NOT_A_DATE.search(text):
        return "Enter a real date, as year-month-day (2026-04-01), year and month (2026-04) or a year (2026)"
    m = _BAD_ID.search(text)
    if m:
        return f"Enter an id of lowercase letters, digits and hyphens only, such as '{m.group(1)}'"
    m = _NOT_ONE_OF.search(text)
    if m:
        choices = [c.strip() for c in m.group(2).split(",")]
        listed = ", ".join(choices[:-1]) + f" or {choices[-1]}" if len(choices) > 1 else choices[0]
        if len(choices) > 4:
            listed = f"{article(field.replace('_', ' '))} from the list"
        mean = f" ({m.group(3)})" if m.group(3) else ""
        return f"Choose {listed}{mean}"
    if _ITSELF.search(text):
        return SELF_LINK.get(link_field or field, "Choose another record: a record cannot link to itself")
    m = _CHARACTER.search(text)
    if m:
        return f"Remove {m.group(1)} {m.group(2)}: it is invisible and cannot be kept in the register"
    if _WEB_ADDRESS.search(text):
        return "Enter a web address that starts with https:// (or http://)"
    text = re.sub(r"^[a-z_]+(?: #\d+ [a-z_]+)?: ", "", text)  # "name: ..." repeats the field's label
    return text[:1].upper() + text[1:]


def plain(error: GovmapError | None, word: str, link_field: str | None = None) -> GovmapError | None:
    """``error`` with its field messages in plain words (other errors as they are)."""
    if not isinstance(error, EditInvalid):
        return error
    fields = {
        name: [plain_message(m, word, name, link_field) for m in messages]
        for name, messages in error.fields.items()
    }
    return EditInvalid(error.problems, fields, error.general)


__all__ = ["LINK_CHOICE", "plain", "plain_message"]
