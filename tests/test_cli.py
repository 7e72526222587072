"""The command line as a reviewer meets it: messages, exit codes, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

from govmap.cli import ExitStatus

SMALL = """\
govmap: 1
register: {name: Small, top: [board]}
documents:
  - {id: doc, name: Doc}
organisations:
  - {id: police, name: Police, type: police-force, sources: [{doc: doc}]}
strategies:
  - {id: plan, name: The Plan, kind: plan, owner: board, sources: [{doc: doc}]}
bodies:
  - {id: board, name: County Board, kind: board, top_level: true, members: [police], sources: [{doc: doc}]}
  - {id: group, name: Group, kind: group, reports_to: board, members: [police], sources: [{doc: doc}]}
"""


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govmap", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_validate_exits_zero_on_a_valid_register(write_register):
    path = write_register(SMALL)
    result = run("validate", str(path))
    assert result.returncode == ExitStatus.SUCCESS
    assert result.stdout.strip().endswith("valid: 5 records, 0 warnings")


def test_validate_exits_one_with_file_line_messages_and_no_traceback(write_register):
    path = write_register(SMALL.replace("reports_to: board", "reports_to: bord"))
    result = run("validate", str(path))
    assert result.returncode == ExitStatus.INVALID
    assert (
        f"{path}:11:55: error: body 'group': reports_to 'bord' is not defined (did you mean 'board'?)"
        in result.stdout
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_json_lists_problems_with_positions(write_register):
    path = write_register(SMALL.replace("kind: group", "kind: grup"))
    result = run("validate", "--json", str(path))
    assert result.returncode == ExitStatus.INVALID
    out = json.loads(result.stdout)
    assert out["valid"] is False
    assert out["problems"][0]["line"] == 11
    assert out["problems"][0]["code"] == "bad-value"


def test_validate_of_a_missing_file_is_a_usage_error():
    result = run("validate", "no/such/file.yaml")
    assert result.returncode == ExitStatus.USAGE
    assert (
        result.stderr.strip()
        == "error: no/such/file.yaml: no such file (give the path of a register, or set GOVMAP_REGISTER)"
    )


def test_unknown_command_is_a_usage_error():
    assert run("frobnicate").returncode == ExitStatus.USAGE


def test_register_defaults_to_the_environment_variable(write_register):
    import os

    path = write_register(SMALL)
    result = run("list", env={**os.environ, "GOVMAP_REGISTER": str(path)})
    assert result.returncode == 0
    assert "County Board" in result.stdout


def test_list_filters_by_kind_and_prints_json(write_register):
    path = write_register(SMALL)
    result = run("list", str(path), "--kind", "bodies", "--json")
    assert [r["id"] for r in json.loads(result.stdout)] == ["board", "group"]


def test_show_lists_what_a_board_owns_and_what_links_to_it(write_register):
    path = write_register(SMALL)
    result = run("show", "board", "-r", str(path))
    assert result.returncode == 0
    out = result.stdout
    assert "County Board  [board]" in out
    assert "owns:\n    - The Plan [plan]" in out
    assert "members:\n    - Police [police] (member)" in out
    assert "reported to by:\n    - Group [group]" in out


def test_show_gives_an_organisations_statutory_roles_besides_its_type(write_register):
    path = write_register(
        "govmap: 1\norganisations:\n"
        "  - {id: gmca, name: Greater Manchester Combined Authority, type: combined-authority,\n"
        "     roles: [police-and-crime-commissioner, fire-and-rescue]}\n"
    )
    result = run("show", "gmca", "-r", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:3] == [
        "  organisation, combined-authority, unconfirmed",
        "  also acts as: police-and-crime-commissioner, fire-and-rescue",
    ]


def test_show_of_an_unknown_id_suggests_one(write_register):
    path = write_register(SMALL)
    result = run("show", "bord", "-r", str(path))
    assert result.returncode == ExitStatus.INVALID
    assert result.stderr.strip() == "error: no record with id 'bord' (did you mean 'board'?)"


def test_commands_on_an_invalid_register_print_errors_not_tracebacks(write_register):
    path = write_register("bodies: [\n")
    result = run("list", str(path))
    assert result.returncode == ExitStatus.INVALID
    assert "Traceback" not in result.stderr
    assert (
        result.stderr.splitlines()[-1] == "error: 1 error in the register; run 'govmap validate' for details"
    )
