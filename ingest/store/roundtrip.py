"""The YAML round trip for edits: ruamel keeps comments, order, quoting and line ends as written."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from govmap.ingest.errors import EditRefused
from govmap.ingest.model import item_type

# -- YAML round trip -----------------------------------------------------------

_DOC_START = re.compile(r"\A((?:[ \t]*(?:#[^\n]*)?\n)*---[^\n]*\n)")


_LIST_UNDER_KEY = re.compile(
    r"^( *)[^\s#-][^\n]*:[ \t]*(?:#[^\n]*)?\n(?:[ \t]*(?:#[^\n]*)?\n)*( *)-( +)\S", re.M
)


def _indents(text: str) -> tuple[int, int, int]:
    """Guess (mapping, sequence, offset) indentation so untouched lines stay byte-identical."""
    # The dash's indent is relative to the key that holds the list (``  top:\n  - x`` is offset 0).
    m = re.search(_LIST_UNDER_KEY, text)
    offset = len(m.group(2)) - len(m.group(1)) if m else 2
    seq = offset + 1 + len(m.group(3)) if m else 4
    k = re.search(r"^\S[^\n]*:[ \t]*(?:#[^\n]*)?\n(?:[ \t]*(?:#[^\n]*)?\n)*( +)[\w-]+:", text, re.M)
    return (len(k.group(1)) if k else 2), seq, offset


def round_trip_yaml(text: str) -> YAML:
    """A ruamel round-trip loader and dumper set to ``text``'s own indentation and quoting."""
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a reviewer's long lines
    y.brace_single_entry_mapping_in_flow_sequence = True  # keep [{doc: x}], not [doc: x]
    mapping, seq, offset = _indents(text)
    y.indent(mapping=mapping, sequence=seq, offset=offset)
    return y


def load_document(text: str, y: YAML) -> CommentedMap:
    """``text`` as ruamel's commented mapping, or :class:`EditRefused` if it is not one."""
    try:
        doc = y.load(text)
    except YAMLError as exc:  # the text on disk was valid; this is a bug or a race
        raise EditRefused(f"the register cannot be read for editing: {exc}") from exc
    if doc is None:
        doc = CommentedMap()
    if not isinstance(doc, CommentedMap):
        raise EditRefused("the register is not a mapping of sections")
    return doc


_TOP_KEY = re.compile(r"[^\s#-]")


def record_block(text: str, record_id: str) -> tuple[int, int] | None:
    """Character offsets (start, end) of the lines a record written ``- id: ...`` spans: from
    that line to the next item of its list or the next top-level key (comments between them
    included); None unless exactly one line starts the record."""
    head = re.compile(rf"( *)- +id: *(['\"]?){re.escape(record_id)}\2 *(?:#[^\n]*)?")
    found: list[tuple[int, re.Match[str]]] = []
    for hit in re.finditer(re.escape(record_id), text):
        start = text.rfind("\n", 0, hit.start()) + 1
        if found and found[-1][0] == start:
            continue
        end = text.find("\n", hit.end())
        m = head.fullmatch(text, start, len(text) if end < 0 else end)
        if m:
            found.append((start, m))
    if len(found) != 1:
        return None
    start, m = found[0]
    sibling = m.group(1) + "-"
    at = text.find("\n", start)
    while at >= 0 and at + 1 < len(text):
        line_start = at + 1
        if _TOP_KEY.match(text, line_start) or (
            text.startswith(sibling, line_start)
            and text[line_start + len(sibling) : line_start + len(sibling) + 1] in (" ", "\n")
        ):
            return start, line_start
        at = text.find("\n", line_start)
    return start, len(text)


def line_ending(text: str) -> str:
    """The line ending of a register: that of its first line (``\\r\\n`` or ``\\n``)."""
    end = text.find("\n")
    return "\r\n" if end > 0 and text[end - 1] == "\r" else "\n"


def dump_document(doc: CommentedMap, y: YAML, original: str, newline: str = "\n") -> str:
    """The document as text (``original`` has ``\\n`` line ends), ending lines with ``newline``."""
    out = io.StringIO()
    y.dump(doc, out)
    text = out.getvalue()
    # ruamel drops comments before an explicit '---' and the marker itself.
    m = _DOC_START.match(original)
    if m and not text.startswith(m.group(1)):
        text = m.group(1) + text
    # YAML reads CRLF in a scalar as LF, so this changes no value, only the bytes.
    return text.replace("\n", newline) if newline != "\n" else text


_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"


def _text(value: str) -> str:
    """Text the edit writes, quoted when the validator would read it as something else.

    ruamel writes YAML 1.2, where ``Yes``, ``off`` or ``12:30`` are plain
    text, but the register is read by PyYAML (YAML 1.1), where they are a
    boolean or a number: such text is written single-quoted.  Only what an
    edit writes is quoted; a ``top_level: yes`` already in the file stays as
    it is (PyYAML reads it as the boolean it is meant to be).
    """
    if _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) != _STR:
        return SingleQuotedScalarString(value)
    return value


def ruamel_value(value: Any) -> Any:
    """Plain data -> ruamel containers (so they dump in block style)."""
    if isinstance(value, Mapping):
        out = CommentedMap()
        for k, v in value.items():
            if v is not None and v != [] and v != ():
                out[k] = ruamel_value(v)
        return out
    if isinstance(value, list | tuple):
        return CommentedSeq(ruamel_value(v) for v in value)
    if isinstance(value, str):
        return _text(value)
    return value


def ruamel_item(field_name: str, value: Any) -> Any:
    """``{member: x}`` -> ``x``: write an item with nothing but its target as a bare id."""
    if isinstance(value, Mapping):
        kept = {k: v for k, v in value.items() if v is not None and v != [] and v != ()}
        if set(kept) == {item_type(field_name).target_key}:
            return ruamel_value(next(iter(kept.values())))
        return ruamel_value(kept)
    return ruamel_value(value)
