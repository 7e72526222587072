"""Who may see and who may change the register; CSRF on every form."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.websupport import copy_register, hidden, login, make_app

EDITOR_ROUTES = [
    ("GET", "/edit/north-csp"),
    ("POST", "/edit/north-csp"),
    ("GET", "/edit/new/bodies"),
    ("POST", "/edit/new/bodies"),
    ("GET", "/edit/north-csp/remove"),
    ("POST", "/edit/north-csp/remove"),
    ("GET", "/edit/north-csp/members/new"),
    ("POST", "/edit/north-csp/members/new"),
    ("GET", "/edit/north-csp/members/0"),
    ("POST", "/edit/north-csp/members/0"),
    ("POST", "/edit/north-csp/members/0/remove"),
]


@pytest.fixture
def register(tmp_path: Path) -> Path:
    return copy_register(tmp_path)


@pytest.fixture
def client(register: Path) -> FlaskClient:
    return make_app(register).test_client()


@pytest.mark.parametrize(("method", "url"), EDITOR_ROUTES)
def test_an_anonymous_visitor_is_sent_to_sign_in_before_editing(
    client: FlaskClient, method: str, url: str
) -> None:
    response = client.open(url, method=method)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=" + url


@pytest.mark.parametrize(("method", "url"), EDITOR_ROUTES)
def test_a_viewer_may_not_edit(client: FlaskClient, method: str, url: str) -> None:
    login(client, "victor")
    response = client.open(url, method=method)
    assert response.status_code == 403
    assert "&#39;victor&#39; may view the register but not change it" in response.get_data(as_text=True)


def test_no_edit_writes_anything_without_an_editor(client: FlaskClient, register: Path) -> None:
    before = register.read_bytes()
    for method, url in EDITOR_ROUTES:
        client.open(url, method=method, data={"name": "x", "member": "north-council"})
    assert register.read_bytes() == before


def test_viewing_is_open_by_default(client: FlaskClient) -> None:
    assert client.get("/").status_code == 200
    assert client.get("/api/entities").status_code == 200


def test_viewing_can_require_a_login(register: Path) -> None:
    client = make_app(register, GOVMAP_LOGIN_REQUIRED=True).test_client()
    response = client.get("/entity/north-csp")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/entity/north-csp"
    api = client.get("/api/entities")
    assert api.status_code == 401 and api.get_json()["error"] == "sign in to see the register"
    assert client.get("/login").status_code == 200
    static = client.get("/static/map.js")
    static.close()
    assert static.status_code == 200
    login(client, "victor")
    assert client.get("/entity/north-csp").status_code == 200


def test_a_wrong_password_is_refused_with_one_message_for_name_and_password(client: FlaskClient) -> None:
    for name, password in (("alice", "wrong"), ("nobody", "alice-secret")):
        response = client.post("/login", data={"username": name, "password": password})
        assert response.status_code == 401
        assert "Wrong name or password." in response.get_data(as_text=True)


def test_signing_in_returns_to_a_local_page_only(client: FlaskClient) -> None:
    ok = client.post(
        "/login", data={"username": "alice", "password": "alice-secret", "next": "/entity/north-csp"}
    )
    assert ok.headers["Location"] == "/entity/north-csp"
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            "/login", data={"username": "alice", "password": "alice-secret", "next": target}
        )
        assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "target",
    ["/\t/evil.example", "/\n/x", "/\r\n/evil.example", "/ /evil.example", "/\x00/x", "\t//evil.example"],
)
def test_a_next_page_with_a_control_character_or_space_goes_to_the_map(
    client: FlaskClient, target: str
) -> None:
    response = client.post("/login", data={"username": "alice", "password": "alice-secret", "next": target})
    assert (response.status_code, response.headers["Location"]) == (302, "/")


def test_signing_out_ends_the_session(client: FlaskClient) -> None:
    login(client, "alice")
    assert client.post("/logout").status_code == 302
    assert client.get("/edit/north-csp").status_code == 302


def test_a_trusted_proxy_header_signs_in_an_editor_named_in_govmap_editors(register: Path) -> None:
    app = make_app(register, GOVMAP_TRUSTED_USER_HEADER="X-Forwarded-User", GOVMAP_EDITORS="carol")
    client = app.test_client()
    assert client.get("/edit/north-csp", headers={"X-Forwarded-User": "carol"}).status_code == 200
    assert client.get("/edit/north-csp", headers={"X-Forwarded-User": "dave"}).status_code == 403
    assert client.get("/edit/north-csp").status_code == 302


def test_the_proxy_header_is_ignored_unless_configured(client: FlaskClient) -> None:
    assert client.get("/edit/north-csp", headers={"X-Forwarded-User": "alice"}).status_code == 302


# -- CSRF ---------------------------------------------------------------------------


@pytest.fixture
def guarded(register: Path) -> FlaskClient:
    client = make_app(register, WTF_CSRF_ENABLED=True).test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={"username": "alice", "password": "alice-secret", "csrf_token": hidden(page, "csrf_token")},
    )
    assert response.status_code == 302
    return client


def test_a_form_without_its_csrf_token_is_refused(guarded: FlaskClient, register: Path) -> None:
    before = register.read_bytes()
    page = guarded.get("/edit/north-csp").get_data(as_text=True)
    response = guarded.post("/edit/north-csp", data={"version": hidden(page, "version"), "name": "Forged"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "The form was refused: The CSRF token is missing." in text
    assert register.read_bytes() == before


def test_a_form_with_a_forged_csrf_token_is_refused(guarded: FlaskClient) -> None:
    page = guarded.get("/edit/north-csp").get_data(as_text=True)
    response = guarded.post(
        "/edit/north-csp/members/0/remove", data={"version": hidden(page, "version"), "csrf_token": "forged"}
    )
    assert response.status_code == 400


def test_signing_in_and_out_need_the_csrf_token_too(register: Path) -> None:
    client = make_app(register, WTF_CSRF_ENABLED=True).test_client()
    assert client.post("/login", data={"username": "alice", "password": "alice-secret"}).status_code == 400
    assert client.post("/logout").status_code == 400


def test_a_form_with_its_csrf_token_is_accepted(guarded: FlaskClient) -> None:
    page = guarded.get("/edit/drugs-group/members/new").get_data(as_text=True)
    response = guarded.post(
        "/edit/drugs-group/members/new",
        data={
            "version": hidden(page, "version"),
            "csrf_token": hidden(page, "csrf_token"),
            "member": "north-council",
        },
    )
    assert response.status_code == 302


def test_a_users_file_with_a_bad_role_stops_the_app_with_a_message(register: Path) -> None:
    from govmap.webviz.accounts import UsersFileInvalid

    users = register.parent / "bad.toml"
    users.write_text('[users.eve]\npassword = "x"\nrole = "admin"\n', encoding="utf-8")
    with pytest.raises(UsersFileInvalid, match="user 'eve': role must be 'editor' or 'viewer', not 'admin'"):
        make_app(register, GOVMAP_USERS=str(users))


# -- throttling and sessions (issue 13) ---------------------------------------------------


def wrong(client: FlaskClient, name: str = "alice", address: str = "10.0.0.1") -> int:
    response = client.post(
        "/login",
        data={"username": name, "password": "not-the-password"},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code


def test_five_failed_sign_ins_lock_the_account_out_with_429_and_retry_after(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="govmap.webviz.auth")
    assert [wrong(client, address=f"10.0.0.{n}") for n in range(5)] == [401] * 5
    response = client.post(
        "/login",
        data={"username": "alice", "password": "alice-secret"},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    assert "Too many failed sign-ins: wait before trying again." in response.get_data(as_text=True)
    messages = [r.getMessage() for r in caplog.records]
    assert messages.count("failed sign-in for 'alice' from 10.0.0.0") == 1
    assert "lockout of account:alice for 60s after repeated failed sign-ins" in messages
    assert "sign-in refused for 'alice' from 10.9.9.9: locked out for 60s more" in messages
    assert not any("not-the-password" in m or "alice-secret" in m for m in messages)


def test_five_failures_from_one_address_lock_it_out_whatever_the_names(client: FlaskClient) -> None:
    assert [wrong(client, name=f"user{n}") for n in range(5)] == [401] * 5
    assert wrong(client, name="someone-else") == 429
    assert wrong(client, name="someone-else", address="10.0.0.2") == 401


def test_lockouts_double_each_time_and_end(client: FlaskClient) -> None:
    now = [1000.0]
    client.application.extensions["govmap.throttle"].clock = lambda: now[0]
    for _ in range(5):
        wrong(client)
    now[0] += 61
    for _ in range(5):
        wrong(client, address="10.0.0.3")
    response = client.post("/login", data={"username": "alice", "password": "alice-secret"})
    assert (response.status_code, response.headers["Retry-After"]) == (429, "120")
    now[0] += 121
    login(client, "alice")


def test_a_locked_out_sign_in_does_no_password_hashing(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govmap.webviz import auth

    for _ in range(5):
        wrong(client)
    calls: list[str] = []
    real = auth.check_login
    monkeypatch.setattr(auth, "check_login", lambda n, p: calls.append(n) or real(n, p))
    assert wrong(client) == 429
    assert calls == []


def test_signing_out_revokes_the_session_so_a_replayed_cookie_cannot_edit(
    client: FlaskClient, register: Path
) -> None:
    login(client, "alice")
    cookie = client.get_cookie("session")
    assert cookie is not None
    page = client.get("/edit/north-csp").get_data(as_text=True)
    client.post("/logout")
    client.set_cookie("session", cookie.value)  # the stolen or replayed cookie
    before = register.read_bytes()
    response = client.post("/edit/north-csp", data={"version": hidden(page, "version"), "name": "Replayed"})
    assert (response.status_code, response.headers["Location"]) == (302, "/login?next=/edit/north-csp")
    assert register.read_bytes() == before


def test_a_revoked_session_is_refused_by_a_second_server_process_too(register: Path) -> None:
    one, two = make_app(register).test_client(), make_app(register).test_client()
    login(one, "alice")
    cookie = one.get_cookie("session")
    assert cookie is not None
    two.set_cookie("session", cookie.value)
    assert two.get("/edit/north-csp").status_code == 200
    one.post("/logout")
    assert two.get("/edit/north-csp").status_code == 302


def test_a_session_ends_when_idle_too_long_and_after_its_maximum_age(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from govmap.webviz import sessions

    start = time.time()
    now = [start]
    monkeypatch.setattr(sessions.time, "time", lambda: now[0])
    login(client, "alice")
    statuses = []
    for _ in range(8):  # used every 100 minutes: never idle for 120, but 13 h 20 m in all
        now[0] += 100 * 60
        statuses.append(client.get("/edit/north-csp").status_code)
    assert statuses == [200] * 7 + [302]  # ended past 12 hours
    login(client, "alice")
    now[0] += 121 * 60
    assert client.get("/edit/north-csp").status_code == 302


def test_changing_a_password_ends_the_sessions_signed_in_with_the_old_one(
    client: FlaskClient, register: Path
) -> None:
    from werkzeug.security import generate_password_hash

    login(client, "alice")
    assert client.get("/edit/north-csp").status_code == 200
    users = register.parent / "users.toml"
    text = users.read_text(encoding="utf-8")
    old_hash = text.split('password = "', 1)[1].split('"', 1)[0]
    users.write_text(
        text.replace(old_hash, generate_password_hash("new-secret", method="pbkdf2:sha256:1000")),
        encoding="utf-8",
    )
    assert client.get("/edit/north-csp").status_code == 302


def test_a_csrf_token_ends_with_its_session(guarded: FlaskClient) -> None:
    page = guarded.get("/edit/drugs-group/members/new").get_data(as_text=True)
    token = hidden(page, "csrf_token")
    login_page = guarded.get("/").get_data(as_text=True)
    guarded.post("/logout", data={"csrf_token": hidden(login_page, "csrf_token")})
    fresh = guarded.get("/login").get_data(as_text=True)
    guarded.post(
        "/login",
        data={"username": "alice", "password": "alice-secret", "csrf_token": hidden(fresh, "csrf_token")},
    )
    response = guarded.post(
        "/edit/drugs-group/members/new",
        data={"version": hidden(page, "version"), "csrf_token": token, "member": "north-council"},
    )
    assert response.status_code == 400
    assert "The form was refused: The CSRF session token is missing." in response.get_data(as_text=True)


# -- say less to strangers (issue 13) ------------------------------------------------------

PAGES = ["/", "/entities", "/entity/north-csp", "/report", "/history", "/paths", "/login"]


def test_pages_for_anonymous_visitors_and_viewers_show_no_server_path(
    client: FlaskClient, register: Path
) -> None:
    for url in PAGES:
        html = client.get(url).get_data(as_text=True)
        assert str(register.parent) not in html, url
        assert "Register: <code>Testshire" in html, url
    login(client, "victor")
    assert str(register.parent) not in client.get("/").get_data(as_text=True)
    login(client, "alice")
    assert f"Register: <code>{register}</code>" in client.get("/").get_data(as_text=True)


def test_a_broken_register_shows_its_problems_to_editors_only_and_logs_them(
    client: FlaskClient, register: Path, caplog: pytest.LogCaptureFixture
) -> None:
    register.write_text(register.read_text(encoding="utf-8") + "\nbodies: [oops\n", encoding="utf-8")
    response = client.get("/entities")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "The register cannot be shown just now: its file has a problem." in html
    assert str(register.parent) not in html
    assert any("the register cannot be read" in r.getMessage() for r in caplog.records)
    login(client, "alice")
    html = client.get("/entities").get_data(as_text=True)
    assert f"{register}:" in html


def test_history_names_editors_only_to_signed_in_users(register: Path) -> None:
    client = make_app(register).test_client()
    login(client, "alice")
    page = client.get("/edit/north-csp").get_data(as_text=True)
    client.post("/edit/north-csp", data={"version": hidden(page, "version"), "name": "North CSP"})
    assert "by <strong>alice</strong>" in client.get("/history").get_data(as_text=True)
    client.post("/logout")
    html = client.get("/history").get_data(as_text=True)
    assert "change name of &#39;north-csp&#39;" in html and "alice" not in html
    open_names = make_app(register, GOVMAP_HISTORY_NAMES="everyone").test_client()
    assert "by <strong>alice</strong>" in open_names.get("/history").get_data(as_text=True)


# -- sign-in under load (issue 26, defects 1 and 4) ----------------------------------------


class HeldChecks:
    """Stands in for the password hash only (the pool, the throttle and the views are real):
    each check waits until ``release`` is set, so a test can hold sign-ins mid-check."""

    def __init__(self) -> None:
        import threading

        self.release = threading.Event()
        self.entered: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, stored: str, password: str) -> bool:
        with self._lock:
            self.entered.append(password)
        assert self.release.wait(30), "the test never released the password checks"
        return False


def _wrong_from(app, address: str) -> tuple[int, str | None, str]:
    response = app.test_client().post(
        "/login",
        data={"username": "alice", "password": "not-the-password"},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code, response.headers.get("Retry-After"), response.get_data(as_text=True)


def _until(condition, seconds: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def test_a_sign_in_when_every_password_check_is_busy_is_refused_at_once_with_503_and_retry_after(
    register: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from govmap.webviz import auth

    held = HeldChecks()
    monkeypatch.setattr(auth, "check_password_hash", held)
    app = make_app(register, GOVMAP_LOGIN_CONCURRENCY=1, GOVMAP_LOGIN_QUEUE=0)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(_wrong_from, app, "10.0.0.1")
        _until(lambda: len(held.entered) == 1)
        # The only check is busy: the next sign-in is answered now, not after a wait...
        status, retry_after, text = _wrong_from(app, "10.0.0.2")
        # ...and other pages answer meanwhile.
        assert app.test_client().get("/entities").status_code == 200
        held.release.set()
        assert first.result()[0] == 401
    assert (status, retry_after) == (503, "1")
    assert "Too many sign-ins at once: try again in a moment." in text
    assert len(held.entered) == 1


def test_a_burst_of_concurrent_wrong_sign_ins_gets_exactly_five_password_checks_and_one_lockout(
    register: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from govmap.webviz import auth

    caplog.set_level("INFO", logger="govmap.webviz.auth")
    held = HeldChecks()
    monkeypatch.setattr(auth, "check_password_hash", held)
    app = make_app(register, GOVMAP_LOGIN_CONCURRENCY=20, GOVMAP_LOGIN_QUEUE=0)
    with ThreadPoolExecutor(12) as pool:
        futures = [pool.submit(_wrong_from, app, f"10.0.1.{n}") for n in range(12)]
        _until(lambda: len(held.entered) + sum(f.done() for f in futures) == 12)
        held.release.set()
        results = [f.result() for f in futures]
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [401] * 5 + [429] * 7
    assert len(held.entered) == 5
    messages = [r.getMessage() for r in caplog.records]
    assert [m for m in messages if m.startswith("lockout of account:alice")] == [
        "lockout of account:alice for 60s after repeated failed sign-ins"
    ]
    assert _wrong_from(app, "10.0.2.1")[:2] in ((429, "60"), (429, "59"))


def test_lockouts_grow_to_their_cap_and_never_drop_back_to_the_shortest(register: Path) -> None:
    app = make_app(register, GOVMAP_LOGIN_MAX_LOCKOUT=240)
    client = app.test_client()
    now = [1000.0]
    app.extensions["govmap.throttle"].clock = lambda: now[0]
    waits = []
    for round_ in range(5):
        for n in range(5):
            wrong(client, address=f"10.1.{round_}.{n}")
        response = client.post("/login", data={"username": "alice", "password": "alice-secret"})
        waits.append(response.headers["Retry-After"])
        now[0] += int(response.headers["Retry-After"]) + 1
    assert waits == ["60", "120", "240", "240", "240"]
