"""Statutory membership rules checked against bodies.

The rules are data (``data/rules/statutory.yaml``), read by
:mod:`govmap.graph.analysis.rules_file`; ``docs/rules.md`` describes the
file format.

A rule applies to a body the register says it applies to: by the body's
``kind`` (every ``csp``), by its ``legal_basis``, or by an explicit ``rules:
[rule-id]``.  A name that merely reads like one ("Community Safety
Partnerships Forum") gives at most an info finding, "may apply: check".

A requirement is met by a seat's organisation through its type or one of its
``roles`` (a combined authority holding fire and rescue functions), or through
an organisation it is ``part_of`` (an NHS place within an integrated care
board).  An abolished organisation meets nothing.

A finding says "missing" only when the body's member list is marked complete
(``members_complete: true``, on a body with a source) and it has confirmed
memberships to judge by.  Otherwise the register cannot show that anyone is
missing, and the finding says the membership "cannot be checked", naming what
is confirmed and what is not recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from govmap.graph.analysis.findings import Finding, Kind, Severity, Source, make_finding
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.graph.analysis.rules_file import OnlyIn, Recognisable, Requirement, Rule, load_rules
from govmap.graph.analysis.succession import successors
from govmap.ingest.dates import last_day
from govmap.ingest.model import Body, Organisation, Register, SectorMembership, Status, effective_status

# -- seats ---------------------------------------------------------------------


def _is_dissolved(lk: Lookup, org: Organisation) -> bool:
    """Abolished (dissolved or succeeded) as of the reading's date."""
    return org.id in lk.past


def _within_orgs(lk: Lookup, org: Organisation) -> Iterator[Organisation]:
    """The organisation and every organisation it is ``part_of``, nearest first."""
    seen = {org.id}
    todo = [org]
    while todo:
        o = todo.pop(0)
        yield o
        for link in o.part_of:
            parent = lk.index.get(link.to)
            if isinstance(parent, Organisation) and parent.id not in seen:
                seen.add(parent.id)
                todo.append(parent)


def _seats(lk: Lookup, body: Body) -> list[tuple[Organisation, Status, str]]:
    """(organisation, status, member id) for every current seat that stands for an organisation."""
    out = []
    for m in lk.seats(body):
        org = lk.index.get(lk.seat_organisation(m) or "")
        if isinstance(org, Organisation):
            out.append((org, lk.membership_status(body, m), m.member))
    return out


def _containing(lk: Lookup, body: Body, only_in: OnlyIn) -> set[str]:
    """Areas of a kind in ``only_in.within`` containing one of the body's areas of ``only_in.area_kinds``."""
    out: set[str] = set()
    for a in lk.body_areas(body.id):
        area = lk.index.get(a)
        if area is None or not set(getattr(area, "kinds", ())) & set(only_in.area_kinds):
            continue
        for outer in lk.area_closure.get(a, set()) - {a}:
            rec = lk.index.get(outer)
            if rec is not None and set(getattr(rec, "kinds", ())) & set(only_in.within):
                out.add(outer)
    return out


def _meets(lk: Lookup, req: Requirement, org: Organisation, areas: set[str]) -> Organisation | None:
    """The organisation (``org`` or one it is part of) through which ``org`` meets ``req``, or None.

    An abolished organisation meets nothing itself; a seat still listed for it
    meets the requirement through its current successor (``succeeded_by``,
    followed to the end), which took over its functions: a stale list, which
    ``names-dissolved`` reports, not a missing member.
    """
    if _is_dissolved(lk, org):
        for s in successors(lk, org.id, lk.as_of):
            heir = lk.index.get(s)
            if isinstance(heir, Organisation) and not _is_dissolved(lk, heir):
                via = _meets(lk, req, heir, areas)
                if via is not None:
                    return via
        return None
    for o in _within_orgs(lk, org):
        if _is_dissolved(lk, o) or not req.met_by(o):
            continue
        if areas and o.areas:
            covered = {x for link in o.areas for x in lk.area_closure.get(link.to, {link.to})}
            if not covered & areas:
                continue  # a county council, but of another county
        return o
    return None


# -- judging one body against one rule -------------------------------------------


def _rule_json(rule: Rule) -> dict[str, Any]:
    return {"id": rule.id, "title": rule.title, "legal_basis": rule.legal_basis, "url": rule.url}


def _complete(lk: Lookup, body: Body) -> bool:
    """The member list is stated complete by a source."""
    return body.members_complete and bool(body.sources) and effective_status(body) is Status.CONFIRMED


def _words(entries: list[dict[str, Any]]) -> str:
    return "; ".join(
        e["label"] + (f" ({', '.join(m['name'] for m in e['members'])})" if e.get("members") else "")
        for e in entries
    )


