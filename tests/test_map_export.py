"""A map you can send: one HTML file made with pyvis, offline, in the web map's styles, safe with any name."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import http.server
import json
import re
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from govmap.cli import cli
from govmap.graph.build import build_graph
from govmap.ingest.errors import RegisterInvalid
from govmap.ingest.reading.load import load_register, loads
from govmap.webviz.map.query import MapQuery
from govmap.webviz.map.select import select
from govmap.webviz.map.standalone import standalone_map
from govmap.webviz.map.style import KIND_STYLE
from tests.test_browser import CHROMIUM, PAINTED, browser, watch  # noqa: F401 - fixtures
from tests.websupport import REGISTERS, make_app

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "boards.yaml"
DAY = dt.date(2026, 3, 1)


def hostile_text() -> str:
    """tests/registers/xss.yaml: every text field a script payload (URLs made web addresses if required)."""
    text = (REGISTERS / "xss.yaml").read_text()
    try:
        loads(text)
    except RegisterInvalid:
        text = text.replace("javascript:alert(1)", "https://example.invalid/?q=<script>alert(1)</script>")
    return text


def payload(html: str, name: str) -> list[dict]:
    """The nodes (as the file holds them, labels and all) or the edges of the file's map."""
    pattern = r"var records = (.*?);\n" if name == "nodes" else rf"var {name} = new vis\.DataSet\((.*?)\);\n"
    m = re.search(pattern, html)
    assert m, f"no {name} in the page"
    return json.loads(m.group(1))


def test_the_map_is_one_file_that_asks_no_other_host_for_anything():
    html = standalone_map(load_register(SEED), when=DAY)
    page = re.sub(r"<(script|style)>.*?</\1>", "", html, flags=re.S)  # the page without the inlined library
    assert re.findall(r"""(?:src|href|action)\s*=""", page, flags=re.I) == []
    assert "<link" not in page and "http:" not in page and "https:" not in page
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 2 and scripts[0].lstrip().startswith("/**\n * vis-network")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in scripts
    ]
    assert csp.startswith(f"default-src 'none'; script-src {' '.join(hashes)}; ")
    assert "connect-src 'none'" in csp


def test_the_map_has_the_web_maps_colours_shapes_positions_and_no_physics():
    reg = load_register(SEED)
    html = standalone_map(reg, when=DAY)
    g = build_graph(reg)
    nodes = payload(html, "nodes")
    kinds = {n: g.nodes[n]["kind"] for n in g}
    for node in nodes:
        style = KIND_STYLE[kinds[node["id"]]]
        assert (node["shape"], node["color"]["background"]) == (style["shape"], style["color"])
        assert isinstance(node["x"], float) and isinstance(node["y"], float)
    assert len({(n["x"], n["y"]) for n in nodes}) == len(nodes)
    options = json.loads(re.search(r"var options = (\{.*?\});\n", html).group(1))
    assert options["physics"] == {"enabled": False}
    legend = re.search(r"<aside>(.*?)</aside>", html, flags=re.S).group(1)
    for kind in {kinds[n["id"]] for n in nodes}:
        assert KIND_STYLE[kind]["label"] in legend


def test_the_title_names_the_register_the_view_and_the_date():
    html = standalone_map(load_register(SEED), MapQuery(focus="lancashire-csp-board"), when=DAY)
    name = load_register(SEED).info.name
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert title.startswith(name + ": ") and title.endswith(" (2026-03-01)")


def test_filters_keep_the_same_records_as_the_web_map():
    reg = load_register(SEED)
    q = MapQuery(focus="lancashire-csp-board", hops=1, kinds=("body", "organisation"))
    html = standalone_map(reg, q, when=DAY)
    drawn = {n["id"] for n in payload(html, "nodes")}
    assert drawn <= select(reg, build_graph(reg), q)
    assert "lancashire-csp-board" in drawn


def test_every_name_in_a_hostile_register_stays_text():
    html = standalone_map(loads(hostile_text()), when=DAY)
    for raw in ("<script>alert", "<img src", "<svg", "<iframe", "<b onmouseover", "</script><script>"):
        assert raw not in html, raw
    assert (
        "<title>&lt;script&gt;alert(&#34;register&#34;)&lt;/script&gt;: The whole landscape (2026-03-01)</title>"
        in html
    )
    titles = [n["title"] for n in payload(html, "nodes")]
    assert any(t.startswith("<script>alert(") for t in titles)  # the tooltip holds the name as plain text


