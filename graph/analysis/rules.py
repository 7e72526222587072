"""Statutory membership rules, read from data (``data/rules/statutory.yaml``), checked against bodies.

The rules are data, not code: a reviewer can read, cite and correct them
without reading Python.  ``docs/rules.md`` describes the file format.

A finding says "missing" only when the body has confirmed memberships to
judge by.  When it has none recorded, or all of them are unconfirmed, the
register cannot show that anyone is missing, and the finding says the
membership "cannot be checked" instead.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from govmap.data import DATA_DIR
from govmap.graph.analysis.findings import Finding, Kind, Lookup, Severity, Source, lookup_of, make_finding
from govmap.ingest.errors import GovmapError
from govmap.ingest.model import Body, BodyKind, Organisation, OrganisationType, Register, Status
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_RULES = DATA_DIR / "rules" / "statutory.yaml"


class RulesInvalid(GovmapError):
    """The rules file cannot be read or does not follow the format."""


def _check_patterns(value: tuple[str, ...]) -> tuple[str, ...]:
    for p in value:
        try:
            re.compile(p)
        except re.error as exc:
            raise ValueError(f"'{p}' is not a valid regular expression: {exc}") from None
    return value


class _RuleModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Selector(_RuleModel):
    """Which bodies a rule applies to: any selector matching is enough."""

    kinds: tuple[BodyKind, ...] = ()
    names: tuple[str, ...] = ()
    legal_basis: tuple[str, ...] = ()
    exclude_names: tuple[str, ...] = ()

    _patterns = field_validator("names", "legal_basis", "exclude_names")(_check_patterns)

    def matches(self, body: Body) -> bool:
        names = (body.name, *body.aliases)
        if any(re.search(p, n, re.IGNORECASE) for p in self.exclude_names for n in names):
            return False
        return (
            body.kind in self.kinds
            or any(re.search(p, n, re.IGNORECASE) for p in self.names for n in names)
            or any(re.search(p, body.legal_basis or "", re.IGNORECASE) for p in self.legal_basis)
        )


class Requirement(_RuleModel):
    """One kind of member a body must have."""

    id: Annotated[str, Field(min_length=1)]
    label: Annotated[str, Field(min_length=1)]
    types: tuple[OrganisationType, ...] = ()
    names: tuple[str, ...] = ()

    _patterns = field_validator("names")(_check_patterns)

    def met_by(self, org: Organisation) -> bool:
        return org.type in self.types or any(
            re.search(p, n, re.IGNORECASE) for p in self.names for n in (org.name, *org.aliases)
        )


class Rule(_RuleModel):
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    title: Annotated[str, Field(min_length=1)]
    legal_basis: Annotated[str, Field(min_length=1)]
    url: str | None = None
    severity: Literal["high", "medium", "low"] = "high"
    applies_to: Selector
    requires: tuple[Requirement, ...] = Field(min_length=1)


class RulesFile(_RuleModel):
    govmap_rules: Literal[1] = 1
    rules: tuple[Rule, ...]


def load_rules(path: str | os.PathLike[str] | None = None) -> tuple[Rule, ...]:
    """Read and check a rules file (the shipped ``statutory.yaml`` by default).

    Raises :class:`RulesInvalid` with every problem found.
    """
    p = Path(path) if path is not None else DEFAULT_RULES
    return _load(str(p.resolve()))


@lru_cache(maxsize=8)
def _load(path: str) -> tuple[Rule, ...]:
    try:
        data: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesInvalid(f"{path}: cannot read the rules file: {exc}") from None
    except yaml.YAMLError as exc:
        raise RulesInvalid(f"{path}: not valid YAML: {exc}") from None
    try:
        return RulesFile.model_validate(data).rules
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        raise RulesInvalid(f"{path}: {problems}") from None


def _seats(lk: Lookup, body: Body) -> list[tuple[Organisation, Status, str]]:
    out = []
    for m in body.members:
        org = lk.index.get(lk.seat_organisation(m) or "")
        if isinstance(org, Organisation):
            out.append((org, lk.membership_status(body, m), m.member))
    return out


def check_rule(lk: Lookup, rule: Rule, body: Body) -> Finding | None:
    """One body against one rule: a finding, or None when every requirement is met by a confirmed member."""
    seats = _seats(lk, body)
    confirmed_any = any(lk.membership_status(body, m) is Status.CONFIRMED for m in body.members)
    met: list[dict[str, Any]] = []
    unconfirmed: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    sources: list[Source] = []
    for req in rule.requires:
        hits = [(o, st, mid) for o, st, mid in seats if req.met_by(o)]
        entry: dict[str, Any] = {
            "id": req.id,
            "label": req.label,
            "members": [
                {"id": mid, "organisation": o.id, "name": o.name, "status": st.value} for o, st, mid in hits
            ],
        }
        for _, _, mid in hits:
            sources += lk.rel_sources(body.id, "members", mid)
        if any(st is Status.CONFIRMED for _, st, _ in hits):
            met.append(entry)
        elif hits:
            unconfirmed.append(entry)
        else:
            missing.append(entry)
    if not missing and not unconfirmed:
        return None
    evidence = {
        "rule": {"id": rule.id, "title": rule.title, "legal_basis": rule.legal_basis, "url": rule.url},
        "members_recorded": len(body.members),
        "met": met,
        "unconfirmed": unconfirmed,
        "missing": [{"id": e["id"], "label": e["label"]} for e in missing],
    }
    labels = "; ".join(e["label"] for e in missing)
    if not body.members or not confirmed_any:
        why = "it has no members recorded" if not body.members else "its memberships are all unconfirmed"
        kind, severity = Kind.STATUTORY_UNCHECKABLE, Severity.INFO if not body.members else Severity.LOW
        title = (
            f"Membership of {body.name} cannot be checked against {rule.title} ({rule.legal_basis}): {why}."
        )
        if missing and body.members:
            title = title[:-1] + f"; not recorded at all: {labels}."
        suggestion = "Confirm the membership from the body's terms of reference, then check it again."
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
            + "; ".join(e["label"] for e in unconfirmed)
            + "."
        )
        suggestion = "Confirm these memberships with a source."
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
        ``statutory-member-missing`` (the rule's severity, high by default),
        ``statutory-member-unconfirmed`` (low) or ``statutory-cannot-check``
        (info with no members recorded, low with all unconfirmed).  Each
        cites the rule and its legal basis in ``evidence["rule"]``.

    Examples
    --------
    >>> from govmap.ingest.load import loads
    >>> reg = loads('''
    ... documents: [{id: tor, name: Terms of reference}]
    ... organisations: [{id: police, name: Police, type: police-force}]
    ... bodies:
    ...   - {id: csp, name: Town CSP, kind: csp, members: [police], sources: [{doc: tor}]}
    ... ''')
    >>> [f.kind.value for f in statutory(reg)]
    ['statutory-member-missing']
    """
    lk = lookup_of(register, lookup)
    rs = rules if rules is not None else load_rules()
    out = []
    for body in lk.bodies:
        for rule in rs:
            if rule.applies_to.matches(body):
                f = check_rule(lk, rule, body)
                if f is not None:
                    out.append(f)
    return out


__all__ = [
    "DEFAULT_RULES",
    "Requirement",
    "Rule",
    "RulesInvalid",
    "Selector",
    "check_rule",
    "load_rules",
    "statutory",
]
