"""Every route of the app, with hostile values in every parameter, as anyone: never a 5xx.

The routes are read from the app's URL map and the parameters from the views' own code (each
``request.args.get("...")``, ``form.getlist("...")``, ``request.files.get("...")`` in
``webviz/``) and from the forms the pages render, so a route or a parameter added later is
fuzzed without editing this file.  Each request is sent as someone not signed in, as a viewer
and as an editor (with a valid CSRF token where a form needs one, and sometimes without), and
its answer must be

- below 500, with no Python traceback in it;
- free of server paths (the register's folder, this checkout) for anyone but an editor;
- free of editors' names for anyone not signed in (``GOVMAP_HISTORY_NAMES`` is left at its
  default, "signed-in").

Bounded: a sweep of every route with every role (a few hostile values each, rotating so that
every value reaches every parameter over the sweep), then a fixed number of hypothesis
examples that mix routes, roles, parameters, repeated keys and values.  Derandomized in CI
(tests/conftest.py loads the ``ci`` profile when ``CI`` is set).
"""

from __future__ import annotations

import ast
import io
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException

from tests.fuzzsupport import fuzz_settings
from tests.websupport import ACCOUNTS, copy_register, make_app

ROOT = Path(__file__).resolve().parent.parent
WEBVIZ = ROOT / "webviz"

#: Values a careless or hostile client sends, that every parameter gets: odd digits, a huge
#: number, a negative one, control and direction characters, a line separator, 100 kB of text,
#: a path, an option, nothing.
CORE: list[str] = [
    "²",
    "３",
    "9" * 5000,
    "-1",
    "a\x00b",
    "\x1b[2J\x1b[31mred",
    "abc\u202edef",
    "line\u2028two",
    "x" * 100_000,
    "../../../etc/passwd",
    "--help",
    "",
]

#: More, that each parameter gets a few of in turn: other digits and numbers, wrong types,
#: markup and injection attempts, real-looking values.
EXTRA: list[str] = [
    "٣",
    "0",
    "1.5",
    "1e309",
    "NaN",
    "\x07\x08\x0b\x0c",
    "..%2f..%2fetc%2fpasswd",
    "-p",
    " ",
    "true",
    "[]",
    "{}",
    "null",
    "<script>alert(1)</script>",
    "'; DROP TABLE x; --",
    "{{7*7}}",
    "%s%s%s%n",
    "\ufeffid",
    "ｎｏｒｔｈ-ｃｓｐ",
    "North CSP",
    "north-csp",
    "county-board",
    "drugs",
    "body",
    "high",
    "hierarchy",
    "area",
    "HEAD",
    "2025-13-45",
    "2025-01-01",
]

HOSTILE = CORE + EXTRA

#: Upload bodies for file fields: empty, binary, a zip that is not one, text, a large one.
FILES: list[tuple[str, bytes]] = [
    ("empty.txt", b""),
    ("binary.pdf", bytes(range(256)) * 8),
    ("fake.docx", b"PK\x03\x04" + b"\x00" * 64),
    ("notes.md", b"# Heading\n\nThe North CSP reports to the County Board.\n"),
    ("big.txt", b"word " * 80_000),
    ("../../evil.html", b"<script>alert(1)</script>"),
]

ROLES = ["anonymous", "viewer", "editor"]
LOGIN = {"viewer": "victor", "editor": "alice"}


# -- what to fuzz, read from the app and its code ---------------------------------------------


def names_read(source: str) -> set[str]:
    """Every literal name some code reads from the query, the form or the uploaded files."""
    names: set[str] = set()
    readers = {"args", "form", "values", "files"}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("get", "getlist"):
            owner = func.value
            if (isinstance(owner, ast.Attribute) and owner.attr in readers) or (
                isinstance(owner, ast.Name) and owner.id in readers
            ):
                names.add(first.value)
        elif isinstance(func, ast.Name) and func.id == "many":  # MapQuery.from_args
            names.add(first.value)
    return names


def parameter_names() -> set[str]:
    """Every literal name the views (and what they call in webviz/) read."""
    return set().union(*(names_read(p.read_text(encoding="utf-8")) for p in WEBVIZ.rglob("*.py")))