def test_the_command_writes_the_map_and_refuses_an_unknown_kind(tmp_path):
    out = CliRunner().invoke(
        cli, ["export", str(SEED), "-o", str(tmp_path / "map.html"), "--focus", "lancashire-csp-board"]
    )
    assert out.exit_code == 0, out.output
    assert out.stderr == f"wrote {tmp_path / 'map.html'}\n"
    assert (tmp_path / "map.html").read_text().count("</script>") == 2
    out = CliRunner().invoke(cli, ["export", str(SEED), "-o", str(tmp_path / "m.html"), "--kind", "boards"])
    assert out.exit_code == 2
    assert out.stderr.splitlines()[-1] == (
        "Error: Invalid value for --kind: 'boards' is not a kind; kinds are: "
        + ", ".join(k for k in KIND_STYLE if k != "group")
    )


def test_the_web_map_links_to_a_download_of_the_same_view(tmp_path):
    path = tmp_path / "boards.yaml"
    path.write_text((REGISTERS / "web.yaml").read_text())
    client = make_app(path).test_client()
    page = client.get("/?focus=north-csp").get_data(as_text=True)
    assert 'href="/map.html?focus=north-csp" download>Download this view</a>' in page
    response = client.get("/map.html?focus=north-csp")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="govmap-map.html"'
    html = response.get_data(as_text=True)
    assert {n["id"] for n in payload(html, "nodes")} == {
        "north-csp",
        "county-board",
        "north-council",
        "testshire-police",
        "north-district",
        "violence",
        "drugs",
    }


# -- in a real browser ---------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed")
def test_the_hostile_map_runs_no_script_and_asks_nothing_of_any_host_in_chromium(tmp_path, watch):  # noqa: F811
    (tmp_path / "boards.yaml").write_text(hostile_text())
    client = make_app(tmp_path / "boards.yaml").test_client()
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "map.html").write_bytes(client.get("/map.html").get_data())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "site"))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page = watch.page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/map.html")
        page.wait_for_selector("#mynetwork[data-stable]")
        page.wait_for_function(f"() => ({PAINTED})('#mynetwork') > 500")
        ids = page.evaluate("document.querySelector('#mynetwork').govmap.nodes.getIds()")
        assert "evil-board" in ids
        for node_id in ids:  # hover every node: each tooltip shows its name as text
            point = page.evaluate(
                """id => { const net = document.querySelector('#mynetwork').govmap.network;
                           const p = net.canvasToDOM(net.getPositions([id])[id]);
                           const box = document.querySelector('#mynetwork').getBoundingClientRect();
                           return {x: box.left + p.x, y: box.top + p.y}; }""",
                node_id,
            )
            page.mouse.move(point["x"], point["y"])
            page.wait_for_timeout(250)
        tooltip = page.locator("div.vis-tooltip")
        assert tooltip.count() == 1
        title = page.evaluate(f"document.querySelector('#mynetwork').govmap.nodes.get({ids[-1]!r}).title")
        page.wait_for_function("t => document.querySelector('div.vis-tooltip').innerText === t", arg=title)
        # Set as text: innerText turns each line break into <br>, and makes no other element.
        tags = page.evaluate("[...document.querySelector('div.vis-tooltip').children].map(c => c.tagName)")
        assert set(tags) <= {"BR"}
        assert (
            page.evaluate(
                "document.querySelectorAll('#mynetwork img, #mynetwork svg, #mynetwork iframe').length"
            )
            == 0
        )
        assert page.evaluate("document.title").startswith('<script>alert("register")</script>')
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed")
@pytest.mark.parametrize("size", [(1400, 900), (700, 450), (320, 640)])
def test_the_offline_seed_map_opens_whole_in_its_window(tmp_path, watch, size):  # noqa: F811
    out = tmp_path / "map.html"
    result = CliRunner().invoke(cli, ["export", str(SEED), "--format", "map", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = watch.page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.set_content(out.read_text(encoding="utf-8"), wait_until="load")
    page.wait_for_selector("#mynetwork[data-stable]")
    m = page.evaluate(
        """() => { const el = document.querySelector('#mynetwork'); const n = el.govmap.network;
            const b = el.getBoundingClientRect(); const pos = n.getPositions();
            const out = Object.keys(pos).filter(id => { const p = n.canvasToDOM(pos[id]);
                return p.x < 0 || p.y < 0 || p.x > b.width || p.y > b.height; });
            return {out, height: b.height, width: b.width, bottom: b.bottom + scrollY, page: document.scrollingElement.scrollHeight,
                    wide: document.scrollingElement.scrollWidth - innerWidth}; }"""
    )
    assert m["out"] == [], "records drawn outside the map"
    assert m["height"] >= 300
    assert m["width"] >= min(size[0], 900) * 0.6, "the map takes most of the width"
    assert m["wide"] <= 1, "the page scrolls sideways"
    if size[0] > 900:
        assert m["bottom"] <= size[1] + 1, "the map ends inside the window"
