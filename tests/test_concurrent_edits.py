"""Many editors at once, through HTTP against served apps: nothing lost, and edits to
different records never refuse each other (record-level versions)."""

from __future__ import annotations

import http.cookiejar
import json
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from govmap.ingest.reading.load import load_register
from tests.websupport import ACCOUNTS, write_users

ROOT = Path(__file__).resolve().parent.parent
EDITORS = 100

#: Serves the app on a free port and prints it (run in a separate process).
SERVER = """
import logging, sys
from waitress.server import create_server
from govmap.webviz import create_app
app = create_app({"GOVMAP_REGISTER": sys.argv[1], "GOVMAP_USERS": sys.argv[2], "SECRET_KEY": "shared-secret",
                  "WTF_CSRF_ENABLED": False})
server = create_server(app, host="127.0.0.1", port=0, threads=8)
logging.getLogger("waitress.queue").setLevel(logging.ERROR)
print(server.effective_port, flush=True)
server.run()
"""


def themes_register(tmp_path: Path, n: int) -> Path:
    lines = ["govmap: 1", "themes:"]
    for i in range(n):
        lines += [f"  - id: theme-{i}", f"    name: Theme {i}", "    kind: priority"]
    path = tmp_path / "boards.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    """Two server processes on one register file."""
    register = themes_register(tmp_path, EDITORS)
    users = write_users(tmp_path)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SERVER, str(register), str(users)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        urls = []
        for proc in procs:
            assert proc.stdout is not None
            urls.append(f"http://127.0.0.1:{proc.stdout.readline().strip()}")
        yield register, urls
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
            if proc.stdout is not None:
                proc.stdout.close()


class Editor:
    """One browser: its own cookies."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def login(self, name: str = "alice") -> None:
        status, _ = self.request("/login", {"username": name, "password": ACCOUNTS[name][0]})
        assert status == 302

    def version(self, record: str) -> str:
        status, html = self.request(f"/edit/{record}")
        assert status == 200, html
        m = re.search(r'name="version" value="([^"]*)"', html)
        assert m
        return m.group(1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def run_editors(urls: list[str], records: list[str], text: str = "Edited by {n}") -> list[int]:
    """Every editor opens its form first, then all save at once; the HTTP statuses of the saves."""
    editors = [Editor(urls[n % len(urls)]) for n in range(len(records))]
    for e in editors[: len(urls)]:
        e.login()
    for n, e in enumerate(editors[len(urls) :], len(urls)):
        e.opener = editors[n % len(urls)].opener  # one signed-in browser per server, shared
    versions = [e.version(r) for e, r in zip(editors, records, strict=True)]
    start = threading.Barrier(len(records))

    def save(n: int) -> int:
        start.wait()
        status, _ = editors[n].request(
            f"/edit/{records[n]}", {"version": versions[n], "description": text.format(n=n)}
        )
        return status

    with ThreadPoolExecutor(len(records)) as pool:
        return list(pool.map(save, range(len(records))))


def audit(register: Path) -> list[dict[str, object]]:
    path = register.with_name(register.name + ".audit.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def test_a_hundred_editors_of_a_hundred_records_on_two_servers_are_all_saved(
    servers: tuple[Path, list[str]],
) -> None:
    register, urls = servers
    records = [f"theme-{n}" for n in range(EDITORS)]
    statuses = run_editors(urls, records)
    assert statuses.count(302) == EDITORS
    saved = load_register(register)
    assert [saved.get(r).description for r in records] == [f"Edited by {n}" for n in range(EDITORS)]
    entries = audit(register)
    assert sorted(e["record"] for e in entries) == sorted(records)
    assert len(entries) == EDITORS


def test_a_hundred_editors_of_one_record_on_two_servers_one_is_saved_and_99_refused(
    servers: tuple[Path, list[str]],
) -> None:
    register, urls = servers
    statuses = run_editors(urls, ["theme-7"] * EDITORS)
    assert (statuses.count(302), statuses.count(409)) == (1, EDITORS - 1)
    entries = audit(register)
    assert len(entries) == 1
    winner = entries[0]["after"]
    assert isinstance(winner, dict)
    assert load_register(register).get("theme-7").description == winner["description"]


def test_govmap_serve_under_a_burst_logs_no_task_queue_depth_lines(tmp_path: Path) -> None:
    import os

    register = themes_register(tmp_path, 3)
    proc = subprocess.Popen(
        [sys.executable, "-m", "govmap", "serve", str(register), "--port", "0", "--threads", "1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "GOVMAP_SECRET_KEY": "test"},
    )
    try:
        assert proc.stdout is not None
        base = re.search(r"http://[^/]+", proc.stdout.readline())
        assert base
        with ThreadPoolExecutor(30) as pool:
            statuses = list(pool.map(lambda _: Editor(base.group(0)).request("/entities")[0], range(30)))
        assert statuses == [200] * 30
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Task queue depth" not in err