def _sector_meets(req: Requirement, seat: SectorMembership) -> bool:
    """A seat a source gives to a sector of the type a requirement names (which member sits is not stated)."""
    return seat.sector in req.types


def _sector_ended(lk: Lookup, seat: SectorMembership) -> bool:
    end = last_day(seat.end)
    return end is not None and end < lk.as_of


def _presumed(entry: dict[str, Any]) -> str:
    """A requirement's label, saying when only an abolished member's successor meets it."""
    stale = [m for m in entry["members"] if m.get("abolished")]
    if stale and len(stale) == len(entry["members"]):
        names = " and ".join(m["name"] for m in stale)
        return f"{entry['label']} (the list names {names}, abolished; its successor is presumed to sit)"
    return str(entry["label"])


def check_rule(lk: Lookup, rule: Rule, body: Body, applies: str = "kind") -> Finding | None:
    """One body against one rule: a finding, or None when every requirement is met by a confirmed member.

    ``applies`` says how the rule was selected (``kind``, ``legal_basis``,
    ``rules`` or ``name``); it is kept in the evidence.
    """
    seats = _seats(lk, body)
    confirmed_any = any(lk.membership_status(body, m) is Status.CONFIRMED for m in lk.seats(body))
    complete = _complete(lk, body)
    met: list[dict[str, Any]] = []
    unconfirmed: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    sources: list[Source] = []
    for req in rule.requires:
        areas: set[str] = set()
        if req.only_in is not None:
            areas = _containing(lk, body, req.only_in)
            if not areas:
                continue  # not a two-tier district, or its areas are not recorded
        hits = []
        for org, st, mid in seats:
            via = _meets(lk, req, org, areas)
            if via is None:
                continue
            if _is_dissolved(lk, org):
                # a stale entry: its successor is presumed in a complete list (unconfirmed, and
                # names-dissolved says the list is stale); in a partial list it shows nothing
                if not complete:
                    continue
                st = Status.UNCONFIRMED
            hits.append((org, st, mid, via))
        sectors = [x for x in body.sector_members if not _sector_ended(lk, x) and _sector_meets(req, x)]
        entry: dict[str, Any] = {
            "id": req.id,
            "label": req.label,
            "members": [
                {
                    "id": mid,
                    "organisation": org.id,
                    "name": org.name,
                    "status": st.value,
                    **({"through": via.id} if via.id != org.id else {}),
                    **({"abolished": True} if _is_dissolved(lk, org) else {}),
                }
                for org, st, mid, via in hits
            ],
        }
        entry["members"] += [
            {
                "sector": x.sector.value,
                "name": f"{x.label or x.sector.value} (a seat by sector)",
                "status": "unconfirmed",
            }
            for x in sectors
        ]
        if areas:
            entry["areas"] = sorted(areas)
        for _, _, mid, _ in hits:
            sources += lk.rel_sources(body.id, "members", mid)
        if any(st is Status.CONFIRMED for _, st, _, _ in hits):
            met.append(entry)
        elif hits or sectors:  # a seat named only by sector: who sits is not stated
            unconfirmed.append(entry)
        else:
            missing.append(entry)
    if not missing and not unconfirmed:
        return None
    evidence = {
        "rule": _rule_json(rule),
        "applies_by": applies,
        "members_recorded": len(lk.seats(body)),
        # Seats of abolished organisations meet nothing; the succession analysis names their successors.
        "abolished": [
            {"id": mid, "organisation": o.id, "name": o.name} for o, _, mid in seats if _is_dissolved(lk, o)
        ],
        "members_complete": complete,
        "met": met,
        "unconfirmed": unconfirmed,
        "missing": [{k: e[k] for k in ("id", "label", "areas") if k in e} for e in missing],
    }
    labels = "; ".join(e["label"] for e in missing)
    if missing and (not complete or not confirmed_any):
        kind = Kind.STATUTORY_UNCHECKABLE
        current = lk.seats(body)
        severity = Severity.INFO if not current else Severity.LOW
        if not current:
            why = "it has no current members recorded" if body.members else "it has no members recorded"
        elif not confirmed_any:
            why = "its memberships are all unconfirmed"
        elif body.members_complete:
            why = "its member list is marked complete, but without a source"
        else:
            why = "its member list is not marked complete"
        title = (
            f"Membership of {body.name} cannot be checked against {rule.title} ({rule.legal_basis}): {why}"
        )
        if met:
            title += f"; confirmed: {_words(met)}"
        if current:
            title += f"; not recorded: {labels}"
        title += "."
        suggestion = (
            "Confirm the membership from the body's terms of reference; when the list is the whole "
            "membership, set members_complete: true with its source, then check it again."
        )
    elif missing:
        kind, severity = Kind.STATUTORY_MISSING, Severity(rule.severity)
        title = f"{body.name} lacks members required by {rule.legal_basis}: {labels}."
        suggestion = (
            "Check the terms of reference: add the missing member, or record why the rule does not apply."
        )
    else:
        kind, severity = Kind.STATUTORY_UNCONFIRMED, Severity.LOW
        title = (
            f"{body.name} meets {rule.title} only through unconfirmed memberships: "
            + "; ".join(_presumed(e) for e in unconfirmed)
            + "."
        )
        suggestion = (
            "Confirm these memberships with a source; where the list still names an abolished "
            "organisation, record its successor's seat."
        )
    return make_finding(
        kind,
        severity,
        title,
        [lk.subject(body.id)],
        evidence=evidence,
        suggestion=suggestion,
        sources=[*lk.record_sources(body.id), *sources],
        key=rule.id,
    )


