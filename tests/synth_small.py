"""A small generator of plausible registers, built in code, for scale tests.

Counties of districts; each district has a council, a CSP and a few
sub-groups; each county has a police force, fire service, ICB, probation
service, county council and a county board at the top.  Themes, members and
roles are drawn with a seeded ``random.Random``, so one seed gives one
register.  The national generator (realistic proportions, for the benchmark)
is another issue; this one only has to be large and deterministic.
"""

from __future__ import annotations

import random
from typing import Any

from govmap.ingest.model import Register

ORG_TYPES = ("police-force", "fire-and-rescue", "integrated-care-board", "probation", "county-council")


def synth_register(
    n_bodies: int = 5000, seed: int = 0, n_themes: int = 120, districts_per_county: int = 10
) -> Register:
    """A register with about ``n_bodies`` bodies (never fewer)."""
    rnd = random.Random(seed)
    themes = [
        {
            "id": f"theme-{i}",
            "name": f"Theme {i}",
            "kind": ("priority", "cause", "public-concern", "multi-agency-theme")[i % 4],
        }
        for i in range(n_themes)
    ]
    for i in range(0, n_themes - 1, 10):
        themes[i + 1]["matches"] = [themes[i]["id"]]
    docs = [{"id": "source", "name": "Source document"}]
    src = [{"doc": "source", "section": "1"}]
    areas: list[dict[str, Any]] = []
    orgs: list[dict[str, Any]] = []
    bodies: list[dict[str, Any]] = []
    strategies: list[dict[str, Any]] = []
    top: list[str] = []
    county = 0
    while len(bodies) < n_bodies:
        c = f"county-{county}"
        areas.append({"id": c, "name": f"County {county}", "kind": "county"})
        county_orgs = [f"{c}-{t}" for t in ORG_TYPES]
        for oid, t in zip(county_orgs, ORG_TYPES, strict=True):
            orgs.append({"id": oid, "name": oid.replace("-", " ").title(), "type": t, "areas": [c]})
        board = f"{c}-board"
        top.append(board)
        bodies.append(
            {
                "id": board,
                "name": f"County {county} Community Safety Board",
                "kind": "board",
                "top_level": True,
                "areas": [c],
                "members": county_orgs,
                "themes": [{"theme": t["id"], "role": "lead"} for t in rnd.sample(themes, 4)],
                "sources": src,
            }
        )
        for d in range(districts_per_county):
            a = f"{c}-district-{d}"
            areas.append({"id": a, "name": f"District {county}.{d}", "kind": "district", "within": c})
            council = f"{a}-council"
            orgs.append(
                {
                    "id": council,
                    "name": f"District {county}.{d} Council",
                    "type": "district-council",
                    "areas": [a],
                }
            )
            csp = f"{a}-csp"
            members = [council, *rnd.sample(county_orgs, rnd.randint(3, 5))]
            bodies.append(
                {
                    "id": csp,
                    "name": f"District {county}.{d} Community Safety Partnership",
                    "kind": "csp",
                    "areas": [a],
                    "reports_to": board,
                    "members": [
                        {"member": m, "status": rnd.choice(["confirmed", "unconfirmed"])} for m in members
                    ],
                    "themes": [
                        {"theme": t["id"], "role": rnd.choice(["lead", "contributes"])}
                        for t in rnd.sample(themes, 4)
                    ],
                    "review_date": f"20{rnd.randint(20, 29)}-0{rnd.randint(1, 9)}-15",
                    "sources": src,
                }
            )
            for g in range(rnd.randint(2, 5)):
                parent = csp if rnd.random() < 0.9 else board
                bodies.append(
                    {
                        "id": f"{a}-group-{g}",
                        "name": f"District {county}.{d} group {g}",
                        "kind": "group",
                        "areas": [a] if rnd.random() < 0.8 else [],
                        "sub_group_of": [parent] if rnd.random() < 0.95 else [],
                        "members": rnd.sample([council, *county_orgs], rnd.randint(1, 4)),
                        "themes": [
                            {"theme": t["id"], "role": rnd.choice(["lead", "contributes"])}
                            for t in rnd.sample(themes, rnd.randint(1, 3))
                        ],
                        "sources": src,
                    }
                )
            strategies.append(
                {
                    "id": f"{a}-plan",
                    "name": f"District {county}.{d} partnership plan",
                    "kind": "plan",
                    "owner": [csp] if rnd.random() < 0.9 else [],
                    "period": {"start": 2022, "end": 2025},
                    "themes": [t["id"] for t in rnd.sample(themes, 3)],
                    "sources": src,
                }
            )
        county += 1
    return Register.model_validate(
        {
            "register": {"id": "synthetic", "name": "Synthetic register", "top": top},
            "documents": docs,
            "areas": areas,
            "organisations": orgs,
            "bodies": bodies,
            "strategies": strategies,
            "themes": themes,
        }
    )
