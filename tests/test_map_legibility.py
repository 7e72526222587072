"""The seed register's map views read at 1400x900 in Chromium without zooming.

Each test measures what a reviewer would see: the scale vis-network fitted the
view at (``data-scale`` on the map), each label's size on screen (font size x
scale; the map draws no label under 10 px), where each node sits against the map's
box, whether the legend is on screen, and whether the legend draws each kind
with the shape and colour the map does.  Each view is saved as a screenshot in
``out/screenshots/`` (git-ignored) for a reviewer to look at; regenerate them with

    python3 -m pytest -m browser tests/test_map_legibility.py
"""

# The browser fixtures are shared with test_browser.py by import; pytest injects them by name.
# ruff: noqa: F811

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_browser import CHROMIUM, Site, Watch, browser, serving, wait_for_map, watch  # noqa: F401

SEED = Path(__file__).resolve().parent.parent / "data" / "boards.yaml"
SHOTS = Path(__file__).resolve().parent.parent / "out" / "screenshots"
MIN_LABEL_PX = 10

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("seed")
    shutil.copy(SEED, folder / "boards.yaml")
    with serving(folder / "boards.yaml") as s:
        yield s


MEASURE = """sel => {
    const el = document.querySelector(sel);
    const net = el.govmap.network;
    const box = el.getBoundingClientRect();
    const pos = net.getPositions();
    const nodes = el.govmap.data.nodes.map(n => {
        const p = net.canvasToDOM(pos[n.id]);
        return {id: n.id, kind: n.kind, shape: n.shape, color: n.color.background,
                font: (n.font || {}).size || 13, x: p.x, y: p.y, cx: pos[n.id].x, cy: pos[n.id].y};
    });
    return {scale: parseFloat(el.dataset.scale), width: box.width, height: box.height,
            top: box.top, nodes: nodes, edges: el.govmap.data.edges};
}"""


def measure(page: Any, shot: str, selector: str = "#map-data-view") -> dict[str, Any]:
    wait_for_map(page, selector)
    page.wait_for_function(f"() => document.querySelector({selector!r}).dataset.scale")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{shot}.png"))
    m: dict[str, Any] = page.evaluate(MEASURE, selector)
    assert m["scale"] == pytest.approx(
        page.evaluate(f"document.querySelector({selector!r}).govmap.network.getScale()")
    )
    return m


def assert_inside(m: dict[str, Any]) -> None:
    outside = [n["id"] for n in m["nodes"] if not (0 <= n["x"] <= m["width"] and 0 <= n["y"] <= m["height"])]
    assert outside == [], "nodes drawn outside the map's box"


def assert_legend_matches(page: Any, m: dict[str, Any]) -> None:
    legend = page.locator("details.legend").first
    box = legend.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 900, "legend off screen"
    assert legend.get_attribute("open") is not None
    drawn = {(n["kind"], n["shape"], n["color"]) for n in m["nodes"]}
    shown = set()
    for item in legend.locator("ul.kinds li[data-kind]").all():
        svg = item.locator("svg")
        fill = svg.locator("[fill]").first.get_attribute("fill")
        shown.add((item.get_attribute("data-kind"), svg.get_attribute("data-shape"), fill))
    assert drawn <= shown, "a kind is drawn in a shape or colour the legend does not show"
    types = {e["type"] for e in m["edges"]}
    legend_types = set(
        legend.locator("ul.edges li[data-type]").evaluate_all("els => els.map(e => e.dataset.type)")
    )
    assert types == legend_types
    looks = {
        (e["type"], e["color"], str(e.get("dashes"))) for e in m["edges"] if e.get("status") != "unconfirmed"
    }
    assert len({(c, d) for _, c, d in looks}) == len({t for t, _, _ in looks}), "two link types look alike"
    patterns = {
        (e["type"], str(e.get("dashes")), e["width"]) for e in m["edges"] if e.get("status") != "unconfirmed"
    }
    assert len({(d, w) for _, d, w in patterns}) == len(patterns), "two link types alike in greyscale"


