"""Plans' gaps: current plans whose owner is not recorded, evidence informing nothing, and community
safety partnerships with no plan recorded (moved from :mod:`govmap.graph.analysis.gaps`, which
gathers them with the other ownership gaps).
"""

from __future__ import annotations

from govmap.graph.analysis.findings import Finding, Kind, Severity, make_finding
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.ingest.model import BodyKind, Register, ThemeRole

_STRATEGY_WORD = {"jsna": "JSNA", "other": "strategy"}


def strategy_gaps(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Current plans whose owner is not recorded (low), evidence informing nothing (low), and community
    safety partnerships with no plan recorded (low).

    An owner that is not recorded is not "no owner": nothing in the register
    says the plan has none, so the finding asks for it to be recorded.
    """
    lk = lookup_of(register, lookup)
    informed = {link.to for s in register.strategies for link in s.informs}
    out: list[Finding] = _csps_without_strategy(lk)
    on_body = _priorities_on_body(lk)
    for s in lk.strategies:
        if not s.owner:
            word = _STRATEGY_WORD.get(s.kind.value, s.kind.value.replace("-", " "))
            out.append(
                make_finding(
                    Kind.UNOWNED_STRATEGY,
                    Severity.MEDIUM if s.no_owner else Severity.LOW,
                    f"The sources say no one owns the {word} '{s.name}'."
                    if s.no_owner
                    else f"The owner of the {word} '{s.name}' is not recorded.",
                    [lk.subject(s.id)],
                    evidence={"strategy_kind": s.kind.value, "owner_stated": s.owner_stated},
                    suggestion="Agree which body, organisation or post owns and reviews it."
                    if s.no_owner
                    else "Record the body, organisation or post that owns and reviews it.",
                    sources=lk.record_sources(s.id),
                )
            )
        if s.is_evidence and not s.informs and not (s.owner and all(o.to in on_body for o in s.owner)):
            # (evidence a body owns whose plan is the priorities recorded on it informs those priorities)
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


def _priorities_on_body(lk: Lookup) -> set[str]:
    """Current bodies whose plan is recorded only as the priorities they lead: they lead at least one
    issue themselves and own no plan (evidence aside), current or past."""
    owned = {link.to for s in lk.register.strategies if not s.is_evidence for link in s.owner}
    return {
        b.id for b in lk.bodies if b.id not in owned and any(link.role is ThemeRole.LEAD for link in b.themes)
    }


def _csps_without_strategy(lk: Lookup) -> list[Finding]:
    """Community safety partnerships (kind ``csp``) with no plan recorded at all (low).

    A plan not recorded is a data gap, not a breach of the s6 duty: the
    finding asks for it to be found and recorded.  A partnership whose plan
    has ended has one recorded (``period-ended`` says it has ended).  Nor is
    it a finding when the partnership leads priorities it set from a current
    strategic assessment of its own (the cycle the Crime and Disorder
    (Formulation and Implementation of Strategy) Regulations 2007 lay down):
    its plan is those priorities, recorded on the partnership.
    """
    owned = {link.to for s in lk.register.strategies if not s.is_evidence for link in s.owner}
    # partnerships with a current assessment of their own, from which they set the priorities they lead
    assessed = {
        link.to for s in lk.strategies if s.is_evidence and s.id not in lk.lapsed for link in s.owner
    } & _priorities_on_body(lk)
    out = []
    for b in lk.bodies:
        if b.kind is not BodyKind.CSP or b.id in owned or b.id in assessed:
            continue
        priorities = [link.theme for link in b.themes if link.role.value == "lead"]
        out.append(
            make_finding(
                Kind.CSP_NO_STRATEGY,
                Severity.LOW,
                f"No plan of {b.name} is recorded"
                + (
                    f" (its priorities are: {', '.join(lk.name(t) for t in priorities)})"
                    if priorities
                    else ""
                )
                + f"; the partnership must have one ({CSP_STRATEGY_DUTY}).",
                [lk.subject(b.id)],
                evidence={"duty": CSP_STRATEGY_DUTY, "legal_basis": b.legal_basis, "priorities": priorities},
                suggestion="Find the partnership's current plan and record it in strategies with owner: "
                f"{b.id} (or the plan it shares with other partnerships).",
                sources=lk.record_sources(b.id),
            )
        )
    return out


__all__ = ["CSP_STRATEGY_DUTY", "strategy_gaps"]
