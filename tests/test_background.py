"""Work split across two processes (support/background.py) gives the same result as done in one:
the diff's two reports, the import's sheets and the YAML a large register is written as."""

from __future__ import annotations

import datetime as dt
import difflib
import io
import json
import os
import subprocess
import sys
import threading
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govmap.graph.review import diff as diff_module
from govmap.graph.review.diff import RecordsDiff, RegisterDiff, diff_registers
from govmap.graph.review.renames import RENAME_SIMILARITY, find_renames
from govmap.graph.review.render import render_diff
from govmap.graph.review.sources import side_of_text
from govmap.ingest.errors import GovmapError
from govmap.ingest.model import Body
from govmap.ingest.reading.load import load_register, loads
from govmap.ingest.tabular import SpreadsheetUnreadable, write_xlsx
from govmap.ingest.tabular import xlsx as tabular_xlsx
from govmap.ingest.tabular.xlsx import read_workbook
from govmap.support.background import Background, can_fork
from govmap.support.synth import synth_yaml

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs fork and a single-threaded test process")

SEED = os.path.join(os.path.dirname(__file__), "..", "data", "boards.yaml")


# -- the helper ------------------------------------------------------------------------


def test_a_background_computation_runs_in_a_child_and_returns_its_value():
    # In a fresh interpreter: threads other tests leave behind (drivers, servers) rightly stop a fork here.
    code = (
        "import os\n"
        "from govmap.support.background import Background\n"
        "here = os.getpid()\n"
        "job = Background(lambda: (os.getpid(), sum(range(1000))))\n"
        "forked = job.forked\n"
        "pid, total = job.result()\n"
        "print(forked, pid != here, total)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True", "499500"]


def test_a_message_raised_in_the_child_is_raised_here_with_its_hint():
    def fail() -> None:
        raise GovmapError("the rules file is not YAML", hint="fix data/rules/statutory.yaml")

    with pytest.raises(GovmapError) as caught:
        Background(fail).result()
    assert caught.value.format() == "error: the rules file is not YAML (fix data/rules/statutory.yaml)"


def test_a_child_that_dies_without_an_answer_is_replaced_by_the_work_done_here():
    here = os.getpid()

    def work() -> int:
        if os.getpid() != here:
            os._exit(1)  # as if killed for memory
        return 42

    assert Background(work).result() == 42


def test_govmap_workers_1_keeps_the_work_in_this_process(monkeypatch):
    monkeypatch.setenv("GOVMAP_WORKERS", "1")
    job = Background(os.getpid)
    assert not job.forked and job.result() == os.getpid()


def test_nothing_is_forked_while_other_threads_run():
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert not can_fork()
        assert Background(os.getpid).result() == os.getpid()
    finally:
        stop.set()
        t.join()


# -- govmap diff -----------------------------------------------------------------------


def _sides(monkeypatch=None):
    old = synth_yaml(1, seed=1, neighbourhood_groups=30, community_orgs=60)
    new = synth_yaml(1, seed=2, neighbourhood_groups=30, community_orgs=60)
    return side_of_text(old, "old", "old.yaml"), side_of_text(new, "new", "new.yaml")


def test_the_diff_with_the_new_report_in_a_child_is_the_diff_made_in_one_process(monkeypatch):
    a, b = _sides()
    day = dt.date(2026, 6, 1)
    two = diff_registers(a, b, day)
    monkeypatch.setenv("GOVMAP_WORKERS", "1")
    one = diff_registers(a, b, day)
    assert two.findings.new and two.findings.open and two.records.changed
    for fmt in ("json", "md", "html"):
        assert render_diff(two, fmt) == render_diff(one, fmt)


def test_the_streamed_diff_json_is_json_dumps_of_the_diff():
    a, b = _sides()
    d = diff_registers(a, b, dt.date(2026, 6, 1))
    assert "".join(d.iter_json()) == json.dumps(d.to_json(), indent=2, ensure_ascii=False) + "\n"


def test_the_streamed_diff_json_escapes_titles_as_json_does():
    f = diff_module.Finding(
        "x-1", diff_module.Kind.ORPHAN, diff_module.Severity.HIGH, 'Café "board"\\\n\t\u2028', ()
    )
    d = RegisterDiff(
        {"label": "é"}, {"label": "b"}, RecordsDiff(), diff_module.FindingsDiff(new=(f,), open=(f, f))
    )
    assert "".join(d.iter_json()) == json.dumps(d.to_json(), indent=2, ensure_ascii=False) + "\n"


