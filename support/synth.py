"""A synthetic register of a realistic national shape, for scale tests and the benchmark.

Deterministic: the same ``force_areas`` and ``seed`` give the same bytes.  The
shape follows England and Wales: police force areas, each with a PCC, a force,
fire and rescue, a share of a probation region and of an integrated care
board; a two-tier county with districts and a couple of unitaries; a CSP per
district (some joint, covering two districts) and per unitary, a county
strategy group on top; per upper-tier area a health and wellbeing board,
children's and adults' safeguarding, a combating drugs partnership; per force
area a violence reduction partnership and a criminal justice board; sub-groups
under most of them; and many voluntary and education organisations whose
board memberships follow a heavy-tailed (Zipf) distribution.

Deliberate features, so the analysis has something to find: a domestic abuse
board and a domestic abuse steering group with the same remit in each force
area (overlap), themes nobody addresses (gaps), bodies whose reporting line is
missing (orphans), evidence that informs nothing, and a loop of strategies
informing each other (a cycle; reporting cycles are invalid and never made).

Every record cites the synthetic document ``synthetic`` and is marked
``unconfirmed``: nothing here is a fact about a real place.
"""

from __future__ import annotations

import random
from typing import Any

import yaml

THEMES = [
    ("domestic-abuse", "Domestic abuse", "priority"),
    ("violence", "Serious violence", "priority"),
    ("exploitation", "Exploitation", "priority"),
    ("soc", "Serious organised crime", "priority"),
    ("road-safety", "Road safety", "priority"),
    ("asb", "Anti-social behaviour", "priority"),
    ("drugs-alcohol", "Alcohol and drug use", "cause"),
    ("child-poverty", "Child poverty and unemployment", "cause"),
    ("education", "Education, employment and training", "cause"),
    ("families", "Parenting, families and communities", "cause"),
    ("victims", "Vulnerability and victims", "multi-agency-theme"),
    ("reoffending", "Justice and re-offending", "multi-agency-theme"),
    ("mental-health", "Improving mental health", "cross-cutting-theme"),
    ("data-sharing", "Data sharing", "cross-cutting-theme"),
    ("prevention", "Prevention and early intervention", "cross-cutting-theme"),
    ("lived-experience", "Community and lived experience", "cross-cutting-theme"),
    ("burglary", "Burglary", "public-concern"),
    ("fraud", "Fraud", "public-concern"),
    ("criminal-damage", "Criminal damage", "public-concern"),
    ("cyber", "Cyber crime", "intelligence-focus"),
    ("hate-crime", "Hate crime", "emerging-issue"),
    ("modern-slavery", "Modern slavery", "emerging-issue"),
]
#: Themes left unaddressed on purpose (gaps).
GAP_THEMES = {"fraud", "cyber"}
SUBGROUP_TOPICS = [
    ("asb", "ASB and neighbourhoods"),
    ("domestic-abuse", "Domestic abuse"),
    ("violence", "Serious violence"),
    ("drugs-alcohol", "Drugs and alcohol"),
    ("reoffending", "Reducing reoffending"),
    ("exploitation", "Exploitation"),
    ("road-safety", "Road safety"),
    ("hate-crime", "Hate crime and cohesion"),
]
DOC = "synthetic"
SRC = [{"doc": DOC, "section": "generated"}]


def _rec(**fields: Any) -> dict[str, Any]:
    fields.setdefault("sources", SRC)
    fields.setdefault("status", "unconfirmed")
    return fields


