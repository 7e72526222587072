"""A register back to YAML text: the inverse of loading, for ``govmap dump``.

The output is meant to be edited by hand: sections in the usual order, keys in
model order, defaults left out, and relationships that need no sources of
their own written back as bare ids.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import yaml

from govmap.ingest.model import SECTIONS, Cited, Item, Record, Register


def _short(item: Item, dumped: Any) -> Any:
    return item.target if item.is_short else dumped


#: Keys written after an entry's own (``- {field: period.start, status: disputed}``).
_PROVENANCE = ("field_status", "status", "sources")


def flow_text(value: Any) -> str:
    """A value in YAML flow form (JSON strings are YAML strings): ``[{field: end, status: unconfirmed}]``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow_text(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def entry_data(data: dict[str, Any]) -> dict[str, Any]:
    """An entry (a seat by sector, a former name, a field's status) with its own keys first."""
    return {k: v for k, v in data.items() if k not in _PROVENANCE} | {
        k: [entry_data(d) for d in data[k]] if k == "field_status" else data[k]
        for k in _PROVENANCE
        if k in data
    }


def _own_status(data: dict[str, Any]) -> dict[str, Any]:
    """A link's data with its fields' own statuses written key first."""
    if "field_status" in data:
        data["field_status"] = [entry_data(d) for d in data["field_status"]]
    return data


def record_data(rec: Record) -> dict[str, Any]:
    """A record as plain data, in the shape a reviewer would write it."""
    data = rec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    for name in list(data):
        value = getattr(rec, name, None)
        if isinstance(value, tuple) and value and isinstance(value[0], Item):
            data[name] = [_short(item, _own_status(d)) for item, d in zip(value, data[name], strict=True)]
        elif isinstance(value, tuple) and value and isinstance(value[0], Cited):
            data[name] = [entry_data(d) for d in data[name]]
    return data


def register_data(register: Register) -> dict[str, Any]:
    out: dict[str, Any] = {"govmap": 1}
    out["register"] = register.info.model_dump(mode="json", exclude_defaults=True)
    for section in SECTIONS:
        records = getattr(register, section)
        if records:
            out[section] = [record_data(r) for r in records]
    return out


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # registers refuse anchors and aliases


class _CDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True


#: Text libyaml's emitter writes byte for byte as PyYAML's: no quoting needed, so no
#: quoted-style line wrapping (the one place the two emitters differ on a register's text).
_PLAIN = re.compile(r"[A-Za-z0-9(][A-Za-z0-9 ,.()/&+'-]*")
#: A string in JSON text (JSON has no other quotes between its strings).
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _same_in_c(value: Any) -> bool:
    """Whether libyaml writes ``value`` as PyYAML does.

    Every string in it must be short text (up to 60 characters never reaches the
    100-column wrap, whatever its quoting) of printable characters of the Basic
    Multilingual Plane (the emitters escape others differently), or long plain
    prose with no double spaces.  Checked on the value's JSON text, which the C
    encoder makes in microseconds: a line break or a quote is escaped there, so a
    string with one counts as long and not plain, which only sends it to PyYAML.
    """
    text = json.dumps(value, ensure_ascii=False)
    if not text.isprintable() or (not text.isascii() and max(text) >= "\U00010000"):
        return False
    for m in _JSON_STRING.finditer(text):
        if m.end() - m.start() > 62:
            inner = m.group()[1:-1]
            if _PLAIN.fullmatch(inner) is None or "  " in inner:
                return False
    return True


def _emit(data: Any, c: bool) -> str:
    return yaml.dump(
        data,
        Dumper=_CDumper if c else _Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def _dump(data: dict[str, Any] | list[Any]) -> str:
    """PyYAML's text for ``data`` (a mapping of sections, or a section's records), made faster.

    Notes
    -----
    Records whose text libyaml's emitter (C) writes the same as PyYAML's are
    written by libyaml, the rest by PyYAML: three times faster on a national
    register, the same bytes.  A top-level mapping's text is its keys' texts one
    after another, and a section's list (written without indent) is its first
    records' text, then the rest's, so the text can be made in runs.
    """
    if isinstance(data, list):
        return "".join(_runs(None, data))
    return "".join(piece for key, value in data.items() for piece in _runs(key, value))


def _runs(key: str | None, value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        return [_emit({key: value} if key is not None else value, _same_in_c(value))]
    out: list[str] = []
    start = 0
    while start < len(value):
        c = _same_in_c(value[start])
        end = start + 1
        while end < len(value) and _same_in_c(value[end]) == c:
            end += 1
        run = value[start:end]
        out.append(_emit({key: run} if key is not None and start == 0 else run, c))
        start = end
    return out


#: Registers with more records than this are written in two processes (see dump_register).
SPLIT_RECORDS = 5000


def _weight(record: Any) -> int:
    """About how much text a record makes: the length of its JSON (the C encoder's, quick)."""
    return len(json.dumps(record, ensure_ascii=False))


def _halves(data: dict[str, Any]) -> tuple[Callable[[], str], Callable[[], str]]:
    """Two functions whose texts, joined, are ``_dump(data)``: cut at the record where the
    weight halves.  A top-level mapping's text is its keys' texts one after another, and a
    section's list (written without indent) is its first items' text, then the rest's."""
    keys = list(data)
    weights = [(k, i, _weight(r)) for k in keys if isinstance(data[k], list) for i, r in enumerate(data[k])]
    half, run = sum(w for _, _, w in weights) / 2, 0
    at, index = keys[-1], 0
    for k, i, w in weights:
        if run + w > half:
            at, index = k, i
            break
        run += w
    n = keys.index(at)

    def first() -> str:
        text = _dump({k: data[k] for k in keys[:n]}) if n else ""
        return text + (_dump({at: data[at][:index]}) if index else "")

    def second() -> str:
        text = _dump(data[at][index:]) if index else _dump({at: data[at]})
        return text + (_dump({k: data[k] for k in keys[n + 1 :]}) if keys[n + 1 :] else "")

    return first, second


def dump_register(register: Register) -> str:
    """YAML text for a register; loading it gives back an equal register.

    A register of more than :data:`SPLIT_RECORDS` records is written in two
    halves, the first in a forked child process (:mod:`govmap.support.background`), so two
    cores write it in about half the time; the halves joined are the same bytes.
    """
    from govmap.support.background import Background, can_fork

    data = register_data(register)
    if sum(len(v) for v in data.values() if isinstance(v, list)) <= SPLIT_RECORDS or not can_fork():
        return _dump(data)
    first, second = _halves(data)
    job = Background(first)
    try:
        rest = second()
        return job.result() + rest
    finally:
        job.cancel()
