"""Ownership gaps: what falls between the bodies.

Which issues does no body address, which have no lead or more than one, which
strategies have no owner, and which evidence products inform nothing.

How ``matches`` and ``broader`` count (decided here, documented in
``docs/analysis.md``):

* Themes joined by ``matches`` (skos:closeMatch) name one issue in different
  words (a residents' concern and a priority).  A theme no body addresses,
  whose match is addressed, is ``indirectly-addressed-theme`` (low): the issue
  is owned, under another name, and the reviewer should check that the match
  is right.
* A theme no body addresses, whose ``broader`` theme is addressed, is also
  ``indirectly-addressed-theme`` but medium: the wider issue is owned, the
  specific one may not be.
* A theme addressed only by strategies is ``strategy-only-theme``: low when a
  body owns one of those strategies (ownership passes through the plan),
  medium when none does.
* Otherwise it is ``unaddressed-theme``: high for priorities, causes and
  public concerns, medium for the other kinds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from govmap.graph.analysis.delivery import DELIVERY_KINDS, umbrella_themes
from govmap.graph.analysis.findings import Finding, Kind, Severity, Source, make_finding, plural
from govmap.graph.analysis.lookup import Lookup, ThemeUse, lookup_of
from govmap.ingest.model import BodyKind, Register, Theme, ThemeKind, ThemeRole, effective_status

#: Theme kinds someone should own (the rows of the delivery matrix).
GAP_KINDS = DELIVERY_KINDS
_SERIOUS = frozenset({ThemeKind.PRIORITY, ThemeKind.CAUSE, ThemeKind.PUBLIC_CONCERN})
_KIND_WORD = {
    ThemeKind.PRIORITY: "priority",
    ThemeKind.CAUSE: "cause",
    ThemeKind.MULTI_AGENCY: "multi-agency theme",
    ThemeKind.CROSS_CUTTING: "cross-cutting theme",
    ThemeKind.PUBLIC_CONCERN: "public concern",
    ThemeKind.INTELLIGENCE_FOCUS: "intelligence focus",
}


_STRATEGY_WORD = {"jsna": "JSNA", "other": "strategy"}


def _uses_sources(lk: Lookup, theme: str, uses: Iterable[ThemeUse]) -> list[Source]:
    out: list[Source] = []
    for u in uses:
        out += lk.rel_sources(u.holder, "themes", theme)
    return out


def _holders(lk: Lookup, uses: Iterable[ThemeUse]) -> list[dict[str, str]]:
    return [{"id": u.holder, "name": lk.name(u.holder), "role": u.role.value} for u in uses]


def _group_members(lk: Lookup, theme: str) -> list[str]:
    g = lk.theme_groups.get(theme, theme)
    return [t for t in lk.group_members.get(g, []) if t != theme]


def _broader_chain(register: Register, theme: Theme) -> list[str]:
    index = register.index
    out: list[str] = []
    todo = [link.to for link in theme.broader]
    while todo:
        t = todo.pop(0)
        if t in out or t == theme.id:
            continue
        out.append(t)
        rec = index.get(t)
        if isinstance(rec, Theme):
            todo += [link.to for link in rec.broader]
    return out


def theme_gaps(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Themes of the kinds in :data:`GAP_KINDS` that no body addresses directly.

    Returns
    -------
    list of Finding
        Kinds ``unaddressed-theme``, ``indirectly-addressed-theme`` and
        ``strategy-only-theme`` (see the module docstring for severities).

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... themes: [{id: fraud, name: Fraud, kind: public-concern}]
    ... ''')
    >>> [(f.kind.value, f.severity.value) for f in theme_gaps(reg)]
    [('unaddressed-theme', 'high')]
    """
    lk = lookup_of(register, lookup)
    out: list[Finding] = []
    for theme in register.themes:
        if theme.kind not in GAP_KINDS:
            continue
        uses = lk.theme_uses.get(theme.id, [])
        if any(u.holder_kind == "body" for u in uses):
            continue
        f = _indirect(lk, register, theme) or _strategy_only(lk, theme, uses) or _unaddressed(lk, theme)
        out.append(f)
    return out


def _word(theme: Theme) -> str:
    return _KIND_WORD.get(theme.kind, "theme")


