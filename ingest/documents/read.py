"""Reading a document (PDF, DOCX, HTML, Markdown, plain text) into lines of text, safely.

Each reader returns :class:`Line` values: the text as the document has it (the
quotes of every proposal are taken from these lines, so they are found
verbatim in the document's text), with what the format itself says of a line
(a heading and its level, a list item).  Plain text and Markdown say nothing:
:mod:`govmap.ingest.documents.sections` reads their markup.

Libraries, and why:

- PDF: ``pypdf`` (pure Python, maintained, a few hundred kB): its text
  extraction keeps the reading order of one-column documents, which is what
  strategies and terms of reference are.  ``pdfminer.six`` lays out columns
  better but is several times slower and larger; a committee paper is rarely in
  columns.
- DOCX: ``python-docx``: paragraphs with their style ("Heading 2", "List
  Bullet"), so headings and lists come from the author's own structure.
- HTML: ``readability-lxml`` (the Readability algorithm, maintained, on lxml)
  keeps the main content of a web page and drops navigation, footers and
  cookie banners; the headings and list items of what it keeps are read with
  lxml.  When it keeps less than a fifth of the page's text (a page of lists
  with few paragraphs, where its scoring is weak), the whole ``<body>`` less
  ``nav``, ``header``, ``footer``, ``aside``, ``script`` and ``style`` is used.

Bounds: a document over :data:`MAX_DOCUMENT_BYTES` (``GOVMAP_MAX_DOCUMENT_BYTES``,
20 MiB) is refused unread; a PDF of more than :data:`MAX_PAGES` pages, a DOCX
(a zip) that would unpack to more than :data:`MAX_UNPACKED` or 100 times its
size, and text over :data:`MAX_TEXT_CHARS` characters are refused with the file
named.  Nothing a document holds is run: no scripts, no macros, no external
entities (lxml's parsers here resolve none and load nothing from the network).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govmap.ingest.errors import GovmapError

#: The largest document read; ``GOVMAP_MAX_DOCUMENT_BYTES`` changes it.
MAX_DOCUMENT_BYTES = 20 * 2**20
#: The most pages of a PDF read.
MAX_PAGES = 500
#: The most a DOCX may unpack to (and at most 100 times its size).
MAX_UNPACKED = 200 * 2**20
MAX_UNPACK_RATIO = 100
#: The most characters of text kept from one document.
MAX_TEXT_CHARS = 5_000_000

FORMATS = ("pdf", "docx", "html", "md", "txt")
SUFFIXES = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".text": "txt",
}


class DocumentUnreadable(GovmapError):
    """A document cannot be read: missing, too large, not what its name says, or broken."""

    #: ExitStatus.USAGE: a file that cannot be read.
    exit_status = 2
    status = 400


@dataclass(frozen=True)
class Line:
    """One line of a document's text, and what its format says of it."""

    text: str
    #: Heading level given by the format (DOCX style, HTML h1-h6), 0 if none or not known.
    heading: int = 0
    #: The format marks it as a list item.
    item: bool = False