def endpoint_parameters(app: Flask, endpoint: str, forms: dict[str, set[str]]) -> set[str]:
    """The names one endpoint reads: its view module's, the map's when it draws one, and the
    inputs of the form its page renders (``forms``, by endpoint)."""
    import inspect
    import sys

    view = app.view_functions[endpoint]
    module = sys.modules[view.__module__]
    source = inspect.getsource(module)
    names = names_read(source) | forms.get(endpoint, set())
    if "map_query" in source or "MapQuery" in source:
        names |= names_read((WEBVIZ / "map" / "query.py").read_text(encoding="utf-8"))
        names |= names_read((WEBVIZ / "views" / "__init__.py").read_text(encoding="utf-8"))
    return names


def file_fields() -> set[str]:
    """The names the views read from ``request.files``."""
    names = set()
    for path in WEBVIZ.rglob("*.py"):
        names |= set(re.findall(r"request\.files\.get\(\"([^\"]+)\"", path.read_text(encoding="utf-8")))
    return names


_INPUT = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"')
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)


@dataclass
class Site:
    app: Flask
    register: Path
    clients: dict[str, FlaskClient]
    tokens: dict[str, str]
    rules: list[Any]
    params: list[str]
    files: set[str]
    ids: list[str]
    findings: list[str]
    forbidden_paths: list[str]
    by_endpoint: dict[str, list[str]] = field(default_factory=dict)
    editor_names: list[str] = field(default_factory=lambda: ["alice", "bob"])
    seen: dict[tuple[str, str], int] = field(default_factory=dict)


def _git(folder: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)


_SIGN_INS = iter(range(1, 10**6))


