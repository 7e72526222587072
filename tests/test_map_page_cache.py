"""The map page's map part is rendered once per register version and query and kept; the
header (who is signed in, the sign-out form's CSRF token) is still rendered per request; a
client that accepts gzip gets the same page gzipped; hostile text stays escaped."""

from __future__ import annotations

import gzip
import os
import re
import zlib
from pathlib import Path

import pytest
from flask import template_rendered

from govmap.webviz.map.page import MARK, Part, gzip_of
from tests.websupport import copy_register, hidden, login, make_app


@pytest.mark.parametrize("size", [0, 1, 70_000, 300_000])
def test_a_kept_part_spliced_between_two_pieces_is_a_valid_gzip_of_the_whole(size: int) -> None:
    part = os.urandom(size // 2).hex()[:size]  # text, some of it compressible
    head, tail = "<head>é".encode(), b"</html>\n"
    kept = Part.of(part)
    assert gzip.decompress(gzip_of(head, kept, tail)) == head + part.encode() + tail
    assert kept.raw() == part.encode()
    assert kept.crc_after(zlib.crc32(head)) == zlib.crc32(head + part.encode())


def _map_part_renders(app: object) -> list[str]:
    rendered: list[str] = []

    def record(sender: object, template: object, context: object, **extra: object) -> None:
        rendered.append(template.name)  # type: ignore[attr-defined]

    template_rendered.connect(record, app, weak=False)  # type: ignore[arg-type]
    return rendered


def test_the_map_part_is_rendered_once_per_version_and_query_and_the_header_per_request(
    tmp_path: Path,
) -> None:
    path = copy_register(tmp_path)
    app = make_app(path)
    rendered = _map_part_renders(app)
    anonymous, editor = app.test_client(), app.test_client()
    login(editor, "alice")

    first = anonymous.get("/?kind=body").get_data(as_text=True)
    signed_in = editor.get("/?kind=body").get_data(as_text=True)
    assert rendered.count("_map_part.html") == 1
    assert rendered.count("map.html") == 2
    assert '<span class="who">alice <span class="role">editor</span></span>' in signed_in
    assert "alice" not in first and ">Sign in</a>" in first
    body = re.compile(r'<div class="map-layout">.*</section>\n</div>', re.S)
    assert body.search(first).group(0) == body.search(signed_in).group(0)  # type: ignore[union-attr]
    assert MARK not in first and MARK not in signed_in

    editor.get("/?kind=organisation")
    assert rendered.count("_map_part.html") == 2  # another query
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # a new version
    editor.get("/?kind=body")
    assert rendered.count("_map_part.html") == 3


def test_each_request_gets_its_own_csrf_token_in_the_kept_page(tmp_path: Path) -> None:
    app = make_app(copy_register(tmp_path), WTF_CSRF_ENABLED=True)
    one, two = app.test_client(), app.test_client()
    for client in (one, two):
        page = client.get("/login").get_data(as_text=True)
        client.post(
            "/login",
            data={"username": "alice", "password": "alice-secret", "csrf_token": hidden(page, "csrf_token")},
        )
    token_one = hidden(one.get("/").get_data(as_text=True), "csrf_token")
    token_two = hidden(two.get("/").get_data(as_text=True), "csrf_token")
    assert token_one and token_two and token_one != token_two
    signed_out = one.post("/logout", data={"csrf_token": token_one})
    assert signed_out.status_code == 302


def test_the_map_page_is_gzipped_for_a_browser_and_the_same_page_for_others(tmp_path: Path) -> None:
    client = make_app(copy_register(tmp_path)).test_client()
    plain = client.get("/?kind=body", headers={"Accept-Encoding": "identity"})
    zipped = client.get("/?kind=body", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert zipped.headers["Content-Type"] == "text/html; charset=utf-8"


def test_a_view_too_large_keeps_its_413_and_message_when_kept(tmp_path: Path) -> None:
    client = make_app(copy_register(tmp_path), GOVMAP_MAX_NODES=2).test_client()
    for _ in range(2):
        page = client.get("/")
        assert page.status_code == 413
        assert "Collapse by kind" in page.get_data(as_text=True)


def test_hostile_text_in_a_kept_map_page_stays_escaped_for_every_visitor(tmp_path: Path) -> None:
    app = make_app(copy_register(tmp_path, "xss.yaml"))
    for client in (app.test_client(), app.test_client()):
        zipped = client.get("/", headers={"Accept-Encoding": "gzip"})
        html = gzip.decompress(zipped.get_data()).decode()
        assert "<img src=x onerror=alert(1)>" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html  # a name in the table of the view


def test_a_view_of_many_records_links_to_its_table_on_a_page_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govmap.webviz.views import map as map_view

    monkeypatch.setattr(map_view, "TABLE_INLINE_LIMIT", 2)
    client = make_app(copy_register(tmp_path)).test_client()
    data = client.get("/api/graph?kind=body").get_json()
    records, links = len(data["nodes"]) + len(data["isolated"]), len(data["edges"])
    page = client.get("/?kind=body").get_data(as_text=True)
    assert "<table" not in page
    assert (
        f'<a href="/map/table?kind=body">Table of this view: {records} records, {links} links</a>'
        " (on a page of its own at this size)"
    ) in page
    table = client.get("/map/table?kind=body").get_data(as_text=True)
    ids = sorted(re.findall(r'<tr data-id="([^"]+)">', table))
    assert ids == sorted([n["id"] for n in data["nodes"]] + [n["id"] for n in data["isolated"]])
    assert '<details class="map-table" id="map-table" open>' in table
    assert '<a href="/?kind=body">Back to the map of this view</a>' in table
    assert '<a href="/map.csv?kind=body" download>Download this table (CSV)</a>' in table


def test_a_view_of_few_records_holds_its_table_below_the_map(tmp_path: Path) -> None:
    page = make_app(copy_register(tmp_path)).test_client().get("/?kind=body").get_data(as_text=True)
    assert '<details class="map-table" id="map-table">' in page
    assert "/map/table" not in page


def test_an_edit_that_changes_no_link_or_name_reuses_the_views_layout_and_a_new_link_does_not(
    tmp_path: Path,
) -> None:
    from govmap.graph.build import build_graph
    from govmap.ingest.reading.load import loads
    from govmap.webviz.map import arrange
    from govmap.webviz.map.query import MapQuery

    text = (
        "govmap: 1\nregister: {id: r, name: R}\nthemes: [{id: t, name: T, kind: priority}]\nbodies:\n"
        "  - {id: a, name: A Board, kind: board, description: before}\n"
        "  - {id: b, name: B Board, kind: board, reports_to: a}\n"
    )

    def layout_of(text: str) -> object:
        g = build_graph(loads(text))
        layout, final = arrange.arrange_view(g, set(g.nodes), MapQuery(), lambda ids: {})
        assert final
        return layout

    first = layout_of(text)
    assert layout_of(text.replace("description: before", "description: after")) is first
    assert layout_of(text.replace("name: B Board", "name: B Partnership")) is not first
    assert layout_of(text.replace("reports_to: a}", "reports_to: a, themes: [t]}")) is not first
