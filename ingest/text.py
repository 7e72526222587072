"""Text is normalised once, at the edge: every value a person types or a file holds.

:func:`clean_text` is the one function that web forms, the API, spreadsheet
import and the YAML loader's validation (:func:`text_problem`) share.  It

- turns every line break (CR LF, CR, U+2028, U+2029, U+0085, VT, FF) into a
  newline in a multi-line field and into a space in a one-line field, and a
  tab into a space;
- refuses what a person never means and a terminal or YAML emitter may act
  on: other control characters (ESC, NUL, ...), bidirectional overrides and
  isolates (they make text display in an order other than it is stored),
  unpaired surrogates and the non-characters U+FFFE/U+FFFF;
- trims: no blank lines or spaces at either end, no spaces at line ends;
- composes accents (NFC), so one name is stored one way.

A ``url`` field must also be an ``http://`` or ``https://`` address.

Examples
--------
>>> clean_text("  North\\u2028CSP ", "name")
'North CSP'
>>> clean_text("Line one\\u2029line two\\r\\n", "description", multiline=True)
'Line one\\nline two'
>>> clean_text("\\x1b[31mred", "name")
Traceback (most recent call last):
...
govmap.ingest.text.TextRefused: name: contains the control character U+001B (ESCAPE); remove it
>>> clean_url("javascript:alert(1)", "url")
Traceback (most recent call last):
...
govmap.ingest.text.TextRefused: url: must be a web address starting http:// or https://, not 'javascript:alert(1)'
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from .errors import GovmapError

#: Fields whose text may run over several lines (text areas on the forms).
MULTILINE_FIELDS = frozenset({"description", "purpose", "note"})

#: Fields that hold a web address.
URL_FIELDS = frozenset({"url"})

_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\u0085\x0b\x0c]")
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_TRAILING = re.compile(r"[ \t]+$", re.M)


class TextRefused(GovmapError):
    """A value holds a character govmap will not store (a control character, ...)."""

    status = 400

    def __init__(self, message: str, hint: str | None = None, field: str | None = None) -> None:
        super().__init__(message, hint)
        self.field = field


def _name(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if not name:
        name = {"\x00": "NUL", "\x1b": "ESCAPE", "\x7f": "DELETE"}.get(ch, "")
    if not name and ord(ch) < 0x20:
        name = f"CONTROL-{chr(ord(ch) + 0x40)}"
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def _refused(ch: str) -> str | None:
    """Why ``ch`` is refused anywhere (after line breaks and tabs are handled), or None."""
    cat = unicodedata.category(ch)
    if cat == "Cc":
        return "the control character"
    if ch in _BIDI:
        return "the text-direction control"
    if cat == "Cs":
        return "the unpaired surrogate"
    if ch in ("\ufffe", "\uffff"):
        return "the non-character"
    return None


def _refuse(ch: str, field: str) -> TextRefused:
    why = _refused(ch) or "the character"
    return TextRefused(f"{field}: contains {why} {_name(ch)}; remove it", field=field)


def clean_text(value: str, field: str = "text", multiline: bool | None = None) -> str:
    """The text as govmap stores it, or :class:`TextRefused` naming the field.

    Parameters
    ----------
    value : str
        What was typed or read.
    field : str
        The field's name, for the message (and to decide ``multiline``).
    multiline : bool, optional
        Whether line breaks are kept (default: the field is in
        :data:`MULTILINE_FIELDS`).
    """
    if multiline is None:
        multiline = field in MULTILINE_FIELDS
    text = _LINE_BREAKS.sub("\n", value).replace("\t", " ")
    if not multiline:
        text = text.replace("\n", " ")
    if not text.isprintable():  # every refused character is unprintable: most text needs no scan
        for ch in text:
            if ch != "\n" and _refused(ch):
                raise _refuse(ch, field)
    text = unicodedata.normalize("NFC", text)
    if multiline:
        text = _TRAILING.sub("", text)
    text = text.strip()
    if field in URL_FIELDS and text:
        clean_url(text, field)
    return text


def clean_url(value: str, field: str = "url") -> str:
    """``value`` if it is an http(s) address with a host, else :class:`TextRefused`."""
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in value:
        shown = value if len(value) <= 60 else value[:57] + "..."
        raise TextRefused(
            f"{field}: must be a web address starting http:// or https://, not {shown!r}", field=field
        )
    return value


def clean_id(value: str, field: str = "id") -> str:
    """``value`` (trimmed) as a record id, or :class:`TextRefused`: lowercase letters, digits and
    single hyphens (:data:`~govmap.ingest.model.SLUG_PATTERN`), at most ``ID_MAX`` characters.

    >>> clean_id(" north-csp ")
    'north-csp'
    >>> clean_id("North CSP!", "New body's id")
    Traceback (most recent call last):
    ...
    govmap.ingest.text.TextRefused: New body's id: 'North CSP!' is not a valid id
    """
    from .model import ID_MAX, SLUG_RE

    text = value.strip()
    if len(text) > ID_MAX:
        raise TextRefused(
            f"{field}: {len(text):,} characters; at most {ID_MAX}", hint="shorten it", field=field
        )
    if not SLUG_RE.fullmatch(text):
        suggestion = re.sub(r"[^a-z0-9]+", "-", text[:60].lower()).strip("-") or "new-body"
        raise TextRefused(
            f"{field}: {text!r} is not a valid id",
            hint=f"use lowercase letters, digits and hyphens, e.g. '{suggestion}'",
            field=field,
        )
    return text


#: Any character :func:`text_problem` may object to (a quick test before the slow one).
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def text_problem(value: str, field: str, multiline: bool | None = None) -> str | None:
    """What is wrong with a value read from a register file, or None.

    A file is not rewritten behind its author's back: where :func:`clean_text`
    would change a character (rather than trim), this reports it instead.
    """
    if field in URL_FIELDS:
        try:
            clean_url(value.strip(), field)
        except TextRefused as exc:
            return exc.message
    if not _SUSPECT.search(value):
        return None
    if multiline is None:
        multiline = field in MULTILINE_FIELDS
    for ch in value:
        if ch == "\n" and multiline or ch == "\t":
            continue
        if ch == "\n":
            return f"{field}: a line break in a one-line field; write it on one line"
        if _LINE_BREAKS.match(ch):
            return f"{field}: contains the line separator {_name(ch)}; use an ordinary line break or a space"
        if _refused(ch):
            return _refuse(ch, field).message
    return None


#: Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """Register text made safe for a CSV cell: one a spreadsheet would run as a formula gets a ``'``.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell("Board")
    ("'=HYPERLINK(1)", 'Board')
    """
    return "'" + value if value.startswith(FORMULA_START) else value
