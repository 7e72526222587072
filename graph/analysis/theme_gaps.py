"""Issues nothing current addresses, or addresses only indirectly, in part or through plans with no
owner recorded: :func:`theme_gaps` (see :mod:`govmap.graph.analysis.gaps`, which gathers every
ownership gap).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from govmap.graph.analysis.delivery import (
    DELIVERY_KINDS,
    Delivery,
    delivery_matrix,
)
from govmap.graph.analysis.findings import (
    Finding,
    Kind,
    Severity,
    Source,
    make_finding,
)
from govmap.graph.analysis.lookup import Lookup, ThemeUse, lookup_of
from govmap.ingest.model import Register, Theme, ThemeKind, effective_status

#: Theme kinds someone should own (the rows of the delivery matrix).
GAP_KINDS = DELIVERY_KINDS
SERIOUS_THEME_KINDS = frozenset({ThemeKind.PRIORITY, ThemeKind.CAUSE, ThemeKind.PUBLIC_CONCERN})
_KIND_WORD = {
    ThemeKind.PRIORITY: "priority",
    ThemeKind.CAUSE: "cause",
    ThemeKind.MULTI_AGENCY: "multi-agency theme",
    ThemeKind.CROSS_CUTTING: "cross-cutting theme",
    ThemeKind.PUBLIC_CONCERN: "public concern",
    ThemeKind.INTELLIGENCE_FOCUS: "intelligence focus",
}


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
    """Issues of the kinds in :data:`GAP_KINDS` that no current body, organisation or post addresses.

    Returns
    -------
    list of Finding
        Kinds ``unaddressed-theme``, ``indirectly-addressed-theme``,
        ``partly-addressed-theme`` and ``strategy-only-theme`` (see the module
        docstring for severities).

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
    matrix = delivery_matrix(register, lk)
    out: list[Finding] = []
    for theme in register.themes:
        if theme.kind not in GAP_KINDS:
            continue
        row = matrix.row(theme.id)
        if row is not None and row.deliverers:
            continue  # the matrix shows who delivers it
        group = [theme.id, *_group_members(lk, theme.id)]
        strategies = [u for t in group for u in lk.theme_uses.get(t, []) if u.holder_kind == "strategy"]
        if strategies:
            out.append(_strategy_only(lk, theme, strategies))
            continue
        if _past_priority(lk, group):
            continue  # only plans of the past named it: history, not a gap
        f = _indirect(lk, matrix, register, theme) or _unaddressed(lk, theme)
        out.append(f)
    return out


def _past_priority(lk: Lookup, group: list[str]) -> bool:
    """Whether only plans of the past (ended, replaced, withdrawn) named the issue: it is history.

    An issue a body of the past addressed is still an issue: the body's work
    stopped, not the need for it.
    """
    uses = [u for t in group for u in lk.past_theme_uses.get(t, [])]
    return bool(uses) and all(u.holder_kind == "strategy" for u in uses)


def kind_word(theme: Theme) -> str:
    return _KIND_WORD.get(theme.kind, "theme")


def _addressed(matrix: Delivery, theme: str) -> list[dict[str, str]]:
    row = matrix.row(theme)
    if row is None:
        return []
    return [{"id": d.id, "name": d.name, "role": d.role.value} for d in dict.fromkeys(row.deliverers)]


def _indirect(lk: Lookup, matrix: Delivery, register: Register, theme: Theme) -> Finding | None:
    """A theme nothing addresses whose ``broader`` theme is addressed (low), or half of a split theme."""
    via: list[dict[str, Any]] = []
    sources = lk.record_sources(theme.id)
    for other in _broader_chain(register, theme):
        by = _addressed(matrix, other)
        if by:
            via.append({"id": other, "name": lk.name(other), "addressed_by": by})
            sources += lk.rel_sources(theme.id, "broader", other)
    if not via:
        return None
    partly = _partly(lk, matrix, theme, via, sources)
    if partly is not None:
        return partly
    names = ", ".join(v["name"] for v in via)
    return make_finding(
        Kind.INDIRECT_THEME,
        Severity.LOW,
        f"The {kind_word(theme)} '{theme.name}' is addressed only through the wider {names}.",
        [lk.subject(theme.id)],
        evidence={"theme_kind": theme.kind.value, "relation": "broader", "via": via},
        suggestion="The wider issue is owned; decide whether this specific issue needs its own owner.",
        sources=sources,
        key="broader",
    )


def _partly(
    lk: Lookup, matrix: Delivery, theme: Theme, via: list[dict[str, Any]], sources: list[Source]
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
    addressed = [t for t in siblings if _addressed(matrix, t.id)]
    if not addressed or wider["id"] not in {link.to for link in theme.broader}:
        return None
    return make_finding(
        Kind.PARTLY_ADDRESSED,
        Severity.LOW,
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


def _strategy_only(lk: Lookup, theme: Theme, strategies: list[ThemeUse]) -> Finding:
    """Current plans address the theme and none has an owner recorded (had one, the matrix would show it)."""
    uses = list({u.holder: u for u in strategies}.values())
    return make_finding(
        Kind.STRATEGY_ONLY_THEME,
        Severity.LOW,
        f"The {kind_word(theme)} '{theme.name}' is addressed only by "
        + ", ".join(lk.name(u.holder) for u in uses)
        + f", whose owner {'is' if len(uses) == 1 else 'are'} not recorded.",
        [lk.subject(theme.id)],
        evidence={"theme_kind": theme.kind.value, "strategies": _holders(lk, uses)},
        suggestion="Record who owns the plan (owner: a body, organisation or post), and the body that "
        "delivers this part of it.",
        sources=lk.record_sources(theme.id) + _uses_sources(lk, theme.id, uses),
    )


def _unaddressed(lk: Lookup, theme: Theme) -> Finding:
    return make_finding(
        Kind.UNADDRESSED_THEME,
        Severity.HIGH if theme.kind in SERIOUS_THEME_KINDS else Severity.MEDIUM,
        f"No body or strategy addresses the {kind_word(theme)} '{theme.name}'.",
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


__all__ = ["GAP_KINDS", "SERIOUS_THEME_KINDS", "kind_word", "theme_gaps"]
