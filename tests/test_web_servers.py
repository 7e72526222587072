"""Two ``govmap serve --neo4j`` processes on two ports, one real Neo4j: they act as one.

Accounts, signed-out sessions and sign-in throttle counts are kept in the
database (docs/deploy.md), and the session cookie is signed with one shared
secret key, so a browser may be sent to either server at any request, as a
reverse proxy does.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

from govmap.graph.neo4j import sync
from govmap.ingest.reading.load import load_register
from tests.websupport import REGISTERS

pytestmark = pytest.mark.neo4j

MAX_FAILURES = 3


@dataclass
class Browser:
    """A browser's cookie jar, sending each request to the server it is given (as a proxy would)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, port: int, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8")
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            cookie = rest.split(";", 1)[0]
            if cookie and "Expires=Thu, 01 Jan 1970" not in value:
                self.cookies[name] = cookie
            else:
                self.cookies.pop(name, None)
        conn.close()
        return response.status, text

    def get(self, port: int, path: str) -> tuple[int, str]:
        return self.request(port, "GET", path)

    def post(self, port: int, path: str, form: dict[str, str], token_from: str = "/login") -> tuple[int, str]:
        """POST a form with the CSRF token of a page of the same server (as a browser would)."""
        _, page = self.get(port, token_from)
        return self.request(port, "POST", path, {"csrf_token": hidden(page, "csrf_token"), **form})

    def sign_in(self, port: int, name: str, password: str) -> int:
        status, _ = self.post(port, "/login", {"username": name, "password": password})
        return status

    def who(self, port: int) -> str | None:
        """Who the server says is signed in, from the page header (None: nobody)."""
        _, page = self.get(port, "/entities")
        m = re.search(r'<span class="who">([^<]+) <span class="role">', page)
        return m.group(1) if m else None


def hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, f"no hidden input {name!r} in the page"
    return m.group(1)


def serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[str], int]:
    """Start ``govmap serve --neo4j`` on a free port, its log in ``log``; return it and its port."""
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "govmap",
                "serve",
                "--neo4j",
                env["NEO4J_URI"],
                "--port",
                "0",
                "--threads",
                "4",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.search(r"at http://127\.0\.0\.1:(\d+)/", line)
    if not m:
        stop(proc)
        raise AssertionError(f"the server did not start: {line!r}\n{log.read_text()}")
    return proc, int(m.group(1))


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(timeout=30)
    if proc.stdout is not None:
        proc.stdout.close()


@pytest.fixture
def servers(neo4j_driver, neo4j_env, tmp_path: Path) -> Iterator[tuple[int, int]]:
    """Two servers of the web test register held in Neo4j, with alice (editor) and victor (viewer)
    added to the database with ``govmap user add --neo4j``."""
    sync(load_register(REGISTERS / "web.yaml"), neo4j_driver)
    uri = neo4j_env["NEO4J_URI"]
    for name, role in (("alice", "editor"), ("victor", "viewer")):
        added = run_user_add(tmp_path, name, role, uri)
        assert added == f"added {name} ({role}) in Neo4j at {uri}\n"
    env = {k: v for k, v in neo4j_env.items() if not k.startswith("GOVMAP_")}
    env |= {
        "GOVMAP_SECRET_KEY": "one-key-for-every-server",
        "GOVMAP_LOGIN_MAX_FAILURES": str(MAX_FAILURES),
        "PYTHONUNBUFFERED": "1",
    }
    a, port_a = serve(env, tmp_path / "a.log")
    b, port_b = serve(env, tmp_path / "b.log")
    try:
        yield port_a, port_b
    finally:
        for proc in (a, b):
            stop(proc)


def run_user_add(cwd: Path, name: str, role: str, uri: str) -> str:
    from click.testing import CliRunner

    from govmap.cli import cli

    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(
            cli,
            ["user", "add", name, "--role", role, "--neo4j", uri, "--password-stdin"],
            input=f"{name}-secret\n",
        )
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    return result.output


