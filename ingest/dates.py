"""Dates as a register knows them: a day, a month or only a year.

A source often says "chair since 2025" or "published June 2024".  Writing
``2025-01-01`` for that would invent a fact, so a date field accepts ``2025``,
``2025-06`` or ``2025-06-14``.  A full date stays a :class:`datetime.date`; a
year or a month becomes a :class:`PartialDate`, which covers a span of days.

Comparisons answer "certainly": ``a < b`` is true when every day ``a`` may
mean comes before every day ``b`` may mean, so a review "due 2024" is not
overdue on 1 March 2024, and a membership from ``2025-06`` does not end before
it starts when its end is written ``2025``.

Examples
--------
>>> june = PartialDate.parse("2025-06")
>>> str(june), june.first, june.last
('2025-06', datetime.date(2025, 6, 1), datetime.date(2025, 6, 30))
>>> june < dt.date(2025, 7, 1), june < dt.date(2025, 6, 15), june <= dt.date(2025, 6, 15)
(True, False, True)
>>> PartialDate.parse(2025) < PartialDate.parse("2025-06")
False
>>> sorted([dt.date(2025, 3, 1), PartialDate.parse(2024)], key=date_key)
[PartialDate(year=2024, month=None), datetime.date(2025, 3, 1)]
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, InstanceOf, PlainSerializer, WithJsonSchema

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


@dataclass(frozen=True)
class PartialDate:
    """A year, or a month of a year: the days from :attr:`first` to :attr:`last`."""

    year: int
    month: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is out of range")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is out of range")

    @classmethod
    def parse(cls, value: int | str) -> PartialDate:
        """``2025``, ``'2025'`` or ``'2025-06'``; raise ``ValueError`` otherwise."""
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        m = _PARTIAL.match(str(value).strip())
        if m is None:
            raise ValueError(f"'{value}' is not a year or a month")
        return cls(int(m.group(1)), int(m.group(2)) if m.group(2) else None)

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month or 1, 1)

    @property
    def last(self) -> dt.date:
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def __str__(self) -> str:
        return f"{self.year:04d}" if self.month is None else f"{self.year:04d}-{self.month:02d}"

    def isoformat(self) -> str:
        return str(self)

    def to_yaml(self) -> int | str:
        """The value as written in a register: a year as a number, a month as text."""
        return self.year if self.month is None else str(self)

    # "Certainly before / after": a partial date is a span of days.
    def __lt__(self, other: object) -> bool:
        o = _span(other)
        return NotImplemented if o is None else self.last < o[0]

    def __gt__(self, other: object) -> bool:
        o = _span(other)
        return NotImplemented if o is None else self.first > o[1]

    def __le__(self, other: object) -> bool:
        o = _span(other)
        return NotImplemented if o is None else self.first <= o[1]

    def __ge__(self, other: object) -> bool:
        o = _span(other)
        return NotImplemented if o is None else self.last >= o[0]


def _span(value: object) -> tuple[dt.date, dt.date] | None:
    if isinstance(value, PartialDate):
        return value.first, value.last
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value, value
    return None


def first_day(value: dt.date | PartialDate | int | None) -> dt.date | None:
    """The earliest day a date may mean (None stays None)."""
    if value is None:
        return None
    if isinstance(value, int):
        value = PartialDate(value)
    return value.first if isinstance(value, PartialDate) else value


def last_day(value: dt.date | PartialDate | int | None) -> dt.date | None:
    """The latest day a date may mean: the end of a year or month."""
    if value is None:
        return None
    if isinstance(value, int):
        value = PartialDate(value)
    return value.last if isinstance(value, PartialDate) else value


def date_key(value: dt.date | PartialDate) -> tuple[dt.date, dt.date]:
    """A total order for sorting: earliest day, then latest day."""
    return (first_day(value), last_day(value))  # type: ignore[return-value]


def _parse(value: Any) -> Any:
    if isinstance(value, PartialDate) or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return PartialDate.parse(value)
    if isinstance(value, str):
        text = value.strip()
        if _PARTIAL.match(text):
            return PartialDate.parse(text)
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    # One message for every other value (a time, a list, true): no union noise.
    raise ValueError(f"'{value}' is not a date; write YYYY-MM-DD, YYYY-MM or YYYY")


def _dump(value: Any) -> Any:
    # A year stays a number and a month text, as written; a full date is left
    # to pydantic (a date in Python, ISO text in JSON).
    return value.to_yaml() if isinstance(value, PartialDate) else value


#: A date field of the register: a full date, a month (``2025-06``) or a year (``2025``).
DateValue = Annotated[
    dt.date | InstanceOf[PartialDate],
    BeforeValidator(_parse),
    PlainSerializer(_dump),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                {"type": "string", "pattern": r"^\d{4}(-\d{2})?$"},
                {"type": "integer", "minimum": 1, "maximum": 9999},
            ],
            "description": "A date (YYYY-MM-DD), a month (YYYY-MM) or a year (YYYY).",
        }
    ),
]


__all__ = ["DateValue", "PartialDate", "date_key", "first_day", "last_day"]
