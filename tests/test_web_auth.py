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
    from govmap.webviz.auth import UsersFileInvalid

    users = register.parent / "bad.toml"
    users.write_text('[users.eve]\npassword = "x"\nrole = "admin"\n', encoding="utf-8")
    with pytest.raises(UsersFileInvalid, match="user 'eve': role must be 'editor' or 'viewer', not 'admin'"):
        make_app(register, GOVMAP_USERS=str(users))
