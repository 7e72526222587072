"""Editing the register through the web forms: saved, validated at the field, never overwritten blindly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.websupport import copy_register, hidden, login, make_app


@pytest.fixture
def register(tmp_path: Path) -> Path:
    return copy_register(tmp_path)


@pytest.fixture
def client(register: Path) -> FlaskClient:
    client = make_app(register).test_client()
    login(client, "alice")
    return client


def form_of(client: FlaskClient, url: str) -> dict[str, str]:
    """The form fields as the page shows them, with its version token."""
    html = client.get(url).get_data(as_text=True)
    return {"version": hidden(html, "version")}


def record_form(client: FlaskClient, entity: str, **changes: str) -> dict[str, str]:
    """Every field of a record's edit form, as it is now, with some changed."""
    data = client.get(f"/api/entity/{entity}").get_json()["record"]
    form = form_of(client, f"/edit/{entity}")
    for key in ("name", "description", "purpose", "legal_basis", "meets"):
        if key in data:
            form[key] = data[key]
    form["kind"] = data.get("kind", "")
    form["status"] = data.get("status", "")
    for key in ("areas", "reports_to", "sub_group_of", "hosted_by", "links_with", "succeeded_by", "uses"):
        value = data.get(key, [])
        form[key] = ", ".join(v if isinstance(v, str) else v["to"] for v in value)
    if data.get("statutory"):
        form["statutory"] = "on"
    if data.get("top_level"):
        form["top_level"] = "on"
    form["sources"] = "\n".join(
        s["doc"] + (f" | {s['section']}" if s.get("section") else "") for s in data.get("sources", [])
    )
    form.update(changes)
    return form


