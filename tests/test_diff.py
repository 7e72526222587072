"""govmap diff: records added, removed, changed and renamed; findings new, resolved, open; git revisions."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from govmap.graph.review.diff import compare, diff_registers
from govmap.graph.review.sources import RevisionUnreadable, read_side, side_of_text
from tests.clisupport import run_in as run
from tests.websupport import STORES

DAY = dt.date(2026, 1, 1)

OLD = """\
govmap: 1
register: {id: t, name: Test}
documents:
  - {id: doc-a, name: Terms of reference, kind: agreement}
organisations:
  - {id: police, name: Police, type: police-force}
  - {id: council, name: County Council, type: county-council}
  - {id: health, name: Health Board, type: nhs}
themes:
  - {id: violence, name: Violence, kind: priority}
  - {id: drugs, name: Drugs, kind: priority}
bodies:
  - id: safety-board
    name: Community Safety Board
    kind: board
    top_level: true
    sources: [{doc: doc-a}]
    members:
      - police
      - {member: council, role: chair}
    themes:
      - {theme: violence, role: lead}
  - id: drugs-group
    name: Drugs and Alcohol Group
    kind: group
    reports_to: safety-board
    members: [police]
    themes: [drugs]
  - id: old-forum
    name: Old Forum
    kind: network
    reports_to: safety-board
