"""What changed between two registers: records field by field, and findings by stable id.

Records are matched by id.  A record whose id disappeared while a record of
the same section with a similar name (or an alias equal to the old name)
appeared is reported as a **rename**, not a removal and an addition, and the
references to the old id in other records are read as references to the new
one, so a rename does not also show as a change in every body that lists it.

Findings are matched by their stable id (:func:`govmap.graph.analysis.findings.finding_id`):
**new** (only in the new register), **resolved** (only in the old one),
**changed** (in both, with another title or severity: a fold that gained a
member, a body renamed) and **open** (in both, unchanged).  A renamed record
keeps its findings: the old register's findings are given the ids they have
under the new ids (:meth:`~govmap.graph.analysis.findings.Finding.id_after`),
whether the rename is recorded (``former_names`` with the old ``id``) or
detected by name.  Both reports are judged as of the same day.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _str
from typing import TYPE_CHECKING, Any

from govmap.graph.analysis.findings import Finding, Kind, Severity
from govmap.graph.review.renames import find_renames, recorded_renames, rename_refs
from govmap.graph.review.sources import Side
from govmap.ingest.model import Record, Register, item_type
from govmap.support.background import Background

if TYPE_CHECKING:
    from govmap.graph.report import ReportOptions

# The report (and all the analysis behind it) is imported where findings are compared, not here:
# a load into Neo4j counts records with diff_records, and should not pay for the whole report.


@dataclass(frozen=True)
class Change:
    """One field of a record that changed: ``members[police].role`` from ``member`` to ``chair``."""

    field: str
    change: str  # "added", "removed" or "changed"
    old: Any = None
    new: Any = None

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "change": self.change, "old": self.old, "new": self.new}

    def describe(self) -> str:
        if self.change == "added":
            return f"{self.field}: added {_short(self.new)}"
        if self.change == "removed":
            return f"{self.field}: removed {_short(self.old)}"
        return f"{self.field}: {_short(self.old)} -> {_short(self.new)}"


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return str(value)


@dataclass(frozen=True)
class RecordChange:
    id: str
    section: str
    name: str
    changes: tuple[Change, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "section": self.section,
            "name": self.name,
            "changes": [c.to_json() for c in self.changes],
        }


@dataclass(frozen=True)
class Rename:
    old: str
    new: str
    section: str
    similarity: float
    changes: tuple[Change, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "section": self.section,
            "similarity": self.similarity,
            "changes": [c.to_json() for c in self.changes],
        }


@dataclass(frozen=True)
class RecordsDiff:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[RecordChange, ...] = ()
    renamed: tuple[Rename, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.renamed)

    def to_json(self) -> dict[str, Any]:
        return {
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [c.to_json() for c in self.changed],
            "renamed": [r.to_json() for r in self.renamed],
        }


def finding_brief(f: Finding) -> dict[str, Any]:
    return {"id": f.id, "kind": f.kind.value, "severity": f.severity.value, "title": f.title}


@dataclass(frozen=True)
class FindingsDiff:
    new: tuple[Finding, ...] = ()
    resolved: tuple[Finding, ...] = ()
    #: In both, unchanged.
    open: tuple[Finding, ...] = ()
    #: In both with another title or severity, as the new register has them; ``was`` holds
    #: each one as the old register had it, by id.
    changed: tuple[Finding, ...] = ()
    was: Mapping[str, Finding] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "new": [finding_brief(f) for f in self.new],
            "resolved": [finding_brief(f) for f in self.resolved],
            "changed": [self.changed_brief(f) for f in self.changed],
            "open": [finding_brief(f) for f in self.open],
        }

    def changed_brief(self, f: Finding) -> dict[str, Any]:
        """A changed finding as the JSON lists it: its brief, and what it was."""
        was = self.was[f.id]
        return {**finding_brief(f), "was": {"severity": was.severity.value, "title": was.title}}

    def worst_new(self) -> Severity | None:
        return max((f.severity for f in self.new), key=lambda s: s.rank, default=None)


@dataclass(frozen=True)
class RegisterDiff:
    """The JSON contract: ``{"old", "new", "records", "findings"}``."""

    old: dict[str, Any]
    new: dict[str, Any]
    records: RecordsDiff
    findings: FindingsDiff
    names: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "records": self.records.to_json(),
            "findings": self.findings.to_json(),
        }

    def iter_json(self) -> Iterator[str]:
        """``json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\\n"`` in pieces.

        The findings (most of the text: every finding still open is listed) are
        written straight from the findings, a thousand at a time, without
        building their dictionaries or the whole text.

        >>> import json
        >>> d = RegisterDiff({"label": "a"}, {"label": "b"}, RecordsDiff(), FindingsDiff())
        >>> "".join(d.iter_json()) == json.dumps(d.to_json(), indent=2, ensure_ascii=False) + "\\n"
        True
        """
        from govmap.graph.report.jsontext import dumps_indented

        head = {"old": self.old, "new": self.new, "records": self.records.to_json(), "findings": {}}
        text = dumps_indented(head)
        yield text[: -len("{}\n}")] + "{"
        fd = self.findings
        yield from _briefs_json("new", fd.new, first=True)
        yield from _briefs_json("resolved", fd.resolved)
        changed = json.dumps([fd.changed_brief(f) for f in fd.changed], indent=2, ensure_ascii=False)
        yield ',\n    "changed": ' + changed.replace("\n", "\n    ")
        yield from _briefs_json("open", fd.open)
        yield "\n  }\n}\n"


def _briefs_json(key: str, items: tuple[Finding, ...], first: bool = False) -> Iterator[str]:
    """One list of finding briefs as :meth:`RegisterDiff.iter_json` writes it, a thousand at a time."""
    yield f'{"" if first else ","}\n    "{key}": ' + ("[" if items else "[]")
    for start in range(0, len(items), 1000):
        yield "".join(
            f'{"," if start + i else ""}\n      {{\n        "id": {_str(f.id)},'
            f'\n        "kind": {_str(f.kind.value)},\n        "severity": {_str(f.severity.value)},'
            f'\n        "title": {_str(f.title)}\n      }}'
            for i, f in enumerate(items[start : start + 1000])
        )
    if items:
        yield "\n    ]"


# -- records -------------------------------------------------------------------


def _data(rec: Record) -> dict[str, Any]:
    # Defaults kept (a role changed to the default is a change, not a removal); None dropped.
    return rec.model_dump(mode="json", exclude_none=True)


def _pruned(value: Any) -> Any:
    """A value as shown for an added or removed item: empty lists and false flags left out."""
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v not in ([], False, {})}
    return value


def _item_key(field_name: str, item: Any) -> str:
    if isinstance(item, dict):
        if "doc" in item:  # a source
            return f"{item['doc']}" + (f" {item['section']}" if item.get("section") else "")
        return str(item.get(item_type(field_name).target_key, item.get("to", "")))
    return str(item)


def _keyed(field_name: str, items: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key = _item_key(field_name, item)
        n = 2
        base = key
        while key in out:  # the same member twice (two posts of one organisation): count them
            key, n = f"{base} #{n}", n + 1
        out[key] = item
    return out


def compare(old: Any, new: Any, path: str = "") -> list[Change]:
    """Changes from ``old`` to ``new`` plain data; list items matched by what they point to.

    >>> [c.describe() for c in compare({"members": ["a", "b"]}, {"members": ["b", {"member": "c"}]})]
    ['members[a]: removed a', 'members[c]: added {member: c}']
    """
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[Change] = []
        for key in dict.fromkeys([*old, *new]):
            sub = f"{path}.{key}" if path else str(key)
            if key not in new:
                out.append(Change(sub, "removed", _pruned(old[key]), None))
            elif key not in old:
                out.append(Change(sub, "added", None, _pruned(new[key])))
            else:
                out += compare(old[key], new[key], sub)
        return out
    if isinstance(old, list) and isinstance(new, list):
        name = path.rsplit(".", 1)[-1].split("[")[0]
        ko, kn = _keyed(name, old), _keyed(name, new)
        out = []
        for key in dict.fromkeys([*ko, *kn]):
            sub = f"{path}[{key}]"
            if key not in kn:
                out.append(Change(sub, "removed", _pruned(ko[key]), None))
            elif key not in ko:
                out.append(Change(sub, "added", None, _pruned(kn[key])))
            else:
                a, b = ko[key], kn[key]
                a = {"member": a} if isinstance(a, str) and isinstance(b, dict) else a
                out += compare(a, b, sub)
        return out
    return [Change(path, "changed", old, new)]


def renames_between(gone: list[Record], came: list[Record]) -> list[tuple[Record, Record, float]]:
    """The renames among records removed (``gone``) and added (``came``): (old, new, similarity).

    A rename is recorded (the new record's ``former_names`` give the old id) or found by
    name (:func:`find_renames`); a recorded one comes first.
    """
    pairs = recorded_renames(gone, came)
    paired = {x.id for a, b, _ in pairs for x in (a, b)}
    return pairs + find_renames(
        [r for r in gone if r.id not in paired], [r for r in came if r.id not in paired]
    )


def diff_records(
    old: Register, new: Register, renames: list[tuple[Record, Record, float]] | None = None
) -> RecordsDiff:
    """Records added, removed, changed (field by field) and renamed between two registers.

    Renames are :func:`renames_between` the records removed and added, unless given
    (``renames``: what it returned for them).
    """
    old_ids, new_ids = old.index, new.index
    gone = [r for i, r in old_ids.items() if i not in new_ids]
    came = [r for i, r in new_ids.items() if i not in old_ids]
    pairs = renames_between(gone, came) if renames is None else renames
    renamed_to = {a.id: b.id for a, b, _ in pairs}
    renamed = []
    for a, b, score in pairs:
        before = rename_refs({k: v for k, v in _data(a).items() if k != "id"}, renamed_to)
        after = {k: v for k, v in _data(b).items() if k != "id"}
        renamed.append(Rename(a.id, b.id, a.section, score, tuple(compare(before, after))))
    changed = []
    for rid, rec in new_ids.items():
        was = old_ids.get(rid)
        if was is None:
            continue
        changes = compare(rename_refs(_data(was), renamed_to), _data(rec))
        if type(was) is not type(rec):
            changes.insert(0, Change("section", "changed", was.section, rec.section))
        if changes:
            changed.append(RecordChange(rid, rec.section, rec.name, tuple(changes)))
    info = compare(old.info.model_dump(mode="json"), new.info.model_dump(mode="json"))
    if info:
        changed.insert(0, RecordChange("register", "register", new.info.name, tuple(info)))
    return RecordsDiff(
        added=tuple(r.id for r in came if r.id not in renamed_to.values()),
        removed=tuple(r.id for r in gone if r.id not in renamed_to),
        changed=tuple(changed),
        renamed=tuple(renamed),
    )


# -- findings ------------------------------------------------------------------


def diff_findings(old: Iterable[Finding], new: Iterable[Finding]) -> FindingsDiff:
    """Findings by stable id: new, resolved, changed (another title or severity) and open
    (unchanged), as the new register has them."""
    before = {f.id: f for f in old}
    after = {f.id: f for f in new}
    both = [f for i, f in after.items() if i in before]
    changed = tuple(f for f in both if (f.title, f.severity) != (before[f.id].title, before[f.id].severity))
    return FindingsDiff(
        new=tuple(f for i, f in after.items() if i not in before),
        resolved=tuple(f for i, f in before.items() if i not in after),
        open=tuple(f for f in both if f not in changed),
        changed=changed,
        was={f.id: before[f.id] for f in changed},
    )


def _briefs(
    register: Register, opts: ReportOptions, renames: Mapping[str, str] | None = None
) -> list[tuple[str, str, str, str]]:
    """The report's findings as the diff shows them: (id, kind, severity, title), in order; with
    ``renames`` (old id -> new id), each id as it is once those records have their new ids."""
    from govmap.graph.report import report

    return [
        (f.id_after(renames) if renames else f.id, f.kind.value, f.severity.value, f.title)
        for f in report(register, options=opts).findings
    ]


def _findings(briefs: list[tuple[str, str, str, str]]) -> list[Finding]:
    # Evidence, subjects and sources are not part of a diff: only what it shows is kept.
    return [Finding(i, Kind(k), Severity(s), t, ()) for i, k, s, t in briefs]


def diff_registers(old: Side, new: Side, as_of: dt.date | None = None) -> RegisterDiff:
    """Everything that changed from ``old`` to ``new``; both reports judged as of ``as_of`` (today).

    Examples
    --------
    >>> from govmap.graph.review.sources import side_of_text
    >>> a = side_of_text("bodies: [{id: b, name: Board, kind: board}]", "a", "a.yaml")
    >>> b = side_of_text("bodies: [{id: b, name: The Board, kind: board}]", "b", "b.yaml")
    >>> d = diff_registers(a, b, dt.date(2025, 1, 1))
    >>> [(c.id, [x.describe() for x in c.changes]) for c in d.records.changed]
    [('b', ['name: Board -> The Board'])]

    Notes
    -----
    The two reports are most of the work and do not depend on each other: the
    new register's is computed in a child process (:mod:`~govmap.support.background`)
    while this one computes the old register's and compares the records, so on
    two cores the diff takes about one report's time, not two.  Only each
    finding's id, kind, severity and title are kept (all a diff shows).
    """
    from govmap.graph.report import ReportOptions

    opts = ReportOptions(as_of=as_of or dt.date.today())
    same = old.sha256 == new.sha256
    pending = None if same else Background(lambda: _briefs(new.register, opts))
    try:
        records = diff_records(old.register, new.register)
        renames = {r.old: r.new for r in records.renamed}
        before = _findings(_briefs(old.register, opts, renames))
        names = {r.id: r.name for r in old.register.records()} | {
            r.id: r.name for r in new.register.records()
        }
        after = before if pending is None else _findings(pending.result())
    finally:
        if pending is not None:
            pending.cancel()
    return RegisterDiff(
        old=old.to_json(),
        new=new.to_json(),
        records=records,
        findings=diff_findings(before, after),
        names=names,
    )
