"""Labels that read, in Chromium: the map names every body where it can be read, over nothing.

On the seed, on the test registers of every shape and on a real landscape, in the web map
and in the offline map (``govmap export --format map``), at 1400 x 900, at 200 % zoom
(700 x 450 CSS px) and 320 px wide (a phone, where the map grows as tall as its names need),
the view as it opens is measured: every body has a label at the
legibility rule's size or more, inside the map, and no label's box overlaps a node (as
vis-network bounds it) or another label.  Each box is checked against the text it holds
(measured again in the page) and against the canvas (text and its white halo are drawn
there), so the boxes are what the reader sees.
"""

# The browser fixtures are shared with test_browser.py by import; pytest injects them by name.
# ruff: noqa: F811

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govmap.graph.build import build_graph
from govmap.ingest.reading.load import load_register
from govmap.webviz.map.standalone import standalone_map
from govmap.webviz.map.style import LEGIBLE_PX, node_label
from tests.test_browser import CHROMIUM, Site, Watch, browser, serving, wait_for_map, watch  # noqa: F401
from tests.test_reflow import SIZES
from tests.websupport import REGISTERS

ROOT = Path(__file__).resolve().parent.parent
#: The seed, every shape of register the tests keep, and a real landscape (a London borough).
CASES = {
    "seed": ROOT / "data" / "boards.yaml",
    **{p.stem: p for p in sorted(REGISTERS.glob("*.yaml")) if p.stem != "xss"},
    "lambeth": ROOT / "tests" / "landscapes" / "lambeth" / "register.yaml",
}
#: The default view at 1400 x 900, the same window at 200 % zoom, and a phone 320 px wide.
VIEWS = {"1400x900": {"width": 1400, "height": 900}, **SIZES}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

