"""Every page and API route answers, escapes what the register says, and sends the security headers."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from govmap.graph.analysis.findings import GROUP_TITLES, GROUPS, Kind
from tests.websupport import (
    EDITOR_PAGES,
    FILE_PAGES,
    HOSTILE_PAGES,
    READER_PAGES,
    copy_register,
    endpoint_of,
    login,
    make_app,
    page_endpoints,
)

PAGES = [
    "/",
    "/?kind=body&kind=organisation",
    "/?theme=drugs",
    "/?area=north-district",
    "/?statutory=yes",
    "/?statutory=no",
    "/?focus=north-csp&hops=2",
    "/?highlight=north-csp,drugs-group",
    "/?size=members",
    "/?size=betweenness",
    "/?collapse=kind",
    "/?collapse=area",
    "/entities",
    "/entities?q=north&kind=body",
    "/entity/county-board",
    "/entity/north-csp",
    "/entity/testshire-police",
    "/entity/violence",
    "/entity/csa-2024",
    "/entity/testshire",
    "/paths",
    "/paths?from=north-council&to=drugs-group",
    "/paths?theme=drugs",
    "/report",
    "/report?kind=gaps",
    "/report?severity=medium",
    "/history",
    "/history?record=north-csp",
    "/login",
    "/accessibility",
    "/?layout=hierarchy",
    "/?layout=hierarchy&members=yes",
    "/?layout=hierarchy&theme=drugs",
]

API = [
    "/api/",
    "/api/entities",
    "/api/entities?q=council",
    "/api/entity/north-csp",
    "/api/graph",
    "/api/graph?focus=county-board&hops=1",
    "/api/findings",
    "/api/findings?kind=overlap&severity=low",
    "/api/paths?from=north-council&to=drugs-group",
    "/api/paths?theme=violence",
]


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    return make_app(copy_register(tmp_path)).test_client()


@pytest.mark.parametrize("url", PAGES)
def test_every_page_answers_200_with_html(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("url", API)
def test_every_api_route_answers_json(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response.is_json
    assert "version" in response.get_json()


@pytest.mark.parametrize(
    "url",
    [
        "/edit/north-csp",
        "/edit/new/bodies",
        "/edit/north-csp/members/new",
        "/edit/north-csp/members/0",
        "/edit/north-csp/remove",
    ],
)
def test_every_edit_form_answers_200_for_an_editor(client: FlaskClient, url: str) -> None:
    login(client, "alice")
    assert client.get(url).status_code == 200


def test_the_accessibility_tests_open_every_page_the_app_serves_and_no_other(client: FlaskClient) -> None:
    app = client.application
    opened = {endpoint_of(app, url) for url in READER_PAGES + EDITOR_PAGES + FILE_PAGES}
    assert sorted(page_endpoints(app) - opened) == []
    assert sorted(opened - page_endpoints(app)) == []


def test_a_page_the_app_does_not_have_is_not_found_in_its_url_map(client: FlaskClient) -> None:
    """The check above could not fail on a stale list if an unknown URL matched something."""
    from werkzeug.exceptions import NotFound

    with pytest.raises(NotFound):
        endpoint_of(client.application, "/what-if")


@pytest.mark.parametrize("url", READER_PAGES)
def test_every_page_the_accessibility_tests_open_answers_200_with_html(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert (response.status_code, response.mimetype) == (200, "text/html"), url


@pytest.mark.parametrize("url", EDITOR_PAGES)
def test_every_editor_page_the_accessibility_tests_open_answers_200_for_an_editor(
    client: FlaskClient, url: str
) -> None:
    login(client, "alice")
    response = client.get(url)
    assert (response.status_code, response.mimetype) == (200, "text/html"), url


def test_an_unknown_entity_is_a_404_that_suggests_the_nearest_id(client: FlaskClient) -> None:
    response = client.get("/entity/north-cps")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "no record with id &#39;north-cps&#39;" in text
    assert "did you mean &#39;north-csp&#39;?" in text


def test_an_unknown_entity_in_the_api_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/api/entity/nope")
    assert response.status_code == 404
    assert response.get_json()["error"] == "no record with id 'nope'"


def test_an_unknown_entity_with_no_near_id_points_to_the_entities_page_not_the_cli(
    client: FlaskClient,
) -> None:
    response = client.get("/entity/zzzzzz")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "govmap list" not in text
    assert "find it on the Entities page (/entities)" in text
    body = client.get("/api/entity/zzzzzz").get_json()
    assert body == {
        "error": "no record with id 'zzzzzz'",
        "hint": "find it with /api/entities?q=...",
        "status": 404,
    }
    assert client.get("/api/entity/north-cps").get_json()["hint"] == "did you mean 'north-csp'?"


def test_a_path_needs_two_ids_or_a_theme_in_the_api(client: FlaskClient) -> None:
    response = client.get("/api/paths")
    assert response.status_code == 400
    assert response.get_json()["error"] == "give from= and to= (two ids), or theme= (a theme id)"


def test_a_theme_filter_on_something_else_is_refused_with_a_message(client: FlaskClient) -> None:
    response = client.get("/?theme=north-csp")
    assert response.status_code == 400
    assert "&#39;north-csp&#39; is not a theme" in response.get_data(as_text=True)


def test_an_unknown_severity_or_kind_on_the_report_page_is_refused_with_a_message(
    client: FlaskClient,
) -> None:
    response = client.get("/report?severity=zzz")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "unknown severity &#39;zzz&#39;" in text
    assert "use one of high, medium, low, info" in text
    response = client.get("/report?kind=gapz")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "unknown finding kind &#39;gapz&#39;" in text
    assert "did you mean &#39;gaps&#39;?" in text


def test_an_unknown_severity_or_kind_in_the_api_is_a_json_400(client: FlaskClient) -> None:
    response = client.get("/api/findings?severity=zzz")
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "unknown severity 'zzz'",
        "hint": "use one of high, medium, low, info",
        "status": 400,
    }
    response = client.get("/api/findings?kind=zzz&severity=high")
    assert response.status_code == 400
    assert response.get_json()["error"] == "unknown finding kind 'zzz'"
    groups, kinds = ", ".join(GROUPS), ", ".join(k.value for k in Kind)
    assert response.get_json()["hint"] == f"use a group ({groups}) or a kind ({kinds})"
    assert response.get_json()["hint"].startswith(
        "use a group (delivery, gaps, coverage, overlap, statutory, "
    )


def test_the_report_of_a_running_server_judges_reviews_as_of_each_new_day(tmp_path: Path) -> None:
    register = copy_register(tmp_path)
    text = register.read_text(encoding="utf-8")
    register.write_text(
        text.replace(
            "    sub_group_of: county-board\n",
            "    sub_group_of: county-board\n    review_date: 2030-06-01\n",
        ),
        encoding="utf-8",
    )
    app = make_app(register)
    client = app.test_client()
    days = iter([dt.date(2030, 6, 1), dt.date(2030, 6, 1), dt.date(2030, 6, 2)])
    app.extensions["govmap.snapshots"].today = lambda: next(days)

    def overdue() -> list[str]:
        found = client.get("/api/findings?kind=review-overdue").get_json()["findings"]
        return [s["id"] for f in found for s in f["subjects"]]

    assert overdue() == []
    assert overdue() == []
    assert overdue() == ["drugs-group"]


def test_every_response_carries_a_strict_content_security_policy(client: FlaskClient) -> None:
    for url in ("/", "/api/graph", "/entity/north-csp", "/static/map.js"):
        response = client.get(url)
        response.close()  # a static file is streamed: close it, or it leaks a file handle
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_and_load_nothing_from_another_host(client: FlaskClient) -> None:
    for url in PAGES:
        html = client.get(url).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'type="application/json"' in tag or 'src="/static/' in tag, (url, tag)
        # Links a reader may follow are fine; nothing may be *loaded* from elsewhere.
        assert not re.search(r'src="(https?:)?//|<link[^>]*href="(https?:)?//', html), url


def test_the_map_sends_nodes_with_positions_styles_and_plain_text_tooltips(client: FlaskClient) -> None:
    data = client.get("/api/graph").get_json()
    nodes = {n["id"]: n for n in data["nodes"]}
    board = nodes["county-board"]
    assert board["shape"] == "dot" and nodes["testshire-police"]["shape"] == "square"
    assert isinstance(board["x"], float) and isinstance(board["y"], float)
    assert board["title"] == "Testshire Community Safety Board\nbody, board"
    assert board["url"] == "/entity/county-board"
    assert "csa-2024" not in nodes  # documents are sources, not actors
    assert data["physics"] is False  # laid out in Python for this view: physics would undo it
    assert {(e["from"], e["to"], e["type"]) for e in data["edges"]} >= {
        ("north-csp", "county-board", "reports_to")
    }


def test_focus_keeps_only_the_records_within_the_hops(client: FlaskClient) -> None:
    one = {n["id"] for n in client.get("/api/graph?focus=drugs-group&hops=1").get_json()["nodes"]}
    assert one == {"drugs-group", "county-board", "testshire-council", "drugs"}


def test_a_statutory_filter_drops_the_other_bodies(client: FlaskClient) -> None:
    ids = {n["id"] for n in client.get("/api/graph?statutory=yes").get_json()["nodes"]}
    assert {"county-board", "north-csp"} <= ids and "drugs-group" not in ids


def test_a_findings_subjects_are_highlighted_on_the_map(client: FlaskClient) -> None:
    finding = client.get("/api/findings").get_json()["findings"][0]
    data = client.get(f"/api/graph?finding={finding['id']}").get_json()
    lit = {n["id"] for n in data["nodes"] if n.get("highlighted")}
    assert lit == {s["id"] for s in finding["subjects"]}


def test_a_map_over_the_node_limit_is_refused_with_a_way_forward(tmp_path: Path) -> None:
    client = make_app(copy_register(tmp_path), GOVMAP_MAX_NODES=5).test_client()
    response = client.get("/")
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert (
        "this map would have 11 nodes (2 area, 3 body, 3 organisation, 1 strategy, 2 theme); the limit is 5"
        in text
    )
    assert "Collapse by kind" in text
    collapsed = client.get("/api/graph?collapse=kind").get_json()
    assert {n["label"] for n in collapsed["nodes"]} >= {"Body (board, partnership, group) (3)"}


def test_the_accountability_view_puts_bodies_under_the_body_they_report_to(client: FlaskClient) -> None:
    data = client.get("/api/graph?layout=hierarchy").get_json()
    y = {n["id"]: n["y"] for n in data["nodes"]}
    assert set(y) == {"county-board", "north-csp", "drugs-group"}  # bodies only, by default
    assert y["county-board"] < y["north-csp"] == y["drugs-group"]
    with_members = client.get("/api/graph?layout=hierarchy&members=yes").get_json()
    assert {n["kind"] for n in with_members["nodes"]} >= {"body", "organisation", "theme"}


def test_a_view_says_what_it_is_in_its_title_heading_and_accessible_name(client: FlaskClient) -> None:
    html = client.get("/?theme=drugs").get_data(as_text=True)
    data = client.get("/api/graph?theme=drugs").get_json()
    n, e = len(data["nodes"]) + len(data["isolated"]), len(data["edges"])
    assert f'aria-label="Drugs: {n} records, {e} links"' in html
    assert "<title>Drugs · Map · govmap</title>" in html
    assert html.count("<h1") == 1
    html = client.get("/?focus=north-csp").get_data(as_text=True)
    assert "<title>Around North Community Safety Partnership · Map · govmap</title>" in html


def test_the_map_view_downloads_as_csv_with_the_records_and_links_it_draws(client: FlaskClient) -> None:
    response = client.get("/map.csv?theme=drugs")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="govmap-map-view.csv"'
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "row,id,name,kind,type,status,from,relation,to,role"
    data = client.get("/api/graph?theme=drugs").get_json()
    assert sum(1 for x in lines if x.startswith("record,")) == len(data["nodes"]) + len(data["isolated"])
    assert sum(1 for x in lines if x.startswith("link,")) == len(data["edges"])
    assert "link,,,,,unconfirmed,Drugs Working Group,addresses,Drugs,lead" in lines


def test_a_path_reads_in_plain_words(client: FlaskClient) -> None:
    html = client.get("/paths?from=north-council&to=drugs-group").get_data(as_text=True)
    assert '<span class="via">is a member of</span>' in html
    assert "linked with by" not in html and "reported to by" not in html


def test_the_accessibility_statement_names_the_standard_and_how_to_report_a_problem(
    client: FlaskClient,
) -> None:
    html = client.get("/accessibility").get_data(as_text=True)
    assert "<h1>Accessibility statement for govmap</h1>" in html
    assert "WCAG) 2.2" in html and "Reporting a problem" in html and "do not fully comply" in html
    assert "This website is <strong>partially compliant</strong> with the" in html
    assert (
        '<p id="statement-dates">This statement was prepared on 7 December 2026. It was last reviewed on 7 December 2026.</p>'
        in html
    )


def test_the_accessibility_statement_gives_the_contact_this_copy_sets_and_never_a_script_link(
    tmp_path: Path,
) -> None:
    html = make_app(copy_register(tmp_path)).test_client().get("/accessibility").get_data(as_text=True)
    assert "This copy names no contact address" in html and 'id="accessibility-contact"' not in html
    client = make_app(
        copy_register(tmp_path), GOVMAP_ACCESSIBILITY_CONTACT="access@testshire.gov.uk"
    ).test_client()
    html = client.get("/accessibility").get_data(as_text=True)
    assert (
        '<a href="mailto:access@testshire.gov.uk" id="accessibility-contact">access@testshire.gov.uk</a>'
        in html
    )
    client = make_app(
        copy_register(tmp_path), GOVMAP_ACCESSIBILITY_CONTACT="javascript:alert(1)"
    ).test_client()
    html = client.get("/accessibility").get_data(as_text=True)
    assert "javascript:" not in html and 'id="accessibility-contact"' not in html


def test_an_entity_page_says_yes_or_no_for_booleans(client: FlaskClient) -> None:
    html = client.get("/entity/county-board").get_data(as_text=True)
    assert "<dt>Statutory</dt>\n    <dd>Yes</dd>" in html


def test_large_maps_are_drawn_with_physics_off(tmp_path: Path) -> None:
    client = make_app(copy_register(tmp_path), GOVMAP_PHYSICS_LIMIT=3).test_client()
    assert client.get("/api/graph").get_json()["physics"] is False


def test_every_report_format_downloads_as_an_attachment(client: FlaskClient) -> None:
    for fmt, mimetype in (
        ("json", "application/json"),
        ("csv", "text/csv"),
        ("md", "text/markdown"),
        ("html", "text/html"),
    ):
        response = client.get(f"/report/download.{fmt}")
        assert response.status_code == 200
        assert response.mimetype == mimetype
        assert response.headers["Content-Disposition"] == f'attachment; filename="govmap-report.{fmt}"'
    assert json.loads(client.get("/report/download.json").get_data(as_text=True))["findings"]
    assert client.get("/report/download.exe").status_code == 404


def test_the_entity_page_shows_members_chain_themes_and_sources(client: FlaskClient) -> None:
    html = client.get("/entity/north-csp").get_data(as_text=True)
    assert 'data-group="members"' in html and "North District Council" in html
    assert "Reporting chain up" in html and "Testshire Community Safety Board" in html
    assert 'data-group="addresses"' in html and "Serious violence" in html
    assert "No source recorded: shown as unconfirmed." in html
    assert 'id="entity-map-data"' in html


# -- hostile text ----------------------------------------------------------------

RAW = ["<script>alert", "<img src=x", "<svg onload", "<iframe", "<b onmouseover", "</script><script>"]


@pytest.fixture
def hostile(tmp_path: Path) -> FlaskClient:
    client = make_app(copy_register(tmp_path, "xss.yaml")).test_client()
    login(client, "alice")
    return client


@pytest.mark.parametrize("url", HOSTILE_PAGES)
def test_hostile_text_is_escaped_on_every_page(hostile: FlaskClient, url: str) -> None:
    response = hostile.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    for payload in RAW:
        assert payload not in html, (url, payload)
    assert not re.search(r'href="\s*javascript:', html, re.I), url


def test_hostile_text_in_the_map_data_cannot_close_its_script_block(hostile: FlaskClient) -> None:
    html = hostile.get("/").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    names = {n["name"] for n in data["nodes"]}
    assert "</script><script>alert(1)</script>" in names  # exact text, for the canvas and innerText
    assert "<" not in block.group(1)


def test_hostile_text_is_shown_to_the_reader_as_text(hostile: FlaskClient) -> None:
    html = hostile.get("/entity/evil-area").get_data(as_text=True)
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }} {% raw %}" in html  # data, never a template


def test_a_javascript_url_is_shown_as_text_not_a_link(hostile: FlaskClient) -> None:
    html = hostile.get("/entity/evil-org").get_data(as_text=True)
    assert '<span class="url-text">javascript:alert(1)</span>' in html


def test_hostile_text_in_the_api_is_returned_exactly(hostile: FlaskClient) -> None:
    data = hostile.get("/api/entity/evil-board").get_json()
    assert data["record"]["name"] == "<script>alert(1)</script>"


def test_govmap_serve_prints_its_address_and_serves_the_map(tmp_path: Path) -> None:
    import urllib.request

    from tests.websupport import serve_process

    register = copy_register(tmp_path)
    proc, port = serve_process(register)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line == f"govmap: serving {register} at http://127.0.0.1:{port}/  (Ctrl+C to stop)\n"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
            assert response.status == 200
            assert b'id="map-data"' in response.read()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_govmap_serve_refuses_a_broken_register_with_its_own_message(tmp_path: Path) -> None:
    import subprocess
    import sys

    register = tmp_path / "boards.yaml"
    register.write_text("bodies:\n  - {id: b, name: B, kind: bored}\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "govmap", "serve", str(register)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert f"{register}:2:28: error: body 'b': kind: 'bored' is not one of" in result.stderr


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("kind=foo", "unknown kind &#39;foo&#39;"),
        ("hops=-1", "hops must be a whole number from 1 to 5, not &#39;-1&#39;"),
        ("hops=x", "hops must be a whole number from 1 to 5, not &#39;x&#39;"),
        ("size=huge", "unknown size &#39;huge&#39;"),
        ("collapse=nope", "unknown collapse &#39;nope&#39;"),
        ("layout=spiral", "unknown layout &#39;spiral&#39;"),
        ("statutory=maybe", "unknown statutory &#39;maybe&#39;"),
    ],
)
def test_an_unknown_map_filter_value_is_refused_with_400(tmp_path: Path, query: str, message: str) -> None:
    from tests.websupport import copy_register, make_app

    client = make_app(copy_register(tmp_path)).test_client()
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_document_page_neither_contradicts_its_badge_nor_links_to_a_map_that_refuses_it(
    tmp_path: Path,
) -> None:
    from tests.websupport import copy_register, make_app

    client = make_app(copy_register(tmp_path)).test_client()
    html = client.get("/entity/csa-2024").get_data(as_text=True)
    assert '<span class="badge confirmed">confirmed</span>' in html
    assert "No source recorded" not in html
    assert "A document is a source itself: shown as confirmed unless marked otherwise." in html
    for link in re.findall(r'href="(/\?[^"]*)"', html):
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def test_the_accountability_tree_prefers_reporting_lines_and_never_loops() -> None:
    import networkx as nx

    from govmap.webviz.map.layout import hierarchy, parents

    g = nx.MultiDiGraph()
    for n in ("top", "a", "b", "c", "d", "alone"):
        g.add_node(n, kind="body", name=n.upper())
    g.add_edge("a", "top", type="links_with")
    g.add_edge("a", "b", type="reports_to")  # a firm line wins over links_with
    g.add_edge("b", "top", type="sub_group_of")
    g.add_edge("c", "d", type="reports_to")  # c and d report to each other: one line is dropped
    g.add_edge("d", "c", type="reports_to")
    found = parents(g, set(g.nodes))
    assert found == {"a": ("b", "reports_to"), "b": ("top", "sub_group_of"), "c": ("d", "reports_to")}
    lay = hierarchy(g, g.nodes)
    y = {n: p[1] for n, p in lay.positions.items()}
    assert y["top"] == y["d"] < y["b"] == y["c"] < y["a"] < y["alone"]
    assert [c[0] for c in lay.captions] == ["No reporting line"]


def test_the_report_opens_with_the_summary_and_counts_then_the_filters_then_folded_groups(
    client: FlaskClient,
) -> None:
    html = client.get("/report").get_data(as_text=True)
    assert "<title>Report: all findings · govmap</title>" in html
    assert html.count("<h1") == 1 and "<h1>Report: all findings</h1>" in html
    where = {
        k: html.index(k)
        for k in (
            'id="report-summary"',
            'id="report-counts"',
            'id="report-filters"',
            '<details class="finding-group"',
        )
    }
    assert list(where.values()) == sorted(where.values()), where
    counts = html[where['id="report-counts"'] :]
    assert '<a href="/report?severity=low"><span class="sev sev-low">low</span> 5</a>' in counts
    groups = re.findall(r'<details class="finding-group" id="group-([a-z]+)"', html)
    assert groups == [g for g in GROUPS if g in groups], "groups in the order the analysis declares"
    assert groups == ["gaps", "coverage", "statutory", "structure", "staleness"]
    assert html.count('<li class="finding"') == 10
    for g in groups:
        assert f"<summary><h3>{GROUP_TITLES[g]}</h3>" in html
    assert (
        '<summary><h3>Staleness and data quality</h3> <span class="group-counts">5 findings: 2 low, 3 info</span>'
    ) in html


def test_the_report_title_names_the_filter(client: FlaskClient) -> None:
    for query, title in [
        ("?severity=high&kind=overlap", "Report: high findings, overlap"),
        ("?severity=medium", "Report: medium or higher findings"),
        ("?kind=gaps", "Report: ownership gaps"),
        ("?kind=no-lead&severity=low", "Report: low or higher findings, no lead body"),
    ]:
        html = client.get(f"/report{query}").get_data(as_text=True)
        assert f"<title>{title} · govmap</title>" in html, query
        assert f"<h1>{title}</h1>" in html, query
    html = client.get("/report?severity=high&kind=overlap").get_data(as_text=True)
    assert '<p class="count">0 of 10 findings.</p>' in html
    assert '<p class="none">No findings match this filter.</p>' in html


def test_a_long_report_opens_only_its_first_group_and_those_with_a_high_or_top_finding(seed_register) -> None:
    from govmap.graph.analysis.findings import Severity
    from govmap.webviz.analysis import report_of
    from govmap.webviz.views.report import OPEN_ALL_UP_TO, groups_of

    rep = report_of(seed_register, as_of=dt.date(2026, 3, 1))
    findings, top = rep.findings, rep.report.top()
    assert len(findings) > OPEN_ALL_UP_TO
    groups = groups_of(findings, top)
    assert sum(len(g.findings) for g in groups) == len(findings)
    firsts = {f.id for f in top}
    expected = [
        i == 0 or any(f.severity is Severity.HIGH or f.id in firsts for f in g.findings)
        for i, g in enumerate(groups)
    ]
    assert [g.open for g in groups] == expected
    assert not all(g.open for g in groups), "a long report is folded"
    few = groups_of(findings[:OPEN_ALL_UP_TO])
    assert all(g.open for g in few), "a short list opens every group"


def test_the_history_of_one_record_is_titled_with_its_name(client: FlaskClient) -> None:
    html = client.get("/history?record=north-csp").get_data(as_text=True)
    assert "<title>History of North Community Safety Partnership · govmap</title>" in html
    assert "<h1>History of North Community Safety Partnership</h1>" in html
    assert "No changes to this record have been made through govmap yet." in html
    html = client.get("/history?record=gone-record").get_data(as_text=True)
    assert "<title>History of gone-record · govmap</title>" in html
    assert "<title>History · govmap</title>" in client.get("/history").get_data(as_text=True)


def test_an_entity_page_is_titled_with_the_records_name(client: FlaskClient) -> None:
    html = client.get("/entity/north-csp").get_data(as_text=True)
    assert "<title>North Community Safety Partnership · govmap</title>" in html


# -- odd values on the map routes (issue 26, defects 3 and 8) --------------------------------

MAP_ROUTES = ["/", "/map/table", "/map.csv", "/map.html", "/api/graph"]


@pytest.mark.parametrize("by", ["area", "kind"])
def test_a_collapsed_map_downloads_as_csv_one_row_a_group_and_a_link(client: FlaskClient, by: str) -> None:
    response = client.get(f"/map.csv?collapse={by}")
    assert response.status_code == 200
    lines = response.get_data(as_text=True).splitlines()
    data = client.get(f"/api/graph?collapse={by}").get_json()
    groups = [x for x in lines if x.startswith("record,")]
    assert len(groups) == len(data["nodes"]) and all(",group," in x for x in groups)
    assert sum(1 for x in lines if x.startswith("link,")) == len(data["edges"])
    if by == "kind":
        assert 'record,kind:body,"Body (board, partnership, group)",group,,' in lines
        assert 'link,,,,,,"Body (board, partnership, group)",1 link,Strategy or evidence,' in lines


@pytest.mark.parametrize("route", MAP_ROUTES)
@pytest.mark.parametrize(
    ("hops", "shown"),
    [("²", "²"), ("３", "３"), ("9" * 5000, "9" * 20 + "…"), ("٣", "٣")],
)
def test_a_hops_value_that_is_not_a_small_ascii_number_is_refused_with_400_on_every_map_route(
    client: FlaskClient, route: str, hops: str, shown: str
) -> None:
    response = client.get(route, query_string={"focus": "north-csp", "hops": hops})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    if route.startswith("/api/"):
        assert response.get_json()["error"] == f"hops must be a whole number from 1 to 5, not '{shown}'"
    else:
        assert f"hops must be a whole number from 1 to 5, not &#39;{shown}&#39;" in text


def test_an_organisations_page_gives_its_statutory_roles(tmp_path: Path) -> None:
    path = tmp_path / "boards.yaml"
    path.write_text(
        "govmap: 1\nregister: {id: r, name: R}\norganisations:\n"
        "  - {id: gmca, name: GMCA, type: combined-authority, roles: [police-and-crime-commissioner, fire-and-rescue]}\n",
        encoding="utf-8",
    )
    html = make_app(path).test_client().get("/entity/gmca").get_data(as_text=True)
    assert (
        '<dt>Also acts as</dt><dd class="roles">police-and-crime-commissioner, fire-and-rescue</dd>' in html
    )
