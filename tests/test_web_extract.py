"""The review page: a document's proposals with their quotes, ticked, edited and accepted as audited edits."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from govmap.ingest.reading.load import load_register
from tests.websupport import copy_register, hidden, login, make_app

DOC = b"""# Testshire Drugs Strategy 2024-2027

## Governance

The North Community Safety Partnership reports to the Testshire Community Safety Board.
The Drugs Working Group is chaired by Testshire County Council.
The Testshire Drugs Strategy 2024-2027 is owned by the Testshire Community Safety Board.
The Testshire Combating Drugs Partnership is chaired by Testshire Police.
"""
#: The chair the document states for a body the register holds: a new fact on an existing record.
CHAIR = "link-body-drugs-working-group-members-organisation-testshire-county-council"


@pytest.fixture
def register(tmp_path: Path) -> Path:
    return copy_register(tmp_path)


@pytest.fixture
def client(register: Path) -> FlaskClient:
    client = make_app(register).test_client()
    login(client, "alice")
    return client


def upload(client: FlaskClient, data: bytes = DOC, name: str = "drugs-strategy.md"):  # type: ignore[no-untyped-def]
    return client.post(
        "/extract", data={"document": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def test_the_review_page_lists_the_proposals_with_their_quotes_and_matches(client: FlaskClient) -> None:
    page = upload(client)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Proposals from drugs-strategy.md</h1>" in html
    assert 'value="strategy-testshire-drugs-strategy"' in html
    assert "The Testshire Drugs Strategy 2024-2027 is owned by the Testshire Community Safety Board." in html
    assert (
        'Matches <a href="/entity/north-csp">North Community Safety Partnership</a> by name, score 100'
        in html
    )


def test_accepting_ticked_proposals_saves_them_unconfirmed_and_audited(
    client: FlaskClient, register: Path
) -> None:
    html = upload(client).get_data(as_text=True)
    form = {
        "payload": hidden(html, "payload"),
        "accept": [
            "strategy-testshire-drugs-strategy",
            "link-strategy-testshire-drugs-strategy-owner-body-testshire-community-safety-boa",
            CHAIR,
        ],
        "name-strategy-testshire-drugs-strategy": "Testshire Drugs Strategy",
    }
    done = client.post("/extract/accept", data=form)
    assert done.status_code == 200, done.get_data(as_text=True)
    text = done.get_data(as_text=True)
    assert "add strategy &#39;testshire-drugs-strategy&#39;" in text
    reg = load_register(str(register))
    strategy = reg.get("testshire-drugs-strategy")
    assert strategy.status.value == "unconfirmed" and strategy.period.start.year == 2024
    assert [o.target for o in strategy.owner] == ["county-board"]
    chair = [m for m in reg.get("drugs-group").members if m.role.value == "chair"]
    assert [(m.member, m.status.value) for m in chair] == [("testshire-council", "unconfirmed")]
    audit = [
        json.loads(line) for line in (register.parent / "boards.yaml.audit.jsonl").read_text().splitlines()
    ]
    assert {e["user"] for e in audit} == {"alice"}
    assert len(audit) == 4  # the document, the strategy, its owner, the chair


def test_an_edited_name_is_what_is_saved(client: FlaskClient, register: Path) -> None:
    html = upload(client).get_data(as_text=True)
    pid = "body-testshire-combating-drugs-partnership"
    client.post(
        "/extract/accept",
        data={
            "payload": hidden(html, "payload"),
            "accept": [pid],
            f"name-{pid}": "Testshire Drugs Partnership",
        },
    )
    assert load_register(str(register)).get("testshire-drugs-partnership").name == (
        "Testshire Drugs Partnership"
    )


def test_a_record_changed_since_the_page_was_opened_is_a_conflict_and_the_rest_is_saved(
    client: FlaskClient, register: Path
) -> None:
    html = upload(client).get_data(as_text=True)
    other = client.application.test_client()
    login(other, "bob")
    page = other.get("/edit/drugs-group").get_data(as_text=True)
    other.post(
        "/edit/drugs-group", data={"version": hidden(page, "version"), "description": "Changed by Bob"}
    )
    done = client.post(
        "/extract/accept",
        data={
            "payload": hidden(html, "payload"),
            "accept": ["strategy-testshire-drugs-strategy", CHAIR],
        },
    )
    text = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "&#39;drugs-group&#39; was changed by someone else since you opened this form" in text
    assert load_register(str(register)).get("testshire-drugs-strategy") is not None


def test_a_forged_payload_is_refused_and_nothing_is_saved(client: FlaskClient, register: Path) -> None:
    before = register.read_text()
    done = client.post("/extract/accept", data={"payload": "eyJmb3JnZWQiOnRydWV9.abc", "accept": ["x"]})
    assert done.status_code == 400
    assert "were not made by this server, or were changed; nothing was saved" in done.get_data(as_text=True)
    assert register.read_text() == before


def test_a_viewer_may_not_read_documents_into_the_register(register: Path) -> None:
    client = make_app(register).test_client()
    login(client, "victor")
    assert client.get("/extract").status_code == 403
    assert upload(client).status_code == 403


def test_the_page_needs_a_csrf_token(register: Path) -> None:
    client = make_app(register, WTF_CSRF_ENABLED=True).test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"username": "alice", "password": "alice-secret", "csrf_token": hidden(page, "csrf_token")},
    )
    assert upload(client).status_code == 400


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.txt", "empty.txt: the file is empty"),
        (b"not a pdf", "x.pdf", "x.pdf: the file is not a PDF"),
        (b"%PDF-1.4 garbage", "bad.pdf", "bad.pdf: cannot read this PDF"),
        (b"PK\x03\x04garbage", "bad.docx", "bad.docx: not a DOCX"),
    ],
)
def test_a_bad_document_is_refused_on_the_page_naming_the_file(
    client: FlaskClient, data: bytes, name: str, message: str
) -> None:
    page = upload(client, data, name)
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)


def test_no_file_is_a_message_not_an_error(client: FlaskClient) -> None:
    page = client.post("/extract", data={}, content_type="multipart/form-data")
    assert page.status_code == 400
    assert "choose a document to read" in page.get_data(as_text=True)


def test_hostile_text_in_a_document_is_escaped_on_the_page(client: FlaskClient) -> None:
    doc = b"# Terms\n\nThe Evil Board <script>alert(1)</script> reports to the Testshire Community Safety Board.\n"
    html = upload(client, doc, "<img src=x onerror=alert(1)>.md").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
