"""Staleness: review dates passed as of a given day, ended periods, unconfirmed facts per record."""

from __future__ import annotations

import datetime as dt
import textwrap

from govmap.graph.analysis.findings import Kind, Severity
from govmap.graph.analysis.staleness import ended_periods, overdue_reviews, staleness, unconfirmed_facts
from govmap.ingest.model import Register
from govmap.ingest.reading.load import loads


def reg(text: str) -> Register:
    return loads(textwrap.dedent(text))


REG = """\
documents: [{id: doc, name: Doc}]
organisations:
  - {id: police, name: Police, type: police-force, sources: [{doc: doc}]}
  - {id: fire, name: Fire, type: fire-and-rescue}
bodies:
  - id: board
    name: Board
    kind: board
    review_date: 2024-01-31
    sources: [{doc: doc}]
    members: [police, {member: fire, status: unconfirmed}]
strategies:
  - {id: plan, name: Plan, kind: plan, owner: board, period: {start: 2021, end: 2023}, review_date: 2022-06-30, sources: [{doc: doc}]}
"""


def test_a_review_is_overdue_the_day_after_its_date_not_on_it_and_a_plan_past_its_period_is_not_reviewed():
    r = reg(REG)
    assert [f.subjects[0].id for f in overdue_reviews(r, dt.date(2023, 12, 31))] == ["plan"]
    assert overdue_reviews(r, dt.date(2024, 1, 31)) == []  # its period ended: period-ended says so, once
    fs = overdue_reviews(r, dt.date(2024, 2, 1))
    assert [(f.subjects[0].id, f.severity) for f in fs] == [("board", Severity.LOW)]  # the plan ended in 2023
    assert fs[0].title == "The review of Board was due on 2024-01-31 (1 day ago)."
    assert fs[0].evidence == {"review_date": "2024-01-31", "as_of": "2024-02-01", "days_overdue": 1}


def test_a_strategy_period_ending_in_a_year_ends_on_31_december():
    r = reg(REG)
    assert ended_periods(r, dt.date(2023, 12, 31)) == []
    [f] = ended_periods(r, dt.date(2024, 1, 1))
    assert f.kind is Kind.PERIOD_ENDED and f.title == "The period of Plan ended on 2023-12-31."


def test_unconfirmed_facts_are_aggregated_per_record():
    fs = {f.subjects[0].id: f for f in unconfirmed_facts(reg(REG))}
    assert set(fs) == {"board", "fire"}
    assert fs["board"].title == "Board has 1 unconfirmed fact."
    assert fs["board"].evidence["relations"] == [{"field": "members", "to": "fire", "name": "Fire"}]
    assert fs["fire"].evidence["record_unconfirmed"] is True
    assert (fs["board"].severity, fs["fire"].severity) == (Severity.LOW, Severity.INFO)


def test_staleness_ids_are_the_same_on_different_days_for_the_same_review_date():
    r = reg(REG)
    a = {f.id for f in overdue_reviews(r, dt.date(2025, 1, 1))}
    b = {f.id for f in overdue_reviews(r, dt.date(2025, 6, 1))}
    assert a == b


def test_today_is_the_default_and_an_empty_register_is_fresh():
    assert staleness(reg("{}")) == []
    assert overdue_reviews(reg(REG))  # 2024 is in the past
