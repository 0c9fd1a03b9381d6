"""Working days (工作日) on the Chinese public-holiday calendar.

The official schedule (the State Council's yearly notice of public holidays, 放假安排, with its
make-up workdays, 调休上班) comes from the ``chinese_calendar`` package, which knows the years
it was released with (2004-2026 for version 1.11.0) and raises ``NotImplementedError`` for
any other year. For such a year this module falls back to weekends only: Monday to Friday are
working days. A result that relies on such a day is *provisional* (:func:`is_provisional`):
callers show it as such and compute it again once the package knows the year.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

__all__ = ["add_workdays", "is_provisional", "is_workday", "next_workday"]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


@lru_cache(maxsize=64)
def _has_official_schedule(year: int) -> bool:
    """Whether ``chinese_calendar`` holds the official holiday schedule for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def is_provisional(day: date) -> bool:
    """True when ``day``'s year has no official schedule, so only weekends are rest days."""
    return not _has_official_schedule(day.year)


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day (工作日).

    A make-up workday on a weekend (调休上班) is one; a public holiday on a weekday is not.
    In a year without an official schedule, Monday to Friday are working days.
    """
    if is_provisional(day):
        return day.weekday() < _SATURDAY
    return bool(chinese_calendar.is_workday(day))


def next_workday(day: date) -> date:
    """The first working day strictly after ``day``."""
    candidate = day + _ONE_DAY
    while not is_workday(candidate):
        candidate += _ONE_DAY
    return candidate


def add_workdays(day: date, *, count: int) -> date:
    """The working day ``count`` working days after ``day`` (before it when negative).

    ``day`` itself is not counted (期间开始之日不计算在内); ``count=0`` gives ``day``.
    """
    step = _ONE_DAY if count >= 0 else -_ONE_DAY
    remaining = abs(count)
    current = day
    while remaining:
        current += step
        if is_workday(current):
            remaining -= 1
    return current