def _client(app: Flask, role: str) -> FlaskClient:
    """A client for ``role``, signed in if it is one, from an address of its own: the fuzzer's
    wrong sign-ins lock an address out, and signing in again must not be refused for them."""
    client = app.test_client()
    n = next(_SIGN_INS)
    client.environ_base["REMOTE_ADDR"] = f"10.{66 + ROLES.index(role)}.{n // 250}.{n % 250}"
    if role in LOGIN:
        name = LOGIN[role]
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        response = client.post(
            "/login", data={"username": name, "password": ACCOUNTS[name][0], "csrf_token": token.group(1)}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _token(client: FlaskClient) -> str:
    page = client.get("/login").get_data(as_text=True)
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m
    return m.group(1)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    folder = tmp_path_factory.mktemp("fuzz")
    register = copy_register(folder)
    _git(folder, "init", "-q", "-b", "main")
    _git(folder, "add", register.name)
    _git(folder, "commit", "-q", "-m", "first")
    app = make_app(register, WTF_CSRF_ENABLED=True, TESTING=False)
    clients = {role: _client(app, role) for role in ROLES}
    tokens = {role: _token(clients[role]) for role in ROLES}
    with app.app_context():
        from govmap.webviz import state

        snap = state.current()
        ids = [r.id for r in snap.register.records()]
        findings = [f.id for f in snap.report.findings]
    # Editors' names in the audit log and the decisions, for the pages that must hide them.
    editor = clients["editor"]
    page = editor.get("/edit/north-csp").get_data(as_text=True)
    version = re.search(r'name="version" value="([^"]+)"', page)
    assert version
    editor.post(
        "/edit/north-csp",
        data={
            "version": version.group(1),
            "description": "Edited by an editor",
            "csrf_token": tokens["editor"],
        },
    )
    if findings:
        editor.post(
            f"/decisions/{findings[0]}",
            data={"status": "accepted", "reason": "Known", "csrf_token": tokens["editor"]},
        )
    rules = list(app.url_map.iter_rules())
    forms: dict[str, set[str]] = {}
    adapter = app.url_map.bind("localhost")
    for rule in rules:  # each form's inputs, from the pages an editor is shown, by the form's target
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = url_of_real(rule, ids, findings)
        page = editor.get(url).get_data(as_text=True)
        for attributes, body in _FORM.findall(page):
            action = re.search(r'action="([^"?#]*)', attributes)
            method = "POST" if re.search(r'method="post"', attributes, flags=re.I) else "GET"
            try:
                target = adapter.match(
                    (action.group(1) if action else "") or url.split("?")[0], method=method
                )[0]
            except HTTPException:
                continue
            forms.setdefault(target, set()).update(set(_INPUT.findall(body)) - {"csrf_token"})
    by_endpoint = {r.endpoint: sorted(endpoint_parameters(app, r.endpoint, forms)) for r in rules}
    params = parameter_names().union(*forms.values()) - {"csrf_token"}
    forbidden = sorted({str(folder), os.path.realpath(folder), str(ROOT)}, key=len, reverse=True)
    return Site(
        app,
        register,
        clients,
        tokens,
        rules,
        sorted(params),
        file_fields(),
        ids,
        findings,
        forbidden,
        by_endpoint,
    )


def url_of_real(rule: Any, ids: list[str], findings: list[str]) -> str:
    """The rule's URL with real values: a page as an editor opens it."""
    real = {"entity_id": "north-csp", "finding_id": (findings or ["x"])[0], "section": "bodies"}
    real |= {"field_name": "members", "index": "0", "fmt": "json", "filename": "govmap.js"}
    return _ARG.sub(lambda m: real.get(m.group(2), "x"), rule.rule)


# -- building and checking one request ----------------------------------------------------------

_ARG = re.compile(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>")


def path_value(site: Site, name: str, pick: int) -> str:
    """A value for a path argument: a real one as often as a hostile one."""
    from govmap.ingest.model import SECTIONS
    from govmap.webviz.analysis import FORMATS

    real = {
        "entity_id": site.ids,
        "finding_id": site.findings,
        "section": list(SECTIONS),
        "field_name": ["members", "themes", "reports_to", "areas"],
        "index": ["0", "1", "2"],
        "fmt": list(FORMATS),
        "filename": ["govmap.js", "govmap.css", "vendor/../govmap.js"],
    }.get(name, [])
    pool = [*real, *HOSTILE[: max(4, len(real))]] if real else HOSTILE
    return pool[pick % len(pool)]


def url_of(site: Site, rule: Any, pick: int) -> str:
    def fill(m: re.Match[str]) -> str:
        value = path_value(site, m.group(2), pick + len(m.group(2)))
        return quote(value, safe="/" if m.group(1) == "path" else "")

    return _ARG.sub(fill, rule.rule)


def check(site: Site, role: str, method: str, url: str, response: Any) -> None:
    body = response.get_data(as_text=True)
    where = f"{role} {method} {url[:200]}"
    assert response.status_code < 500, f"{where}: {response.status_code}\n{body[:2000]}"
    assert "Traceback (most recent call last)" not in body, where
    if role != "editor":
        for path in site.forbidden_paths:
            assert path not in body, f"{where}: shows the server path {path}"
    if role == "anonymous":
        for name in site.editor_names:
            assert not re.search(rf"\b{name}\b", body), f"{where}: shows the editor's name {name!r}"
    key = (method, response.status_code // 100 * 100)
    site.seen[(where.split(" ")[1] + " " + url.split("?")[0][:40], str(key))] = 1


def send(site: Site, role: str, rule: Any, method: str, pick: int, data: dict[str, list[str]]) -> None:
    client = site.clients[role]
    url = url_of(site, rule, pick)
    if method == "GET":
        response = client.get(url, query_string=data)
    else:
        form: dict[str, Any] = {k: v for k, v in data.items() if k not in site.files}
        uploads = site.files & set(data)
        if uploads:
            # werkzeug's test client spools a multipart body over 500 kB to a temporary file it
            # never closes (a warning, and a leak in the client, not the app): keep it under that.
            form = {k: [v[:2000] for v in vs] for k, vs in form.items()}
            for name in uploads:
                filename, raw = FILES[pick % len(FILES)]
                form[name] = (io.BytesIO(raw), filename)
        if pick % 5:  # most forms carry their CSRF token; some do not
            form["csrf_token"] = site.tokens[role]
        if rule.endpoint != "decisions.record" and "version" not in form and pick % 3:
            form["version"] = HOSTILE[pick % len(HOSTILE)]
        response = client.post(url, data=form)
    try:
        check(site, role, method, url, response)
    finally:
        response.close()  # a static file is sent from an open file, as a WSGI server would
    if rule.endpoint in ("auth.logout", "auth.login") and role in LOGIN:
        site.clients[role] = _client(site.app, role)  # signed out (or in again): sign in afresh
        site.tokens[role] = _token(site.clients[role])


def methods(rule: Any) -> list[str]:
    return sorted(m for m in rule.methods if m in ("GET", "POST"))


# -- the sweep: every route, every role, every parameter ------------------------------------------


def test_every_route_answers_hostile_values_in_every_parameter_without_a_5xx(site: Site) -> None:
    """Each route as each role with no parameters and with every parameter hostile at once; then
    each parameter alone, with every :data:`CORE` value and a few :data:`EXTRA` ones, sent to the
    routes that read it in turn (the roles taking turns, some keys repeated)."""
    places: dict[str, list[tuple[Any, str]]] = {}
    for i, rule in enumerate(site.rules):
        for method in methods(rule):
            for r, role in enumerate(ROLES):
                send(site, role, rule, method, i + r, {})
                everything = {
                    name: [HOSTILE[(i + r + j) % len(HOSTILE)]] for j, name in enumerate(site.params)
                }
                send(site, role, rule, method, i + r + 1, everything)
            for name in site.by_endpoint.get(rule.endpoint, []):
                places.setdefault(name, []).append((rule, method))
    for k, (name, where) in enumerate(sorted(places.items())):
        extra = [EXTRA[(k * 3 + j) % len(EXTRA)] for j in range(3)]
        for n, value in enumerate(CORE + extra):
            rule, method = where[(k + n) % len(where)]
            values = [value, EXTRA[(k + n) % len(EXTRA)]] if n % 4 == 3 else [value]
            send(site, ROLES[(k + n) % len(ROLES)], rule, method, k + n, {name: values})
    assert {"hops", "rev", "reason", "into", "username"} <= set(places)


#: Query strings no browser would send: bytes that are not UTF-8, a lone surrogate's bytes,
#: encoded NULs and line breaks, a key with no value, thousands of keys.
RAW_QUERIES = [
    "%ff%fe=%c0%af&hops=%ff&q=%ed%a0%80",
    "kind&rev&audit&focus=%00&next=%0d%0aSet-Cookie:%20x=1",
    "&".join(f"k{i}=v" for i in range(2000)),
    "hops=1&hops=2&hops=%C2%B2&kind=body&kind=&kind=%00",
]


def test_every_get_route_answers_query_strings_that_are_not_utf_8_without_a_5xx(site: Site) -> None:
    for i, rule in enumerate(r for r in site.rules if "GET" in r.methods):
        for k, raw in enumerate(RAW_QUERIES):
            role = ROLES[(i + k) % len(ROLES)]
            url = url_of(site, rule, i + k)
            response = site.clients[role].get(f"{url}?{raw}")
            try:
                check(site, role, "GET", url, response)
            finally:
                response.close()


# -- then random mixes, a fixed number ---------------------------------------------------------


@st.composite
def requests(draw: st.DrawFn, site: Site) -> tuple[str, Any, str, int, dict[str, list[str]]]:
    rule = draw(st.sampled_from(site.rules))
    method = draw(st.sampled_from(methods(rule)))
    role = draw(st.sampled_from(ROLES))
    names = draw(st.lists(st.sampled_from(site.params), max_size=6, unique=True))
    value = st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=40),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.sampled_from(site.ids or ["x"]),
    )
    data = {name: draw(st.lists(value, min_size=1, max_size=3)) for name in names}
    return role, rule, method, draw(st.integers(0, 10_000)), data


@fuzz_settings(150)
@given(data=st.data())
def test_random_mixes_of_routes_roles_and_values_never_give_a_5xx(site: Site, data: st.DataObject) -> None:
    role, rule, method, pick, params = data.draw(requests(site))
    send(site, role, rule, method, pick, params)


def test_the_fuzzer_reads_every_route_and_the_parameters_the_views_read(site: Site) -> None:
    """A new route or parameter is covered without editing this file: both come from the code."""
    endpoints = {r.endpoint for r in site.rules}
    assert {"map.index", "edit.change_record", "changes.index", "decisions.record", "auth.login"} <= endpoints
    for name in ("hops", "rev", "audit", "into", "reason", "owner", "statutory", "q", "next", "username"):
        assert name in site.params, name
