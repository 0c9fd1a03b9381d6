"""Reading self-inspections (主体自查) for the portals, scoped by :mod:`self_access`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import today_local
from sunshine.inspections import repository as checklist_repo
from sunshine.inspections import self_access, self_service
from sunshine.inspections import self_repository as repo
from sunshine.inspections.models import Checklist, ChecklistItem, ChecklistSection
from sunshine.inspections.self_models import SelfCheckTodo, SelfInspection, SelfInspectionAnswer
from sunshine.inspections.self_rules import Period, SelfCheckFrequency, TodoStatus, period_of
from sunshine.registry.models import Business
from sunshine.registry.service import get_business

RECENT = 10
TODO_LIMIT = 200


@dataclass(frozen=True)
class Due:
    """One frequency's current period and its self-inspection, if recorded."""

    period: Period
    record: SelfInspection | None


@dataclass(frozen=True)
class Overview:
    business: Business
    today: date
    due: list[Due]
    history: Page[SelfInspection]
    open_todos: int
    overdue_todos: int
    may_record: bool
    may_configure: bool


def overview(
    *, session: Session, actor: Principal, business: Business, page: PageRequest
) -> Overview:
    """What is due today, this week and this month, and the self-inspections so far."""
    today = today_local()
    periods = [period_of(f, today) for f in SelfCheckFrequency]
    done = repo.for_periods(
        session, business_id=business.id, periods=[(p.frequency, p.start) for p in periods]
    )
    rows, total = repo.self_inspections_of_business(
        session,
        business_id=business.id,
        scope=self_access.self_inspection_condition(actor),
        offset=page.offset,
        limit=page.per_page,
    )
    todos = open_todos(session=session, actor=actor, business=business)
    return Overview(
        business=business,
        today=today,
        due=[Due(p, done.get(p.frequency)) for p in periods],
        history=Page(items=list(rows), total=total, request=page),
        open_todos=len(todos),
        overdue_todos=sum(t.overdue(today) for t, _ in todos),
        may_record=self_access.may_record(actor, business.id),
        may_configure=self_access.may_configure(actor),
    )


@dataclass(frozen=True)
class FormView:
    """What the recording form shows: the items of the frequency, grouped by section."""

    business: Business
    checklist: Checklist
    frequency: SelfCheckFrequency
    period: Period
    sections: list[tuple[ChecklistSection, list[ChecklistItem]]]
    default_list: bool
    recorded: SelfInspection | None

    @property
    def item_count(self) -> int:
        return sum(len(items) for _, items in self.sections)


def form_view(
    *, session: Session, actor: Principal, business: Business, frequency: SelfCheckFrequency
) -> FormView:
    self_access.require_recorder(actor, business.id)
    checklist = self_service.checklist_in_force(session, business)
    items = list(checklist_repo.items_of(session, checklist.id))
    default_list = False
    if frequency is SelfCheckFrequency.DAILY:
        items, default_list = self_service.daily_items(session, business, items)
    period = period_of(frequency, today_local())
    recorded = repo.find_self_inspection(
        session, business_id=business.id, frequency=frequency, period_start=period.start
    )
    return FormView(
        business=business,
        checklist=checklist,
        frequency=frequency,
        period=period,
        sections=_grouped(session, checklist, items),
        default_list=default_list,
        recorded=recorded,
    )


def _grouped(
    session: Session, checklist: Checklist, items: list[ChecklistItem]
) -> list[tuple[ChecklistSection, list[ChecklistItem]]]:
    by_section: dict[int, list[ChecklistItem]] = {}
    for item in items:
        by_section.setdefault(item.section_id, []).append(item)
    return [
        (section, by_section[section.id])
        for section in checklist_repo.sections_of(session, checklist.id)
        if section.id in by_section
    ]


@dataclass(frozen=True)
class DailyListView:
    business: Business
    checklist: Checklist
    sections: list[tuple[ChecklistSection, list[ChecklistItem]]]
    chosen: set[str]
    default_list: bool


def daily_list_view(*, session: Session, actor: Principal, business: Business) -> DailyListView:
    checklist = self_service.checklist_in_force(session, business)
    items = list(checklist_repo.items_of(session, checklist.id))
    chosen, default_list = self_service.daily_items(session, business, items)
    return DailyListView(
        business=business,
        checklist=checklist,
        sections=_grouped(session, checklist, items),
        chosen={item.code for item in chosen},
        default_list=default_list,
    )


@dataclass(frozen=True)
class SelfInspectionFile:
    record: SelfInspection
    business: Business
    answers: list[tuple[ChecklistItem, SelfInspectionAnswer]]
    todos: list[tuple[SelfCheckTodo, ChecklistItem]]


def self_inspection_file(
    *, session: Session, actor: Principal, self_inspection_id: int
) -> SelfInspectionFile:
    record = repo.get_self_inspection(
        session,
        self_inspection_id=self_inspection_id,
        scope=self_access.self_inspection_condition(actor),
    )
    if record is None:
        raise NotFoundError(N_("No such self-inspection"))
    return SelfInspectionFile(
        record=record,
        business=get_business(session=session, actor=actor, business_id=record.business_id),
        answers=list(repo.answers_of(session, record.id)),
        todos=list(repo.todos_of_inspection(session, record.id)),
    )


def open_todos(
    *, session: Session, actor: Principal, business: Business
) -> list[tuple[SelfCheckTodo, ChecklistItem]]:
    return list(
        repo.todos_of_business(
            session,
            business_id=business.id,
            scope=self_access.todo_condition(actor),
            status=TodoStatus.OPEN,
            limit=TODO_LIMIT,
        )
    )


def closed_todos(
    *, session: Session, actor: Principal, business: Business, limit: int = 50
) -> list[tuple[SelfCheckTodo, ChecklistItem]]:
    return list(
        repo.todos_of_business(
            session,
            business_id=business.id,
            scope=self_access.todo_condition(actor),
            status=TodoStatus.CLOSED,
            limit=limit,
        )
    )


def todo_of(*, session: Session, actor: Principal, todo_id: int) -> SelfCheckTodo:
    todo = repo.get_todo(session, todo_id=todo_id, scope=self_access.todo_condition(actor))
    if todo is None:
        raise NotFoundError(N_("No such self-inspection to-do"))
    return todo


@dataclass(frozen=True)
class BusinessSummary:
    """A business's recent self-inspections and open to-dos (the regulator's business page)."""

    business: Business
    today: date
    recent: list[SelfInspection]
    total: int
    todos: list[tuple[SelfCheckTodo, ChecklistItem]]

    @property
    def overdue(self) -> int:
        return sum(todo.overdue(self.today) for todo, _ in self.todos)


def business_summary(*, session: Session, actor: Principal, business_id: int) -> BusinessSummary:
    business = get_business(session=session, actor=actor, business_id=business_id)
    rows, total = repo.self_inspections_of_business(
        session,
        business_id=business.id,
        scope=self_access.self_inspection_condition(actor),
        offset=0,
        limit=RECENT,
    )
    return BusinessSummary(
        business=business,
        today=today_local(),
        recent=list(rows),
        total=total,
        todos=open_todos(session=session, actor=actor, business=business),
    )
