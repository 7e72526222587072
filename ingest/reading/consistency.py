"""The checks within one record: facts that cannot all be true at once.

A field's own status names a field the record gives; a draft has not been
adopted; a strategy with an owner is not also said to have none; a post is in
an organisation or independent, not both and not neither; a seat listed on a
date lies within its start and end; a former id is no other record's id.
Run after the references resolve (:mod:`govmap.ingest.reading.references`), on
the same positions.
"""

from __future__ import annotations

import functools

from govmap.ingest.errors import Level
from govmap.ingest.model import (
    REF_RULES,
    Body,
    Fact,
    FormerName,
    Membership,
    Post,
    Record,
    Register,
    SectorMembership,
    Status,
    Strategy,
    effective_status,
    entry_fields,
    field_value,
    status_fields,
)
from govmap.ingest.reading.messages import Pending, article, did_you_mean, kind_word
from govmap.ingest.reading.yamlsafe import Path


def check_consistency(register: Register, paths: dict[int, Path], pending: list[Pending]) -> None:
    """Every check of this module, for every record of ``register``."""
    former: dict[str, tuple[Record, int]] = {}
    index = register.index
    for rec in register.records():
        path = paths[id(rec)]
        who = f"{kind_word(rec)} '{rec.id}'"
        if rec.field_status:
            _field_status(rec, path, who, pending, effective_status(rec), bool(rec.sources))
        for field_name, i, item in _items(rec):
            _field_status(
                item,
                (*path, field_name, i),
                who,
                pending,
                effective_status(item, effective_status(rec), bool(rec.sources)),
                bool(rec.sources),
                f"{field_name} #{i + 1} ",
            )
        if isinstance(rec, Post):
            _post(rec, path, who, pending)
        elif isinstance(rec, Strategy):
            _strategy(rec, path, who, pending)
        elif isinstance(rec, Body):
            for i, m in enumerate(rec.members):
                _seat_dates(m, f"membership of '{m.member}'", (*path, "members", i), who, pending)
            for i, s in enumerate(rec.sector_members):
                _seat_dates(
                    s, f"seat of sector '{s.sector.value}'", (*path, "sector_members", i), who, pending
                )
        _former_names(rec, path, who, pending, index, former)


def _items(rec: Record) -> list[tuple[str, int, Fact]]:
    """The entries of the record (links, seats by sector) that give a field of theirs a status."""
    return [
        (name, i, v)
        for name in _fact_lists(type(rec))
        for i, v in enumerate(getattr(rec, name))
        if v.field_status
    ]


@functools.cache
def _fact_lists(model: type[Record]) -> tuple[str, ...]:
    """The list fields of a record kind whose entries are facts with a ``field_status``."""
    lists = [r.field for r in REF_RULES[model] if r.item is not None]
    return (*lists, *(n for n, t in entry_fields(model).items() if issubclass(t, Fact)))


def _field_status(
    fact: Fact,
    path: Path,
    who: str,
    pending: list[Pending],
    inherited: Status,
    record_sourced: bool,
    where: str = "",
) -> None:
    allowed = status_fields(type(fact))
    seen: set[str] = set()
    for i, fs in enumerate(fact.field_status):
        fpath = (*path, "field_status", i, "field")
        if fs.field not in allowed:
            own = fs.field in type(fact).model_fields and fs.field not in ("id", "sources", "status")
            pending.append(
                Pending(
                    f"{who}: {where}field_status: '{fs.field}' is not a field it can give a status to",
                    fpath,
                    f"each entry of {fs.field} has its own status and sources: write them in it, "
                    "as {to: ..., status: unconfirmed}"
                    if own
                    else did_you_mean(fs.field, allowed) or f"fields: {', '.join(allowed)}",
                    code="bad-value",
                )
            )
            continue
        if fs.field in seen:
            pending.append(
                Pending(
                    f"{who}: {where}field_status: '{fs.field}' is given twice",
                    fpath,
                    "keep one entry for each field, with all its sources",
                    code="duplicate-key",
                )
            )
            continue
        seen.add(fs.field)
        if field_value(fact, fs.field) is None:
            pending.append(
                Pending(
                    f"{who}: {where}field_status: '{fs.field}' is not given, so it has no status of its own",
                    fpath,
                    f"give {fs.field}, or remove this entry",
                    code="bad-value",
                )
            )
            continue
        status = effective_status(fs, inherited, record_sourced or bool(fact.sources))
        if status is Status.DISPUTED:
            pending.append(
                Pending(
                    f"{who}: {where}{fs.field} is disputed: its sources disagree",
                    (*path, "field_status", i),
                    "settle which source is right, then set its status: confirmed",
                    level=Level.WARNING,
                    code="disputed",
                )
            )
        elif status is Status.UNCONFIRMED and effective_status(fact, inherited, record_sourced) is not status:
            pending.append(
                Pending(
                    f"{who}: {where}{fs.field} is unconfirmed",
                    (*path, "field_status", i),
                    "check it against a source, then set its status: confirmed",
                    level=Level.WARNING,
                    code="unconfirmed",
                )
            )


