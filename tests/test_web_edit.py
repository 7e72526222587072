"""Editing the register through the web forms: saved, validated at the field, never overwritten blindly."""

from __future__ import annotations

import json
import re
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
    assert (
        "No record has the id &#39;county-bored&#39;: choose which body this reports to "
        "(did you mean &#39;county-board&#39;?)" in field
    )
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
    assert (
        "Enter an id of lowercase letters, digits and hyphens only, such as &#39;knife-crime&#39;"
        in field[: field.index('<div class="field')]
    )


def test_a_new_record_without_id_name_or_kind_is_refused_at_each_of_those_fields(
    client: FlaskClient,
) -> None:
    form = form_of(client, "/edit/new/themes") | {"id": "", "name": "", "kind": "", "broader": "violence"}
    response = client.post("/edit/new/themes", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for name, message in (
        ("id", "Enter an id: lowercase letters, digits and hyphens, such as the name in short"),
        ("name", "Enter a name"),
        ("kind", "Choose what kind of theme this is"),
    ):
        field = html[html.index(f'data-field="{name}"') :]
        field = field[: field.index('<div class="field')]
        assert f'<span class="visually-hidden">Error:</span> {message}</p>' in field
        assert f'<li><a href="#f-{name}">{message}</a></li>' in html
    assert "missing required key" not in html


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
        "No record has the id &#39;testshire-polce&#39;: choose who the member is "
        "(did you mean &#39;testshire-police&#39;?)" in field
    )


def test_a_theme_link_is_added_with_its_role(client: FlaskClient) -> None:
    form = form_of(client, "/edit/county-board/themes/new") | {"theme": "drugs", "role": "lead"}
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
    assert "&#39;north-csp&#39; was changed by someone else since you opened this form" in html
    assert "change name of &#39;north-csp&#39; by alice" in html
    assert 'value="Bob&#39;s name"' in html  # nothing the user typed is lost
    # and they see their text beside what is saved now
    assert '<td><pre class="yours">Bob&#39;s name</pre></td>' in html
    assert '<td><pre class="theirs">Alice&#39;s name</pre></td>' in html
    assert register.read_bytes() == saved
    assert hidden(html, "version") != stale["version"]  # saving again is a deliberate choice


def test_the_api_reports_a_conflict_as_409_too(register: Path) -> None:
    from govmap.ingest.errors import EditConflict
    from govmap.ingest.store.edit_values import ChangeRecord
    from govmap.ingest.store.yamlstore import YamlStore

    store = YamlStore(register)
    _, version = store.load()
    store.apply(ChangeRecord("north-csp", {"name": "One"}), version, "alice")
    with pytest.raises(EditConflict) as caught:
        store.apply(ChangeRecord("north-csp", {"name": "Two"}), version, "bob")
    assert caught.value.status == 409


# -- record-level versions, partial POSTs, text at the edge (issue 13) --------------------


def test_forms_opened_at_one_time_on_different_records_are_all_saved(client: FlaskClient) -> None:
    forms = {
        rid: record_form(client, rid, description=f"About {rid}") for rid in ("north-csp", "drugs-group")
    }
    for rid, form in forms.items():
        assert client.post(f"/edit/{rid}", data=form).status_code == 302
    for rid in forms:
        assert client.get(f"/api/entity/{rid}").get_json()["record"]["description"] == f"About {rid}"


def test_a_conflict_shows_both_texts_with_their_line_breaks(client: FlaskClient) -> None:
    stale = record_form(client, "drugs-group", description="Mine, line one\nmine, line two")
    client.post(
        "/edit/drugs-group", data=record_form(client, "drugs-group", description="Theirs one\nTheirs two")
    )
    html = client.post("/edit/drugs-group", data=stale).get_data(as_text=True)
    assert '<pre class="yours">Mine, line one\nmine, line two</pre>' in html
    assert '<pre class="theirs">Theirs one\nTheirs two</pre>' in html
    assert "change description of &#39;drugs-group&#39; by alice at " in html


