"""Case statistics (案件统计) of a regulator's jurisdiction: volumes by kind and month,
response times in working days, and overdue rates by area and by kind.

Every figure is grouped in SQL (see ``repository``): the rows that come back are one per
kind and month, per pair of days, or per area, however many cases there are. Response
times are counted in working days on the Chinese holiday calendar, from the day a case was
received (not counted) to the local day of its first acceptance or of its closing.
Percentiles use the nearest-rank method: the median is the value at rank ⌈N/2⌉, the 90th
percentile the value at rank ⌈0.9·N⌉ of the N durations sorted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil

from sqlalchemy.orm import Session

from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.cases import repository as repo
from sunshine.cases.calendar import is_workday
from sunshine.cases.enums import CaseAction, CaseKind
from sunshine.core.time import today_local
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import RegionLevel

DEFAULT_MONTHS = 12
MAX_MONTHS = 36

# The division one level below the jurisdiction (a township regulator stays at township).
_AREA_LEVEL = {
    RegionLevel.PROVINCE: RegionLevel.PREFECTURE,
    RegionLevel.PREFECTURE: RegionLevel.COUNTY,
    RegionLevel.COUNTY: RegionLevel.TOWNSHIP,
    RegionLevel.TOWNSHIP: RegionLevel.TOWNSHIP,
}
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Durations:
    """Response times in working days of ``count`` cases."""

    count: int
    median: int | None
    p90: int | None


@dataclass(frozen=True)
class ResponseTimes:
    kind: CaseKind | None  # None: every kind together
    to_acceptance: Durations
    to_closing: Durations


@dataclass(frozen=True)
class DeadlineRow:
    """Cases of an area or a kind against their statutory deadlines."""

    key: str | None
    name: str
    received: int  # in the period
    open: int  # now
    overdue: int  # now
    missed: int  # received in the period and found past a deadline at least once

    @property
    def overdue_rate(self) -> float | None:
        """Share of the open cases that are overdue now."""
        return self.overdue / self.open if self.open else None

    @property
    def missed_rate(self) -> float | None:
        """Share of the cases received in the period that missed a deadline."""
        return self.missed / self.received if self.received else None


@dataclass(frozen=True)
class CaseStatistics:
    since: date
    today: date
    area_level: RegionLevel
    months: list[tuple[int, int]]  # (year, month), oldest first
    volumes: dict[CaseKind, list[int]]  # by kind, one count per month
    response: list[ResponseTimes]
    by_area: list[DeadlineRow]
    by_kind: list[DeadlineRow]

    @property
    def monthly_totals(self) -> list[int]:
        return [sum(column) for column in zip(*self.volumes.values(), strict=True)]


def case_statistics(
    *, session: Session, actor: Principal, months: int = DEFAULT_MONTHS, today: date | None = None
) -> CaseStatistics:
    """The figures of the cases the actor may see, for the last ``months`` months (this
    month included)."""
    access.require_regulator(actor)
    assert actor.jurisdiction_level is not None
    today = today or today_local()
    months = min(max(1, months), MAX_MONTHS)
    calendar = _months(today, months)
    since = date(calendar[0][0], calendar[0][1], 1)
    scope = access.case_condition(actor)
    level = _AREA_LEVEL[actor.jurisdiction_level]
    return CaseStatistics(
        since=since,
        today=today,
        area_level=level,
        months=calendar,
        volumes=_volumes(repo.volumes_by_month(session, scope=scope, since=since), calendar),
        response=_response_times(
            repo.first_step_days(session, scope=scope, since=since, action=CaseAction.ACCEPT.value),
            repo.closing_days(session, scope=scope, since=since),
        ),
        by_area=_area_rows(
            session,
            repo.deadline_tally(
                session, scope=scope, group="area", level=level, since=since, today=today
            ),
        ),
        by_kind=[
            DeadlineRow(t.key, t.key or "", t.received, t.open, t.overdue, t.missed)
            for t in sorted(
                repo.deadline_tally(
                    session, scope=scope, group="kind", level=None, since=since, today=today
                ),
                key=lambda t: list(CaseKind).index(CaseKind(t.key)) if t.key else 99,
            )
        ],
    )


def _months(today: date, count: int) -> list[tuple[int, int]]:
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _volumes(
    rows: list[tuple[CaseKind, int, int, int]], calendar: list[tuple[int, int]]
) -> dict[CaseKind, list[int]]:
    index = {ym: i for i, ym in enumerate(calendar)}
    volumes = {kind: [0] * len(calendar) for kind in CaseKind}
    for kind, year, month, n in rows:
        if (year, month) in index:
            volumes[kind][index[(year, month)]] += n
    return volumes


Histogram = dict[int, int]  # working days -> number of cases


def _response_times(
    accepted: list[tuple[CaseKind, date, date, int]],
    closed: list[tuple[CaseKind, date, date, int]],
) -> list[ResponseTimes]:
    counter = _WorkdayCounter(
        d for _k, start, end, _n in [*accepted, *closed] for d in (start, end)
    )
    to_accept = _histograms(accepted, counter)
    to_close = _histograms(closed, counter)
    kinds: list[CaseKind | None] = [None, *CaseKind]
    return [
        ResponseTimes(
            kind=kind,
            to_acceptance=_durations(to_accept.get(kind, {})),
            to_closing=_durations(to_close.get(kind, {})),
        )
        for kind in kinds
    ]


def _histograms(
    rows: list[tuple[CaseKind, date, date, int]], counter: _WorkdayCounter
) -> dict[CaseKind | None, Histogram]:
    out: dict[CaseKind | None, Histogram] = {}
    for kind, start, end, n in rows:
        days = counter.between(start, end)
        for key in (kind, None):
            histogram = out.setdefault(key, {})
            histogram[days] = histogram.get(days, 0) + n
    return out


def _durations(histogram: Histogram) -> Durations:
    total = sum(histogram.values())
    if not total:
        return Durations(count=0, median=None, p90=None)
    return Durations(
        count=total,
        median=_nearest_rank(histogram, total, 0.5),
        p90=_nearest_rank(histogram, total, 0.9),
    )


def _nearest_rank(histogram: Histogram, total: int, share: float) -> int:
    rank = max(1, ceil(share * total))
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            return days
    return max(histogram)


class _WorkdayCounter:
    """Working days between two dates by a running count over the span the rows cover,
    so a year of day pairs costs one pass over the calendar, not one per pair."""

    def __init__(self, days: Iterable[date]) -> None:
        span = sorted(days)
        self._ordinal: dict[date, int] = {}
        if not span:
            return
        day, count = span[0], 0
        while day <= span[-1]:
            count += is_workday(day)
            self._ordinal[day] = count
            day += _ONE_DAY

    def between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when not later)."""
        if end <= start:
            return 0
        return self._ordinal[end] - self._ordinal[start]


def _area_rows(session: Session, tallies: list[repo.DeadlineTally]) -> list[DeadlineRow]:
    regions = regions_repo.get_regions(session, [t.key for t in tallies if t.key])
    rows = [
        DeadlineRow(
            key=t.key,
            name=regions[t.key].name if t.key in regions else "",
            received=t.received,
            open=t.open,
            overdue=t.overdue,
            missed=t.missed,
        )
        for t in tallies
    ]
    return sorted(rows, key=lambda r: (r.key is None, r.key or ""))
