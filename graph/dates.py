"""Partial dates (``2022``, ``2023-11``, ``2017-04-15``) as the ranges of days they cover.

The sources give dates as precisely as they know them, so "as of" questions compare ranges: an
interval that ends in ``2022`` is still valid on 2022-12-31, and one that starts in ``2023-11``
is already valid on 2023-11-01.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from paccto.graph.errors import PacctoError

__all__ = ["earliest_day", "is_valid_on", "latest_day", "parse_as_of"]

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
