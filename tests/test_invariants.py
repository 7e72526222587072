"""What every report must hold, on every register in the repository and on registers built at random.

A finding is a claim a reviewer repeats to a committee (STYLE.md, "Findings are claims"); these are
the claims that must never be made, whatever the register:

* a gap finding that contradicts the delivery matrix (an issue the matrix shows as led called
  "unaddressed", "addressed only by strategies" or "without a lead");
* a suggestion that would put a wider-area body under a narrower one;
* a suggestion naming one id twice, a finding naming one subject twice, two findings sharing an id;
* one fact stated twice from both sides (an umbrella and its delivery body, each way round; an
  overlap and the multiple leads of the same pair);
* a ``delivered_by`` the register records that a rendering of the matrix leaves out;
* a finding resting only on unconfirmed facts above low, or silent about it.

The registers: the seed (``data/boards.yaml``), every ``tests/registers/*.yaml``, every corpus
landscape, a small synthetic force area, and registers Hypothesis builds.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govmap.graph.analysis.findings import Finding, Kind, Severity
from govmap.graph.analysis.lookup import Lookup
from govmap.graph.report import Report, ReportOptions, report
from govmap.ingest.model import Register
from govmap.ingest.reading.load import load_register
from govmap.support.synth import synth_data

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 12, 7)
FILES = [
    ROOT / "data" / "boards.yaml",
    *sorted((ROOT / "tests" / "registers").glob("*.yaml")),
    *sorted((ROOT / "tests" / "registers" / "patterns").glob("*.yaml")),
    *sorted((ROOT / "tests" / "landscapes").glob("*/register.yaml")),
]

#: Kinds whose claim rests on the bodies' own records (their remits and lines): if every body a
#: finding of these kinds is about is unconfirmed, the finding rests only on unconfirmed facts.
ABOUT_REMITS = {
    Kind.OVERLAP,
    Kind.UMBRELLA_DELIVERY,
    Kind.UMBRELLA_ONLY,
    Kind.ORPHAN,
    Kind.JOINT_UNACCOUNTABLE,
    Kind.MULTIPLE_LEADS,
}

#: Gap kinds that say the matrix shows nobody delivering the theme (their first subject).
NOBODY = {Kind.UNADDRESSED_THEME, Kind.STRATEGY_ONLY_THEME, Kind.INDIRECT_THEME, Kind.PARTLY_ADDRESSED}


def problems(reg: Register, rep: Report) -> list[str]:
    """Every invariant the report breaks, in words (empty when it holds them all)."""
    lk = Lookup(reg, AS_OF)
    out: list[str] = []
    fs = rep.findings
    out += [f"two findings share the id {i}" for i, n in Counter(f.id for f in fs).items() if n > 1]
    for f in fs:
        ids = [s.id for s in f.subjects]
        if len(ids) != len(set(ids)):
            out.append(f"{f.id} names a subject twice: {ids}")
        for listed in re.findall(r"delivered_by: \[([^\]]*)\]", f.suggestion):
            names = [x.strip() for x in listed.split(",")]
            if len(names) != len(set(names)):
                out.append(f"{f.id}'s suggestion names an id twice: [{listed}]")
        out += _unconfirmed(lk, f)
        out += _direction(lk, f)
    out += _matrix(rep)
    out += _both_sides(fs)
    out += _rendered(reg, rep)
    return out


def _matrix(rep: Report) -> list[str]:
    """No gap finding contradicts the matrix."""
    if rep.delivery is None:
        return []
    rows = {r.theme: r for r in rep.delivery.rows}
    out = []
    for f in rep.findings:
        row = rows.get(f.subjects[0].id) if f.subjects else None
        if row is None:
            continue
        if f.kind in NOBODY and row.deliverers:
            out.append(f"{f.id} says nobody delivers '{row.name}'; the matrix shows {row.deliverers[0].name}")
        if f.kind is Kind.NO_LEAD and row.leads:
            out.append(f"{f.id} says nobody leads '{row.name}'; the matrix shows {row.leads[0].name} leading")
        if f.kind is Kind.MULTIPLE_LEADS and len({d.id for d in row.leads}) < 2:
            out.append(f"{f.id} says several lead '{row.name}'; the matrix shows fewer")
    return out


def _direction(lk: Lookup, f: Finding) -> list[str]:
    """No suggestion puts a wider-area body under a narrower one."""
    out = []
    if f.kind is Kind.UMBRELLA_DELIVERY and "sub-group" in f.suggestion:
        if f.evidence.get("place") in ("within", "overlapping", "apart"):
            out.append(f"{f.id} suggests a wider (or other) body become a sub-group: {f.suggestion}")
    if f.kind is Kind.ORPHAN:
        mine = lk.body_areas(f.subjects[0].id)
        for x in f.evidence.get("sharing_remit", ()):
            if lk.place(mine, lk.body_areas(x["id"])).value == "contains":
                out.append(f"{f.id} suggests {x['name']}, narrower than {f.subjects[0].name}, as its parent")
    if f.kind is Kind.OVERLAP and "sub-group" in f.suggestion:
        a, b = (s.id for s in f.subjects)
        if lk.place(lk.body_areas(a), lk.body_areas(b)).value not in ("same", "unknown"):
            out.append(f"{f.id} suggests a sub-group between bodies of different levels")
    return out


def _both_sides(fs: tuple[Finding, ...]) -> list[str]:
    """One fact is not stated twice, once from each side."""
    out = []
    pairs = Counter(
        frozenset((f.evidence["umbrella"]["id"], f.evidence["delivery_body"]["id"]))
        for f in fs
        if f.kind is Kind.UMBRELLA_DELIVERY
    )
    out += [f"umbrella and delivery body said twice: {sorted(p)}" for p, n in pairs.items() if n > 1]
    overlaps = {
        (frozenset(s.id for s in f.subjects), t["id"])
        for f in fs
        if f.kind is Kind.OVERLAP and len(f.subjects) == 2
        for t in f.evidence.get("shared_themes", ())
    }
    for f in fs:
        if (
            f.kind is Kind.MULTIPLE_LEADS
            and (frozenset(s.id for s in f.subjects[1:]), f.subjects[0].id) in overlaps
        ):
            out.append(f"{f.id} repeats the overlap of the same two bodies on '{f.subjects[0].name}'")
    return out


def _unconfirmed(lk: Lookup, f: Finding) -> list[str]:
    """A finding resting only on unconfirmed facts is at most low and says so."""
    out = []
    if f.evidence.get("unconfirmed_only"):
        if f.severity.at_least(Severity.MEDIUM):
            out.append(f"{f.id} rests only on unconfirmed facts but is {f.severity.value}")
        if "unconfirmed" not in f.title and "ended on" not in f.title and "draft" not in f.title:
            out.append(f"{f.id} rests only on unconfirmed facts and does not say so: {f.title}")
    records = [s.id for s in f.subjects if s.kind not in ("theme", "area", "document")]
    if (
        f.kind in ABOUT_REMITS
        and f.severity.at_least(Severity.MEDIUM)
        and records
        and all(lk.unconfirmed(r) for r in records)
    ):
        out.append(f"{f.id} is {f.severity.value} but every record it is about is unconfirmed: {records}")
    return out


def _rendered(reg: Register, rep: Report) -> list[str]:
    """Every recorded delivered_by of the matrix is in its Markdown, HTML and JSON renderings."""
    if rep.delivery is None:
        return []
    names = {b.id: b.name for b in reg.bodies}
    wanted = {
        (row.theme, names.get(b, b)) for row in rep.delivery.rows for d in row.leads for b in d.delivered_by
    }
    if not wanted:
        return []
    md = rep.to_markdown().replace("\\", "")
    html = rep.to_html().replace("&amp;", "&").replace("&#39;", "'")
    rows = {r["theme"]["id"]: r for r in json.loads(rep.to_json())["delivery"]["rows"]}

    def said(text: str) -> str:  # the delivery bodies every "delivered by ... for ..." of a rendering names
        return " | ".join(re.findall(r"delivered by (.*?) for ", text))

    shown = {
        "Markdown": said(md[md.index("## Who delivers what") :]),
        "HTML": said(html[html.index('id="delivery"') :]),
    }
    out = []
    for theme, body in sorted(wanted):
        out += [
            f"{how} matrix leaves out {body} delivering '{theme}'"
            for how, text in shown.items()
            if body not in text
        ]
        if body not in said(rows[theme]["note"] + " for "):
            out.append(f"JSON matrix leaves out {body} delivering '{theme}'")
    return out


@pytest.mark.parametrize(
    "path", [p for p in FILES if "delivered_by" in p.read_text(encoding="utf-8")], ids=lambda p: p.parent.name
)
def test_the_web_matrix_shows_every_recorded_delivered_by(path: Path, tmp_path: Path):
    """The web's "Who delivers what" page, like the report's renderings (:func:`_rendered`), names every
    delivery body the register records (the CSV of findings holds no matrix)."""
    import html as html_text
    import shutil

    from tests.websupport import make_app

    reg = load_register(path)
    names = {b.id: b.name for b in reg.bodies}
    matrix = report(reg).delivery  # as of today, as the web's
    assert matrix is not None
    wanted = {(row.theme, names.get(b, b)) for row in matrix.rows for d in row.leads for b in d.delivered_by}
    copy = tmp_path / "boards.yaml"
    shutil.copy(path, copy)
    page = html_text.unescape(make_app(copy).test_client().get("/delivery").get_data(as_text=True))
    shown = " | ".join(re.findall(r"delivered by (.*?) for ", page))
    assert wanted and [w for w in sorted(wanted) if w[1] not in shown] == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_register_in_the_repository_holds_the_invariants(path: Path):
    reg = load_register(path)
    assert problems(reg, report(reg, options=ReportOptions(as_of=AS_OF))) == []


def test_a_synthetic_force_area_holds_the_invariants():
    reg = Register.model_validate(synth_data(1, neighbourhood_groups=20, community_orgs=40))
    assert problems(reg, report(reg, options=ReportOptions(as_of=AS_OF))) == []


# -- registers built at random -------------------------------------------------------------------

AREAS = [
    {"id": "pfa", "name": "Force area", "kind": "police-force-area"},
    {"id": "shire", "name": "Shire", "kind": "county", "within": "pfa"},
    {"id": "bay", "name": "Bay", "kind": "unitary", "within": "pfa"},
    {"id": "north", "name": "North", "kind": "district", "within": "shire"},
    {"id": "south", "name": "South", "kind": "district", "within": "shire"},
]
THEMES = ["da", "asb", "violence", "drugs"]
KINDS = ["board", "partnership", "csp", "group", "unit"]


@st.composite
def landscapes(draw: st.DrawFn) -> dict:
    """A small register: bodies of random kinds and places, leads and contributions, reporting lines
    to earlier bodies, delivery bodies, plans (some ended or replaced), confirmed or not."""
    n = draw(st.integers(2, 7))
    bodies = []
    for i in range(n):
        body: dict = {
            "id": f"b{i}",
            "name": f"Body {i}",
            "kind": draw(st.sampled_from(KINDS)),
            "statutory": draw(st.booleans()),
            "themes": [
                {"theme": t, "role": draw(st.sampled_from(["lead", "contributes"]))}
                for t in draw(st.lists(st.sampled_from(THEMES), unique=True, max_size=4))
            ],
        }
        area = draw(st.sampled_from([None, "pfa", "shire", "bay", "north", "south"]))
        if area:
            body["areas"] = area
        if draw(st.booleans()):
            body["sources"] = [{"doc": "tor"}]
        if i and draw(st.integers(0, 3)) == 0:
            body["reports_to"] = f"b{draw(st.integers(0, i - 1))}"
        if i == 0 or draw(st.integers(0, 4)) == 0:
            body["top_level"] = True
        bodies.append(body)
    for body in bodies:
        leads = [x for x in body["themes"] if x["role"] == "lead"]
        if leads and draw(st.integers(0, 3)) == 0:
            others = [b["id"] for b in bodies if b["id"] != body["id"]]
            leads[0]["delivered_by"] = draw(
                st.lists(st.sampled_from(others), unique=True, min_size=1, max_size=2)
            )
    strategies = []
    for j in range(draw(st.integers(0, 3))):
        plan: dict = {
            "id": f"p{j}",
            "name": f"Plan {j}",
            "kind": "plan",
            "themes": [
                {"theme": t, "role": "lead"}
                for t in draw(st.lists(st.sampled_from(THEMES), unique=True, max_size=3))
            ],
        }
        if draw(st.integers(0, 3)):
            plan["owner"] = draw(st.sampled_from([b["id"] for b in bodies]))
        plan["period"] = {"start": 2020, "end": draw(st.sampled_from([2022, 2030]))}
        if draw(st.booleans()):
            plan["sources"] = [{"doc": "tor"}]
        strategies.append(plan)
    return {
        "govmap": 1,
        "documents": [{"id": "tor", "name": "Terms of reference"}],
        "areas": AREAS,
        "themes": [{"id": t, "name": t.upper(), "kind": "priority"} for t in THEMES],
        "bodies": bodies,
        "strategies": strategies,
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(landscapes())
def test_registers_built_at_random_hold_the_invariants(data: dict):
    reg = Register.model_validate(data)
    assert problems(reg, report(reg, options=ReportOptions(as_of=AS_OF))) == []