def _brute_renames(removed, added):
    """find_renames as it was written first: every pair scored."""

    def similarity(a, b):  # Python's own difflib, as the first version used
        names = lambda r: [n.casefold().strip() for n in (r.name, *r.aliases)]  # noqa: E731
        return max(difflib.SequenceMatcher(None, x, y).ratio() for x in names(a) for y in names(b))

    candidates = [(similarity(a, b), a.id, b.id, a, b) for a in removed for b in added if type(a) is type(b)]
    used: set[str] = set()
    out = []
    for score, _, _, a, b in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if score >= RENAME_SIMILARITY and a.id not in used and b.id not in used:
            used.update((a.id, b.id))
            out.append((a.id, b.id, round(score, 4)))
    return out


aliases = st.lists(
    st.sampled_from(["Board", "Boards", "Safety Board", "Group", "Groups", "Forum"]), max_size=2
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.text("abcde", min_size=1, max_size=12), aliases), max_size=6),
    st.lists(st.tuples(st.text("abcde", min_size=1, max_size=12), aliases), max_size=6),
)
def test_renames_skipping_pairs_that_cannot_reach_the_threshold_are_the_renames_of_every_pair(old, new):
    def bodies(prefix, rows):
        return [
            Body(id=f"{prefix}{i}", name=name, kind="board", aliases=also)
            for i, (name, also) in enumerate(rows)
        ]

    removed, added = bodies("o", old), bodies("n", new)
    got = [(a.id, b.id, s) for a, b, s in find_renames(removed, added)]
    assert got == _brute_renames(removed, added)


# -- govmap import and dump ------------------------------------------------------------


def test_a_workbook_read_in_two_processes_gives_the_same_tables(monkeypatch):
    raw = write_xlsx(loads(synth_yaml(1, neighbourhood_groups=30, community_orgs=60)))
    monkeypatch.setattr(tabular_xlsx, "SPLIT_BYTES", 0)
    two = read_workbook(raw, "r.xlsx")
    monkeypatch.setenv("GOVMAP_WORKERS", "1")
    one = read_workbook(raw, "r.xlsx")

    def cells(tables):
        return [
            (
                t.name,
                [(c.value, c.row, c.column) for c in t.header],
                [[c and (c.value, c.row, c.column) for c in row] for row in t.rows],
            )
            for t in tables
        ]

    assert cells(two) == cells(one)


def _break(raw: bytes, sheets: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in sheets:
                data = data[: len(data) // 2]  # cut off in the middle of a row
            zout.writestr(info, data)
    return out.getvalue()


def test_the_first_sheet_that_cannot_be_read_is_named_however_the_sheets_are_shared_out(monkeypatch):
    raw = _break(write_xlsx(load_register(SEED)), ["xl/worksheets/sheet3.xml", "xl/worksheets/sheet9.xml"])
    monkeypatch.setattr(tabular_xlsx, "SPLIT_BYTES", 0)
    with pytest.raises(SpreadsheetUnreadable) as two:
        read_workbook(raw, "r.xlsx")
    monkeypatch.setenv("GOVMAP_WORKERS", "1")
    with pytest.raises(SpreadsheetUnreadable) as one:
        read_workbook(raw, "r.xlsx")
    assert two.value.format() == one.value.format()
    assert one.value.format().startswith("error: r.xlsx: a sheet cannot be read (")


def test_a_register_that_breaks_a_rule_stops_the_diff_with_its_place_and_exit_code(tmp_path):
    from tests.clisupport import run_in

    good = "govmap: 1\nregister: {id: t, name: T}\nbodies:\n  - {id: b, name: Board, kind: board}\n"
    (tmp_path / "old.yaml").write_text(good, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(good + "  - {id: c, name: C, kind: board, reports_to: nobody}\n")
    result = run_in(tmp_path, "diff", "old.yaml", "new.yaml", "--format", "json")
    assert result.exit_code == 1
    assert result.output == (
        "new.yaml:5:47: error: body 'c': reports_to 'nobody' is not defined (add a body with id 'nobody')\n"
        "error: 1 error in the register; run 'govmap validate' for details\n"
    )
