"""Start-up at national size: a large register is loaded after the server listens, and
until it is every page says so (503, Retry-After, Refresh); a broken one is shown on every
page (details to editors) and logged; a small one is loaded first, as before."""

from __future__ import annotations

import os
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from govmap.ingest.store.yamlstore import YamlStore
from govmap.webviz import state
from tests.websupport import copy_register, login, make_app, serve_process

BROKEN = "bodies:\n  - {id: b, name: B, kind: bored}\n"


def _wait_loaded(client: object, path: str = "/api/entities") -> None:
    for _ in range(200):
        if client.get(path).status_code != 503:  # type: ignore[attr-defined]
            return
        threading.Event().wait(0.05)
    raise AssertionError("the register was never loaded")


def test_every_page_says_a_large_register_is_being_loaded_until_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real = YamlStore.load

    def slow(self: YamlStore) -> object:
        release.wait(30)
        return real(self)

    monkeypatch.setattr(YamlStore, "load", slow)
    app = make_app(copy_register(tmp_path), GOVMAP_LOAD_NOW_BYTES=0)
    state.start(app)  # returns at once: the load waits for `release`
    client = app.test_client()

    page = client.get("/")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "2" and page.headers["Refresh"] == "2"
    html = page.get_data(as_text=True)
    assert "The register boards.yaml is being loaded." in html
    assert "<title>Being loaded · govmap</title>" in html
    assert "this page will refresh itself in a few seconds" in html
    api = client.get("/api/entity/lancs-csp")
    assert api.status_code == 503
    assert api.headers["Retry-After"] == "2"
    assert api.get_json() == {
        "error": "The register boards.yaml is being loaded.",
        "hint": "this page will refresh itself in a few seconds",
        "status": 503,
    }
    assert client.get("/report").status_code == 503

    release.set()
    _wait_loaded(client)
    assert client.get("/").status_code == 200
    assert client.get("/api/entities?q=a").status_code == 200


def test_a_small_register_is_loaded_before_start_returns(tmp_path: Path) -> None:
    app = make_app(copy_register(tmp_path))  # the default limit: a few kB is "small"
    state.start(app)
    snaps: state.Snapshots = app.extensions["govmap.snapshots"]
    assert snaps._loading is None and len(snaps._by_version) == 1
    assert app.test_client().get("/").status_code == 200


def test_a_broken_small_register_raises_its_error_before_listening(tmp_path: Path) -> None:
    from govmap.ingest.errors import RegisterInvalid

    register = tmp_path / "boards.yaml"
    register.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(RegisterInvalid):
        state.start(make_app(register))


def test_a_broken_large_register_is_shown_on_every_page_with_details_for_editors_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    register = copy_register(tmp_path)
    good = register.read_text(encoding="utf-8")
    register.write_text(BROKEN, encoding="utf-8")
    app = make_app(register, GOVMAP_LOAD_NOW_BYTES=0)
    state.start(app).join(30)
    client = app.test_client()

    anonymous = client.get("/")
    assert anonymous.status_code == 503
    text = anonymous.get_data(as_text=True)
    assert "The register cannot be shown just now: its file has a problem." in text
    assert "bored" not in text and str(tmp_path) not in text
    login(client, "alice")
    editor = client.get("/entities").get_data(as_text=True)
    assert f"{register}:2:28: error: body &#39;b&#39;: kind: &#39;bored&#39; is not one of" in editor
    assert any("the register cannot be read" in r.getMessage() for r in caplog.records)

    register.write_text(good, encoding="utf-8")  # fixed: loaded again, in the background
    os.utime(register, ns=(1, 1))  # a different mtime even on a coarse clock
    _wait_loaded(client, "/")
    assert client.get("/").status_code == 200


def test_govmap_serve_listens_before_loading_a_large_register_and_shows_its_error(tmp_path: Path) -> None:
    register = tmp_path / "boards.yaml"
    register.write_text(BROKEN, encoding="utf-8")
    proc, port = serve_process(register, GOVMAP_LOAD_NOW_BYTES="0")
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == (
            f"govmap: serving {register} at http://127.0.0.1:{port}/  (Ctrl+C to stop)\n"
        )
        assert proc.stdout.readline() == (
            "govmap: loading the register in the background; pages say so until it is loaded\n"
        )
        status = 0
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30)
            except urllib.error.HTTPError as exc:
                status, body = exc.code, exc.read().decode()
                if "being loaded" not in body:
                    break
            threading.Event().wait(0.1)
        assert status == 503
        assert "The register cannot be shown just now: its file has a problem." in body
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "the register cannot be read: " in err
    assert f"{register}:2:28: error: body 'b': kind: 'bored' is not one of" in err
