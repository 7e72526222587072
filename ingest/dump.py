"""A register back to YAML text: the inverse of loading, for ``govmap dump``.

The output is meant to be edited by hand: sections in the usual order, keys in
model order, defaults left out, and relationships that need no sources of
their own written back as bare ids.
"""

from __future__ import annotations

import os
from typing import Any

import yaml

from .errors import OutputError
from .model import SECTIONS, Link, Membership, Record, Register, ThemeLink


def _short(item: Any, dumped: Any) -> Any:
    if isinstance(item, Link) and item.is_short:
        return item.to
    if isinstance(item, Membership) and item.model_fields_set <= {"member"}:
        return item.member
    if isinstance(item, ThemeLink) and item.model_fields_set <= {"theme"}:
        return item.theme
    return dumped


def record_data(rec: Record) -> dict[str, Any]:
    """A record as plain data, in the shape a reviewer would write it."""
    data = rec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    for name in list(data):
        value = getattr(rec, name, None)
        if isinstance(value, tuple) and value and isinstance(value[0], Link | Membership | ThemeLink):
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


def write_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the new one.

    See :func:`govmap.ingest.save.write_atomic`; here a failure to write is a
    message for the user (:class:`OutputError`), not a traceback.
    """
    from .save import write_atomic

    name = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(folder):
        raise OutputError(
            f"cannot write {name}: no folder {folder}", hint="create the folder, or choose another path"
        )
    try:
        write_atomic(name, text.encode("utf-8"))
    except IsADirectoryError:
        raise OutputError(f"cannot write {name}: it is a folder", hint="give a file name") from None
    except OSError as exc:
        raise OutputError(f"cannot write {name}: {exc.strerror or exc}") from None