@pytest.mark.parametrize("token", [None, "", "not-a-version"])
def test_a_missing_or_garbage_version_is_refused_with_400_not_called_a_conflict(
    client: FlaskClient, register: Path, token: str | None
) -> None:
    form = record_form(client, "north-csp", name="X")
    if token is None:
        del form["version"]
    else:
        form["version"] = token
    before = register.read_bytes()
    response = client.post("/edit/north-csp", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "the form carries no valid version token" in html
    assert "changed by someone else" not in html
    assert register.read_bytes() == before


def test_a_post_that_leaves_fields_out_changes_only_the_fields_it_sends(client: FlaskClient) -> None:
    client.post("/edit/county-board", data=record_form(client, "county-board", description="About it"))
    before = client.get("/api/entity/county-board").get_json()["record"]
    assert before["sources"] and before["description"] and before["statutory"] and before["areas"]
    version = form_of(client, "/edit/county-board")["version"]
    response = client.post(
        "/edit/county-board", data={"version": version, "name": "The Board", "kind": "board"}
    )
    assert response.status_code == 302
    after = client.get("/api/entity/county-board").get_json()["record"]
    assert after == before | {"name": "The Board"}


def test_a_field_sent_empty_is_deleted_explicitly(client: FlaskClient) -> None:
    version = form_of(client, "/edit/north-csp")["version"]
    client.post("/edit/north-csp", data={"version": version, "description": ""})
    assert "description" not in client.get("/api/entity/north-csp").get_json()["record"]


def test_a_link_post_that_leaves_fields_out_keeps_them(client: FlaskClient) -> None:
    item = client.get("/api/entity/county-board").get_json()["record"]["members"][0]
    version = form_of(client, "/edit/county-board/members/0")["version"]
    client.post("/edit/county-board/members/0", data={"version": version, "note": "Chair since 2024"})
    after = client.get("/api/entity/county-board").get_json()["record"]["members"][0]
    assert after == (item if isinstance(item, dict) else {"member": item}) | {"note": "Chair since 2024"}


def test_a_line_separator_typed_in_a_form_is_saved_as_a_line_break_read_back_audited_and_edited_again(
    client: FlaskClient, register: Path
) -> None:
    form = record_form(client, "north-csp", description="One\u2028two\u0085three\u2029four", name="A\u2028B")
    assert client.post("/edit/north-csp", data=form).status_code == 302
    record = client.get("/api/entity/north-csp").get_json()["record"]
    assert (record["name"], record["description"]) == ("A B", "One\ntwo\nthree\nfour")
    history = client.get("/history?record=north-csp").get_data(as_text=True)
    assert "change name, description of &#39;north-csp&#39;" in history
    assert (
        client.post("/edit/drugs-group", data=record_form(client, "drugs-group", name="Next")).status_code
        == 302
    )
    assert client.get("/api/entity/drugs-group").get_json()["record"]["name"] == "Next"


def test_a_control_character_typed_in_a_form_is_refused_at_its_field(
    client: FlaskClient, register: Path
) -> None:
    before = register.read_bytes()
    response = client.post("/edit/north-csp", data=record_form(client, "north-csp", name="Red \x1b[31m"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert (
        "Remove the control character U+001B (ESCAPE): it is invisible and cannot be kept in the register"
        in html
    )
    assert register.read_bytes() == before


def test_a_url_that_is_not_a_web_address_is_refused_in_the_file() -> None:
    from govmap.ingest.reading.load import check_text

    checked = check_text(
        "govmap: 1\ndocuments:\n  - {id: d, name: D, kind: report, url: 'javascript:alert(1)'}\n"
    )
    assert [p.message for p in checked.errors] == [
        "document 'd': url: must be a web address starting http:// or https://, not 'javascript:alert(1)'"
    ]


def test_a_record_with_the_id_new_can_be_removed(register: Path) -> None:
    text = register.read_text(encoding="utf-8")
    register.write_text(text.replace("  - id: drugs-group\n", "  - id: new\n"), encoding="utf-8")
    client = make_app(register).test_client()
    login(client, "alice")
    page = client.get("/edit/new/remove")
    assert page.status_code == 200 and "Remove " in page.get_data(as_text=True)
    response = client.post(
        "/edit/new/remove", data={"version": hidden(page.get_data(as_text=True), "version")}
    )
    assert response.status_code == 302
    assert client.get("/api/entity/new").status_code == 404


def test_the_link_edit_page_title_names_the_link_kind(client: FlaskClient) -> None:
    html = client.get("/edit/north-csp/reports_to/0").get_data(as_text=True)
    assert "<title>Reports to link of North Community Safety Partnership" in html
    assert "Macro" not in html


def _field_order(html: str) -> list[str]:
    form = html[html.index('id="record-form"') :]
    form = form[: form.index("</form>")]
    return re.findall(r'<div class="field[^"]*" data-field="([a-z_]+)"', form)


def test_a_body_form_opens_with_the_name_and_most_changed_fields_and_ends_with_sources_and_status(
    client: FlaskClient,
) -> None:
    order = _field_order(client.get("/edit/north-csp").get_data(as_text=True))
    assert order[:7] == ["name", "id", "kind", "purpose", "description", "areas", "reports_to"]
    assert order[-2:] == ["sources", "status"]
    order = _field_order(client.get("/edit/new/bodies").get_data(as_text=True))
    assert order[:3] == ["name", "id", "kind"] and order[-2:] == ["sources", "status"]


def test_every_record_and_link_form_puts_sources_and_status_last() -> None:
    from govmap.ingest.model import SECTIONS
    from govmap.webviz import form_fields

    for section in SECTIONS:
        names = [s.name for s in form_fields.record_fields(section)]
        assert names[0] == "name" and names[-2:] == ["sources", "status"], section
    for field_name, target in (("members", "member"), ("themes", "theme"), ("reports_to", "to")):
        names = [s.name for s in form_fields.link_fields(field_name)]
        assert names[0] == target and names[-2:] == ["sources", "status"], field_name


def test_a_new_record_is_written_id_first_and_sources_last_whatever_the_form_order(
    client: FlaskClient, register: Path
) -> None:
    form = form_of(client, "/edit/new/themes") | {
        "name": "Knife crime",
        "id": "knife-crime",
        "kind": "priority",
        "status": "unconfirmed",
        "sources": "csa-2024 | Priorities",
    }
    assert client.post("/edit/new/themes", data=form).status_code == 302
    text = register.read_text(encoding="utf-8")
    written = text[text.index("- id: knife-crime") :].splitlines()
    assert [line.strip().split(":")[0] for line in written[:6]] == [
        "- id",
        "name",
        "kind",
        "status",
        "sources",
        "- doc",
    ]


def test_the_link_lists_of_an_edit_form_show_names_with_the_id_as_secondary_text(
    client: FlaskClient,
) -> None:
    html = client.get("/edit/north-csp").get_data(as_text=True)
    lists = html[html.index('<section class="link-lists">') :]
    assert re.findall(r'<section class="link-list" data-field="([a-z_]+)"', lists)[:4] == [
        "areas",
        "reports_to",
        "members",
        "themes",
    ]
    reports = lists[lists.index('data-field="reports_to"') :]
    reports = reports[: reports.index("</section>")]
    assert (
        '<li data-target="county-board"><a href="/entity/county-board">Testshire Community Safety Board</a>'
        ' <span class="secondary id">(county-board)</span>'
    ) in reports
    assert '<span class="visually-hidden"> Testshire Community Safety Board</span>' in reports


def test_the_link_edit_page_names_the_record_it_links_to(client: FlaskClient) -> None:
    html = client.get("/edit/north-csp/reports_to/0").get_data(as_text=True)
    assert (
        "<title>Reports to link of North Community Safety Partnership: Testshire Community Safety Board"
        " · govmap</title>"
    ) in html
    assert (
        '<p class="link-target">Links to <a href="/entity/county-board">Testshire Community Safety Board</a>'
        ' <span class="secondary id">(county-board)</span></p>'
    ) in html


def test_an_id_field_says_in_words_which_records_its_ids_name(client: FlaskClient) -> None:
    html = client.get("/edit/north-csp").get_data(as_text=True)
    field = html[html.index('data-field="reports_to"') :]
    field = field[: field.index('<div class="field')]
    assert (
        '<p class="names secondary" id="f-reports_to-names">That is: Testshire Community Safety Board</p>'
    ) in field
    assert 'aria-describedby="f-reports_to-hint f-reports_to-names"' in field
    response = client.post(
        "/edit/north-csp", data=record_form(client, "north-csp", reports_to="county-bored")
    )
    field = response.get_data(as_text=True)
    field = field[field.index('data-field="reports_to"') :]
    assert "That is: county-bored (no record with this id)</p>" in field
    assert 'aria-describedby="f-reports_to-hint f-reports_to-names f-reports_to-error"' in field


# -- saving a record someone has just removed (issue 26, defect 12) -------------------------


def _remove_drugs_group(register: Path) -> None:
    """Bob removes drugs-group, through the store as a second server process would."""
    from govmap.ingest.model import record_version
    from govmap.ingest.store.edit_values import RemoveRecord
    from govmap.ingest.store.yamlstore import YamlStore

    store = YamlStore(register)
    current = store.load()[0].get("drugs-group")
    assert current is not None
    store.apply(RemoveRecord("drugs-group"), record_version(current), "bob")


def test_saving_a_record_someone_has_just_removed_is_a_conflict_that_keeps_the_typed_text(
    client: FlaskClient, register: Path
) -> None:
    mine = record_form(client, "drugs-group", description="My long careful text,\nline two")
    _remove_drugs_group(register)
    saved = register.read_bytes()
    response = client.post("/edit/drugs-group", data=mine)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "&#39;drugs-group&#39; was removed by someone else since you opened this form" in html
    assert "remove &#39;drugs-group&#39; by bob at " in html
    assert '<pre class="yours">My long careful text,\nline two</pre>' in html
    assert register.read_bytes() == saved


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/edit/drugs-group/members/new", {"member": "north-council", "role": "My typed role"}),
        ("/edit/drugs-group/members/0", {"member": "north-council", "role": "My typed role"}),
        ("/edit/drugs-group/members/0/remove", {}),
        ("/edit/drugs-group/remove", {}),
    ],
)
def test_a_link_form_or_removal_of_a_record_someone_has_just_removed_is_a_409_not_a_404(
    client: FlaskClient, register: Path, path: str, fields: dict[str, str]
) -> None:
    version = form_of(client, "/edit/drugs-group")["version"]
    _remove_drugs_group(register)
    response = client.post(path, data={"version": version, **fields})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "&#39;drugs-group&#39; was removed by someone else since you opened this form" in html
    for value in fields.values():
        assert f'<pre class="yours">{value}</pre>' in html


def test_a_link_form_left_empty_asks_in_words_for_what_it_links_to(client: FlaskClient) -> None:
    for url, message in (
        ("/edit/north-csp/reports_to/new", "Choose which body this reports to"),
        ("/edit/north-csp/members/new", "Choose who the member is"),
        ("/edit/north-csp/themes/new", "Choose which theme this body works on"),
        ("/edit/north-csp/areas/new", "Choose which area this covers"),
    ):
        response = client.post(url, data=form_of(client, url))
        assert response.status_code == 422, url
        html = response.get_data(as_text=True)
        assert f'<span class="visually-hidden">Error:</span> {message}</p>' in html, url
        assert "missing required key" not in html


def test_a_new_post_without_its_organisation_and_a_bad_date_are_asked_for_in_words(
    client: FlaskClient,
) -> None:
    form = form_of(client, "/edit/new/bodies") | {"id": "x-board", "name": "X", "kind": "board"}
    form |= {"review_date": "soon", "reports_to": "north-csp, x-board", "areas": "north-csp"}
    html = client.post("/edit/new/bodies", data=form).get_data(as_text=True)
    assert (
        "Enter a real date, as year-month-day (2026-04-01), year and month (2026-04) or a year (2026)" in html
    )
    assert "&#39;north-csp&#39; is a body, not an area: choose which area this covers" in html
    assert "Choose another body: a body cannot report to itself" in html
    form = form_of(client, "/edit/new/posts") | {"id": "chair-x", "name": "Chair of X"}
    html = client.post("/edit/new/posts", data=form).get_data(as_text=True)
    assert '<li><a href="#f-organisation">Choose which organisation this post belongs to</a></li>' in html
