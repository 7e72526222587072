"""``govmap report``: formats, files, filters and exit codes."""

from __future__ import annotations

import json

from click.testing import CliRunner

from govmap.cli import ExitStatus, cli

REG = """\
govmap: 1
register: {name: Small, top: [board]}
documents: [{id: doc, name: Doc}]
organisations:
  - {id: police, name: Police, type: police-force, sources: [{doc: doc}]}
themes:
  - {id: fraud, name: Fraud, kind: public-concern, sources: [{doc: doc}]}
bodies:
  - {id: board, name: County Board, kind: board, top_level: true, members: [police], sources: [{doc: doc}]}
  - {id: group, name: Group, kind: group, reports_to: board, review_date: 2024-06-30, sources: [{doc: doc}]}
"""


def invoke(*args: str):
    return CliRunner().invoke(cli, ["report", *args])


def test_report_exits_zero_with_findings_and_prints_markdown(write_register):
    path = write_register(REG)
    result = invoke(str(path), "--as-of", "2025-01-01")
    assert result.exit_code == ExitStatus.SUCCESS
    assert result.output.startswith("# Findings: Small\n")
    assert "No body or strategy addresses the public concern 'Fraud'." in result.output


def test_fail_on_exits_one_only_when_a_finding_is_that_severe(write_register):
    path = str(write_register(REG))
    assert invoke(path, "--as-of", "2025-01-01", "--fail-on", "high").exit_code == ExitStatus.INVALID
    only_low = invoke(path, "--as-of", "2025-01-01", "--kind", "review-overdue", "--fail-on", "medium")
    assert only_low.exit_code == ExitStatus.SUCCESS
    assert (
        invoke(path, "--kind", "review-overdue", "--as-of", "2025-01-01", "--fail-on", "low").exit_code == 1
    )


def test_output_file_holds_exactly_what_stdout_would(write_register, tmp_path):
    path = str(write_register(REG))
    out = tmp_path / "report.json"
    assert invoke(path, "--format", "json", "-o", str(out), "--as-of", "2025-01-01").exit_code == 0
    printed = invoke(path, "--format", "json", "--as-of", "2025-01-01").output
    assert out.read_text(encoding="utf-8") == printed
    data = json.loads(printed)
    assert data["generated_from"]["file"] == "boards.yaml"
    assert data["parameters"]["as_of"] == "2025-01-01"


def test_as_of_decides_which_reviews_are_overdue(write_register):
    path = str(write_register(REG))
    before = json.loads(
        invoke(path, "--format", "json", "--kind", "review-overdue", "--as-of", "2024-06-30").output
    )
    after = json.loads(
        invoke(path, "--format", "json", "--kind", "review-overdue", "--as-of", "2024-07-01").output
    )
    assert (before["summary"]["total"], after["summary"]["total"]) == (0, 1)


def test_threshold_and_min_severity_are_passed_through(write_register):
    path = str(write_register(REG))
    data = json.loads(invoke(path, "--format", "json", "--threshold", "0.9", "--min-severity", "high").output)
    assert data["parameters"]["threshold"] == 0.9
    assert {f["severity"] for f in data["findings"]} == {"high"}


def test_an_unknown_kind_is_a_usage_error(write_register):
    result = invoke(str(write_register(REG)), "--kind", "overlapz")
    assert result.exit_code == ExitStatus.USAGE
    assert "Invalid value for --kind: unknown finding kind 'overlapz'" in result.output


def test_a_missing_or_invalid_register_gives_the_usual_message_and_code(write_register, tmp_path):
    missing = invoke(str(tmp_path / "nope.yaml"))
    assert missing.exit_code == ExitStatus.USAGE
    assert "no such file" in missing.output
    bad = invoke(str(write_register(REG.replace("reports_to: board", "reports_to: bord"))))
    assert bad.exit_code == ExitStatus.INVALID


def test_csv_and_html_formats_are_written(write_register):
    path = str(write_register(REG))
    assert invoke(path, "--format", "csv").output.startswith("id,kind,label,group,severity,score,title,")
    assert invoke(path, "--format", "html").output.startswith("<!DOCTYPE html>")


def test_the_report_commands_choices_are_the_librarys_severities_and_formats():
    from govmap.graph.analysis.findings import Severity
    from govmap.graph.report.assemble import FORMATS, PRINTED

    params = {p.name: p for p in cli.commands["report"].params}
    assert list(params["fmt"].type.choices) == list(FORMATS) + list(PRINTED)
    for name in ("min_severity", "fail_on"):
        assert list(params[name].type.choices) == [s.value for s in Severity]