"""


def side(text: str, label: str):
    return side_of_text(textwrap.dedent(text), label, f"{label}.yaml")


def diff(old: str, new: str):
    return diff_registers(side(old, "old"), side(new, "new"), DAY)


def test_identical_registers_give_an_empty_diff():
    d = diff(OLD, OLD)
    assert d.records.empty
    out = d.to_json()
    assert out["records"] == {"added": [], "removed": [], "changed": [], "renamed": []}
    assert out["findings"]["new"] == [] and out["findings"]["resolved"] == []
    assert out["findings"]["open"], "the same findings stay open"


def test_every_kind_of_field_change_is_reported_field_by_field():
    new = (
        OLD.replace(
            "      - {member: council, role: chair}",
            "      - {member: council, role: member}\n      - health",
        )
        .replace("      - {theme: violence, role: lead}", "      - {theme: violence, role: contributes}")
        .replace(
            "    sources: [{doc: doc-a}]\n",
            "    sources: [{doc: doc-a, section: '2'}]\n    status: unconfirmed\n",
        )
        .replace("    reports_to: safety-board\n    members: [police]", "    members: [police]")
    )
    d = diff(OLD, new)
    changed = {c.id: [x.describe() for x in c.changes] for c in d.records.changed}
    assert changed == {
        "safety-board": [
            "sources[doc-a]: removed {doc: doc-a}",
            "sources[doc-a 2]: added {doc: doc-a, section: 2}",
            "members[council].role: chair -> member",
            "members[health]: added {member: health, role: member}",
            "themes[violence].role: lead -> contributes",
            "status: added unconfirmed",
        ],
        "drugs-group": ["reports_to[safety-board]: removed {to: safety-board}"],
    }
    assert d.records.added == () and d.records.removed == ()


def test_added_and_removed_records_are_listed_by_id():
    new = OLD.replace(
        "  - id: old-forum\n    name: Old Forum\n    kind: network\n    reports_to: safety-board\n",
        "  - {id: youth-board, name: Youth Justice Board, kind: board, reports_to: safety-board}\n",
    )
    d = diff(OLD, new)
    assert (d.records.added, d.records.removed, d.records.renamed) == (("youth-board",), ("old-forum",), ())


def test_a_renamed_id_is_a_rename_not_a_removal_and_an_addition():
    new = OLD.replace("drugs-group", "substance-misuse-group").replace(
        "name: Drugs and Alcohol Group", "name: Drugs & Alcohol Group"
    )
    d = diff(OLD, new)
    assert d.records.added == () and d.records.removed == ()
    [r] = d.records.renamed
    assert (r.old, r.new, r.section) == ("drugs-group", "substance-misuse-group", "bodies")
    assert [c.describe() for c in r.changes] == ["name: Drugs and Alcohol Group -> Drugs & Alcohol Group"]
    assert d.records.changed == (), "references to the old id are read as the new one"


def test_an_alias_equal_to_the_old_name_makes_a_rename():
    new = OLD.replace(
        "  - id: old-forum\n    name: Old Forum\n",
        "  - id: partnership-forum\n    name: Partnership Forum\n    aliases: [Old Forum]\n",
    )
    [r] = diff(OLD, new).records.renamed
    assert (r.old, r.new, r.similarity) == ("old-forum", "partnership-forum", 1.0)


def test_unlike_names_are_a_removal_and_an_addition():
    new = OLD.replace(
        "id: old-forum\n    name: Old Forum", "id: reoffending-board\n    name: Reducing Reoffending"
    )
    d = diff(OLD, new)
    assert (d.records.added, d.records.removed, d.records.renamed) == (
        ("reoffending-board",),
        ("old-forum",),
        (),
    )


def test_findings_are_new_resolved_or_open_by_stable_id():
    # drugs-group stops reporting to the board (a source says so): it becomes an orphan.
    new = OLD.replace(
        "    reports_to: safety-board\n    members: [police]",
        "    sources: [{doc: doc-a}]\n    members: [police]",
    )
    d = diff(OLD, new)
    new_titles = [f.title for f in d.findings.new]
    assert "Drugs and Alcohol Group has no reporting line recorded." in new_titles
    assert {f.id for f in d.findings.open}.isdisjoint({f.id for f in d.findings.new})
    back = diff(new, OLD)
    assert [f.id for f in back.findings.resolved] == [f.id for f in d.findings.new]


def test_list_items_are_matched_by_what_they_point_to():
    assert [
        c.describe()
        for c in compare({"reports_to": [{"to": "a"}]}, {"reports_to": [{"to": "a", "note": "x"}]})
    ] == ["reports_to[a].note: added x"]


# -- the command, and git ----------------------------------------------------------


def git(folder: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    if date:
        env |= {"GIT_AUTHOR_DATE": f"{date}T12:00:00", "GIT_COMMITTER_DATE": f"{date}T12:00:00"}
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with two commits of data/boards.yaml: 2025-03-01 (OLD) and 2025-05-01 (renamed forum)."""
    (tmp_path / "data").mkdir()
    reg = tmp_path / "data" / "boards.yaml"
    git(tmp_path, "init", "-q", "-b", "main")
    reg.write_text(OLD, encoding="utf-8")
    git(tmp_path, "add", "data/boards.yaml")
    git(tmp_path, "commit", "-q", "-m", "first", date="2025-03-01")
    reg.write_text(OLD.replace("name: Old Forum", "name: Older Forum"), encoding="utf-8")
    git(tmp_path, "commit", "-q", "-am", "second", date="2025-05-01")
    reg.write_text(OLD.replace("name: Old Forum", "name: Oldest Forum"), encoding="utf-8")  # not committed
    return tmp_path


def test_diff_reads_a_git_revision_of_the_file_without_a_checkout(repo: Path):
    before = (repo / "data" / "boards.yaml").read_bytes()
    result = run(repo, "diff", "HEAD~1", "data/boards.yaml", "--format", "json", "--as-of", "2026-01-01")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["old"]["rev"] == "HEAD~1" and out["old"]["label"] == "HEAD~1:data/boards.yaml"
    assert out["records"]["changed"] == [
        {
            "id": "old-forum",
            "section": "bodies",
            "name": "Oldest Forum",
            "changes": [{"field": "name", "change": "changed", "old": "Old Forum", "new": "Oldest Forum"}],
        }
    ]
    assert (repo / "data" / "boards.yaml").read_bytes() == before


