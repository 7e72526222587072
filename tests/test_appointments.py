"""Appointments judged --as-of a day: ending soon, expired but listed, vacant seats, mostly vacant bodies."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from click.testing import CliRunner

from govmap.cli import cli
from govmap.graph.analysis.appointments import appointment_end, appointments
from govmap.graph.analysis.findings import Kind
from govmap.ingest.model import Membership
from govmap.ingest.reading.load import loads

# Seats by construction: the chief constable's ends 2026-03-31 (after that it is history); the
# council's appointment (start + 48 months) runs out on 2026-06-01; the health seat has no end.  The
# youth panel has two posts whose last holders left in 2024, and the board one post whose holder the
# register does not record (a data gap, not a vacancy).
REGISTER = """\
govmap: 1
organisations:
  - {id: police, name: Police, type: police-force}
  - {id: council, name: Council, type: county-council}
  - {id: health, name: Health, type: nhs}
posts:
  - {id: chief-constable, name: Chief Constable, organisation: police}
  - {id: youth-lead, name: Lead Member for Youth, organisation: council}
  - {id: youth-officer, name: Youth Officer, organisation: council}
  - {id: clerk, name: Clerk, organisation: council}
people:
  - {id: pat, name: Pat Example, holds: [chief-constable]}
  - {id: kim, name: Kim Example, holds: [{to: youth-lead, end: 2024-06-30}]}
  - {id: sam, name: Sam Example, holds: [{to: youth-officer, end: 2024-09-30}]}
bodies:
  - id: board
    name: Safety Board
    kind: board
    top_level: true
    members:
      - {member: chief-constable, role: chair, start: 2022-04-01, end: 2026-03-31}
      - {member: council, start: 2022-06-01, term: 48}
      - health
      - clerk
  - id: youth-panel
    name: Youth Panel
    kind: group
    reports_to: board
    members:
      - {member: youth-lead, role: chair}
      - youth-officer
"""


def kinds_and_titles(as_of: dt.date) -> list[tuple[str, str]]:
    found = appointments(loads(REGISTER), as_of)
    return sorted((f.kind.value, f.title) for f in found)


def test_term_gives_the_end_of_an_appointment_with_no_end():
    assert appointment_end(Membership(member="x", start=dt.date(2022, 6, 1), term=48)) == dt.date(2026, 6, 1)
    assert appointment_end(Membership(member="x", start=dt.date(2022, 6, 1))) is None
    assert appointment_end(Membership.model_validate({"member": "x", "end": 2026})) == dt.date(2026, 12, 31)


def test_appointments_ending_within_90_days_as_of_a_day():
    found = [t for k, t in kinds_and_titles(dt.date(2026, 3, 15)) if k == Kind.APPOINTMENT_ENDING.value]
    assert found == [
        "Chief Constable's appointment to Safety Board ends on 2026-03-31 (in 16 days).",
        "Council's appointment to Safety Board ends on 2026-06-01 (in 78 days).",
    ]


def test_nothing_is_ending_long_before():
    found = [k for k, _ in kinds_and_titles(dt.date(2025, 1, 1))]
    assert Kind.APPOINTMENT_ENDING.value not in found and Kind.APPOINTMENT_EXPIRED.value not in found


def test_an_appointment_whose_term_ran_out_with_no_end_recorded_is_expired():
    found = [t for k, t in kinds_and_titles(dt.date(2026, 7, 1)) if k == Kind.APPOINTMENT_EXPIRED.value]
    assert found == [
        "Council's appointment to Safety Board ran out on 2026-06-01 (30 days ago, 48 months from 2022-06-01) "
        "and no end or renewal is recorded."
    ]


def test_a_seat_whose_end_has_passed_is_history_not_an_expired_appointment_or_a_vacancy():
    found = kinds_and_titles(dt.date(2026, 4, 10))
    assert [t for k, t in found if "Chief Constable" in t] == []


def test_a_post_whose_last_holder_left_is_a_vacant_seat_and_a_body_mostly_vacant_is_reported():
    found = kinds_and_titles(dt.date(2025, 1, 1))
    assert [t for k, t in found if k == Kind.SEAT_VACANT.value] == [
        "The chair seat of Lead Member for Youth on Youth Panel is vacant: nobody holds the post now (the "
        "register records its past holders).",
        "The member seat of Youth Officer on Youth Panel is vacant: nobody holds the post now (the register "
        "records its past holders).",
    ]
    assert [t for k, t in found if k == Kind.MOSTLY_VACANT.value] == [
        "2 of the 2 seats on Youth Panel are vacant or expired."
    ]


def test_a_post_whose_holder_is_not_recorded_is_not_a_vacant_seat():
    found = kinds_and_titles(dt.date(2025, 1, 1))
    assert [t for k, t in found if "Clerk" in t] == []


def test_a_register_that_records_no_people_calls_no_seat_vacant():
    text = REGISTER[: REGISTER.index("people:")] + REGISTER[REGISTER.index("bodies:") :]
    found = appointments(loads(text), dt.date(2025, 1, 1))
    assert {f.kind for f in found} == set()


def test_the_report_runs_the_appointments_analysis_as_of_the_given_day(tmp_path: Path):
    (tmp_path / "boards.yaml").write_text(REGISTER, encoding="utf-8")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(
            cli,
            ["report", "boards.yaml", "--kind", "appointments", "--format", "json", "--as-of", "2026-04-10"],
        )
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["summary"]["by_kind"] == {"appointment-ending": 1, "seat-vacant": 2, "seats-mostly-vacant": 1}
