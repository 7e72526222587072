"""The JSON report written to a file as it is made: the same bytes as the text, atomically."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from govmap.graph.report import ReportOptions, report
from govmap.ingest.errors import OutputError
from govmap.ingest.reading.load import load_register

REGISTERS = Path(__file__).resolve().parent / "registers"


def test_the_json_report_streamed_to_a_file_is_the_same_as_its_text(tmp_path: Path) -> None:
    rep = report(load_register(REGISTERS / "two_tier.yaml"), options=ReportOptions(as_of=dt.date(2026, 1, 1)))
    assert rep.findings  # the register is built to have some
    out = tmp_path / "report.json"
    rep.write_json(out)
    assert out.read_text(encoding="utf-8") == rep.to_json()
    assert len(json.loads(out.read_text(encoding="utf-8"))["findings"]) == len(rep.findings)


def test_a_report_that_fails_to_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rep = report(load_register(REGISTERS / "two_tier.yaml"), options=ReportOptions(as_of=dt.date(2026, 1, 1)))
    out = tmp_path / "report.json"
    out.write_text("old report\n", encoding="utf-8")

    def broken(self: object, extra: object = None) -> object:
        yield b'{"register": '
        raise OutputError("cannot write report.json: disk full")

    monkeypatch.setattr(type(rep), "_json_pieces", broken)  # the pieces write_json writes
    with pytest.raises(OutputError, match="disk full"):
        rep.write_json(out)
    assert out.read_text(encoding="utf-8") == "old report\n"
    assert os.listdir(tmp_path) == ["report.json"]
