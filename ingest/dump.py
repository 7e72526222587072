"""A register back to YAML text: the inverse of loading, for ``govmap dump``.

The output is meant to be edited by hand: sections in the usual order, keys in
model order, defaults left out, and relationships that need no sources of
their own written back as bare ids.
"""

from __future__ import annotations

from typing import Any

import yaml

from .model import SECTIONS, Item, Record, Register


def _short(item: Item, dumped: Any) -> Any:
    return item.target if item.is_short else dumped


def record_data(rec: Record) -> dict[str, Any]:
    """A record as plain data, in the shape a reviewer would write it."""
    data = rec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    for name in list(data):
        value = getattr(rec, name, None)
        if isinstance(value, tuple) and value and isinstance(value[0], Item):
            data[name] = [_short(item, d) for item, d in zip(value, data[name], strict=True)]
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


def dump_register(register: Register) -> str:
    """YAML text for a register; loading it gives back an equal register."""
    return yaml.dump(
        register_data(register),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
