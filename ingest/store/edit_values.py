"""The edits a reviewer can make to a register, as small frozen values.

:class:`AddRecord`, :class:`ChangeRecord`, :class:`RemoveRecord`,
:class:`AddLink`, :class:`ChangeLink`, :class:`RemoveLink`; a membership is a
link in a body's ``members`` and a theme link one in ``themes``.  Each names
the record it touches (``subject``) and says what it does (``describe``).
Applying them: :mod:`govmap.ingest.store.mutate` (to a ruamel document) and :mod:`govmap.ingest.store.edits` (to text).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govmap.ingest.model import SECTIONS, item_type


@dataclass(frozen=True)
class AddRecord:
    """Append a record to a section (``bodies``, ``themes`` ...)."""

    section: str
    data: Mapping[str, Any]

    @property
    def subject(self) -> str:
        return str(self.data.get("id", ""))

    def describe(self) -> str:
        return f"add {section_word(self.section)} '{self.subject}'"


@dataclass(frozen=True)
class ChangeRecord:
    """Set keys of a record; a value of ``None`` (or empty) removes the key.

    Setting a link field (``reports_to``, ``areas`` ...) to a list of bare ids
    keeps the details (sources, notes, dates) of the links that stay.
    """

    id: str
    changes: Mapping[str, Any]

    @property
    def subject(self) -> str:
        return self.id

    def describe(self) -> str:
        return f"change {', '.join(self.changes) or 'nothing'} of '{self.id}'"


@dataclass(frozen=True)
class RemoveRecord:
    id: str

    @property
    def subject(self) -> str:
        return self.id

    def describe(self) -> str:
        return f"remove '{self.id}'"


@dataclass(frozen=True)
class AddLink:
    """Append an item to a list field: a membership (``members``), a theme link
    (``themes``) or a link (``reports_to``, ``areas`` ...).  ``value`` is a bare
    id or a mapping in the YAML shape."""

    record: str
    field: str
    value: Any

    @property
    def subject(self) -> str:
        return self.record

    def describe(self) -> str:
        return f"add {item_word(self.field)} '{link_target(self.field, self.value)}' to '{self.record}'"


@dataclass(frozen=True)
class ChangeLink:
    record: str
    field: str
    index: int
    value: Any

    @property
    def subject(self) -> str:
        return self.record

    def describe(self) -> str:
        return f"change {item_word(self.field)} #{self.index + 1} of '{self.record}'"


@dataclass(frozen=True)
class RemoveLink:
    record: str
    field: str
    index: int

    @property
    def subject(self) -> str:
        return self.record

    def describe(self) -> str:
        return f"remove {item_word(self.field)} #{self.index + 1} from '{self.record}'"


Edit = AddRecord | ChangeRecord | RemoveRecord | AddLink | ChangeLink | RemoveLink


def section_word(section: str) -> str:
    return SECTIONS[section].word if section in SECTIONS else section


def item_word(field_name: str) -> str:
    return {"members": "membership", "themes": "theme link"}.get(field_name, f"{field_name} link")


def link_target(field_name: str, value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get(item_type(field_name).target_key, ""))
    return str(value)
