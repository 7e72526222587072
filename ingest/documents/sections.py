"""A document's structure: its headings, the section each line belongs to, paragraphs and list items.

What a reader of a strategy, a terms of reference or an annual report takes
for structure, in plain rules:

- a **heading** is a line the format marks as one (a DOCX heading style, an
  HTML ``h1``-``h6``), a Markdown ``#`` line, a numbered heading ("2.1
  Governance"), or a short line standing alone that reads as a title: it
  starts with a capital, has at most twelve words, does not end as a sentence
  does (``.``, ``,``, ``;``) and has a blank line or a list after it;
- a **list item** is a line the format marks as one, or a line starting with a
  bullet (``-``, ``*``, ``•``...) or a number or letter ("1.", "a)", "(iv)");
- everything else is a **paragraph**, lines joined until a blank line.

Each block keeps the offset of its text in the document's text, so every quote
taken from it is a verbatim piece of the document, and the heading of the
section it is in.  The list a paragraph introduces ("... include:") is tied to
it: each item's ``lead`` is the last sentence before the list.

Examples
--------
>>> from govmap.ingest.documents.read import DocumentText, Line
>>> doc = DocumentText("x.txt", "txt", tuple(Line(t) for t in
...     ["Our Priorities", "", "Our priorities are:", "- **Domestic abuse**", "- Violence"]))
>>> [(b.kind, b.text, b.section) for b in blocks_of(doc)]
[('heading', 'Our Priorities', 'Our Priorities'), ('para', 'Our priorities are:', 'Our Priorities'), ('item', 'Domestic abuse', 'Our Priorities'), ('item', 'Violence', 'Our Priorities')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govmap.ingest.documents.read import DocumentText

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_NUMBERED_HEADING = re.compile(r"^\s*(?:(?:section|part)\s+)?\d+(?:\.\d+)*\.?\s+(?=[A-Z])", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*+•●▪◦‣·–—]|\d{1,3}[.)]|[a-z][.)]|\((?:[a-z]|[ivx]{1,5}|\d{1,3})\))\s+")
# "*Our Key Issues", "**Our Approach**", "_Themes_": emphasis around a whole line.
_EMPHASIS = re.compile(r"^([*_]{1,3})?(.*?)([*_]{1,3})?$")
_SENTENCE_END = re.compile(r"[.,;!?]['\"”’)]*$")
_SETEXT = re.compile(r"^\s*(=+|-+)\s*$")
#: Sentence breaks: after . ! ? (and a closing quote or bracket), before a capital, quote or bullet.
SENTENCE_BREAK = re.compile(r"(?<=[.!?])['\"”’)\]*]*\s+(?=[\"“'‘(*]*[A-Z0-9])")


@dataclass(frozen=True)
class Block:
    """A heading, a paragraph or a list item, with where it sits in the document."""

    kind: str  # heading, para, item
    text: str
    #: Offset of ``text`` in the document's text.
    start: int
    #: The heading of the section the block is in ("" before the first heading).
    section: str
    level: int = 0
    #: For an item: the sentence that introduces its list (or the section heading, if none).
    lead: str = ""

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def _strip_emphasis(text: str, start: int) -> tuple[str, int]:
    """Text without Markdown emphasis around the whole of it, and its new offset."""
    m = _EMPHASIS.match(text)
    if m and m.group(1) and m.group(2).strip():
        inner = m.group(2)
        if m.group(3) or m.group(1) == "*":  # "*Our Key Issues" (one stray star) too
            left = len(m.group(1))
            return inner, start + left
    return text, start


def _trim(text: str, start: int) -> tuple[str, int]:
    left = len(text) - len(text.lstrip())
    return text.strip(), start + left


def _looks_like_heading(text: str, next_blank: bool, next_item: bool) -> bool:
    words = text.split()
    if not words or len(words) > 12 or len(text) > 120:
        return False
    first = text.lstrip("*_#\"'“‘(")[:1]
    if not first.isupper() and not first.isdigit():
        return False
    if _SENTENCE_END.search(text.rstrip("*_")) or text.rstrip("*_").endswith(":"):
        return False
    return next_blank or next_item


def blocks_of(doc: DocumentText) -> list[Block]:
    """The document as headings, paragraphs and list items, each in its section."""
    lines = doc.lines
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line.text) + 1
    blocks: list[Block] = []
    section = ""
    para: list[tuple[str, int]] = []
    last_sentence = ""

    def flush() -> None:
        nonlocal para, last_sentence
        if para:
            first, start = para[0]
            end_text, end_start = para[-1]
            # the paragraph's text is the document's text from its first line to its last
            full = doc_text[start : end_start + len(end_text)]
            blocks.append(Block("para", full, start, section))
            sentences = [s for s in SENTENCE_BREAK.split(full) if s.strip()]
            last_sentence = sentences[-1] if sentences else full
            para = []

    doc_text = doc.text
    for i, line in enumerate(lines):
        raw = line.text
        if not raw.strip():
            flush()
            continue
        text, start = _trim(raw, offsets[i])
        nxt = next((ln for ln in lines[i + 1 : i + 3] if ln.text.strip()), None)
        next_blank = i + 1 >= len(lines) or not lines[i + 1].text.strip()
        next_item = nxt is not None and (nxt.item or bool(_BULLET.match(nxt.text)))
        if i + 1 < len(lines) and _SETEXT.match(lines[i + 1].text) and not para and text[:1].isupper():
            level = 1 if lines[i + 1].text.strip().startswith("=") else 2
            flush()
            section = text
            blocks.append(Block("heading", text, start, section, level))
            last_sentence = text
            continue
        if _SETEXT.match(raw) and blocks and blocks[-1].kind == "heading":
            continue
        md = _MD_HEADING.match(raw)
        bullet = _BULLET.match(raw) if not line.heading else None
        numbered = re.compile(r"^\s*\d{1,3}[.)]\s")
        prev_numbered = i > 0 and bool(numbered.match(lines[i - 1].text))
        next_numbered = nxt is not None and bool(numbered.match(nxt.text))
        title_like = len(text.split()) <= 7 and not _SENTENCE_END.search(text) and not text.endswith(":")
        numbered_heading = bool(
            bullet
            and _NUMBERED_HEADING.match(text)
            and title_like
            and not prev_numbered
            and not next_numbered
        )
        if numbered_heading:
            bullet = None  # "4. Governance" standing alone: a numbered heading, not a list of one
        if (
            line.heading
            or md
            or numbered_heading
            or (
                not bullet and not line.item and not para and _looks_like_heading(text, next_blank, next_item)
            )
        ):
            flush()
            if md:
                level = len(md.group(1))
                text, start = md.group(2), offsets[i] + md.start(2)
            else:
                level = line.heading or 2
            text, start = _strip_emphasis(text, start)
            text, start = _trim(text, start)
            section = text
            blocks.append(Block("heading", text, start, section, level))
            last_sentence = text
            continue
        if bullet or line.item:
            flush()
            cut = bullet.end() if bullet else 0
            text, start = _trim(raw[cut:], offsets[i] + cut)
            text, start = _strip_emphasis(text, start)
            text, start = _trim(text, start)
            blocks.append(Block("item", text, start, section, lead=last_sentence))
            continue
        para.append((text, start))
    flush()
    return blocks


def sentences_of(block: Block) -> list[tuple[str, int]]:
    """The sentences of a block, each with its offset in the document's text."""
    out = []
    pos = 0
    for part in SENTENCE_BREAK.split(block.text):
        at = block.text.find(part, pos)
        if part.strip():
            out.append((part, block.start + at))
        pos = at + len(part)
    return out