def test_diff_rev_date_compares_the_file_as_committed_on_that_day(repo: Path):
    result = run(repo, "diff", "--rev", "2025-04-01", "data/boards.yaml", "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["old"]["label"] == "data/boards.yaml@2025-04-01"
    [change] = out["records"]["changed"][0]["changes"]
    assert (change["old"], change["new"]) == ("Old Forum", "Oldest Forum")


def test_diff_rev_before_the_first_commit_says_so(repo: Path):
    result = run(repo, "diff", "--rev", "2024-01-01", "data/boards.yaml")
    assert result.exit_code == 2
    assert result.output == (
        "error: no commit of data/boards.yaml on or before 2024-01-01 (pick a later date, or give a revision)\n"
    )


def test_a_revision_that_does_not_exist_is_a_message_not_a_traceback(repo: Path):
    with pytest.raises(RevisionUnreadable, match="git show failed"):
        read_side("no-such-rev", other=str(repo / "data" / "boards.yaml"))


def test_fail_on_new_exits_1_when_a_new_finding_reaches_the_severity(tmp_path: Path):
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(
        OLD.replace(
            "    reports_to: safety-board\n    members: [police]",
            "    sources: [{doc: doc-a}]\n    members: [police]",
        )
    )
    args = ["diff", str(old), str(new), "--as-of", "2026-01-01"]
    failed = run(tmp_path, *args, "--fail-on-new", "medium")
    assert failed.exit_code == 1
    assert failed.stderr == "1 new finding at or above medium (--fail-on-new medium).\n"
    passed = run(tmp_path, *args, "--fail-on-new", "high")
    assert passed.exit_code == 0
    assert passed.stderr == "0 new findings at or above high (--fail-on-new high).\n"
    same = run(tmp_path, "diff", str(old), str(old), "--fail-on-new", "info")
    assert same.exit_code == 0
    assert "No record changed." in same.output


def test_diff_html_escapes_register_text(tmp_path: Path):
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(OLD.replace("name: Old Forum", "name: '<script>alert(1)</script>'"))
    result = run(tmp_path, "diff", str(old), str(new), "--format", "html")
    assert result.exit_code == 0
    assert "<script>alert" not in result.output and "&lt;script&gt;alert(1)&lt;/script&gt;" in result.output


# -- the Changes page ----------------------------------------------------------------


@pytest.fixture(params=STORES)
def web_repo(request: pytest.FixtureRequest, tmp_path: Path):
    """The web test register in a git repository (one commit), served by the app from each store
    (a Neo4j store loaded from it, the file being the one its Changes page compares with)."""
    from tests.websupport import app_on, copy_register

    register = copy_register(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", register.name)
    git(tmp_path, "commit", "-q", "-m", "first", date="2025-03-01")
    return app_on(request.param, request, register), register


def now_label(app) -> str:
    """How the Changes page names the live register: the file, or the database."""
    from govmap.ingest.store.yamlstore import YamlStore

    return (
        "boards.yaml (now)" if isinstance(app.extensions["govmap.store"], YamlStore) else "the database (now)"
    )


def _edit(app, record: str, name: str, user: str = "alice") -> None:
    """An audited edit through the app's store (the file, or the database)."""
    from govmap.ingest.store.edit_values import ChangeRecord
    from govmap.webviz import state

    with app.app_context():
        store = state.store()
        _, version = store.load()
        store.apply(ChangeRecord(record, {"name": name}), version, user)


def test_the_changes_page_compares_the_live_register_with_a_git_revision(web_repo):
    app, register = web_repo
    _edit(app, "county-board", "Testshire Safer Communities Board")
    client = app.test_client()
    page = client.get("/changes?rev=HEAD").get_data(as_text=True)
    assert f"From boards.yaml at HEAD to {now_label(app)}" in page
    assert "name: Testshire Community Safety Board -&gt; Testshire Safer Communities Board" in page
    by_date = client.get("/changes?date=2025-06-01").get_data(as_text=True)
    assert "name: Testshire Community Safety Board -&gt; Testshire Safer Communities Board" in by_date


def test_the_changes_page_compares_with_the_register_before_an_audited_edit(web_repo):
    app, register = web_repo
    _edit(app, "north-csp", "North Safer Partnership")
    page = app.test_client().get("/changes?audit=0").get_data(as_text=True)
    assert "before &#39;change name of &#39;north-csp&#39;&#39;" in page
    assert "name: North Community Safety Partnership -&gt; North Safer Partnership" in page


def test_an_unknown_revision_on_the_changes_page_is_a_message(web_repo):
    from tests.websupport import login

    app, _ = web_repo
    client = app.test_client()
    response = client.get("/changes?rev=no-such-rev")
    assert response.status_code == 400
    assert "Git revision: &#39;no-such-rev&#39; cannot be read" in response.get_data(as_text=True)
    login(client, "alice")
    assert "git show failed" in client.get("/changes?rev=no-such-rev").get_data(as_text=True)


# -- docs/review.md, run in order ------------------------------------------------------

REVIEW_DOC = Path(__file__).resolve().parent.parent / "docs" / "review.md"


def review_commands() -> list[tuple[str, int]]:
    """Each ``govmap`` line of the walkthrough's sh blocks, with the exit code its comment promises."""
    import re
    import shlex

    out = []
    for block in re.findall(r"```sh\n(.*?)```", REVIEW_DOC.read_text(encoding="utf-8"), flags=re.S):
        for raw in block.splitlines():
            line = raw.split("  #")[0].strip()
            if line.startswith("govmap "):
                out.append((shlex.split(line), 1 if "# exit 1" in raw else 0))
    return out


def review_setup() -> str:
    """The walkthrough's first sh block: the scratch repository made from a fresh clone."""
    import re

    blocks = re.findall(r"```sh\n(.*?)```", REVIEW_DOC.read_text(encoding="utf-8"), flags=re.S)
    assert "git init" in blocks[0], "the walkthrough starts by making the history it needs"
    return blocks[0]


def test_the_annual_review_walkthrough_runs_in_order_on_the_seed_register(tmp_path: Path, seed_path: Path):
    """As a newcomer would: the setup block run by a shell from a copy of the clone's data/, with
    no git identity configured, then every govmap command in order in the repository it made."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "boards.yaml").write_bytes(seed_path.read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env |= {"HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1", "TMPDIR": str(tmp_path)}
    script = review_setup() + 'pwd >"$OLDPWD/review-folder"\n'
    subprocess.run(["bash", "-euc", script], cwd=tmp_path, env=env, check=True, capture_output=True)
    review = Path((tmp_path / "review-folder").read_text(encoding="utf-8").strip())
    assert review.parent == tmp_path and (tmp_path / "data" / "boards.yaml").exists()
    reg = review / "data" / "boards.yaml"
    assert reg.read_bytes() == seed_path.read_bytes()
    before = reg.read_bytes()
    commands = review_commands()
    assert len(commands) >= 10
    for args, expected in commands:
        result = run(review, *args[1:])
        assert result.exit_code == expected, f"{' '.join(args)}: {result.output}"
    assert reg.read_bytes() == before, "no command of the review writes the register"
    assert (review / "data" / "boards.decisions.yaml").exists()
    assert (review / "scenario.yaml").exists() and (review / "changes.html").exists()


def test_a_missing_register_file_is_named_as_missing_not_as_a_git_failure(tmp_path: Path):
    (tmp_path / "new.yaml").write_text(OLD, encoding="utf-8")
    result = run(tmp_path, "diff", "nothere.yaml", "new.yaml")
    assert result.exit_code == 2
    assert result.output == (
        "error: nothere.yaml: no such file (check the path, or give REV:PATH for a git revision)\n"
    )


def test_an_empty_register_file_is_refused_not_read_as_every_record_removed(tmp_path: Path):
    (tmp_path / "old.yaml").write_text(OLD, encoding="utf-8")
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    result = run(tmp_path, "diff", "old.yaml", "empty.yaml")
    assert result.exit_code == 1
    assert "empty.yaml:1:1: error: empty register: empty.yaml holds no records" in result.output
    assert "removed" not in result.output


def test_last_years_register_without_the_header_still_compares(tmp_path: Path):
    (tmp_path / "old.yaml").write_text(OLD.replace("govmap: 1\n", "", 1), encoding="utf-8")
    (tmp_path / "new.yaml").write_text(
        OLD.replace("{id: drugs, name: Drugs,", "{id: drugs, name: Drugs and alcohol,"), encoding="utf-8"
    )
    result = run(tmp_path, "diff", "old.yaml", "new.yaml", "--format", "json", "--as-of", "2026-01-01")
    assert result.exit_code == 0, result.output
    changed = json.loads(result.output)["records"]["changed"]
    assert [c["id"] for c in changed] == ["drugs"]


# -- the Changes page says less to strangers and never fails (issue 26, defects 5, 6, 8, 11) --

STRANGER_HINT = "check it, or ask an editor: they see git&#39;s own message"


def _server_paths(folder: Path) -> list[str]:
    return [str(folder), os.path.realpath(folder)]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("rev=HEAD", "Git revision: &#39;HEAD&#39; cannot be read from the register&#39;s history"),
        (
            "rev=no-such-rev",
            "Git revision: &#39;no-such-rev&#39; cannot be read from the register&#39;s history",
        ),
        (
            "rev=../../etc/passwd",
            "Git revision: &#39;../../etc/passwd&#39; cannot be read from the register&#39;s history",
        ),
        (
            "date=2020-01-01",
            "Date: no version of the register committed on or before 2020-01-01 can be read",
        ),
    ],
)
def test_a_comparison_on_a_folder_that_is_not_a_git_repository_names_no_server_path_to_a_stranger(
    tmp_path: Path, query: str, message: str
) -> None:
    from tests.websupport import copy_register, login, make_app

    app = make_app(copy_register(tmp_path))
    client = app.test_client()
    response = client.get(f"/changes?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and STRANGER_HINT in html
    assert not any(p in html for p in _server_paths(tmp_path))
    login(client, "victor")
    assert not any(
        p in client.get(f"/changes?{query}").get_data(as_text=True) for p in _server_paths(tmp_path)
    )
    login(client, "alice")  # an editor sees git's own words
    assert "not a git repository" in client.get(f"/changes?{query}").get_data(as_text=True)


# Named ids: a 140 kB id would be in PYTEST_CURRENT_TEST, too long for git's environment (E2BIG).
@pytest.mark.parametrize(
    "rev",
    ["a\x00b", "x" * 140_000, "-p", "HEAD\u202e", "HEAD~1 --output=/tmp/x"],
    ids=["nul", "140kb", "dash", "bidi", "space"],
)
def test_a_revision_with_a_control_character_a_space_a_dash_or_140_kb_is_refused_with_400(
    web_repo, rev: str
) -> None:
    app, _ = web_repo
    response = app.test_client().get("/changes", query_string={"rev": rev})
    assert response.status_code == 400
    assert (
        "Git revision: that is not a revision name (at most 200 characters, "
        "no spaces or control characters, not starting with &#39;-&#39;)"
    ) in response.get_data(as_text=True)


def test_a_revision_whose_register_is_broken_is_a_400_about_that_revision_not_a_503(web_repo) -> None:
    app, register = web_repo
    good = register.read_text(encoding="utf-8")
    register.write_text(good + "\nbodies: [oops\n", encoding="utf-8")
    git(register.parent, "commit", "-q", "-am", "broken", date="2025-04-01")
    register.write_text(good, encoding="utf-8")
    response = app.test_client().get("/changes?rev=HEAD")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The register at HEAD cannot be read: 2 errors" in html
    assert "its file has a problem" not in html


def _alice_renames_north_csp(app) -> None:
    _edit(app, "north-csp", "North Safer Partnership")


def test_an_audit_entry_that_is_not_in_the_list_is_refused_not_shown_as_nothing(web_repo) -> None:
    from govmap.webviz import state

    app, _ = web_repo
    _alice_renames_north_csp(app)
    with app.app_context():
        past_the_end = str(len(state.store().history()))  # the file store lists 1, the database 2 (its load)
    client = app.test_client()
    for value in ("-1", past_the_end, "²", "０", "9" * 5000):
        response = client.get("/changes", query_string={"audit": value})
        assert response.status_code == 400, value
        assert "Audit entry: no entry" in response.get_data(as_text=True)


def test_the_changes_page_lists_audited_edits_without_editors_names_for_strangers(web_repo) -> None:
    from tests.websupport import login

    app, _ = web_repo
    _alice_renames_north_csp(app)
    client = app.test_client()
    html = client.get("/changes").get_data(as_text=True)
    assert "change name of &#39;north-csp&#39;" in html and "alice" not in html
    login(client, "victor")
    assert "alice: change name" in client.get("/changes").get_data(as_text=True)
