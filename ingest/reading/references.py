"""The checks across records: every reference resolves to a record of the right
kind (and every source to a document), and accountability and containment have
no cycle.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from govmap.ingest.model import (
    REF_RULES,
    REPORTING_FIELDS,
    Body,
    Cited,
    Document,
    Membership,
    Organisation,
    Record,
    Register,
    ThemeLink,
    entry_fields,
)
from govmap.ingest.reading.messages import Pending, article, did_you_mean, kind_word, target_words
from govmap.ingest.reading.yamlsafe import Path


def check_references(
    register: Register,
    paths: dict[int, Path],
    pending: list[Pending],
    known: dict[str, type[Record]],
    unchecked: Iterable[Record] = (),
) -> None:
    """Every reference names a record of the right kind.

    ``known`` holds every id written in the file, including records that failed
    validation, so one bad record does not cascade into "not defined" errors.
    ``unchecked`` are records left out of the register (a model error, a repeated
    id) whose references are checked all the same.
    """
    all_ids = list(known)
    docs = {k for k, t in known.items() if t is Document}

    def missing(who: str, what: str, ref: str, path: Path, targets: tuple[type[Record], ...]) -> None:
        candidates = [i for i in all_ids if known[i] in targets]
        hint = did_you_mean(ref, candidates) or f"add {article(target_words(targets))} with id '{ref}'"
        pending.append(Pending(f"{who}: {what} '{ref}' is not defined", path, hint, code="unknown-ref"))

    for rec in itertools.chain(register.records(), unchecked):
        path = paths[id(rec)]
        who = f"{kind_word(rec)} '{rec.id}'"
        facts: list[tuple[Path, Any]] = [((*path,), rec)]
        for rule in REF_RULES[type(rec)]:
            for i, ref, item in rule.refs(rec):
                ipath = (*path, rule.field, i) if rule.item else (*path, rule.field)
                if item is not None:
                    facts.append((ipath, item))
                target = known.get(ref)
                if target is None:
                    missing(who, rule.field, ref, ipath, rule.targets)
                elif target not in rule.targets:
                    pending.append(
                        Pending(
                            f"{who}: {rule.field} '{ref}' is {article(kind_word(target))}; "
                            f"{rule.field} must name {article(target_words(rule.targets))}",
                            ipath,
                            code="wrong-kind",
                        )
                    )
                elif ref == rec.id:
                    pending.append(
                        Pending(f"{who}: {rule.field} names the record itself", ipath, code="self-ref")
                    )
                if isinstance(item, Membership) and item.on_behalf_of:
                    other = known.get(item.on_behalf_of)
                    if other is None:
                        missing(
                            who, "on_behalf_of", item.on_behalf_of, (*ipath, "on_behalf_of"), (Organisation,)
                        )
                    elif other is not Organisation:
                        pending.append(
                            Pending(
                                f"{who}: on_behalf_of '{item.on_behalf_of}' is {article(kind_word(other))}; "
                                "on_behalf_of must name an organisation",
                                (*ipath, "on_behalf_of"),
                                code="wrong-kind",
                            )
                        )
                for j, body in enumerate(item.delivered_by if isinstance(item, ThemeLink) else ()):
                    dpath = (*ipath, "delivered_by", j)
                    other = known.get(body)
                    if other is None:
                        missing(who, "delivered_by", body, dpath, (Body,))
                    elif other is not Body or body == rec.id:
                        what = "the record itself" if body == rec.id else article(kind_word(other))
                        pending.append(
                            Pending(
                                f"{who}: delivered_by '{body}' is {what}; "
                                "delivered_by must name the other bodies that deliver the theme",
                                dpath,
                                code="wrong-kind",
                            )
                        )
        facts += _entries(rec, path)
        facts += [
            ((*fpath, "field_status", j), fs)
            for fpath, fact in list(facts)
            for j, fs in enumerate(getattr(fact, "field_status", ()))
        ]
        for fpath, fact in facts:
            for j, src in enumerate(fact.sources):
                if src.doc not in docs:
                    hint = did_you_mean(src.doc, docs) or f"add a document with id '{src.doc}' to documents"
                    pending.append(
                        Pending(
                            f"{who}: source document '{src.doc}' is not defined",
                            (*fpath, "sources", j, "doc"),
                            hint,
                            code="unknown-ref",
                        )
                    )
    for i, top in enumerate(register.info.top):
        target = known.get(top)
        if target is None:
            missing("register", "top", top, ("register", "top", i), (Body,))
        elif target is not Body:
            pending.append(
                Pending(
                    f"register: top '{top}' is {article(kind_word(target))}; top must name bodies",
                    ("register", "top", i),
                    code="wrong-kind",
                )
            )


def _entries(rec: Record, path: Path) -> list[tuple[Path, Cited]]:
    """The record's entries that are facts but not links (seats by sector, former names)."""
    out: list[tuple[Path, Cited]] = []
    for name in entry_fields(type(rec)):
        value = getattr(rec, name, ())  # a salvaged record lacks the fields that failed
        out += [((*path, name, i), v) for i, v in enumerate(value)]
    return out


#: Relations that must not go round in circles, each on its own: accountability, and
#: containment (a board sitting within a partnership that sits within the board).
CYCLE_FIELDS: tuple[tuple[str, ...], ...] = (REPORTING_FIELDS, ("sits_within",))


def check_cycles(register: Register, paths: dict[int, Path], pending: list[Pending]) -> None:
    """Accountability must not go round in circles: A reports to B reports to A; nor containment."""
    for fields in CYCLE_FIELDS:
        _check_cycles(register, paths, pending, fields)


def _check_cycles(
    register: Register, paths: dict[int, Path], pending: list[Pending], fields: tuple[str, ...]
) -> None:
    import networkx as nx  # here, not at the top: importing govmap.ingest stays light

    index = register.index
    g = nx.DiGraph()
    for body in register.bodies:
        for fld in fields:
            for i, link in enumerate(getattr(body, fld)):
                if link.to != body.id and isinstance(index.get(link.to), Body):
                    g.add_edge(body.id, link.to, field=fld, index=i)
    for comp in nx.strongly_connected_components(g):
        if len(comp) < 2:
            continue
        start = min(comp)
        cycle = nx.find_cycle(g.subgraph(comp), source=start)
        ids = [u for u, _ in cycle] + [start]
        u, v = cycle[0]
        data = g.edges[u, v]
        origin = index[u]
        pending.append(
            Pending(
                f"body '{u}': {data['field']} makes a cycle: {' -> '.join(ids)}",
                (*paths[id(origin)], data["field"], data["index"]),
                "a body cannot be accountable, directly or not, to itself: remove one link"
                if fields == REPORTING_FIELDS
                else "a body cannot sit, directly or not, within itself: remove one link",
                code="cycle",
            )
        )