def _indirect(lk: Lookup, register: Register, theme: Theme) -> Finding | None:
    for relation, candidates, severity in (
        ("matches", _group_members(lk, theme.id), Severity.LOW),
        ("broader", _broader_chain(register, theme), Severity.MEDIUM),
    ):
        via: list[dict[str, Any]] = []
        sources = lk.record_sources(theme.id)
        for other in candidates:
            body_uses = [u for u in lk.theme_uses.get(other, []) if u.holder_kind == "body"]
            if body_uses:
                via.append({"id": other, "name": lk.name(other), "addressed_by": _holders(lk, body_uses)})
                sources += _uses_sources(lk, other, body_uses) + lk.rel_sources(theme.id, relation, other)
        if via:
            names = ", ".join(v["name"] for v in via)
            if relation == "broader":
                partly = _partly(lk, theme, via, sources, severity)
                if partly is not None:
                    return partly
            return make_finding(
                Kind.INDIRECT_THEME,
                severity,
                f"The {_word(theme)} '{theme.name}' is addressed only indirectly, via {names}.",
                [lk.subject(theme.id)],
                evidence={"theme_kind": theme.kind.value, "relation": relation, "via": via},
                suggestion=(
                    "Check that the matched theme really covers this issue, and record the body "
                    "that owns it against this theme too."
                    if relation == "matches"
                    else "The wider issue is owned; decide whether this specific issue needs its own owner."
                ),
                sources=sources,
                key=relation,
            )
    return None


def _partly(
    lk: Lookup, theme: Theme, via: list[dict[str, Any]], sources: list[Source], severity: Severity
) -> Finding | None:
    """A wider theme split into narrower ones, some addressed and this one not: half addressed.

    The register records the split ("Hate crime and cohesion" with the
    narrower themes "Hate crime" and "Cohesion"); only the direct wider theme counts.
    """
    wider = via[0]
    siblings = [
        t
        for t in lk.register.themes
        if t.id != theme.id and any(link.to == wider["id"] for link in t.broader)
    ]
    addressed = [t for t in siblings if lk.theme_uses.get(t.id)]
    if not addressed or wider["id"] not in {link.to for link in theme.broader}:
        return None
    return make_finding(
        Kind.PARTLY_ADDRESSED,
        severity,
        f"'{wider['name']}' is addressed only in part: {', '.join(t.name for t in addressed)} "
        f"{'is' if len(addressed) == 1 else 'are'} addressed, '{theme.name}' is not.",
        [lk.subject(theme.id), lk.subject(wider["id"])],
        evidence={
            "theme_kind": theme.kind.value,
            "wider": wider,
            "addressed_parts": [{"id": t.id, "name": t.name} for t in addressed],
        },
        suggestion=f"Decide which body owns '{theme.name}', or record that the wider body covers it "
        "(a theme link with a note).",
        sources=sources,
        key="partly",
    )


def _strategy_only(lk: Lookup, theme: Theme, uses: list[ThemeUse]) -> Finding | None:
    strategies = [u for u in uses if u.holder_kind == "strategy"]
    via: list[dict[str, Any]] = []
    for other in _group_members(lk, theme.id):
        matched = [u for u in lk.theme_uses.get(other, []) if u.holder_kind == "strategy"]
        if matched:
            via.append({"id": other, "name": lk.name(other), "addressed_by": _holders(lk, matched)})
            strategies += [u for u in matched if u.holder not in {s.holder for s in strategies}]
    if not strategies:
        return None
    owners = []
    for u in strategies:
        for link in getattr(lk.index[u.holder], "owner", ()):
            if lk.subject(link.to).kind in ("body", "organisation", "post"):  # a mayor's plan is owned
                owners.append({"strategy": u.holder, "owner": link.to, "name": lk.name(link.to)})
    return make_finding(
        Kind.STRATEGY_ONLY_THEME,
        Severity.LOW if owners else Severity.MEDIUM,
        f"The {_word(theme)} '{theme.name}' is addressed by "
        f"{plural(len(strategies), 'strategy', 'strategies')} but by no body.",
        [lk.subject(theme.id)],
        evidence={
            "theme_kind": theme.kind.value,
            "strategies": _holders(lk, strategies),
            "via_matches": via,
            "owning_bodies": owners,
        },
        suggestion="Name the body that delivers this part of the strategy, and record it against the theme.",
        sources=lk.record_sources(theme.id)
        + _uses_sources(lk, theme.id, strategies)
        + [
            s
            for v in via
            for u in lk.theme_uses.get(v["id"], [])
            for s in lk.rel_sources(u.holder, "themes", v["id"])
        ],
    )