def _post(post: Post, path: Path, who: str, pending: list[Pending]) -> None:
    if post.organisation is None and not post.independent:
        pending.append(
            Pending(
                # worded as a missing key is everywhere (the web form asks for the field by it);
                # the field's help says a post of no organisation is written independent: true
                f"{who}: missing required key 'organisation'",
                path,
                code="missing",
            )
        )
    elif post.organisation is not None and post.independent:
        pending.append(
            Pending(
                f"{who}: an independent post is in no organisation, but organisation is '{post.organisation}'",
                (*path, "independent"),
                "remove one; say who appoints or pays an independent post in its description",
                code="contradiction",
            )
        )


def _strategy(s: Strategy, path: Path, who: str, pending: list[Pending]) -> None:
    if s.is_draft and s.stage is not None:
        for key in ("adopted", "adopted_by"):
            if getattr(s, key):
                pending.append(
                    Pending(
                        f"{who}: {key} is given but stage is {s.stage.value}",
                        (*path, key),
                        "set stage: adopted, or remove " + key,
                        code="contradiction",
                    )
                )
    if s.no_owner and s.owner:
        pending.append(
            Pending(
                f"{who}: no_owner: true but owner names '{s.owner[0].to}'",
                (*path, "no_owner"),
                "remove one: no_owner says the sources name no owner",
                code="contradiction",
            )
        )


def _forwards(
    fact: Membership | SectorMembership | FormerName, what: str, path: Path, who: str, pending: list[Pending]
) -> None:
    """A start and an end run forwards (``end`` certainly before ``start`` is an error)."""
    if fact.start and fact.end and fact.end < fact.start:
        pending.append(
            Pending(
                f"{who}: {what} ends ({fact.end}) before it starts ({fact.start})",
                (*path, "end"),
                code="bad-dates",
            )
        )


def _seat_dates(
    seat: Membership | SectorMembership, what: str, path: Path, who: str, pending: list[Pending]
) -> None:
    """A seat's dates run forwards, and the date it is listed on lies between them."""
    _forwards(seat, what, path, who, pending)
    if seat.listed is None:
        return
    if seat.start and seat.listed < seat.start:
        pending.append(
            Pending(
                f"{who}: {what} is listed on {seat.listed}, before it starts ({seat.start})",
                (*path, "listed"),
                code="bad-dates",
            )
        )
    if seat.end and seat.end < seat.listed:
        pending.append(
            Pending(
                f"{who}: {what} is listed on {seat.listed}, after it ends ({seat.end})",
                (*path, "listed"),
                code="bad-dates",
            )
        )


def _former_names(
    rec: Record,
    path: Path,
    who: str,
    pending: list[Pending],
    index: dict[str, Record],
    former: dict[str, tuple[Record, int]],
) -> None:
    for i, fn in enumerate(rec.former_names):
        fpath = (*path, "former_names", i)
        _forwards(fn, f"former name '{fn.name}'", fpath, who, pending)
        if fn.id is None:
            continue
        other = index.get(fn.id)
        if fn.id == rec.id:
            pending.append(
                Pending(
                    f"{who}: former id '{fn.id}' is its id now",
                    (*fpath, "id"),
                    "give the id it had before the rename, or leave id out if it did not change",
                    code="self-ref",
                )
            )
        elif other is not None:
            pending.append(
                Pending(
                    f"{who}: former id '{fn.id}' is the id of {article(kind_word(other))} now",
                    (*fpath, "id"),
                    "an id names one record: a former id cannot be another record's",
                    code="duplicate-id",
                )
            )
        elif fn.id in former and former[fn.id][0] is not rec:
            first, _ = former[fn.id]
            pending.append(
                Pending(
                    f"{who}: former id '{fn.id}' is also a former id of {kind_word(first)} '{first.id}'",
                    (*fpath, "id"),
                    "a merger is succeeded_by, not a rename: keep the former id on one record",
                    code="duplicate-id",
                )
            )
        else:
            former.setdefault(fn.id, (rec, i))
