"""Every query of self-inspections (主体自查), their answers, to-dos and daily lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, distinct, func, select
from sqlalchemy.orm import Session

from sunshine.inspections.models import ChecklistItem
from sunshine.inspections.self_models import (
    SelfCheckDailyList,
    SelfCheckTodo,
    SelfInspection,
    SelfInspectionAnswer,
)
from sunshine.inspections.self_rules import SelfCheckFrequency, TodoStatus
from sunshine.regions.enums import RegionLevel
from sunshine.registry.enums import BusinessCategory, OperatingStatus
from sunshine.registry.models import Business


def find_self_inspection(
    session: Session, *, business_id: int, frequency: SelfCheckFrequency, period_start: date
) -> SelfInspection | None:
    stmt = select(SelfInspection).where(
        SelfInspection.business_id == business_id,
        SelfInspection.frequency == frequency,
        SelfInspection.period_start == period_start,
    )
    return session.execute(stmt).scalar_one_or_none()


def for_periods(
    session: Session, *, business_id: int, periods: Sequence[tuple[SelfCheckFrequency, date]]
) -> dict[SelfCheckFrequency, SelfInspection]:
    """The business's self-inspections of the given (frequency, period start) pairs."""
    starts = {start for _, start in periods}
    stmt = select(SelfInspection).where(
        SelfInspection.business_id == business_id, SelfInspection.period_start.in_(starts)
    )
    wanted = set(periods)
    return {
        s.frequency: s
        for s in session.execute(stmt).scalars()
        if (s.frequency, s.period_start) in wanted
    }


def get_self_inspection(
    session: Session, *, self_inspection_id: int, scope: ColumnElement[bool]
) -> SelfInspection | None:
    stmt = select(SelfInspection).where(SelfInspection.id == self_inspection_id, scope)
    return session.execute(stmt).scalar_one_or_none()


def self_inspections_of_business(
    session: Session, *, business_id: int, scope: ColumnElement[bool], offset: int, limit: int
) -> tuple[Sequence[SelfInspection], int]:
    """A business's self-inspections, the latest check first."""
    where = (SelfInspection.business_id == business_id, scope)
    stmt = (
        select(SelfInspection)
        .where(*where)
        .order_by(SelfInspection.checked_on.desc(), SelfInspection.id.desc())
        .offset(offset)
        .limit(limit)
    )
    total = session.execute(select(func.count()).select_from(SelfInspection).where(*where))
    return session.execute(stmt).scalars().all(), int(total.scalar_one())


def answers_of(
    session: Session, self_inspection_id: int
) -> Sequence[tuple[ChecklistItem, SelfInspectionAnswer]]:
    stmt = (
        select(ChecklistItem, SelfInspectionAnswer)
        .join(SelfInspectionAnswer, SelfInspectionAnswer.item_id == ChecklistItem.id)
        .where(SelfInspectionAnswer.self_inspection_id == self_inspection_id)
        .order_by(ChecklistItem.position)
    )
    return [(item, answer) for item, answer in session.execute(stmt)]


def daily_list(session: Session, business_id: int) -> SelfCheckDailyList | None:
    return session.get(SelfCheckDailyList, business_id)


def get_todo(session: Session, *, todo_id: int, scope: ColumnElement[bool]) -> SelfCheckTodo | None:
    stmt = select(SelfCheckTodo).where(SelfCheckTodo.id == todo_id, scope)
    return session.execute(stmt).scalar_one_or_none()


def todos_of_business(
    session: Session,
    *,
    business_id: int,
    scope: ColumnElement[bool],
    status: TodoStatus | None,
    limit: int,
) -> Sequence[tuple[SelfCheckTodo, ChecklistItem]]:
    """A business's to-dos with their items: open ones by due date, closed ones latest first."""
    stmt = (
        select(SelfCheckTodo, ChecklistItem)
        .join(ChecklistItem, ChecklistItem.id == SelfCheckTodo.item_id)
        .where(SelfCheckTodo.business_id == business_id, scope)
    )
    if status is not None:
        stmt = stmt.where(SelfCheckTodo.status == status)
    if status is TodoStatus.CLOSED:
        stmt = stmt.order_by(SelfCheckTodo.closed_at.desc(), SelfCheckTodo.id.desc())
    else:
        stmt = stmt.order_by(SelfCheckTodo.due_on, SelfCheckTodo.id)
    return [(todo, item) for todo, item in session.execute(stmt.limit(limit))]