def _unaddressed(lk: Lookup, theme: Theme) -> Finding:
    return make_finding(
        Kind.UNADDRESSED_THEME,
        Severity.HIGH if theme.kind in _SERIOUS else Severity.MEDIUM,
        f"No body or strategy addresses the {_word(theme)} '{theme.name}'.",
        [lk.subject(theme.id)],
        evidence={
            "theme_kind": theme.kind.value,
            "matches": [
                {
                    "id": link.to,
                    "name": lk.name(link.to),
                    "status": effective_status(link, effective_status(theme)).value,
                }
                for link in theme.matches
            ],
            "broader": [{"id": t, "name": lk.name(t)} for t in _broader_chain(lk.register, theme)],
        },
        suggestion="Decide which body owns this issue, or record why no body needs to.",
        sources=lk.record_sources(theme.id),
    )


def lead_gaps(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Themes addressed by bodies with no lead, or with more than one lead in one place.

    A lead on a matched theme counts as a lead (``no-lead`` looks across the
    ``matches`` group).  ``multiple-leads`` counts the bodies that lead the
    theme itself and whose areas overlap (an area in common, one within the
    other, or a body with no area recorded on it or above it): CSPs leading
    the same priority in different districts are not unclear ownership, and a
    sub-group with no areas of its own works in its parent's.  Each connected
    group of clashing leads is one finding.

    Notes
    -----
    Leads of one theme are compared pairwise; their number is small (it is
    bounded by the bodies leading one theme).
    """
    lk = lookup_of(register, lookup)
    closure = lk.area_closure
    umbrellas = umbrella_themes(register, lk)
    out: list[Finding] = []
    for theme in register.themes:
        if theme.kind not in GAP_KINDS:
            continue
        body_uses = [u for u in lk.theme_uses.get(theme.id, []) if u.holder_kind == "body"]
        if not body_uses:
            continue
        group = [theme.id, *_group_members(lk, theme.id)]
        if any(umbrellas.get(t) for t in group):
            continue  # led by an umbrella's plan: the delivery findings judge it
        leads_in_group = [
            u
            for t in group
            for u in lk.theme_uses.get(t, [])
            if u.holder_kind == "body" and u.role is ThemeRole.LEAD
        ]
        if not leads_in_group:
            out.append(
                make_finding(
                    Kind.NO_LEAD,
                    Severity.MEDIUM if theme.kind in _SERIOUS else Severity.LOW,
                    f"No body leads the {_word(theme)} '{theme.name}'; "
                    f"{plural(len(body_uses), 'body contributes', 'bodies contribute')}.",
                    [lk.subject(theme.id)],
                    evidence={"theme_kind": theme.kind.value, "contributors": _holders(lk, body_uses)},
                    suggestion="Agree which body leads on this issue and record its role as lead.",
                    sources=lk.record_sources(theme.id) + _uses_sources(lk, theme.id, body_uses),
                )
            )
            continue
        leads = [
            u for u in body_uses if u.role is ThemeRole.LEAD and u.holder not in umbrellas.get(theme.id, ())
        ]
        for clash in _clashing(lk, closure, sorted({u.holder for u in leads})):
            out.append(
                make_finding(
                    Kind.MULTIPLE_LEADS,
                    Severity.MEDIUM,
                    f"{plural(len(clash), 'body', 'bodies')} lead the {_word(theme)} '{theme.name}' "
                    "in the same area: ownership is unclear.",
                    [lk.subject(theme.id), *(lk.subject(b) for b in clash)],
                    evidence={
                        "theme_kind": theme.kind.value,
                        "leads": [{"id": b, "name": lk.name(b)} for b in clash],
                    },
                    suggestion="Agree one lead; record the others as contributing.",
                    sources=lk.record_sources(theme.id)
                    + _uses_sources(lk, theme.id, [u for u in leads if u.holder in clash]),
                    key=theme.id,
                )
            )
    return out


def _clashing(lk: Lookup, closure: Mapping[str, frozenset[str]], bodies: list[str]) -> list[list[str]]:
    """Groups of ``bodies`` whose areas overlap, each group joined by overlaps; sorted.

    A body's areas are those it records or, if none, those of its nearest
    parents that do (:meth:`Lookup.body_areas`, as the overlap counts them).
    Two leads clash when an area is shared, one lies within the other, or
    either has no area at all.  Clashing pairs are joined into connected
    groups, so leads in two districts that do not touch are two findings.
    """
    direct = {b: set(lk.body_areas(b)) for b in bodies}
    up = {b: set().union(*(closure.get(a, {a}) for a in direct[b])) if direct[b] else set() for b in bodies}
    group = {b: b for b in bodies}  # union-find: a body -> another body of its group

    def root(b: str) -> str:
        while group[b] != b:
            group[b] = group[group[b]]
            b = group[b]
        return b

    for i, a in enumerate(bodies):
        for b in bodies[i + 1 :]:
            if not direct[a] or not direct[b] or direct[a] & up[b] or direct[b] & up[a]:
                group[root(b)] = root(a)
    members: dict[str, list[str]] = {}
    for b in bodies:
        members.setdefault(root(b), []).append(b)
    return sorted(sorted(m) for m in members.values() if len(m) > 1)


def strategy_gaps(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Strategies with no owner (medium) and evidence products that inform nothing (low)."""
    lk = lookup_of(register, lookup)
    informed = {link.to for s in register.strategies for link in s.informs}
    out: list[Finding] = _csps_without_strategy(lk)
    for s in register.strategies:
        if not s.owner:
            out.append(
                make_finding(
                    Kind.UNOWNED_STRATEGY,
                    Severity.MEDIUM,
                    f"The {_STRATEGY_WORD.get(s.kind.value, s.kind.value.replace('-', ' '))} '{s.name}' has no owner.",
                    [lk.subject(s.id)],
                    evidence={"strategy_kind": s.kind.value},
                    suggestion="Record the body or organisation that owns and reviews it.",
                    sources=lk.record_sources(s.id),
                )
            )
        if s.is_evidence and not s.informs:
            out.append(
                make_finding(
                    Kind.UNUSED_EVIDENCE,
                    Severity.LOW,
                    f"The evidence product '{s.name}' informs no strategy or plan.",
                    [lk.subject(s.id)],
                    evidence={"strategy_kind": s.kind.value, "informed_by_others": s.id in informed},
                    suggestion="Record which strategies it informs, or question why it is produced.",
                    sources=lk.record_sources(s.id),
                )
            )
    return out


#: Crime and Disorder Act 1998 s6: the responsible authorities formulate and implement a strategy.
CSP_STRATEGY_DUTY = "Crime and Disorder Act 1998 s6"


def _csps_without_strategy(lk: Lookup) -> list[Finding]:
    """Community safety partnerships (kind ``csp``) owning no strategy or plan (medium)."""
    owned = {
        link.to
        for s in lk.register.strategies
        if not s.is_evidence and not s.succeeded_by
        for link in s.owner
    }
    out = []
    for b in lk.bodies:
        if b.kind is not BodyKind.CSP or b.id in owned:
            continue
        out.append(
            make_finding(
                Kind.CSP_NO_STRATEGY,
                Severity.MEDIUM,
                f"{b.name} has no strategy or plan recorded ({CSP_STRATEGY_DUTY}: "
                "the partnership must formulate and implement a strategy).",
                [lk.subject(b.id)],
                evidence={"duty": CSP_STRATEGY_DUTY, "legal_basis": b.legal_basis},
                suggestion="Record its partnership plan in strategies with owner: "
                f"{b.id}, or the plan it shares with other partnerships.",
                sources=lk.record_sources(b.id),
            )
        )
    return out


def gaps(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Every ownership-gap finding: :func:`theme_gaps`, :func:`lead_gaps`, :func:`strategy_gaps`."""
    lk = lookup_of(register, lookup)
    return theme_gaps(register, lk) + lead_gaps(register, lk) + strategy_gaps(register, lk)


__all__ = ["GAP_KINDS", "gaps", "lead_gaps", "strategy_gaps", "theme_gaps"]