@dataclass(frozen=True)
class DocumentText:
    """A document read into lines.  ``text`` is the lines joined by newlines."""

    name: str
    format: str
    lines: tuple[Line, ...]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def _max_bytes() -> int:
    raw = os.environ.get("GOVMAP_MAX_DOCUMENT_BYTES", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else MAX_DOCUMENT_BYTES


def format_of(name: str, raw: bytes) -> str:
    """The format of a document, from its bytes first and its name second."""
    head = raw[:1024].lstrip()
    if raw.startswith(b"%PDF-"):
        return "pdf"
    if raw.startswith(b"PK\x03\x04"):
        return "docx"
    low = head[:512].lower()
    if low.startswith((b"<!doctype html", b"<html")) or b"<body" in low or b"<h1" in low or b"<p>" in low:
        return "html"
    suffix = Path(name).suffix.lower()
    fmt = SUFFIXES.get(suffix)
    if fmt in ("pdf", "docx"):
        raise DocumentUnreadable(
            f"{name}: the file is not a {fmt.upper()} (its first bytes say otherwise)",
            hint="check the file; save it again as PDF or DOCX",
        )
    return fmt or "txt"


def read_document(path: str | os.PathLike[str]) -> DocumentText:
    """Read a document file, refusing what is too large or broken, with the file named."""
    name = os.fspath(path)
    try:
        size = os.path.getsize(name)
    except FileNotFoundError:
        raise DocumentUnreadable(f"{name}: no such file", hint="check the path") from None
    except OSError as exc:
        raise DocumentUnreadable(f"{name}: cannot read it: {exc.strerror or exc}") from None
    if os.path.isdir(name):
        raise DocumentUnreadable(f"{name}: is a folder", hint="give a document file")
    limit = _max_bytes()
    if size > limit:
        raise DocumentUnreadable(
            f"{name}: file is {size:,} bytes, over the limit of {limit:,}",
            hint="split the document, or raise the limit with GOVMAP_MAX_DOCUMENT_BYTES",
        )
    try:
        with open(name, "rb") as f:
            raw = f.read(limit + 1)
    except OSError as exc:
        raise DocumentUnreadable(f"{name}: cannot read it: {exc.strerror or exc}") from None
    return read_bytes(raw, name)


def read_bytes(raw: bytes, name: str) -> DocumentText:
    """Read a document given as bytes (an upload); ``name`` is shown in messages and sources."""
    limit = _max_bytes()
    if len(raw) > limit:
        raise DocumentUnreadable(
            f"{name}: file is {len(raw):,} bytes, over the limit of {limit:,}",
            hint="split the document, or raise the limit with GOVMAP_MAX_DOCUMENT_BYTES",
        )
    if not raw.strip():
        raise DocumentUnreadable(f"{name}: the file is empty", hint="give a document with text in it")
    fmt = format_of(name, raw)
    reader = {"pdf": _pdf, "docx": _docx, "html": _html, "md": _plain, "txt": _plain}[fmt]
    lines = reader(raw, name)
    total = sum(len(line.text) + 1 for line in lines)
    if total > MAX_TEXT_CHARS:
        raise DocumentUnreadable(
            f"{name}: the document holds {total:,} characters of text, over the limit of {MAX_TEXT_CHARS:,}",
            hint="split the document",
        )
    if not any(line.text.strip() for line in lines):
        hint = "a scanned PDF has no text: run it through OCR first" if fmt == "pdf" else None
        raise DocumentUnreadable(f"{name}: no text found in the document", hint=hint)
    return DocumentText(name, fmt, tuple(lines))


# -- plain text and Markdown ------------------------------------------------------------


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Windows text, the usual other
    if "\x00" in text:
        raise DocumentUnreadable(
            f"{name}: the file holds binary data, not text",
            hint="give a PDF, DOCX, HTML, Markdown or text file",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _plain(raw: bytes, name: str) -> list[Line]:
    return [Line(t) for t in _decode(raw, name).split("\n")]


# -- PDF --------------------------------------------------------------------------------


def _pdf(raw: bytes, name: str) -> list[Line]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            raise DocumentUnreadable(
                f"{name}: the PDF is password-protected",
                hint="save an unprotected copy and extract from that",
            )
        n = len(reader.pages)
        if n > MAX_PAGES:
            raise DocumentUnreadable(
                f"{name}: the PDF has {n:,} pages, over the limit of {MAX_PAGES}", hint="split the document"
            )
        lines: list[Line] = []
        total = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            total += len(text)
            if total > MAX_TEXT_CHARS:
                raise DocumentUnreadable(
                    f"{name}: the document holds more than {MAX_TEXT_CHARS:,} characters of text",
                    hint="split the document",
                )
            lines.extend(Line(t.rstrip()) for t in text.split("\n"))
            lines.append(Line(""))
        return lines
    except DocumentUnreadable:
        raise
    # A hostile or broken PDF can make pypdf fail in many ways (its own errors, and
    # ValueError, KeyError, RecursionError ... from malformed objects); each is the
    # same thing for the user: this PDF cannot be read.
    except (PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError,
            AssertionError, OverflowError, ZeroDivisionError, MemoryError, OSError) as exc:  # fmt: skip
        raise DocumentUnreadable(
            f"{name}: cannot read this PDF ({type(exc).__name__}: {_short(exc)})",
            hint="open it in a PDF reader and save or print it again as PDF",
        ) from None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().replace("\n", " ")
    return text[:200] or "no detail"


# -- DOCX -------------------------------------------------------------------------------

_HEADING_STYLE = re.compile(r"^(?:heading|titre|überschrift)\s*(\d)$", re.IGNORECASE)


def _check_zip(raw: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentUnreadable(
            f"{name}: not a DOCX (not a readable zip file: {_short(exc)})",
            hint="save it again from your word processor as .docx",
        ) from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED or total > max(MAX_UNPACK_RATIO * len(raw), 2**20):
        raise DocumentUnreadable(
            f"{name}: unpacks to {total:,} bytes from {len(raw):,}; a document unpacks to at most "
            f"{MAX_UNPACK_RATIO} times its size (and {MAX_UNPACKED:,} bytes), so this looks like a zip bomb "
            "and was not opened",
            hint="save it again from your word processor",
        )
    if not any(i.filename == "word/document.xml" for i in infos):
        raise DocumentUnreadable(
            f"{name}: not a DOCX (a zip file without word/document.xml)",
            hint="give a Word .docx document; old .doc files must be saved again as .docx",
        )


def _docx(raw: bytes, name: str) -> list[Line]:
    _check_zip(raw, name)
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    try:
        document = docx.Document(io.BytesIO(raw))
        lines: list[Line] = []
        for para in document.paragraphs:
            style = (para.style.name if para.style is not None else "") or ""
            m = _HEADING_STYLE.match(style.strip())
            level = int(m.group(1)) if m else (1 if style.strip().lower() == "title" else 0)
            is_item = "list" in style.lower() or para._p.pPr is not None and para._p.pPr.numPr is not None
            for i, text in enumerate(para.text.split("\n")):
                lines.append(Line(text, level if i == 0 else 0, is_item and i == 0))
            lines.append(Line(""))
        for table in document.tables:  # membership lists are often tables: one line a row
            for row in table.rows:
                cells = [c.text.strip() for c in row.cells]
                lines.append(Line(" | ".join(c for c in cells if c)))
            lines.append(Line(""))
        return lines
    except (PackageNotFoundError, KeyError, ValueError, AttributeError, TypeError, IndexError,
            zipfile.BadZipFile, RecursionError, MemoryError, OSError) as exc:  # fmt: skip
        raise DocumentUnreadable(
            f"{name}: cannot read this DOCX ({type(exc).__name__}: {_short(exc)})",
            hint="open it in your word processor and save it again as .docx",
        ) from None
    except LxmlError as exc:  # broken XML inside the zip
        raise DocumentUnreadable(
            f"{name}: cannot read this DOCX (broken XML: {_short(exc)})",
            hint="open it in your word processor and save it again as .docx",
        ) from None


# -- HTML -------------------------------------------------------------------------------

_BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "dt", "dd", "td", "th", "caption", "blockquote"}
_DROP = ("script", "style", "nav", "header", "footer", "aside", "noscript", "form", "template", "svg")


def _html_tree(text: str, name: str) -> Any:
    import lxml.html
    from lxml import etree

    try:
        parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, huge_tree=False)
        return lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise DocumentUnreadable(f"{name}: cannot read this HTML ({_short(exc)})") from None


def _html_lines(root: Any) -> list[Line]:
    for bad in root.xpath("//" + " | //".join(_DROP)):
        bad.drop_tree()
    lines: list[Line] = []
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag not in _BLOCKS:
            continue
        if tag in ("p", "td", "th", "dd", "dt", "blockquote") and el.xpath("ancestor::li"):
            continue  # a paragraph inside a list item is the item's text
        if tag == "li" and el.xpath(".//li"):
            own = (el.text or "").strip()  # a list item holding a list: its own words only
            text = " ".join(own.split())
        else:
            text = " ".join(el.text_content().split())
        if not text:
            continue
        level = int(tag[1]) if tag[0] == "h" and tag[1:].isdigit() else 0
        lines.append(Line(text, level, tag == "li"))
        lines.append(Line(""))
    return lines


def _html(raw: bytes, name: str) -> list[Line]:
    text = _decode(raw, name)
    root = _html_tree(text, name)
    whole = _html_lines(root)
    whole_chars = sum(len(line.text) for line in whole)
    from lxml.etree import LxmlError
    from readability import Document
    from readability.readability import Unparseable

    try:
        summary = Document(text).summary(html_partial=True)
    except (Unparseable, LxmlError, ValueError, TypeError, AttributeError, RecursionError):
        return whole  # its scoring failed on odd markup: the whole page is still read
    main = _html_lines(_html_tree(summary, name))
    main_chars = sum(len(line.text) for line in main)
    return main if main_chars * 5 >= whole_chars else whole