def test_changing_a_name_saves_it_and_shows_it_on_the_page_and_the_map(
    client: FlaskClient, register: Path
) -> None:
    response = client.post("/edit/north-csp", data=record_form(client, "north-csp", name="North & West CSP"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/entity/north-csp"
    page = client.get("/entity/north-csp").get_data(as_text=True)
    assert "Saved: change name of &#39;north-csp&#39;." in page
    assert "<h1>North &amp; West CSP</h1>" in page
    nodes = {n["id"]: n for n in client.get("/api/graph").get_json()["nodes"]}
    assert nodes["north-csp"]["name"] == "North & West CSP"
    assert "    name: North & West CSP\n" in register.read_text(encoding="utf-8")


def test_an_edit_keeps_the_comments_and_every_other_line(client: FlaskClient, register: Path) -> None:
    before = register.read_text(encoding="utf-8").splitlines()
    client.post("/edit/north-csp", data=record_form(client, "north-csp", name="North CSP"))
    after = register.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [("    name: North Community Safety Partnership", "    name: North CSP")]
    assert "  # The top of the landscape." in after


def test_an_edit_is_written_atomically_leaving_no_temporary_file(client: FlaskClient, register: Path) -> None:
    client.post("/edit/north-csp", data=record_form(client, "north-csp", name="North CSP"))
    assert sorted(p.name for p in register.parent.iterdir()) == [
        "boards.yaml",
        "boards.yaml.audit.jsonl",
        "users.toml",
    ]


def test_every_change_is_in_the_audit_log_and_the_history_with_its_diff(
    client: FlaskClient, register: Path
) -> None:
    client.post("/edit/north-csp", data=record_form(client, "north-csp", name="North CSP"))
    lines = (register.parent / "boards.yaml.audit.jsonl").read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[-1])
    assert entry["user"] == "alice"
    assert entry["action"] == "change-record"
    assert entry["record"] == "north-csp"
    assert entry["before"]["name"] == "North Community Safety Partnership"
    assert entry["after"]["name"] == "North CSP"
    assert entry["at"].endswith("+00:00")
    history = client.get("/history?record=north-csp").get_data(as_text=True)
    assert "change name of &#39;north-csp&#39;" in history
    assert '<span class="del">-    name: North Community Safety Partnership</span>' in history
    assert '<span class="add">+    name: North CSP</span>' in history
    assert "by <strong>alice</strong>" in history


def test_a_bad_value_is_shown_at_its_field_and_nothing_is_written(
    client: FlaskClient, register: Path
) -> None:
    before = register.read_bytes()
    response = client.post(
        "/edit/north-csp", data=record_form(client, "north-csp", reports_to="county-bored")
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = html[html.index('data-field="reports_to"') :]
    field = field[: field.index('<div class="field')]
    assert "body &#39;north-csp&#39;: reports_to &#39;county-bored&#39; is not defined" in field
    assert "did you mean &#39;county-board&#39;?" in field
    assert 'value="county-bored"' in field  # what the user typed is kept
    assert register.read_bytes() == before


def test_a_new_record_with_a_bad_id_is_refused_at_the_id_field(client: FlaskClient) -> None:
    form = form_of(client, "/edit/new/themes") | {
        "id": "Knife Crime",
        "name": "Knife crime",
        "kind": "priority",
    }
    response = client.post("/edit/new/themes", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = html[html.index('data-field="id"') :]
    assert "&#39;Knife Crime&#39; is not a valid id" in field[: field.index('<div class="field')]


def test_a_new_record_without_id_name_or_kind_is_refused_at_each_of_those_fields(
    client: FlaskClient,
) -> None:
    form = form_of(client, "/edit/new/themes") | {"id": "", "name": "", "kind": "", "broader": "violence"}
    response = client.post("/edit/new/themes", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for name in ("id", "name", "kind"):
        field = html[html.index(f'data-field="{name}"') :]
        field = field[: field.index('<div class="field')]
        assert f"theme #3 in themes: missing required key &#39;{name}&#39;" in field


@pytest.mark.parametrize("text", ["Yes", "No", "On", "Off", "12:30", "1:20:30", "~", "null", "2024-01-01"])
def test_ordinary_text_that_yaml_1_1_reads_as_another_type_is_saved_from_the_form(
    client: FlaskClient, text: str
) -> None:
    response = client.post("/edit/north-csp", data=record_form(client, "north-csp", description=text))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get("/api/entity/north-csp").get_json()["record"]["description"] == text


def test_a_new_record_is_saved_and_opens_its_page(client: FlaskClient) -> None:
    form = form_of(client, "/edit/new/themes") | {
        "id": "knife-crime",
        "name": "Knife crime",
        "kind": "priority",
        "broader": "violence",
    }
    response = client.post("/edit/new/themes", data=form)
    assert response.status_code == 302 and response.headers["Location"] == "/entity/knife-crime"
    assert "broader theme" in client.get("/entity/knife-crime").get_data(as_text=True)


def test_a_membership_is_added_changed_and_removed(client: FlaskClient, register: Path) -> None:
    form = form_of(client, "/edit/drugs-group/members/new") | {
        "member": "testshire-police",
        "role": "vice-chair",
    }
    assert client.post("/edit/drugs-group/members/new", data=form).status_code == 302
    members = client.get("/api/entity/drugs-group").get_json()["record"]["members"]
    assert members[-1] == {"member": "testshire-police", "role": "vice-chair"}
    form = form_of(client, "/edit/drugs-group/members/1") | {"member": "testshire-police", "role": "chair"}
    assert client.post("/edit/drugs-group/members/1", data=form).status_code == 302
    assert client.get("/api/entity/drugs-group").get_json()["record"]["members"][-1]["role"] == "chair"
    form = form_of(client, "/edit/drugs-group")
    assert client.post("/edit/drugs-group/members/1/remove", data=form).status_code == 302
    assert len(client.get("/api/entity/drugs-group").get_json()["record"]["members"]) == 1


def test_a_membership_of_an_unknown_member_is_refused_at_the_member_field(client: FlaskClient) -> None:
    form = form_of(client, "/edit/drugs-group/members/new") | {"member": "testshire-polce", "role": "member"}
    response = client.post("/edit/drugs-group/members/new", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = html[html.index('data-field="member"') :]
    assert (
        "members &#39;testshire-polce&#39; is not defined (did you mean &#39;testshire-police&#39;?)" in field
    )


def test_a_theme_link_is_added_with_its_role(client: FlaskClient) -> None:
    form = form_of(client, "/edit/north-csp/themes/new") | {"theme": "drugs", "role": "lead"}
    client.post("/edit/county-board/themes/new", data=form)
    themes = client.get("/api/entity/county-board").get_json()["record"]["themes"]
    assert themes[-1] == {"theme": "drugs", "role": "lead"}


def test_removing_a_record_others_refer_to_is_refused_with_the_reasons(client: FlaskClient) -> None:
    response = client.post("/edit/drugs-group/remove", data=form_of(client, "/edit/drugs-group/remove"))
    assert response.status_code == 302  # nothing refers to it
    response = client.post("/edit/county-board/remove", data=form_of(client, "/edit/county-board/remove"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "body &#39;north-csp&#39;: reports_to &#39;county-board&#39; is not defined" in html


def test_an_edit_based_on_a_stale_version_is_refused_with_409_and_keeps_what_was_typed(
    client: FlaskClient, register: Path
) -> None:
    stale = record_form(client, "north-csp", name="Bob's name")
    assert (
        client.post("/edit/north-csp", data=record_form(client, "north-csp", name="Alice's name")).status_code
        == 302
    )
    saved = register.read_bytes()
    response = client.post("/edit/north-csp", data=stale)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "the register was changed by someone else since you opened this form" in html
    assert "change name of &#39;north-csp&#39; by alice" in html
    assert 'value="Bob&#39;s name"' in html  # nothing the user typed is lost
    assert "<dd>Alice&#39;s name</dd>" in html  # and they see what is saved now
    assert register.read_bytes() == saved
    assert hidden(html, "version") != stale["version"]  # saving again is a deliberate choice


def test_the_api_reports_a_conflict_as_409_too(register: Path) -> None:
    from govmap.ingest.edits import ChangeRecord
    from govmap.ingest.errors import EditConflict
    from govmap.ingest.store import YamlStore

    store = YamlStore(register)
    _, version = store.load()
    store.apply(ChangeRecord("north-csp", {"name": "One"}), version, "alice")
    with pytest.raises(EditConflict) as caught:
        store.apply(ChangeRecord("north-csp", {"name": "Two"}), version, "bob")
    assert caught.value.status == 409
