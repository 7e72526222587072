"""Every page and API route answers, escapes what the register says, and sends the security headers."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.websupport import HOSTILE_PAGES, copy_register, login, make_app

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
    assert response.get_json()["hint"].startswith("use a group (overlap, interlocks, gaps, ")


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
    assert data["physics"] is True  # small: physics may settle it
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
    import os
    import socket
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    register = copy_register(tmp_path)
    env = {**os.environ, "GOVMAP_SECRET_KEY": "test"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "govmap", "serve", str(register), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
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
