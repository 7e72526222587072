"""Accepted proposals -> the register's own edits (:mod:`govmap.ingest.store.edit_values`).

Every accepted fact is written ``status: unconfirmed`` with its source: the
document (a record of the register's ``documents``, added with the first
accepted proposal if the register has none for it), the section, and the quote
in the source's note.  A new record is an :class:`AddRecord`; a new name or
period of an existing record a :class:`ChangeRecord` that keeps what it has; a
link an :class:`AddLink` in the record it is written in.  The edits are then
applied one by one with the register's validation (the CLI on the file's text,
the web app through its store, each audited); a link whose record is a
proposal not accepted is left out, with the reason.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from govmap.ingest.documents.proposals import NEW_FACT, NEW_RECORD, LinkProposal, Proposals, RecordProposal
from govmap.ingest.model import Register
from govmap.ingest.names import normal, slug
from govmap.ingest.store.edit_values import AddLink, AddRecord, ChangeRecord, Edit

#: The key naming a link's target, by field.
_TARGET_KEY = {"members": "member", "themes": "theme"}
_DOC_KIND = (
    (re.compile(r"agreement", re.I), "agreement"),
    (re.compile(r"minutes", re.I), "minutes"),
    (re.compile(r"guidance", re.I), "guidance"),
    (re.compile(r"report|strategy|plan|assessment|terms of reference", re.I), "report"),
)


@dataclass
class Accepted:
    """The edits for the accepted proposals, and the proposals that could not be accepted, with why."""

    edits: list[Edit] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: Proposal id -> the register id it is written as.
    ids: dict[str, str] = field(default_factory=dict)


def document_id(
    proposals: Proposals, register: Register, path: str | None = None
) -> tuple[str, AddRecord | None]:
    """The register's document record for the proposals' document, or a new one to add.

    ``path`` is where the document is kept, relative to the register (the CLI knows it; an
    upload to the web app is kept nowhere, so its record has no path).
    """
    base = os.path.basename(proposals.document)
    for d in register.documents:
        if d.path and os.path.basename(d.path) == base:
            return d.id, None
        if normal(d.name) == normal(os.path.splitext(base)[0].replace("-", " ").replace("_", " ")):
            return d.id, None
    stem = os.path.splitext(base)[0]
    did = slug(stem, register.index)
    kind = next((k for pattern, k in _DOC_KIND if pattern.search(stem)), "other")
    data: dict[str, Any] = {
        "id": did,
        "name": stem.replace("-", " ").replace("_", " ")[:300] or did,
        "kind": kind,
    }
    if path:
        data["path"] = path[:2000]
    return did, AddRecord("documents", data)


def _source(doc: str, p: RecordProposal | LinkProposal, words: str = "") -> dict[str, Any]:
    """The source of a proposal: its first quote, or the first holding ``words`` (the new fact)."""
    q = next((q for q in p.quotes if words and words.lower() in q.text.lower()), p.quotes[0])
    return {"doc": doc, "section": q.section[:500], "note": f'quote: "{q.text}"'[:2000]}


def _record_data(p: RecordProposal, rid: str, doc: str) -> dict[str, Any]:
    data: dict[str, Any] = {"id": rid, "name": p.name[:300]}
    if p.aliases:
        data["aliases"] = [a[:300] for a in p.aliases]
    if p.kind:
        data["type" if p.section == "organisations" else "kind"] = p.kind
    if p.former:
        data["former_names"] = [{"name": n[:300], "status": "unconfirmed"} for n in p.former]
    if p.section == "posts":
        data["organisation"] = p.organisation or ""
    if p.stage and p.section == "strategies":
        data["stage"] = p.stage
    if p.period:
        data["period"] = {"start": p.period[0], "end": p.period[1]}
    data["status"] = "unconfirmed"
    data["sources"] = [_source(doc, p)]
    return data


def _change(p: RecordProposal, register: Register, doc: str) -> ChangeRecord | None:
    rec = register.get(p.ref)
    if rec is None:
        return None
    known = {normal(n) for n in rec.all_names}
    new = [n for n in [p.name, *p.aliases] if normal(n) not in known]
    changes: dict[str, Any] = {}
    former = [n for n in p.former if normal(n) not in known]
    new = [n for n in new if n not in former]
    if new:
        changes["aliases"] = [*rec.aliases, *dict.fromkeys(new)]
    if former:
        kept = [n.model_dump(mode="json", exclude_defaults=True) for n in rec.former_names]
        changes["former_names"] = [*kept, *({"name": n[:300], "status": "unconfirmed"} for n in former)]
    period = getattr(rec, "period", None)
    if p.period and (period is None or (period.start is None and period.end is None)):
        changes["period"] = {"start": p.period[0], "end": p.period[1]}
    if p.stage and p.section == "strategies" and getattr(rec, "stage", None) is None:
        changes["stage"] = p.stage
    if not changes:
        return None
    sources = [s.model_dump(mode="json", exclude_none=True) for s in rec.sources]
    fact = (former or new or [""])[0] if "stage" not in changes else "draft"
    changes["sources"] = [*sources, _source(doc, p, fact)]
    return ChangeRecord(rec.id, changes)


def edits_for(
    proposals: Proposals, register: Register, accept: Iterable[str], path: str | None = None
) -> Accepted:
    """The edits that write the accepted proposals (ids in ``accept``) into ``register``.

    ``path``: where the document is kept, relative to the register, for a new document record.
    """
    wanted = set(accept)
    out = Accepted()
    doc, add_doc = document_id(proposals, register, path)
    taken = set(register.index)
    records: list[Edit] = []
    for p in proposals.records:  # ids first: a post names its organisation
        if p.id in wanted and p.outcome == NEW_RECORD:
            out.ids[p.id] = slug(p.name, taken)
            taken.add(out.ids[p.id])
    order = {"organisations": 0, "bodies": 1, "posts": 2}
    for p in sorted(proposals.records, key=lambda r: order.get(r.section, 3)):
        if p.id not in wanted:
            continue
        if p.outcome == NEW_RECORD:
            if p.organisation:
                p.organisation = out.ids.get(p.organisation, p.organisation)
            records.append(AddRecord(p.section, _record_data(p, out.ids[p.id], doc)))
        elif p.outcome == NEW_FACT:
            change = _change(p, register, doc)
            if change is not None:
                records.append(change)
        else:
            out.skipped.append((p.id, "already recorded: nothing to write"))
    links: list[Edit] = []
    for k in proposals.links:
        if k.id not in wanted:
            continue
        if k.outcome != NEW_FACT:
            out.skipped.append((k.id, "already recorded: nothing to write"))
            continue
        source = out.ids.get(k.source, k.source)
        target = out.ids.get(k.target, k.target)
        missing = [r for r in (source, target) if r not in register and r not in out.ids.values()]
        if missing:
            out.skipped.append((k.id, f"'{missing[0]}' is a proposal not accepted: accept it too"))
            continue
        value: dict[str, Any] = {_TARGET_KEY.get(k.field, "to"): target}
        if k.role and k.role != "member":
            value["role"] = k.role
        value["status"] = "unconfirmed"
        value["sources"] = [_source(doc, k)]
        links.append(AddLink(source, k.field, value))
    edits = records + links
    if edits and add_doc is not None:
        edits.insert(0, add_doc)
    out.edits = edits
    return out


def all_new(proposals: Proposals) -> list[str]:
    """The ids of every proposal that would change the register (new records and new facts)."""
    return [p.id for p in proposals.all() if p.outcome in (NEW_RECORD, NEW_FACT)]