#: Each node's box and each label's box in the map's own pixels, the label's text measured
#: again, and the label's pixels on the canvas: dark (text) and opaque white (its halo).
MEASURE = """sel => {
    const el = document.querySelector(sel), g = el.govmap, net = g.network;
    const box = el.getBoundingClientRect();
    const canvas = el.querySelector('canvas'), ratio = canvas.width / canvas.clientWidth;
    const ink = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const measure = document.createElement('canvas').getContext('2d');
    const nodes = g.nodes.get().filter(n => !n.decor).map(n => {
        const b = net.getBoundingBox(n.id);
        const a = net.canvasToDOM({x: b.left, y: b.top}), c = net.canvasToDOM({x: b.right, y: b.bottom});
        return {id: n.id, kind: n.kind, l: a.x, t: a.y, r: c.x, b: c.y};
    });
    const labels = g.labels.placed.map(p => {
        measure.font = p.px + 'px system-ui, sans-serif';
        let dark = 0, halo = 0;
        for (let y = Math.ceil(p.top * ratio); y < Math.floor((p.top + p.height) * ratio); y++)
            for (let x = Math.ceil(p.left * ratio); x < Math.floor((p.left + p.width) * ratio); x++) {
                const i = (y * canvas.width + x) * 4;
                if (ink[i + 3] < 250) continue;
                const sum = ink[i] + ink[i + 1] + ink[i + 2];
                if (sum < 200) dark++;
                else if (sum === 765) halo++;
            }
        return {id: p.id, text: p.lines.join('\\n'), px: p.px, l: p.left, t: p.top,
                r: p.left + p.width, b: p.top + p.height, lines: p.lines.length, dark, halo,
                measured: Math.max(...p.lines.map(t => measure.measureText(t).width))};
    });
    return {width: box.width, height: box.height, nodes, labels};
}"""


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether two boxes overlap by more than half a pixel both ways (rounding aside)."""
    return min(a["r"], b["r"]) - max(a["l"], b["l"]) > 0.5 and min(a["b"], b["b"]) - max(a["t"], b["t"]) > 0.5


def check_labels(page: Any, selector: str, names: dict[str, tuple[str, str]], where: str) -> None:
    """Every body labelled legibly inside the map; no label over a node or another label."""
    m = page.evaluate(MEASURE, selector)
    labels = {lab["id"]: lab for lab in m["labels"]}
    bodies = [n["id"] for n in m["nodes"] if n["kind"] == "body"]
    assert bodies, where
    assert [b for b in bodies if b not in labels] == [], f"{where}: bodies without a label"
    for b in bodies:
        name, status = names[b]
        expected = node_label(name) + ("\n(unconfirmed)" if status == "unconfirmed" else "")
        assert labels[b]["text"] == expected, where
    small = [(i, round(lab["px"], 1)) for i, lab in labels.items() if lab["px"] < LEGIBLE_PX]
    assert small == [], f"{where}: labels under {LEGIBLE_PX} px"
    outside = [
        i
        for i, lab in labels.items()
        if lab["l"] < 0 or lab["t"] < 0 or lab["r"] > m["width"] or lab["b"] > m["height"]
    ]
    assert outside == [], f"{where}: labels cut by the map's edge"
    on_nodes = [
        (i, n["id"]) for i, lab in labels.items() for n in m["nodes"] if n["id"] != i and overlap(lab, n)
    ]
    assert on_nodes == [], f"{where}: labels over other nodes"
    on_labels = [(i, j) for i, a in labels.items() for j, b in labels.items() if i < j and overlap(a, b)]
    assert on_labels == [], f"{where}: labels over each other"
    loose = [
        i
        for i, lab in labels.items()
        if lab["r"] - lab["l"] < lab["measured"] or lab["b"] - lab["t"] < lab["lines"] * lab["px"]
    ]
    assert loose == [], f"{where}: a label's box is smaller than its text"
    # At least a dark pixel and a white one for each letter (a line passing under a label is
    # neither: it is coloured, and leaves no opaque white).
    letters = {i: sum(not c.isspace() for c in labels[i]["text"]) for i in bodies}
    blank = [i for i in bodies if min(labels[i]["dark"], labels[i]["halo"]) < letters[i]]
    assert blank == [], f"{where}: body labels not drawn where their boxes say"


@pytest.fixture(scope="module", params=list(CASES))
def case(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Site]]:
    folder = tmp_path_factory.mktemp(request.param)
    shutil.copy(CASES[request.param], folder / "boards.yaml")
    with serving(folder / "boards.yaml") as s:
        yield request.param, s


def names_of(path: Path) -> dict[str, tuple[str, str]]:
    """Each body's name and status (as the map reads them: the graph's)."""
    g = build_graph(load_register(path))
    return {n: (d["name"], d["status"]) for n, d in g.nodes(data=True) if d["kind"] == "body"}


@pytest.mark.parametrize("size", list(VIEWS))
def test_the_web_map_labels_every_body_legibly_over_nothing(
    case: tuple[str, Site], watch: Watch, size: str
) -> None:
    name, site = case
    page = watch.page()
    page.set_viewport_size(VIEWS[size])
    page.goto(site("/"))
    wait_for_map(page)
    names = names_of(site.register)
    check_labels(page, "#map-data-view", names, f"{name} at {size}")
    # The full names are in the table of the view, and in the panel of a body clicked on.
    rows = dict(
        page.locator("#map-table tbody tr[data-id]").evaluate_all(
            "rows => rows.map(r => [r.dataset.id, r.cells[0].textContent.trim()])"
        )
    )
    assert {b: rows.get(b) for b in names if b in rows} == {b: n for b, (n, _) in names.items() if b in rows}
    # (Scrolled to the node itself: on a phone the map can be taller than the screen.)
    top = page.evaluate(
        "(() => { const el = document.querySelector('#map-data-view'); const net = el.govmap.network;"
        " const b = el.govmap.data.nodes.filter(n => n.kind === 'body').sort((a, b) => b.size - a.size)[0];"
        " const p = net.canvasToDOM(net.getPositions([b.id])[b.id]);"
        " scrollTo(0, el.getBoundingClientRect().top + scrollY + p.y - innerHeight / 2);"
        " const box = el.getBoundingClientRect(); return {id: b.id, x: box.left + p.x, y: box.top + p.y}; })()"
    )
    page.mouse.click(top["x"], top["y"])
    assert page.inner_text("#panel-name") == names[top["id"]][0]


#: The accountability view's bodies in reading order (by row, then left to right): as the server
#: laid them out (the page's map data) and as they are drawn once the view has opened.
READING_ORDER = """sel => {
    const el = document.querySelector(sel), g = el.govmap;
    const laid = JSON.parse(document.getElementById(el.dataset.source).textContent).nodes
        .filter(n => g.data.nodes.some(m => m.id === n.id && m.kind === 'body'));
    const pos = g.network.getPositions(laid.map(n => n.id));
    const order = at => laid.map(n => [n.id, at(n)]).sort((a, b) => a[1].y - b[1].y || a[1].x - b[1].x)
        .map(a => a[0]);
    return {laid: order(n => ({x: n.x, y: n.y})),
            drawn: order(n => ({x: pos[n.id].x, y: Math.round(pos[n.id].y)}))};
}"""


@pytest.mark.parametrize("size", list(VIEWS))
def test_the_accountability_view_names_every_body_and_reads_in_the_order_it_was_laid_out(
    case: tuple[str, Site], watch: Watch, size: str
) -> None:
    # On a phone a level is wider than the screen: it wraps onto several rows, and the view
    # still reads top body first, then each level left to right and row by row.
    name, site = case
    page = watch.page()
    page.set_viewport_size(VIEWS[size])
    page.goto(site("/?layout=hierarchy"))
    wait_for_map(page)
    where = f"{name}, accountability view, at {size}"
    check_labels(page, "#map-data-view", names_of(site.register), where)
    order = page.evaluate(READING_ORDER, "#map-data-view")
    assert order["drawn"] == order["laid"], f"{where}: bodies drawn out of their reading order"


@pytest.mark.parametrize("size", list(VIEWS))
def test_the_offline_map_labels_every_body_legibly_over_nothing(
    case: tuple[str, Site], watch: Watch, size: str
) -> None:
    name, site = case
    page = watch.page()
    page.set_viewport_size(VIEWS[size])
    page.set_content(standalone_map(load_register(site.register)), wait_until="load")
    page.wait_for_selector("#mynetwork[data-stable]")
    check_labels(page, "#mynetwork", names_of(site.register), f"offline {name} at {size}")