class _Builder:
    def __init__(self, seed: int, neighbourhood_groups: int, community_orgs: int) -> None:
        self.rng = random.Random(seed)
        self.neighbourhood_groups = neighbourhood_groups
        self.community_orgs = community_orgs
        self.areas: list[dict[str, Any]] = [_rec(id="country", name="England and Wales", kind="country")]
        self.orgs: list[dict[str, Any]] = []
        self.bodies: list[dict[str, Any]] = []
        self.strategies: list[dict[str, Any]] = []
        self.themes = [_rec(id=f"theme-{i}", name=n, kind=k) for i, n, k in THEMES]
        self.probation: list[str] = []
        self.icbs: list[str] = []
        # Zipf weights for the community organisations of a force area.
        self.zipf = [1.0 / (rank + 1) ** 1.1 for rank in range(community_orgs)]

    def theme_links(self, ids: list[str], lead: str | None = None) -> list[Any]:
        out: list[Any] = []
        for t in ids:
            if t in GAP_THEMES:
                continue
            out.append({"theme": f"theme-{t}", "role": "lead"} if t == lead else f"theme-{t}")
        return out

    def pick_community(self, prefix: str, k: int) -> list[str]:
        chosen = self.rng.choices(range(self.community_orgs), weights=self.zipf, k=k)
        return [f"{prefix}-org-{i}" for i in sorted(set(chosen))]

    def force_area(self, f: int) -> None:
        rng = self.rng
        p = f"fa{f}"
        self.areas.append(_rec(id=p, name=f"Force area {f}", kind="police-force-area", within="country"))
        county = f"{p}-county"
        self.areas.append(_rec(id=county, name=f"County {f}", kind="county", within=p))
        n_districts = rng.randint(6, 12)
        districts = [f"{p}-d{d}" for d in range(n_districts)]
        unitaries = [f"{p}-u{u}" for u in range(rng.randint(1, 3))]
        for d in districts:
            self.areas.append(_rec(id=d, name=f"District {d}", kind="district", within=county))
        for u in unitaries:
            self.areas.append(_rec(id=u, name=f"Unitary {u}", kind="unitary", within=p))
        if f % 4 == 0:
            self.probation.append(f"probation-{f // 4}")
            self.orgs.append(_rec(id=self.probation[-1], name=f"Probation region {f // 4}", type="probation"))
        if f % 2 == 0:
            self.icbs.append(f"icb-{f // 2}")
            self.orgs.append(
                _rec(id=self.icbs[-1], name=f"Integrated care board {f // 2}", type="integrated-care-board")
            )
        probation, icb = self.probation[-1], self.icbs[-1]
        police, pcc, fire = f"{p}-police", f"{p}-pcc", f"{p}-fire"
        self.orgs += [
            _rec(id=police, name=f"Police force {f}", type="police-force", areas=[p]),
            _rec(
                id=pcc,
                name=f"Police and crime commissioner {f}",
                type="police-and-crime-commissioner",
                areas=[p],
            ),
            _rec(id=fire, name=f"Fire and rescue service {f}", type="fire-and-rescue", areas=[p]),
            _rec(id=f"{county}-council", name=f"County council {f}", type="county-council", areas=[county]),
        ]
        for d in districts:
            self.orgs.append(
                _rec(id=f"{d}-council", name=f"Council of {d}", type="district-council", areas=[d])
            )
        for u in unitaries:
            self.orgs.append(
                _rec(id=f"{u}-council", name=f"Council of {u}", type="unitary-council", areas=[u])
            )
        for i in range(self.community_orgs):
            kind = "education" if i % 5 == 0 else "voluntary-sector"
            self.orgs.append(
                _rec(id=f"{p}-org-{i}", name=f"Community organisation {f}-{i}", type=kind, areas=[p])
            )

        responsible = [police, fire, probation, icb]
        top = f"{p}-county-board"
        self.bodies.append(
            _rec(
                id=top,
                name=f"County community safety board {f}",
                kind="board",
                top_level=True,
                areas=[county, *unitaries],
                members=[*responsible, pcc, f"{county}-council", *(f"{u}-council" for u in unitaries)],
                themes=self.theme_links(["domestic-abuse", "violence", "soc", "asb", "victims"], lead="soc"),
            )
        )
        # CSPs: one per district, some joint (two districts), one per unitary.
        csps: list[str] = []
        at = 0
        while at < len(districts):
            joint = at + 1 < len(districts) and rng.random() < 0.25
            covered = districts[at : at + (2 if joint else 1)]
            at += len(covered)
            cid = f"{covered[0]}-csp"
            csps.append(cid)
            self.bodies.append(
                _rec(
                    id=cid,
                    name=("Joint " if joint else "") + f"CSP {cid}",
                    kind="csp",
                    statutory=True,
                    legal_basis="Crime and Disorder Act 1998 s5-6",
                    areas=covered,
                    reports_to=top if rng.random() > 0.05 else [],  # a few orphans
                    members=[
                        *responsible,
                        f"{county}-council",
                        *(f"{x}-council" for x in covered),
                        *self.pick_community(p, rng.randint(2, 8)),
                    ],
                    themes=self.theme_links(rng.sample([t for t, _ in SUBGROUP_TOPICS], 4), lead="asb"),
                )
            )
        for u in unitaries:
            cid = f"{u}-csp"
            csps.append(cid)
            self.bodies.append(
                _rec(
                    id=cid,
                    name=f"CSP {cid}",
                    kind="csp",
                    statutory=True,
                    areas=[u],
                    reports_to=top,
                    members=[*responsible, f"{u}-council", *self.pick_community(p, rng.randint(2, 8))],
                    themes=self.theme_links(["asb", "domestic-abuse", "drugs-alcohol"], lead="asb"),
                )
            )
        upper = [county, *unitaries]
        for a in upper:
            council = f"{a}-council"
            for suffix, name, kind, members, themes in (
                (
                    "hwb",
                    "Health and wellbeing board",
                    "board",
                    [council, icb],
                    ["mental-health", "drugs-alcohol", "child-poverty"],
                ),
                (
                    "scp",
                    "Safeguarding children partnership",
                    "partnership",
                    [council, icb, police],
                    ["exploitation", "families"],
                ),
                (
                    "sab",
                    "Safeguarding adults board",
                    "board",
                    [council, icb, police],
                    ["victims", "modern-slavery"],
                ),
                (
                    "cdp",
                    "Combating drugs partnership",
                    "partnership",
                    [council, police, icb, probation],
                    ["drugs-alcohol"],
                ),
            ):
                self.bodies.append(
                    _rec(
                        id=f"{a}-{suffix}",
                        name=f"{name} {a}",
                        kind=kind,
                        statutory=suffix != "cdp",
                        areas=[a],
                        links_with=top,
                        members=[*members, *self.pick_community(p, rng.randint(1, 6))],
                        themes=self.theme_links(themes, lead=themes[0]),
                    )
                )
        for suffix, name, members, themes in (
            (
                "vrp",
                "Violence reduction partnership",
                [police, pcc, fire, probation, icb, *(f"{a}-council" for a in upper)],
                ["violence", "prevention"],
            ),
            ("lcjb", "Local criminal justice board", [police, pcc, probation], ["reoffending", "victims"]),
            (
                "da-board",
                "Domestic abuse partnership board",
                [police, pcc, icb, *(f"{a}-council" for a in upper)],
                ["domestic-abuse", "victims"],
            ),
            (
                "da-steering",
                "Domestic abuse steering group",
                [police, pcc, icb, *(f"{a}-council" for a in upper)],
                ["domestic-abuse", "victims"],
            ),
            ("road-safety", "Road safety partnership", [police, fire, f"{county}-council"], ["road-safety"]),
        ):
            self.bodies.append(
                _rec(
                    id=f"{p}-{suffix}",
                    name=f"{name} {f}",
                    kind="partnership",
                    areas=[p],
                    links_with=top,
                    members=[*members, *self.pick_community(p, rng.randint(3, 10))],
                    themes=self.theme_links(themes, lead=themes[0] if suffix != "da-steering" else None),
                )
            )
        # Sub-groups under CSPs and partnerships, and neighbourhood groups.
        parents = csps + [f"{p}-vrp", f"{p}-da-board", f"{county}-scp"]
        for parent in parents:
            for topic, tname in rng.sample(SUBGROUP_TOPICS, rng.randint(1, 3)):
                self.bodies.append(
                    _rec(
                        id=f"{parent}-{topic}",
                        name=f"{tname} sub-group of {parent}",
                        kind="group",
                        sub_group_of=parent,
                        members=[police, *self.pick_community(p, rng.randint(2, 6))],
                        themes=self.theme_links([topic]),
                    )
                )
        for n in range(self.neighbourhood_groups):
            csp = csps[n % len(csps)]
            self.bodies.append(
                _rec(
                    id=f"{p}-ng-{n}",
                    name=f"Neighbourhood action group {f}-{n}",
                    kind="group",
                    reports_to=csp,
                    members=self.pick_community(p, rng.randint(5, 18)) + [police],
                    themes=self.theme_links(["asb"]),
                )
            )
        # Strategies: plans owned by CSPs, a strategic assessment informing them, a JSNA per upper tier.
        sa = f"{p}-sa"
        self.strategies.append(
            _rec(
                id=sa,
                name=f"Strategic assessment {f}",
                kind="strategic-assessment",
                owner=top,
                informs=[f"{c}-plan" for c in csps],
                themes=self.theme_links(["violence", "soc", "asb"]),
            )
        )
        for c in csps:
            self.strategies.append(
                _rec(
                    id=f"{c}-plan",
                    name=f"Partnership plan {c}",
                    kind="plan",
                    owner=c,
                    themes=self.theme_links(["asb", "domestic-abuse"]),
                )
            )
        for a in upper:
            self.strategies.append(_rec(id=f"{a}-jsna", name=f"JSNA {a}", kind="jsna", owner=f"{a}-hwb"))
        # A loop of strategies informing each other (allowed: only accountability must not cycle).
        self.strategies.append(
            _rec(id=f"{p}-loop-a", name=f"Review A {f}", kind="profile", informs=f"{p}-loop-b")
        )
        self.strategies.append(
            _rec(id=f"{p}-loop-b", name=f"Review B {f}", kind="profile", informs=f"{p}-loop-a")
        )


