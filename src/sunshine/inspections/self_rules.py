"""The rules of business self-inspection (主体自查) as data, each with where it comes from.

* 食品安全法 art. 47: a food business sets up a self-inspection system (食品安全自查制度) and
  checks and evaluates its food-safety situation regularly; when its conditions no longer
  meet the requirements it rectifies at once (立即采取整改措施). Cited from memory: the
  article is not quoted in ../shared/regulations (**unverified** wording); the 2016
  catering checklist item 3.1 (*key*, verified, catering-inspection-checklist.md §4) asks
  for the 食品安全自查 system.
* 日管控、周排查、月调度 (daily control, weekly sweep, monthly review): SAMR Order 60 (2022)
  《企业落实食品安全主体责任监督管理规定》 — the 食品安全员 checks daily against the risk list
  (《每日食品安全检查记录》), a sweep at least weekly (《每周食品安全排查治理报告》), the
  principal reviews monthly (《每月食品安全调度会议纪要》). Not in ../shared/regulations; seen
  only quoted in a public small-shop app in the code index (**unverified**: article numbers,
  exact wording, and whether every caterer is in its scope).
* What a daily check covers is the business's own risk list (Order 60, unverified): here a
  short list the business chooses from the checklist in force; until it chooses, the
  checklist's key items (重点项). Weekly and monthly checks use the whole checklist. The
  default list is **our choice**, not a rule.
* Due dates of self-inspection to-dos: no source sets one; the defaults below (the next
  day, a week, a month) are **our choice**, and the business may pick another date.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sunshine.core.i18n import N_


class SelfCheckFrequency(StrEnum):
    """How often a self-inspection is due (日管控 / 周排查 / 月调度)."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class TodoStatus(StrEnum):
    """A self-inspection to-do (自查整改待办): open until the business closes it."""

    OPEN = "open"
    CLOSED = "closed"


FREQUENCY_LABELS = {
    SelfCheckFrequency.DAILY: N_("Daily self-check (daily control)"),
    SelfCheckFrequency.WEEKLY: N_("Weekly self-inspection (weekly sweep)"),
    SelfCheckFrequency.MONTHLY: N_("Monthly self-inspection (monthly review)"),
}

#: Short names for tables (日管控 / 周排查 / 月调度).
FREQUENCY_SHORT = {
    SelfCheckFrequency.DAILY: N_("Daily control"),
    SelfCheckFrequency.WEEKLY: N_("Weekly sweep"),
    SelfCheckFrequency.MONTHLY: N_("Monthly review"),
}

#: Days from the check to a to-do's default due date (our choice, see the module notes).
DEFAULT_DUE_DAYS = {
    SelfCheckFrequency.DAILY: 1,
    SelfCheckFrequency.WEEKLY: 7,
    SelfCheckFrequency.MONTHLY: 30,
}
#: The latest due date a business may set: a problem left longer is not being rectified.
MAX_DUE_DAYS = 90

SOURCES = (
    {
        "rule": "self-inspection system",
        "source": "食品安全法 art. 47",
        "status": "unverified (not quoted in ../shared/regulations)",
    },
    {
        "rule": "日管控、周排查、月调度",
        "source": "SAMR Order 60 (2022) 《企业落实食品安全主体责任监督管理规定》",
        "status": "unverified (secondary quote only)",
    },
    {
        "rule": "checklist items",
        "source": "catering checklist in force (catering-inspection-checklist.md §4)",
        "status": "verified",
    },
    {"rule": "default daily list = key items; default due dates", "source": "our choice"},
)


@dataclass(frozen=True)
class Period:
    """The stretch of days one self-inspection covers: a day, an ISO week, a month."""

    frequency: SelfCheckFrequency
    start: date
    end: date

    @property
    def label(self) -> str:
        """``2026-11-30``, ``2026-W49`` or ``2026-11`` (the same in every language)."""
        if self.frequency is SelfCheckFrequency.DAILY:
            return self.start.isoformat()
        if self.frequency is SelfCheckFrequency.WEEKLY:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return self.start.strftime("%Y-%m")


def period_of(frequency: SelfCheckFrequency, day: date) -> Period:
    """The period of ``frequency`` that contains ``day``."""
    if frequency is SelfCheckFrequency.DAILY:
        return Period(frequency, day, day)
    if frequency is SelfCheckFrequency.WEEKLY:
        monday = day - timedelta(days=day.weekday())
        return Period(frequency, monday, monday + timedelta(days=6))
    first = day.replace(day=1)
    last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return Period(frequency, first, last)


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def starts_in_month(frequency: SelfCheckFrequency, month: date, today: date) -> tuple[date, date]:
    """The first and last period starts of ``frequency`` counted for ``month``, up to today.

    A week counts for the month holding its Thursday (the ISO rule that assigns weeks to
    years), so every week counts for exactly one month. Periods not yet begun are not
    expected; the range is empty (first > last) when none has.
    """
    first, last = month_bounds(month)
    if frequency is SelfCheckFrequency.DAILY:
        return first, min(last, today)
    if frequency is SelfCheckFrequency.WEEKLY:
        thursday_offset = timedelta(days=3)
        start = period_of(frequency, first + thursday_offset).start
        if start + thursday_offset < first:
            start += timedelta(days=7)
        end = period_of(frequency, last).start
        if end + thursday_offset > last:
            end -= timedelta(days=7)
        return start, min(end, period_of(frequency, today).start)
    return (first, first) if first <= today else (first, first - timedelta(days=1))


def expected_periods(frequency: SelfCheckFrequency, month: date, today: date) -> int:
    """How many periods of ``frequency`` one business owes for ``month`` (up to today)."""
    start, end = starts_in_month(frequency, month, today)
    if start > end:
        return 0
    if frequency is SelfCheckFrequency.DAILY:
        return (end - start).days + 1
    if frequency is SelfCheckFrequency.WEEKLY:
        return (end - start).days // 7 + 1
    return 1


def default_due(frequency: SelfCheckFrequency, checked_on: date) -> date:
    return checked_on + timedelta(days=DEFAULT_DUE_DAYS[frequency])