def test_the_default_map_labels_every_body_at_10px_or_more_and_lists_the_unlinked(
    seed_site: Site, watch: Watch
) -> None:
    page = watch.page()
    page.goto(seed_site("/"))
    m = measure(page, "default")
    bodies = [n for n in m["nodes"] if n["kind"] == "body"]
    assert len(bodies) == 22
    small = [
        (n["id"], round(n["font"] * m["scale"], 1)) for n in bodies if n["font"] * m["scale"] < MIN_LABEL_PX
    ]
    assert small == [], "body labels under 10 px on screen"
    # Bodies' labels first; other records' where they are legible and clear (labels.js).
    drawn = page.evaluate("document.querySelector('#map-data-view').govmap.labels.placed.map(p => p.id)")
    assert {n["id"] for n in bodies} <= set(drawn) and len(drawn) >= 25
    assert_inside(m)
    assert_legend_matches(page, m)
    # The three themes linked to nothing are listed beside the map, not drawn far below it.
    assert page.locator("#isolated li a").all_inner_texts() == ["Burglary", "Criminal damage", "Fraud"]
    # The map takes the full width beside the filters.
    assert m["width"] >= 1400 - 260 - 20


def test_the_accountability_view_reads_as_the_county_board_with_its_partnerships_under_it(
    seed_site: Site, watch: Watch
) -> None:
    page = watch.page()
    page.goto(seed_site("/?layout=hierarchy"))
    m = measure(page, "accountability")
    assert page.inner_text("h1").startswith("Accountability")
    assert {n["kind"] for n in m["nodes"]} == {"body"}  # organisations and themes hidden by default
    small = [n["id"] for n in m["nodes"] if n["font"] * m["scale"] < MIN_LABEL_PX]
    assert small == [], "labels under 10 px on screen"
    rows = sorted({n["cy"] for n in m["nodes"]})
    top = [n["id"] for n in m["nodes"] if n["cy"] == rows[0]]
    assert top == ["lancashire-csp-board"]
    captions = page.evaluate("document.querySelector('#map-data-view').govmap.data.captions.map(c => c.text)")
    assert captions == ["No reporting line"]
    last = [n["id"] for n in m["nodes"] if n["cy"] == rows[-1]]
    assert last == ["police-counter-terrorism-unit"]
    assert_inside(m)
    assert_legend_matches(page, m)
    # The switch shows members and themes too.
    page.check("input[name=members]")
    page.click("#map-filters button[type=submit]")
    m = measure(page, "accountability-members")
    assert {"organisation", "theme"} <= {n["kind"] for n in m["nodes"]}
    assert_inside(m)


def test_a_theme_view_puts_the_theme_in_the_centre_with_its_bodies_round_it(
    seed_site: Site, watch: Watch
) -> None:
    page = watch.page()
    page.goto(seed_site("/?theme=domestic-abuse"))
    m = measure(page, "theme-domestic-abuse")
    assert page.title() == "Domestic Abuse · Map · govmap"
    assert page.get_attribute("#map-data-view", "aria-label") == "Domestic Abuse: 7 records, 12 links"
    centre = next(n for n in m["nodes"] if n["id"] == "domestic-abuse")
    assert (centre["cx"], centre["cy"]) == (0, 0)
    small = [n["id"] for n in m["nodes"] if n["font"] * m["scale"] < MIN_LABEL_PX]
    assert small == []
    assert_inside(m)
    assert_legend_matches(page, m)


def test_a_path_is_drawn_left_to_right_with_only_its_neighbours(seed_site: Site, watch: Watch) -> None:
    page = watch.page()
    page.goto(seed_site("/paths?from=blackpool-council&to=violence"))
    m = measure(page, "path", "#path-map-data-view")
    steps = page.locator("ol.path li a").evaluate_all(
        "els => els.map(a => a.getAttribute('href').split('/').pop())"
    )
    xs = [next(n["x"] for n in m["nodes"] if n["id"] == s) for s in steps]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert len(m["nodes"]) <= len(steps) * 5
    words = page.locator("ol.path li .via").all_inner_texts()
    assert words == ["is a member of", "owns", "addresses"]
    assert_inside(m)
    assert_legend_matches(page, m)
