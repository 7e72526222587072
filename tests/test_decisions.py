"""Decisions on findings: the file (strict, with positions), staleness, the report, --fail-on and the web form."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from govmap.graph.analysis.findings import Kind, Severity, Subject, make_finding
from govmap.graph.report import ReportOptions, report
from govmap.graph.review.decisions import apply_decisions, band, decide
from govmap.ingest.reading.load import load_register
from govmap.ingest.store.decisions import (
    DecisionsInvalid,
    check_decisions_text,
    decisions_path,
    decisions_text,
    load_decisions,
)
from tests.clisupport import run_in as run
from tests.websupport import STORES, app_on, copy_register, held_decisions, hidden, make_app

DAY = dt.date(2026, 3, 1)


def finding(subjects=("a", "b"), score=0.45, kind=Kind.OVERLAP, severity=Severity.MEDIUM):
    return make_finding(
        kind,
        severity,
        "A and B overlap.",
        [Subject(s, s.upper(), "body") for s in subjects],
        score=score,
        key="k",
    )


# -- the file ------------------------------------------------------------------

VALID = """\
decisions:
  - finding: overlap-3f2a9c01de
    status: accepted
    reason: Both boards meet together; the overlap is deliberate.
    by: alice
    at: 2026-03-02
    review_by: 2027-03-01
  - finding: orphan-0b3853a9c0
    status: action
    reason: Agree a reporting line.
    by: bob
    at: 2026-03-02
    owner: Head of Community Safety
    due: 2026-06-30
