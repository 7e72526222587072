"""The map page carries each style once and no tooltip map.js can make; map.js puts them back,
draws far-out views with solid lines, and fills the search suggestions when they are first used."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM, browser, hostile_site, site, wait_for_map, watch  # noqa: F401
from tests.websupport import REGISTERS, make_app

BLOCK = r'<script type="application/json" id="map-data">(.*?)</script>'


def page_data(client, path: str = "/") -> dict:
    html = client.get(path).get_data(as_text=True)
    return json.loads(re.search(BLOCK, html, re.S).group(1))


@pytest.fixture
def client(tmp_path: Path):
    (tmp_path / "boards.yaml").write_text((REGISTERS / "web.yaml").read_text())
    return make_app(tmp_path / "boards.yaml").test_client()


def test_the_page_sends_each_link_style_once_and_no_tooltip_map_js_can_make(client) -> None:
    data = page_data(client)
    api = client.get("/api/graph").get_json()
    assert len(data["edges"]) == len(api["edges"]) > 0
    assert all("title" not in e and "color" not in e and "words" not in e for e in data["edges"])
    assert data["edge_styles"]["reports_to"] == {
        "arrows": "to",
        "words": "reports to",
        "color": "#1f3f66",
        "width": 3,
        "dashes": False,
    }
    assert all("title" not in n and "shape" not in n for n in data["nodes"])
    assert data["node_styles"]["body"] == {
        "shape": "dot",
        "color": {"background": "#1f6fb2", "border": "#222222"},
    }
    assert data["nullable"] == {"nodes": ["subtype", "status"], "edges": ["role", "status"]}


def test_a_link_that_differs_from_its_type_keeps_its_own_style(client) -> None:
    data = page_data(client)
    api = {e["id"]: e for e in client.get("/api/graph").get_json()["edges"]}
    styles = data["edge_styles"]
    for e in data["edges"]:
        full = api[e["id"]]
        for key in ("color", "width", "dashes"):
            assert e.get(key, styles[e["type"]][key]) == full[key], (e["id"], key)


def test_a_collapsed_view_keeps_its_counted_tooltips(client) -> None:
    data = page_data(client, "/?collapse=kind")
    assert all(n["title"].endswith((" records", "\n1 record")) for n in data["nodes"])
    assert all(e["title"].endswith((" links", " 1 link")) or e["title"] == "1 link" for e in data["edges"])


def test_the_page_has_no_suggestion_options_until_the_field_is_used(client) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<datalist id="map-names"></datalist>' in html
    assert '<datalist id="map-ids"></datalist>' in html


# -- in a real browser ---------------------------------------------------------------------


def _api(page, site, path: str) -> dict:  # noqa: F811
    return json.loads(page.evaluate("url => fetch(url).then(r => r.text())", site(path)))


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed")
@pytest.mark.parametrize(
    "path", ["/", "/?focus=north-csp&hops=1", "/?layout=hierarchy", "/?highlight=north-csp"]
)
def test_map_js_puts_back_exactly_what_the_api_sends(site, watch, path) -> None:  # noqa: F811
    page = watch.page()
    page.goto(site(path))
    wait_for_map(page)
    shown = page.evaluate("document.querySelector('#map-data-view').govmap.data")
    api = _api(page, site, "/api/graph" + path[1:])
    assert shown["nodes"] == api["nodes"]
    assert shown["edges"] == api["edges"]


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed")
def test_hostile_names_make_the_same_plain_text_tooltips_in_map_js(hostile_site, watch) -> None:  # noqa: F811
    page = watch.page()
    page.goto(hostile_site("/"))
    wait_for_map(page)
    shown = page.evaluate("document.querySelector('#map-data-view').govmap.data")
    api = _api(page, hostile_site, "/api/graph")
    assert [n["title"] for n in shown["nodes"]] == [n["title"] for n in api["nodes"]]
    assert [e["title"] for e in shown["edges"]] == [e["title"] for e in api["edges"]]
    assert any(n["title"].startswith("</script><script>alert(1)</script>") for n in shown["nodes"])


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed")
def test_lines_are_drawn_solid_only_when_zoomed_too_far_out_to_tell_dashes_apart(site, watch) -> None:  # noqa: F811
    page = watch.page()
    page.goto(site("/"))
    wait_for_map(page)
    zoom = """s => new Promise(done => { const m = document.querySelector('#map-data-view').govmap;
        m.network.once('afterDrawing', () => done(m.container.dataset.dashes));
        m.network.moveTo({scale: s, animation: false}); m.network.redraw(); })"""
    assert page.get_attribute("#map-data-view", "data-dashes") == "drawn"
    assert page.evaluate(zoom, 0.3) == "solid"
    assert page.evaluate(zoom, 0.4) == "drawn"
    # drawn again means the canvas's own setLineDash is back: dashed outlines and links
    assert (
        page.evaluate(
            "Object.prototype.hasOwnProperty.call(document.querySelector('#map-data-view canvas')"
            ".getContext('2d'), 'setLineDash')"
        )
        is False
    )


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed")
def test_the_search_suggests_every_record_once_the_field_is_focused(site, watch) -> None:  # noqa: F811
    page = watch.page()
    page.goto(site("/"))
    wait_for_map(page)
    assert page.locator("#map-names option").count() == 0
    page.focus("#map-search-q")
    data = page.evaluate("document.querySelector('#map-data-view').govmap.data")
    names = sorted(r["name"] for r in data["nodes"] + data["isolated"])
    assert sorted(page.locator("#map-names option").evaluate_all("os => os.map(o => o.value)")) == names
    page.focus("#f-focus")
    ids = page.locator("#map-ids option").evaluate_all("os => os.map(o => [o.value, o.textContent])")
    assert sorted(ids) == sorted([r["id"], r["name"]] for r in data["nodes"] + data["isolated"])
