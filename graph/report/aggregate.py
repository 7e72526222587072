"""Repetitive findings folded into one, so the report says a thing once.

Some analyses find the same thing about many records: forty records each with
an unconfirmed fact, seven bodies whose membership cannot be checked against
one rule for one reason, a dozen themes only an agreement addresses.  Read one
by one they bury the findings a reviewer acts on.  :func:`aggregate` folds
each such set into one finding with every subject and a table (``items``:
each original finding's id, title, subjects and evidence), so nothing is lost
in JSON and the count of findings says how many things need doing.

What is folded, and by what (the *key*; findings are folded only when two or
more share it):

* ``unconfirmed-facts``: by section (one data-quality finding for the bodies,
  one for the strategies ...);
* ``statutory-cannot-check``: by rule and severity (the same reason);
* ``strategy-only-theme`` and ``indirectly-addressed-theme``: by severity and
  the strategies, or the relation, they depend on;
* ``broker``: ties (the same betweenness);
* ``csp-without-strategy``: by severity (one data chore: find the partnerships' plans);
* ``period-ended``: by severity (one data chore: record each plan's successor, or extend it);
* ``single-point-of-failure``: the low ones (fewer than 5 records cut off) under the
  same parents (the bodies they report to, or are sub-groups of): several small groups
  of one partnership each holding the only link for a few members are one thing to
  raise with that partnership.  Medium ones, and ones that report to nobody, stay
  findings of their own;
* ``seat-load``: the info ones (organisations and posts on the minimum number of
  bodies or more but fewer than twice it: 5 to 9 by default) into one finding, each
  item keeping its bodies, rather than 2,500 saying "X sits on 5 bodies" at national
  scale (issue 23's "repetition at the top").  The medium ones (twice the minimum or
  more, where the meeting burden alone may justify merging meetings) stay findings of
  their own.

A folded finding keeps the highest severity of its parts and a stable id (a
hash of its kind and key: what it is about, not who is in it), so a fold that
gains a member is the same finding, changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from govmap.graph.analysis.findings import Finding, Kind, Severity
from govmap.graph.analysis.fold import folded, seat_load_title, unconfirmed_title


def _rule(f: Finding) -> Any:
    rule = f.evidence.get("rule") or {}
    return (rule.get("id"), f.severity.value, f.evidence.get("members_recorded", 0) == 0)


def _strategies(f: Finding) -> Any:
    return (f.severity.value, tuple(sorted(s["id"] for s in f.evidence.get("strategies", ()))))


def _single_point(f: Finding) -> Any:
    # low ones (fewer than 5 records cut off) under the same parents; a medium one, or one
    # that reports to nobody, stands alone (its id is its key)
    parents = tuple(sorted(p["id"] for p in f.evidence.get("parents", ())))
    return ("under", parents) if parents and f.severity is Severity.LOW else f.id


def _seat_load(f: Finding) -> Any:
    # the info ones together; a medium one stands alone (its id is its key)
    return f.severity.value if f.severity is Severity.INFO else f.id


#: Kind -> the key that says two findings of the kind are the same thing.
KEYS: dict[Kind, Callable[[Finding], Any]] = {
    Kind.UNCONFIRMED: lambda f: f.subjects[0].kind if f.subjects else "",
    Kind.STATUTORY_UNCHECKABLE: _rule,
    Kind.STRATEGY_ONLY_THEME: _strategies,
    Kind.INDIRECT_THEME: lambda f: (f.severity.value, f.evidence.get("relation")),
    Kind.BROKER: lambda f: f.score,
    Kind.SINGLE_POINT: _single_point,
    Kind.CSP_NO_STRATEGY: lambda f: f.severity.value,
    Kind.PERIOD_ENDED: lambda f: f.severity.value,
    Kind.SEAT_LOAD: _seat_load,
}


def _title(kind: Kind, parts: list[Finding]) -> str:
    n = len(parts)
    first = parts[0]
    if kind is Kind.UNCONFIRMED:
        word = first.subjects[0].kind if first.subjects else "record"
        return unconfirmed_title(word, n, sum(int(f.score or 0) for f in parts))
    if kind is Kind.STATUTORY_UNCHECKABLE:
        rule = first.evidence.get("rule") or {}
        why = (
            "no members recorded" if not first.evidence.get("members_recorded") else "memberships unconfirmed"
        )
        return (
            f"Membership of {n} bodies cannot be checked against {rule.get('title')} "
            f"({rule.get('legal_basis')}): {why}."
        )
    if kind is Kind.STRATEGY_ONLY_THEME:
        names = ", ".join(s["name"] for s in first.evidence.get("strategies", ()))
        return f"{n} themes are addressed only by {names}, by no body."
    if kind is Kind.INDIRECT_THEME:
        via = "a matched theme" if first.evidence.get("relation") == "matches" else "a wider theme"
        return f"{n} themes are addressed only indirectly, through {via}."
    if kind is Kind.SINGLE_POINT:
        names = " and ".join(p["name"] for p in first.evidence.get("parents", ()))
        cut = sorted(len(f.evidence.get("bodies_cut_off", ())) for f in parts)
        each = f"{cut[0]}" if cut[0] == cut[-1] else f"{cut[0]} to {cut[-1]}"
        return (
            f"{n} bodies answering to {names} are each the only link to the rest of the "
            f"landscape for other bodies ({each} each, {sum(cut)} in all)."
        )
    if kind is Kind.PERIOD_ENDED:
        names = ", ".join(f"{f.subjects[0].name} ({f.evidence.get('period_end', '')[:4]})" for f in parts)
        return f"The periods of {n} plans have ended with no successor recorded: {names}."
    if kind is Kind.CSP_NO_STRATEGY:
        names = ", ".join(f.subjects[0].name for f in parts)
        return (
            f"No plan of {n} community safety partnerships is recorded ({names}); each must have one "
            "(Crime and Disorder Act 1998 s6)."
        )
    if kind is Kind.SEAT_LOAD:
        return seat_load_title(
            [f.subjects[0].kind for f in parts],
            [f.subjects[0].name for f in parts],
            [int(f.evidence.get("seats", 0)) for f in parts],
        )
    if kind is Kind.BROKER:
        return f"{n} records tie as brokers: they lie on many of the shortest paths between others."
    return f"{n} findings of one kind: {first.title}"


def _fold(kind: Kind, key: Any, parts: list[Finding]) -> Finding:
    suggestion = parts[0].suggestion if all(f.suggestion == parts[0].suggestion for f in parts) else ""
    return folded(
        kind,
        key,
        [
            {
                "id": f.id,
                "severity": f.severity.value,
                "title": f.title,
                "subjects": [s.to_json() for s in f.subjects],
                "evidence": dict(f.evidence),
            }
            for f in parts
        ],
        subjects=(s for f in parts for s in f.subjects),
        sources=(s for f in parts for s in f.sources),
        severity=max((f.severity for f in parts), key=lambda s: s.rank),
        title=_title(kind, parts),
        suggestion=suggestion,
        score=max((f.score for f in parts if f.score is not None), default=None),
    )


def aggregate(findings: Iterable[Finding]) -> list[Finding]:
    """Fold repetitive findings (see the module docstring); others pass through unchanged.

    Examples
    --------
    >>> from govmap.graph.analysis.findings import Severity, Subject, make_finding
    >>> fs = [make_finding(Kind.UNCONFIRMED, Severity.INFO, f"{n} has 1 unconfirmed fact.",
    ...                    [Subject(n, n.upper(), "organisation")], score=1) for n in ("a", "b")]
    >>> [(f.title, [s.id for s in f.subjects]) for f in aggregate(fs)]
    [('2 organisations have unconfirmed facts (2 facts in all).', ['a', 'b'])]

    Notes
    -----
    Folded findings take the place of the first of their parts, so the order
    of everything else is kept.
    """
    items = list(findings)
    groups: dict[tuple[Kind, Any], list[Finding]] = {}
    for f in items:
        if f.kind in KEYS:
            groups.setdefault((f.kind, KEYS[f.kind](f)), []).append(f)
    out: list[Finding] = []
    done: set[tuple[Kind, Any]] = set()
    for f in items:
        gk = (f.kind, KEYS[f.kind](f)) if f.kind in KEYS else None
        if gk is None or len(groups[gk]) < 2:
            out.append(f)
        elif gk not in done:
            done.add(gk)
            out.append(_fold(gk[0], gk[1], groups[gk]))
    return out


def said_once(findings: Iterable[Finding]) -> list[Finding]:
    """Leave out a finding that states a fact another finding already states.

    Two bodies leading one issue in one place are an ``overlap`` (their
    remits, with both roles shown) and ``multiple-leads`` (the issue's leads):
    when the overlap of exactly those two bodies on that issue is a finding
    of its own, the ``multiple-leads`` finding says nothing more and is left
    out.

    Examples
    --------
    >>> from govmap.graph.analysis.findings import Severity, Subject, make_finding
    >>> a, b, t = Subject("a", "A", "body"), Subject("b", "B", "body"), Subject("t", "T", "theme")
    >>> o = make_finding(Kind.OVERLAP, Severity.HIGH, "A and B overlap on T.", [a, b],
    ...                  evidence={"shared_themes": [{"id": "t"}]})
    >>> m = make_finding(Kind.MULTIPLE_LEADS, Severity.MEDIUM, "2 bodies lead T.", [t, a, b])
    >>> [f.kind.value for f in said_once([o, m])]
    ['overlap']
    """
    items = list(findings)
    pairs = {
        (frozenset(s.id for s in f.subjects), t["id"])
        for f in items
        if f.kind is Kind.OVERLAP and len(f.subjects) == 2
        for t in f.evidence.get("shared_themes", ())
    }
    return [
        f
        for f in items
        if not (
            f.kind is Kind.MULTIPLE_LEADS
            and (frozenset(s.id for s in f.subjects[1:]), f.subjects[0].id) in pairs
        )
    ]


__all__ = ["KEYS", "aggregate", "said_once"]
