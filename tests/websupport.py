"""Helpers for the web tests: an app on a copy of a test register, accounts, form tokens."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from govmap.webviz import create_app

REGISTERS = Path(__file__).resolve().parent / "registers"

#: name -> (password, role).  Cheap hashes: these are test accounts.
ACCOUNTS = {
    "alice": ("alice-secret", "editor"),
    "bob": ("bob-secret", "editor"),
    "victor": ("victor-secret", "viewer"),
}


def copy_register(tmp_path: Path, name: str = "web.yaml") -> Path:
    target = tmp_path / "boards.yaml"
    shutil.copy(REGISTERS / name, target)
    return target


def serve_process(register: Path, **env: str) -> tuple[subprocess.Popen[str], int]:
    """``govmap serve REGISTER`` in a process of its own on a free port, as a user starts it
    (stdout and stderr piped, as text; ``env`` added to this process's environment).  Returns
    the process and the port; the caller terminates it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc = subprocess.Popen(
        [sys.executable, "-m", "govmap", "serve", str(register), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "GOVMAP_SECRET_KEY": "test", **env},
    )
    return proc, port


def write_users(tmp_path: Path) -> Path:
    lines = []
    for user, (password, role) in ACCOUNTS.items():
        hashed = generate_password_hash(password, method="pbkdf2:sha256:1000")
        lines += [f"[users.{user}]", f'password = "{hashed}"', f'role = "{role}"', ""]
    path = tmp_path / "users.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def make_app(register: Path, **config: Any) -> Flask:
    settings: dict[str, Any] = {
        "GOVMAP_REGISTER": str(register),
        "GOVMAP_USERS": str(write_users(register.parent)),
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "TESTING": True,
    }
    settings.update(config)
    return create_app(settings)


#: The stores a feature must work on alike: parametrize a test's app fixture with these.
STORES = ["yaml", pytest.param("neo4j", marks=pytest.mark.neo4j)]


def app_on(store: str, request: pytest.FixtureRequest, register: Path, **config: Any) -> Flask:
    """:func:`make_app` on ``register`` kept in a YAML file or, for ``"neo4j"``, loaded into the
    test Neo4j (emptied first) and served from it, the file being the one its Changes page compares."""
    if store == "neo4j":
        from govmap.graph.neo4j import Neo4jSettings, sync
        from govmap.graph.neo4j.editing import Neo4jStore
        from govmap.ingest.reading.load import load_register

        driver = request.getfixturevalue("neo4j_driver")
        sync(load_register(register), driver)
        config["GOVMAP_STORE"] = Neo4jStore(
            Neo4jSettings.from_env(), driver=driver, register_file=str(register)
        )
    return make_app(register, **config)


def held_decisions(app: Flask) -> tuple[Any, ...]:
    """The decisions the app's store holds."""
    from govmap.webviz import state

    with app.app_context():
        return state.store().decisions.load()


def login(client: FlaskClient, name: str) -> None:
    response = client.post("/login", data={"username": name, "password": ACCOUNTS[name][0]})
    assert response.status_code == 302, response.get_data(as_text=True)


def hidden(html: str, name: str) -> str:
    """The value of a hidden input in a page (the version token, the CSRF token)."""
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, f"no hidden input {name!r} in the page"
    return m.group(1)


#: Every page of the hostile register (tests/registers/xss.yaml), for the escaping tests
#: in the Flask client and in Chromium.
HOSTILE_PAGES = [
    "/",
    "/?collapse=area",
    "/?collapse=kind",
    "/?focus=evil-board&hops=3",
    "/?highlight=evil-board",
    "/?highlight=evil-board,evil-org",
    "/entities",
    "/entities?q=%3Cscript%3E",
    "/paths?from=evil-person&to=evil-area",
    "/paths?theme=evil-theme",
    "/paths?theme=lonely-theme",
    "/report",
    "/coverage",
    "/coverage.csv",
    "/history",
    "/edit/new/bodies",
    "/extract",
    *(
        f"/entity/{i}"
        for i in (
            "evil-doc",
            "evil-area",
            "evil-org",
            "evil-post",
            "evil-person",
            "evil-board",
            "evil-group",
            "evil-plan",
            "evil-theme",
            "lonely-theme",
            "evil-platform",
        )
    ),
    *(
        f"/edit/{i}"
        for i in ("evil-doc", "evil-org", "evil-board", "evil-group", "evil-plan", "evil-platform")
    ),
    "/edit/evil-board/members/0",
    "/edit/evil-board/members/1",
    "/edit/evil-board/themes/0",
    "/edit/evil-group/reports_to/0",
    "/edit/evil-board/remove",
]


#: Every page a person reads, as the accessibility tests open them (tests/registers/web.yaml);
#: ``EDITOR_PAGES`` need an editor; ``FILE_PAGES`` are downloaded.  A page the app serves that neither list opens fails
#: test_web_pages.py (:func:`page_endpoints`), and so does a listed page the app does not have.
READER_PAGES = [
    "/",
    "/?theme=drugs",
    "/?layout=hierarchy",
    "/?focus=north-csp&hops=2",
    "/?collapse=kind",
    "/map/table",
    "/entities",
    "/entity/county-board",
    "/entity/drugs",
    "/paths",
    "/paths?from=north-council&to=drugs-group",
    "/paths?theme=drugs",
    "/report",
    "/report?severity=low&kind=structure",
    "/delivery",
    "/coverage",
    "/changes",
    "/history",
    "/history?record=north-csp",
    "/accessibility",
]
#: Pages the app hands over as files to open later (the standalone map, the report as HTML).
FILE_PAGES = ["/map.html", "/report/download.html"]
EDITOR_PAGES = [
    "/edit/north-csp",
    "/edit/new/bodies",
    "/edit/north-csp/members/new",
    "/edit/north-csp/members/0",
    "/edit/north-csp/remove",
    "/extract",
    "/whatif",
    "/whatif?merge=north-csp&merge=drugs-group&name=Testshire+CSP",
    "/account/password",  # a signed-in user's own password (any role)
]
#: Routes that are not pages to read, each with why: data, downloads and form posts.  The
#: sign-in page is checked on its own, with its error (test_accessibility.py).
NOT_PAGES = {
    "static": "files the pages load",
    "map.download": "the map view as CSV",
    "report.print_css": "a stylesheet",
    "coverage.csv": "the coverage matrix as CSV",
    "auth.login": "checked with its error message",
    "auth.logout": "a form post",
    "decisions.record": "a form post",
    "edit.remove_link": "a form post",
}


def page_endpoints(app: Flask) -> set[str]:
    """The endpoints of every page the app answers GET with, less the API and ``NOT_PAGES``."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and not rule.endpoint.startswith("api.")
        and rule.endpoint not in NOT_PAGES
    }


def endpoint_of(app: Flask, url: str) -> str:
    """The endpoint a URL reaches; werkzeug's NotFound for a page the app does not have."""
    endpoint, _ = app.url_map.bind("localhost").match(urlsplit(url).path, "GET")
    return str(endpoint)