def test_signing_out_on_one_server_ends_the_session_on_the_other(servers):
    a, b = servers
    browser = Browser()
    assert browser.sign_in(a, "alice", "alice-secret") == 302
    assert browser.who(b) == "alice"  # the same cookie, the other server
    stolen = dict(browser.cookies)
    assert browser.post(a, "/logout", {}, token_from="/entities")[0] == 302
    replay = Browser(stolen)  # the cookie as it was before signing out, sent to the other server
    assert replay.who(b) is None and replay.who(a) is None


def test_a_password_changed_on_one_server_ends_the_sessions_on_both(servers):
    a, b = servers
    on_a, on_b = Browser(), Browser()
    assert on_a.sign_in(a, "alice", "alice-secret") == 302
    assert on_b.sign_in(b, "alice", "alice-secret") == 302
    before = dict(on_a.cookies)
    status, _ = on_a.post(
        a,
        "/account/password",
        {"current": "alice-secret", "new": "a-new-secret", "again": "a-new-secret"},
        token_from="/account/password",
    )
    assert status == 302
    assert on_a.who(a) == "alice" and on_a.who(b) == "alice"  # the session that changed it goes on
    assert on_b.who(b) is None and on_b.who(a) is None
    assert Browser(before).who(b) is None
    assert Browser().sign_in(b, "alice", "alice-secret") == 401
    assert Browser().sign_in(b, "alice", "a-new-secret") == 302


def test_failed_sign_ins_are_counted_across_both_servers(servers):
    a, b = servers
    guesser = Browser()
    for port in (a, b, a):  # MAX_FAILURES wrong passwords, spread over the two servers
        assert guesser.sign_in(port, "alice", "wrong") == 401
    for port in (b, a):  # locked out whichever server is asked, even with the right password
        status, page = guesser.post(port, "/login", {"username": "alice", "password": "alice-secret"})
        assert status == 429, page
        assert "Too many failed sign-ins: wait before trying again." in page


def test_an_edit_on_one_server_is_on_the_other_servers_next_page(servers):
    a, b = servers
    browser = Browser()
    assert browser.sign_in(a, "alice", "alice-secret") == 302
    assert "North Community Safety Partnership" in browser.get(b, "/entity/north-csp")[1]
    _, form = browser.get(a, "/edit/north-csp")
    status, _ = browser.request(
        a,
        "POST",
        "/edit/north-csp",
        {
            "csrf_token": hidden(form, "csrf_token"),
            "version": hidden(form, "version"),
            "name": "North Safer Partnership",
        },
    )
    assert status == 302
    assert "<h1>North Safer Partnership</h1>" in browser.get(b, "/entity/north-csp")[1]


def test_a_form_opened_on_one_server_and_saved_on_the_other_after_a_change_is_a_409(servers):
    a, b = servers
    alice, bob = Browser(), Browser()
    assert alice.sign_in(a, "alice", "alice-secret") == 302
    assert bob.sign_in(b, "alice", "alice-secret") == 302
    _, stale = bob.get(b, "/edit/north-csp")  # opened on b
    _, fresh = alice.get(a, "/edit/north-csp")
    saved = {
        "csrf_token": hidden(fresh, "csrf_token"),
        "version": hidden(fresh, "version"),
        "name": "Alice's name",
    }
    assert alice.request(a, "POST", "/edit/north-csp", saved)[0] == 302  # changed on a
    late = {
        "csrf_token": hidden(stale, "csrf_token"),
        "version": hidden(stale, "version"),
        "name": "Bob's name",
    }
    status, page = bob.request(a, "POST", "/edit/north-csp", late)  # saved through the other server
    assert status == 409
    assert "was changed by someone else since you opened this form" in page
    status, page = bob.request(b, "POST", "/edit/north-csp", late)  # and through its own
    assert status == 409
    assert "<h1>Alice&#39;s name</h1>" in alice.get(b, "/entity/north-csp")[1]


def test_a_viewer_signed_in_on_one_server_may_not_edit_on_the_other(servers):
    a, b = servers
    viewer = Browser()
    assert viewer.sign_in(a, "victor", "victor-secret") == 302
    status, _ = viewer.get(b, "/edit/north-csp")
    assert status == 403
    assert viewer.who(b) == "victor"
