"""The web at national scale: pages that need the report say it is being prepared (and
refresh) instead of waiting; map JSON is built once per version and view, served gzipped."""

from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from govmap.ingest.reading.load import load_register
from tests.websupport import copy_register, make_app


def test_a_large_registers_report_page_says_it_is_being_prepared_and_refreshes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govmap.webviz import analysis, snapshot

    release = threading.Event()
    real = analysis.report_of

    def slow(*args: object, **kwargs: object) -> analysis.ReportView:
        release.wait()  # until the test has seen every waiting page (set in finally below)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(snapshot, "PREPARE_LIMIT", 3)  # the web register counts as "large"
    monkeypatch.setattr(analysis, "report_of", slow)
    client = make_app(copy_register(tmp_path)).test_client()
    records = sum(1 for _ in load_register(copy_register(tmp_path)).records())

    try:
        check_the_pages_say_so(client, records)
    finally:
        release.set()  # a failed check must not leave the report thread waiting
    for _ in range(1200):  # a bound against a hang, not a time limit: a busy machine may take a while
        if client.get("/api/findings").status_code == 200:
            break
        threading.Event().wait(0.1)
    assert client.get("/report").status_code == 200


def check_the_pages_say_so(client: FlaskClient, records: int) -> None:
    """While the report is being prepared (its thread waits for the test: no clock in it)."""
    waiting = client.get("/report")
    assert waiting.status_code == 503
    assert waiting.headers["Retry-After"] == "5" and waiting.headers["Refresh"] == "5"
    assert f"The report on these {records:,} records is being prepared." in waiting.get_data(as_text=True)
    api = client.get("/api/findings")
    assert api.status_code == 503
    assert api.get_json()["error"] == f"The report on these {records:,} records is being prepared."
    assert client.get("/").status_code == 200  # the map does not wait for the report
    page = client.get("/entity/north-csp")  # a record's page shows the record, findings to follow
    assert page.status_code == 200
    assert (
        f"The report on these {records:,} records is being prepared. "
        "Refresh this page in a few seconds to see this record&#39;s findings."
    ) in page.get_data(as_text=True)


def test_the_graph_api_is_gzipped_for_clients_that_accept_it_and_the_same_json_for_others(
    tmp_path: Path,
) -> None:
    client = make_app(copy_register(tmp_path)).test_client()
    plain = client.get("/api/graph?kind=body", headers={"Accept-Encoding": "identity"})
    zipped = client.get("/api/graph?kind=body", headers={"Accept-Encoding": "gzip, deflate"})
    assert plain.status_code == zipped.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in plain.headers["Vary"] and "Accept-Encoding" in zipped.headers["Vary"]
    body = json.loads(plain.get_data())
    assert json.loads(gzip.decompress(zipped.get_data())) == body
    assert {n["kind"] for n in body["nodes"]} == {"body"}


def test_the_graph_api_answers_not_modified_to_a_client_that_has_this_version(tmp_path: Path) -> None:
    client = make_app(copy_register(tmp_path)).test_client()
    first = client.get("/api/graph", headers={"Accept-Encoding": "gzip"})
    again = client.get(
        "/api/graph", headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.get_data() == b""


def test_a_map_view_is_built_once_per_register_version_and_again_after_an_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govmap.webviz import views

    built = []
    real = views.map_data

    def counting(*args: object, **kwargs: object) -> object:
        built.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(views, "map_data", counting)
    path = copy_register(tmp_path)
    client = make_app(path).test_client()
    for _ in range(3):
        assert client.get("/api/graph?kind=body").status_code == 200
        assert client.get("/?kind=body").status_code == 200
    assert len(built) == 1
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # a new version
    assert client.get("/?kind=body").status_code == 200
    assert len(built) == 2