def may_apply(lk: Lookup, rule: Rule, body: Body) -> Finding:
    """A rule a body's name suggests, but nothing the register says about the body confirms (info)."""
    return make_finding(
        Kind.STATUTORY_MAY_APPLY,
        Severity.INFO,
        f"{rule.title} ({rule.legal_basis}) may apply to {body.name}, whose name reads like one: check.",
        [lk.subject(body.id)],
        evidence={"rule": _rule_json(rule), "applies_by": "name"},
        suggestion=(
            f"If it applies, record the body's kind or legal_basis, or rules: [{rule.id}]; "
            "if it does not (a forum or a coordinating group), nothing needs doing."
        ),
        sources=lk.record_sources(body.id),
        key=rule.id,
    )


def _unknown_rule(lk: Lookup, body: Body, rule_id: str, known: list[str]) -> Finding:
    return make_finding(
        Kind.STATUTORY_UNCHECKABLE,
        Severity.LOW,
        f"{body.name} names the rule '{rule_id}', which the rules file does not define.",
        [lk.subject(body.id)],
        evidence={"rule": {"id": rule_id}, "known_rules": known},
        suggestion=f"Use one of: {', '.join(known)}.",
        sources=lk.record_sources(body.id),
        key=rule_id,
    )


def statutory(
    register: Register, rules: tuple[Rule, ...] | None = None, lookup: Lookup | None = None
) -> list[Finding]:
    """Check every active body against the statutory membership rules that apply to it.

    Parameters
    ----------
    register : Register
    rules : tuple of Rule, optional
        Defaults to :func:`load_rules` (the shipped ``statutory.yaml``).

    Returns
    -------
    list of Finding
        ``statutory-member-missing`` (the rule's severity, high by default;
        only for a member list marked complete), ``statutory-member-unconfirmed``
        (low), ``statutory-cannot-check`` (info with no members recorded, low
        otherwise) or ``statutory-may-apply`` (info: the name alone suggests
        the rule).  Each cites the rule and its legal basis in ``evidence["rule"]``.

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... documents: [{id: tor, name: Terms of reference}]
    ... organisations: [{id: police, name: Police, type: police-force}]
    ... bodies:
    ...   - {id: csp, name: Town CSP, kind: csp, members: [police], members_complete: true, sources: [{doc: tor}]}
    ...   - {id: forum, name: Community Safety Partnerships Forum, kind: group, sources: [{doc: tor}]}
    ... ''')
    >>> [(f.kind.value, f.severity.value) for f in statutory(reg)]
    [('statutory-member-missing', 'high'), ('statutory-may-apply', 'info')]
    """
    lk = lookup_of(register, lookup)
    rs = rules if rules is not None else load_rules()
    by_id = {r.id: r for r in rs}
    # how each rule applies to each body, asked of all the bodies at once
    bodies = Recognisable(lk.bodies)
    applying = [rule.applies_to.applying(bodies) for rule in rs]
    out = []
    for i, body in enumerate(lk.bodies):
        for rid in body.rules:
            if rid not in by_id:
                out.append(_unknown_rule(lk, body, rid, sorted(by_id)))
        for rule, applies in zip(rs, applying, strict=True):
            how = "rules" if rule.id in body.rules else applies.get(i)
            if how is None or (how == "name" and body.rules):
                continue  # a body that lists its rules has said which apply
            f = may_apply(lk, rule, body) if how == "name" else check_rule(lk, rule, body, how)
            if f is not None:
                out.append(f)
    return out


__all__ = [
    "check_rule",
    # docs/rules.md names govmap.graph.analysis.rules.load_rules: it stays importable from here.
    "load_rules",
    "may_apply",
    "statutory",
]