def todos_of_inspection(
    session: Session, self_inspection_id: int
) -> Sequence[tuple[SelfCheckTodo, ChecklistItem]]:
    stmt = (
        select(SelfCheckTodo, ChecklistItem)
        .join(ChecklistItem, ChecklistItem.id == SelfCheckTodo.item_id)
        .where(SelfCheckTodo.self_inspection_id == self_inspection_id)
        .order_by(ChecklistItem.position)
    )
    return [(todo, item) for todo, item in session.execute(stmt)]


def overdue_todos(
    session: Session, *, scope: ColumnElement[bool], today: date, offset: int, limit: int
) -> tuple[Sequence[tuple[SelfCheckTodo, str, str]], int]:
    """Open to-dos past their due date (``ix_self_check_todos_due``), the longest overdue
    first, with the business's name and the item's code."""
    where = (SelfCheckTodo.status == TodoStatus.OPEN, SelfCheckTodo.due_on < today, scope)
    stmt = (
        select(SelfCheckTodo, Business.name, ChecklistItem.code)
        .join(Business, Business.id == SelfCheckTodo.business_id)
        .join(ChecklistItem, ChecklistItem.id == SelfCheckTodo.item_id)
        .where(*where)
        .order_by(SelfCheckTodo.due_on, SelfCheckTodo.id)
        .offset(offset)
        .limit(limit)
    )
    total = session.execute(select(func.count()).select_from(SelfCheckTodo).where(*where))
    rows = [(todo, name, code) for todo, name, code in session.execute(stmt)]
    return rows, int(total.scalar_one())


# -- rates by area -----------------------------------------------------------------------------


def _area(level: RegionLevel) -> Any:
    return getattr(Business, f"{level.value}_code")


def _expected(scope: ColumnElement[bool]) -> tuple[ColumnElement[bool], ...]:
    """The businesses that owe self-inspections: caterers in operation (the checklist used
    is the catering one)."""
    return (
        scope,
        Business.category == BusinessCategory.CATERER,
        Business.operating_status == OperatingStatus.OPERATING,
    )


def businesses_by_area(
    session: Session, *, scope: ColumnElement[bool], level: RegionLevel
) -> dict[str, int]:
    column = _area(level)
    stmt = select(column, func.count()).where(*_expected(scope)).group_by(column)
    return {k or "": int(n) for k, n in session.execute(stmt)}


def done_by_area(
    session: Session,
    *,
    scope: ColumnElement[bool],
    level: RegionLevel,
    frequency: SelfCheckFrequency,
    first_start: date,
    last_start: date,
) -> dict[str, int]:
    """Self-inspections of ``frequency`` whose period starts in the range, by area (only
    those of businesses that owe them, so a rate never passes 100%)."""
    column = _area(level)
    stmt = (
        select(column, func.count())
        .select_from(SelfInspection)
        .join(Business, Business.id == SelfInspection.business_id)
        .where(
            *_expected(scope),
            SelfInspection.frequency == frequency,
            SelfInspection.period_start >= first_start,
            SelfInspection.period_start <= last_start,
        )
        .group_by(column)
    )
    return {k or "": int(n) for k, n in session.execute(stmt)}


@dataclass(frozen=True)
class ProblemRow:
    area: str
    answered: int
    failed: int
    businesses_with_problems: int


def problems_by_area(
    session: Session, *, scope: ColumnElement[bool], level: RegionLevel, since: date, until: date
) -> list[ProblemRow]:
    """Items answered and failed in the self-inspections checked between the dates, and how
    many businesses found at least one problem, by area."""
    column = _area(level)
    with_problem = case((SelfInspection.failed > 0, SelfInspection.business_id), else_=None)
    stmt = (
        select(
            column,
            func.sum(SelfInspection.passed + SelfInspection.failed),
            func.sum(SelfInspection.failed),
            func.count(distinct(with_problem)),
        )
        .select_from(SelfInspection)
        .join(Business, Business.id == SelfInspection.business_id)
        .where(
            scope,
            SelfInspection.checked_on >= since,
            SelfInspection.checked_on <= until,
        )
        .group_by(column)
    )
    return [
        ProblemRow(k or "", int(a or 0), int(f or 0), int(b or 0))
        for k, a, f, b in session.execute(stmt)
    ]


def overdue_by_area(
    session: Session, *, scope: ColumnElement[bool], level: RegionLevel, today: date
) -> dict[str, int]:
    column = _area(level)
    stmt = (
        select(column, func.count())
        .select_from(SelfCheckTodo)
        .join(Business, Business.id == SelfCheckTodo.business_id)
        .where(scope, SelfCheckTodo.status == TodoStatus.OPEN, SelfCheckTodo.due_on < today)
        .group_by(column)
    )
    return {k or "": int(n) for k, n in session.execute(stmt)}