def synth_data(
    force_areas: int = 1, seed: int = 1, neighbourhood_groups: int = 300, community_orgs: int = 800
) -> dict[str, Any]:
    """Plain register data for ``force_areas`` force areas.

    The defaults give roughly 1,100 bodies and organisations and 6,000 links
    per force area, so 43 force areas (England and Wales) come to about
    50,000 bodies and organisations and 250,000 links.
    """
    b = _Builder(seed, neighbourhood_groups, community_orgs)
    for f in range(force_areas):
        b.force_area(f)
    return {
        "govmap": 1,
        "register": {
            "id": f"synthetic-{force_areas}",
            "name": f"Synthetic register: {force_areas} force areas (seed {seed})",
            "top": [f"fa{f}-county-board" for f in range(force_areas)],
        },
        "documents": [{"id": DOC, "name": "Generated by govmap synth: not a real place", "kind": "other"}],
        "areas": b.areas,
        "organisations": b.orgs,
        "bodies": b.bodies,
        "strategies": b.strategies,
        "themes": b.themes,
    }


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True  # registers refuse anchors and aliases


def synth_yaml(force_areas: int = 1, seed: int = 1, **kw: Any) -> str:
    """The synthetic register as YAML text (deterministic bytes)."""
    text: str = yaml.dump(synth_data(force_areas, seed, **kw), Dumper=_Dumper, sort_keys=False, width=200)
    return text
