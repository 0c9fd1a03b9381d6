"""The regulator's view of self-inspection (主体自查): completion and problem rates by area.

For one month, in the regulator's jurisdiction:

* completion, per frequency: self-inspections done / expected. Expected = caterers in
  operation x the periods of the month that have begun (every day; every ISO week whose
  Thursday falls in the month; the month). Done counts only those businesses' checks.
* problems: failed items / items answered (passed or failed; not-applicable left out, as
  合理缺项 are in the 2016 table's pass rate) over the self-inspections checked in the month,
  and how many businesses found at least one problem.
* open to-dos past their due date (overdue), now.

Areas are one level below the jurisdiction (a county's townships, a city's counties); a
station sees its own township.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import today_local
from sunshine.inspections import self_access
from sunshine.inspections import self_repository as repo
from sunshine.inspections.self_models import SelfCheckTodo
from sunshine.inspections.self_rules import (
    SelfCheckFrequency,
    expected_periods,
    month_bounds,
    starts_in_month,
)
from sunshine.regions import service as regions_service
from sunshine.regions.enums import RegionLevel

_BELOW = {
    RegionLevel.PROVINCE: RegionLevel.PREFECTURE,
    RegionLevel.PREFECTURE: RegionLevel.COUNTY,
    RegionLevel.COUNTY: RegionLevel.TOWNSHIP,
    RegionLevel.TOWNSHIP: RegionLevel.TOWNSHIP,
}


@dataclass(frozen=True)
class Completion:
    done: int
    expected: int

    @property
    def rate(self) -> float | None:
        return self.done / self.expected if self.expected else None


@dataclass
class AreaRow:
    code: str
    name: str
    businesses: int = 0
    completion: dict[SelfCheckFrequency, Completion] = field(default_factory=dict)
    answered: int = 0
    failed: int = 0
    businesses_with_problems: int = 0
    overdue: int = 0

    @property
    def problem_rate(self) -> float | None:
        return self.failed / self.answered if self.answered else None


@dataclass(frozen=True)
class SelfCheckStatistics:
    month: date
    area_level: RegionLevel
    rows: list[AreaRow]
    total: AreaRow


def statistics(
    *, session: Session, actor: Principal, month: date | None = None
) -> SelfCheckStatistics:
    """The month's completion and problem rates by area (this month by default)."""
    access.require_regulator(actor)
    today = today_local()
    month = (month or today).replace(day=1)
    scope = access.business_condition(actor)
    level = _BELOW[actor.jurisdiction_level or RegionLevel.TOWNSHIP]
    rows: dict[str, AreaRow] = {}

    def row(code: str) -> AreaRow:
        return rows.setdefault(code, AreaRow(code=code, name=""))

    for code, count in repo.businesses_by_area(session, scope=scope, level=level).items():
        row(code).businesses = count
    for frequency in SelfCheckFrequency:
        first, last = starts_in_month(frequency, month, today)
        periods = expected_periods(frequency, month, today)
        done = (
            repo.done_by_area(
                session,
                scope=scope,
                level=level,
                frequency=frequency,
                first_start=first,
                last_start=last,
            )
            if periods
            else {}
        )
        for code in set(done) | set(rows):
            target = row(code)
            expected = target.businesses * periods
            target.completion[frequency] = Completion(done.get(code, 0), expected)
    since, until = month_bounds(month)
    for problem in repo.problems_by_area(
        session, scope=scope, level=level, since=since, until=min(until, today)
    ):
        target = row(problem.area)
        target.answered = problem.answered
        target.failed = problem.failed
        target.businesses_with_problems = problem.businesses_with_problems
    for code, count in repo.overdue_by_area(session, scope=scope, level=level, today=today).items():
        row(code).overdue = count
    _name(session, rows)
    ordered = sorted(rows.values(), key=lambda r: (r.name == "", r.code))
    return SelfCheckStatistics(month=month, area_level=level, rows=ordered, total=_total(ordered))


def _name(session: Session, rows: dict[str, AreaRow]) -> None:
    for code, target in rows.items():
        found = regions_service.region_names(session=session, codes=[code]) if code else []
        target.name = found[0] if found else ""


def _total(rows: list[AreaRow]) -> AreaRow:
    total = AreaRow(code="", name="")
    for target in rows:
        total.businesses += target.businesses
        total.answered += target.answered
        total.failed += target.failed
        total.businesses_with_problems += target.businesses_with_problems
        total.overdue += target.overdue
        for frequency, completion in target.completion.items():
            before = total.completion.get(frequency, Completion(0, 0))
            total.completion[frequency] = Completion(
                before.done + completion.done, before.expected + completion.expected
            )
    return total


def overdue_todos(
    *, session: Session, actor: Principal, page: PageRequest
) -> Page[tuple[SelfCheckTodo, str, str]]:
    """Open to-dos past their due date in the actor's jurisdiction, the longest overdue first."""
    access.require_regulator(actor)
    rows, total = repo.overdue_todos(
        session,
        scope=self_access.todo_condition(actor),
        today=today_local(),
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=list(rows), total=total, request=page)