"""


def test_a_valid_decisions_file_reads_back_the_same_after_writing():
    decisions, problems = check_decisions_text(VALID, "boards.decisions.yaml")
    assert problems == []
    assert [(d.finding, d.status.value) for d in decisions] == [
        ("overlap-3f2a9c01de", "accepted"),
        ("orphan-0b3853a9c0", "action"),
    ]
    again, problems = check_decisions_text(decisions_text(decisions), "x")
    assert problems == [] and again == decisions


def test_every_problem_in_a_decisions_file_is_reported_with_its_position():
    text = VALID.replace("status: accepted", "status: acepted").replace(
        "    owner: Head of Community Safety\n", "    colour: red\n"
    )
    _, problems = check_decisions_text(text, "boards.decisions.yaml")
    assert [p.format() for p in problems] == [
        "boards.decisions.yaml:3:13: error: decision on 'overlap-3f2a9c01de': status: 'acepted' is not one of "
        "accepted, action, not-applicable",
        "boards.decisions.yaml:13:5: error: decision on 'orphan-0b3853a9c0': unknown key 'colour' (allowed keys: "
        "finding, status, reason, by, at, review_by, owner, due, title, evidence)",
    ]


def test_an_action_without_owner_or_due_and_a_finding_decided_twice_are_errors():
    text = VALID.replace("    owner: Head of Community Safety\n    due: 2026-06-30\n", "") + (
        "  - {finding: overlap-3f2a9c01de, status: not-applicable, reason: x, by: c, at: 2026-03-03}\n"
    )
    _, problems = check_decisions_text(text, "d.yaml")
    assert [p.format() for p in problems] == [
        "d.yaml:8:5: error: decision on 'orphan-0b3853a9c0': status action needs 'owner' (say who will act, and by when)",
        "d.yaml:8:5: error: decision on 'orphan-0b3853a9c0': status action needs 'due' (say who will act, and by when)",
        "d.yaml:13:15: error: decision on 'overlap-3f2a9c01de': the finding is decided twice (first in decision #1) "
        "(keep one decision per finding)",
    ]


def test_duplicate_keys_are_refused_like_in_the_register(tmp_path: Path):
    path = tmp_path / "boards.decisions.yaml"
    path.write_text(VALID.replace("    by: alice\n", "    by: alice\n    by: bob\n"), encoding="utf-8")
    with pytest.raises(DecisionsInvalid) as info:
        load_decisions(path)
    assert (
        info.value.format()
        .splitlines()[0]
        .startswith(f"{path}:6:5: error: duplicate key 'by' (first at line 5)")
    )


def test_the_decisions_file_sits_beside_the_register():
    assert decisions_path("data/boards.yaml") == Path("data/boards.decisions.yaml")


# -- staleness -------------------------------------------------------------------


def test_a_current_decision_settles_its_finding():
    f = finding()
    r = apply_decisions([f], [decide(f, "accepted", "deliberate", "alice", DAY)], DAY)
    assert (r.open, [x.id for x, _ in r.decided], r.reopened) == ((), [f.id], ())


def test_a_decision_goes_stale_when_the_score_band_changes():
    d = decide(finding(score=0.45), "accepted", "deliberate", "alice", DAY)
    now = finding(score=0.62)
    assert now.id == d.finding and band(now) == "medium 0.6"
    r = apply_decisions([now], [d], DAY)
    assert r.open == (now,)
    assert r.reopened[0].reasons == ("its score band changed since the decision (medium 0.4 -> medium 0.6)",)


def test_a_decision_goes_stale_when_the_subjects_change():
    f = finding()
    d = decide(f, "accepted", "deliberate", "alice", DAY)
    d = d.model_copy(update={"evidence": d.evidence.model_copy(update={"subjects": ("a", "c")})})
    r = apply_decisions([f], [d], DAY)
    assert r.reopened[0].reasons == ("its subjects changed since the decision (a, c -> a, b)",)


def test_a_decision_goes_stale_when_its_review_date_passes():
    f = finding()
    d = decide(f, "accepted", "deliberate", "alice", DAY, review_by=dt.date(2026, 6, 1))
    assert apply_decisions([f], [d], dt.date(2026, 6, 1)).reopened == ()
    r = apply_decisions([f], [d], dt.date(2026, 6, 2))
    assert r.reopened[0].reasons == ("the decision was due for review on 2026-06-01",)


def test_a_decision_on_a_finding_that_is_gone_is_resolved_since_decided():
    d = decide(finding(), "accepted", "deliberate", "alice", DAY)
    other = finding(subjects=("x", "y"))
    r = apply_decisions([other], [d], DAY)
    assert r.resolved_since_decided == (d,) and r.open == (other,)


# -- the commands ----------------------------------------------------------------


@pytest.fixture
def workdir(tmp_path: Path, seed_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "boards.yaml").write_bytes(seed_path.read_bytes())
    return tmp_path


def highs(cwd: Path) -> list[str]:
    rep = report(load_register(cwd / "data" / "boards.yaml"), options=ReportOptions(as_of=DAY))
    return [f.id for f in rep.findings if f.severity is Severity.HIGH]


def test_decide_writes_the_file_and_the_report_lists_the_finding_under_decisions(workdir: Path):
    fid = highs(workdir)[0]
    result = run(
        workdir,
        "decide",
        fid,
        "--status",
        "accepted",
        "--reason",
        "Public health leads.",
        "--by",
        "alice",
        "--as-of",
        "2026-03-01",
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"data/boards.decisions.yaml: {fid} accepted: ")
    [d] = load_decisions(workdir / "data" / "boards.decisions.yaml")
    assert (d.finding, d.by, d.at) == (fid, "alice", DAY)
    out = json.loads(run(workdir, "report", "--format", "json", "--as-of", "2026-03-01").output)
    assert fid not in [f["id"] for f in out["findings"]]
    assert [f["id"] for f in out["decisions"]["decided"]] == [fid]
    md = run(workdir, "report", "--as-of", "2026-03-01").output
    assert "## Decisions" in md and f"`{fid}`: accepted by alice on 2026-03-01: Public health leads." in md


def test_fail_on_counts_open_findings_only(workdir: Path):
    ids = highs(workdir)
    assert run(workdir, "report", "--fail-on", "high", "--as-of", "2026-03-01").exit_code == 1
    for fid in ids:
        r = run(
            workdir, "decide", fid, "--status", "not-applicable", "--reason", "x", "--as-of", "2026-03-01"
        )
        assert r.exit_code == 0, r.output
    assert run(workdir, "report", "--fail-on", "high", "--as-of", "2026-03-01").exit_code == 0


def test_decide_on_an_unknown_finding_says_so(workdir: Path):
    result = run(workdir, "decide", "orphan-0000000000", "--status", "accepted", "--reason", "x")
    assert result.exit_code == 1
    assert result.output == (
        "error: no finding with id 'orphan-0000000000' in data/boards.yaml "
        "(copy the id from 'govmap report'; findings change when the register does)\n"
    )
    assert not (workdir / "data" / "boards.decisions.yaml").exists()


def test_an_invalid_decisions_file_stops_the_report_with_positions(workdir: Path):
    (workdir / "data" / "boards.decisions.yaml").write_text("decisions:\n  - finding: x\n", encoding="utf-8")
    result = run(workdir, "report")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "data/boards.decisions.yaml:2:5: error: decision on 'x': missing required key 'status'",
        "data/boards.decisions.yaml:2:5: error: decision on 'x': missing required key 'reason'",
        "data/boards.decisions.yaml:2:5: error: decision on 'x': missing required key 'by'",
        "data/boards.decisions.yaml:2:5: error: decision on 'x': missing required key 'at'",
        "error: 4 errors in the decisions file",
    ]


# -- the web form ------------------------------------------------------------------


@pytest.fixture(params=STORES)
def web(request: pytest.FixtureRequest, tmp_path: Path):
    """The web test register served from each store: decisions work alike on both."""
    register = copy_register(tmp_path)
    app = app_on(request.param, request, register, WTF_CSRF_ENABLED=True)
    return app, register


def _a_finding(app) -> str:
    with app.test_request_context():
        from govmap.webviz import state

        return state.current().report.findings[0].id


def test_the_decide_form_needs_an_editor(web):
    app, register = web
    fid = _a_finding(app)
    client = app.test_client()
    page = client.get("/report").get_data(as_text=True)
    assert f'action="/decisions/{fid}"' not in page, "no form for someone not signed in"
    assert client.post(f"/decisions/{fid}", data={"status": "accepted", "reason": "x"}).status_code in (
        302,
        400,
    )
    assert held_decisions(app) == ()


def test_the_decide_form_is_refused_without_its_csrf_token(web):
    app, register = web
    fid = _a_finding(app)
    client = app.test_client()
    token = hidden(client.get("/login").get_data(as_text=True), "csrf_token")
    client.post("/login", data={"username": "alice", "password": "alice-secret", "csrf_token": token})
    response = client.post(f"/decisions/{fid}", data={"status": "accepted", "reason": "x"})
    assert response.status_code == 400
    assert held_decisions(app) == ()


def test_an_editor_records_a_decision_from_the_report_and_it_is_audited(web):
    app, register = web
    fid = _a_finding(app)
    client = app.test_client()
    token = hidden(client.get("/login").get_data(as_text=True), "csrf_token")
    client.post("/login", data={"username": "alice", "password": "alice-secret", "csrf_token": token})
    page = client.get("/report").get_data(as_text=True)
    assert f'action="/decisions/{fid}"' in page
    token = hidden(page, "csrf_token")
    response = client.post(
        f"/decisions/{fid}",
        data={
            "status": "accepted",
            "reason": "Known <and> tolerated",
            "review_by": "2099-01-01",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/report#f-{fid}")
    [d] = held_decisions(app)
    assert (d.finding, d.status.value, d.by, d.reason) == (fid, "accepted", "alice", "Known <and> tolerated")
    page = client.get("/report").get_data(as_text=True)
    assert "Decided: <strong>accepted</strong> by alice" in page and "Known &lt;and&gt; tolerated" in page
    history = client.get("/history").get_data(as_text=True)
    assert f"decided accepted on finding {fid}" in history


def test_an_action_without_owner_is_refused_and_nothing_is_written(web):
    app, register = web
    fid = _a_finding(app)
    client = app.test_client()
    token = hidden(client.get("/login").get_data(as_text=True), "csrf_token")
    client.post("/login", data={"username": "bob", "password": "bob-secret", "csrf_token": token})
    token = hidden(client.get("/report").get_data(as_text=True), "csrf_token")
    response = client.post(
        f"/decisions/{fid}", data={"status": "action", "reason": "fix it", "csrf_token": token}
    )
    assert response.status_code == 422
    assert "a decision with status action needs an owner and a due date" in response.get_data(as_text=True)
    assert held_decisions(app) == ()


def test_a_viewer_cannot_record_a_decision(web):
    app, register = web
    fid = _a_finding(app)
    client = app.test_client()
    token = hidden(client.get("/login").get_data(as_text=True), "csrf_token")
    client.post("/login", data={"username": "victor", "password": "victor-secret", "csrf_token": token})
    token = hidden(client.get("/report").get_data(as_text=True), "csrf_token")
    response = client.post(
        f"/decisions/{fid}", data={"status": "accepted", "reason": "x", "csrf_token": token}
    )
    assert response.status_code == 403
    assert held_decisions(app) == ()


def _decide_as_alice(app, fid: str, **fields: str) -> Any:
    client = app.test_client()
    token = hidden(client.get("/login").get_data(as_text=True), "csrf_token")
    client.post("/login", data={"username": "alice", "password": "alice-secret", "csrf_token": token})
    token = hidden(client.get("/report").get_data(as_text=True), "csrf_token")
    data = {"status": "accepted", "reason": "Known and tolerated", "csrf_token": token, **fields}
    return client.post(f"/decisions/{fid}", data=data)


def test_who_decided_is_shown_only_to_signed_in_users_on_the_report_and_in_history(web):
    app, register = web
    fid = _a_finding(app)
    assert _decide_as_alice(app, fid).status_code == 302
    stranger = app.test_client()
    report_page = stranger.get("/report").get_data(as_text=True)
    assert "Decided: <strong>accepted</strong> on " in report_page
    history = stranger.get("/history").get_data(as_text=True)
    assert f"decided accepted on finding {fid}" in history
    assert "by: (hidden)" in history
    for page in (report_page, history, stranger.get("/changes").get_data(as_text=True)):
        assert "alice" not in page
    store = app.extensions["govmap.store"]
    everyone = make_app(register, GOVMAP_STORE=store, GOVMAP_HISTORY_NAMES="everyone").test_client()
    assert "Decided: <strong>accepted</strong> by alice on " in everyone.get("/report").get_data(as_text=True)
    assert "by: alice" in everyone.get("/history").get_data(as_text=True)


def test_a_long_decider_name_folded_over_lines_in_the_diff_is_hidden_whole() -> None:
    from govmap.webviz.views.history import diff_rows

    diff = (
        "--- a/x\n+++ b/x\n@@ -1,2 +1,6 @@\n decisions:\n+- finding: x\n"
        "+  by: 'alice alice alice\n+    alice alice'\n+  at: '2020-01-01'\n"
    )
    rows = diff_rows(diff, hide_names=True)
    assert [line for _, line in rows][-3:] == ["+- finding: x", "+  by: (hidden)", "+  at: '2020-01-01'"]


# -- the Decide form and command clean and bound their text (issue 26, defect 7) -------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": "x" * 6000}, "Reason: 6,000 characters; at most 5,000"),
        (
            {"status": "action", "owner": "o" * 400, "due": "2099-01-01"},
            "Owner (for action): 400 characters; at most 300",
        ),
        ({"reason": "a\x00b"}, "Reason: contains the control character U+0000 (NUL); remove it"),
        ({"reason": "\x1b[31mred"}, "Reason: contains the control character U+001B (ESCAPE); remove it"),
        (
            {"reason": "abc\u202edef"},
            "Reason: contains the text-direction control U+202E (RIGHT-TO-LEFT OVERRIDE); remove it",
        ),
        (
            {"status": "action", "owner": "Head\x07", "due": "2099-01-01"},
            "Owner (for action): contains the control character U+0007 (CONTROL-G); remove it",
        ),
    ],
)
def test_the_decide_form_refuses_text_too_long_or_holding_control_characters_and_writes_nothing(
    web, fields: dict[str, str], message: str
) -> None:
    app, register = web
    fid = _a_finding(app)
    response = _decide_as_alice(app, fid, **fields)
    assert response.status_code == 422
    assert message.replace("'", "&#39;") in response.get_data(as_text=True)
    assert held_decisions(app) == ()


def test_the_decide_form_stores_a_line_separator_as_a_line_break_in_the_reason_and_a_space_in_the_owner(
    web,
) -> None:
    app, register = web
    fid = _a_finding(app)
    response = _decide_as_alice(
        app, fid, status="action", reason=" one\u2028two ", owner="Head\u2028of Safety", due="2099-01-01"
    )
    assert response.status_code == 302
    [d] = held_decisions(app)
    assert (d.reason, d.owner) == ("one\ntwo", "Head of Safety")


def test_govmap_decide_refuses_a_reason_too_long_with_one_line_and_no_traceback(workdir: Path) -> None:
    fid = highs(workdir)[0]
    result = run(workdir, "decide", fid, "--status", "accepted", "--reason", "x" * 6000)
    assert result.exit_code == 1
    assert result.output == "error: Reason: 6,000 characters; at most 5,000 (shorten it)\n"
    assert not (workdir / "data" / "boards.decisions.yaml").exists()


def test_a_decisions_file_holding_an_escape_sequence_is_invalid_so_no_report_prints_it(workdir: Path) -> None:
    fid = highs(workdir)[0]
    (workdir / "data" / "boards.decisions.yaml").write_text(
        "decisions:\n"
        f"  - finding: {fid}\n"
        "    status: accepted\n"
        '    reason: "\\e[2J\\e[31mall clear"\n'
        "    by: alice\n"
        "    at: 2026-03-01\n",
        encoding="utf-8",
    )
    result = run(workdir, "report", "--format", "md")
    assert result.exit_code == 1
    assert "\x1b" not in result.output
    assert result.output.splitlines() == [
        f"data/boards.decisions.yaml:4:13: error: decision on '{fid}': reason: contains the control "
        "character U+001B (ESCAPE); remove it",
        "error: 1 error in the decisions file",
    ]
