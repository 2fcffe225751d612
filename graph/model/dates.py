"""Partial dates (``2022``, ``2023-11``, ``2017-04-15``) as the ranges of days they cover.

The sources give dates as precisely as they know them, so "as of" questions compare ranges: an
interval that ends in ``2022`` is still valid on 2022-12-31, and one that starts in ``2023-11``
is already valid on 2023-11-01.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from paccto.graph.errors import PacctoError

__all__ = [
    "Period",
    "earliest_day",
    "entity_exists",
    "is_valid_on",
    "latest_day",
    "parse_as_of",
]

_PARTIAL = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")


def _parts(value: str) -> tuple[int, int | None, int | None] | None:
    match = _PARTIAL.match(value.strip())
    if not match:
        return None
    month = match["month"]
    day = match["day"]
    return int(match["year"]), int(month) if month else None, int(day) if day else None


def earliest_day(value: str | None) -> date | None:
    """First day a partial date can mean; None when the value is missing or unreadable."""
    parts = _parts(value) if value else None
    if parts is None:
        return None
    year, month, day = parts
    try:
        return date(year, month or 1, day or 1)
    except ValueError:
        return None


def latest_day(value: str | None) -> date | None:
    """Last day a partial date can mean; None when the value is missing or unreadable."""
    parts = _parts(value) if value else None
    if parts is None:
        return None
    year, month, day = parts
    month = month or 12
    try:
        return date(year, month, day or calendar.monthrange(year, month)[1])
    except ValueError:
        return None


def is_valid_on(on: date, start: str | None, end: str | None) -> bool:
    """Whether something running from ``start`` to ``end`` (either may be open) holds on ``on``."""
    first = earliest_day(start)
    last = latest_day(end)
    return (first is None or first <= on) and (last is None or on <= last)


def parse_as_of(value: str | date | None) -> date | None:
    """Read a user's "as of" date; a year or a month means its last day.

    Examples
    --------
    >>> parse_as_of("2021")
    datetime.date(2021, 12, 31)
    >>> parse_as_of("2023-11-21")
    datetime.date(2023, 11, 21)
    """
    if value is None or isinstance(value, date):
        return value
    day = latest_day(value)
    if day is None:
        raise PacctoError(
            f"invalid date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD (for example 2022-05-31)"
        )
    return day


@dataclass(frozen=True)
class Period:
    """A range of days, both ends included: one day for "as of", a programme phase for "during".

    "As of" and "during a phase" are the same question asked of a range, so both filters use
    :meth:`holds`: something holds during the period if its own interval overlaps it.
    """

    first: date
    last: date

    @classmethod
    def on(cls, day: date) -> Period:
        return cls(day, day)

    @classmethod
    def between(cls, start: str | None, end: str | None) -> Period:
        """The days from partial date ``start`` to ``end``; an open or unreadable end is open."""
        return cls(earliest_day(start) or date.min, latest_day(end) or date.max)

    def holds(self, start: str | None, end: str | None) -> bool:
        """Whether something running from ``start`` to ``end`` holds on some day of the period."""
        first = earliest_day(start)
        last = latest_day(end)
        return (first is None or first <= self.last) and (last is None or self.first <= last)

    def __str__(self) -> str:
        if self.first == self.last:
            return self.first.isoformat()
        first = "" if self.first == date.min else self.first.isoformat()
        last = "" if self.last == date.max else self.last.isoformat()
        return f"{first}/{last}"


def entity_exists(node: Mapping[str, Any], period: Period) -> bool:
    """Whether an entity of the projection existed at some time in ``period``.

    An organisation exists from its founding date, an event from the day it is held (an event
    not yet held is not part of the picture), and anything with a start and end (a phase, a
    presidency) between them. Open or unknown dates never exclude.
    """
    return (
        period.holds(node.get("founding_date"), None)
        and period.holds(node.get("date"), None)
        and period.holds(node.get("start"), node.get("end"))
    )
