"""Sampling plans (抽检计划) and tasks (抽检任务).

A plan is one office's for one year: how many samples of which product categories its
area means to take. A task asks for one business to be sampled (a product of a category)
by a day; the office responsible for the business's place (its station, else the county
bureau, as for cases) does it, and recording a sample for the task closes it. Plans and
tasks are made by the heads of offices (station chiefs, bureau leaders, administrators).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.cases import repository as cases_repo
from sunshine.core.errors import FieldProblem, ForbiddenError, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.time import today_local
from sunshine.regions import repository as regions_repo
from sunshine.regions.models import OrgUnit
from sunshine.registry.models import Business
from sunshine.sampling import repository as repo
from sunshine.sampling.enums import ProductCategory, TaskStatus
from sunshine.sampling.forms import Check
from sunshine.sampling.models import SamplingPlan, SamplingTarget, SamplingTask
from sunshine.sampling.service import named_business

PLANNERS = frozenset({Role.STATION_CHIEF, Role.BUREAU_LEADER, Role.ADMIN})
MAX_TARGET = 100_000


@dataclass(frozen=True)
class PlanForm:
    """A plan as typed: the year, a name, and a target count per product category."""

    year: str
    name: str
    targets: Mapping[str, str]  # category value -> count as typed (blank: none)
    notes: str = ""


@dataclass(frozen=True)
class TaskForm:
    """A task as typed: the plan, the business (id, or store code / licence / credit
    code), the product category and the day it is due."""

    plan_id: int
    category: str
    due_on: str
    business_id: int | None = None
    business: str = ""
    notes: str = ""


@dataclass(frozen=True)
class TargetProgress:
    category: ProductCategory
    target: int
    taken: int


@dataclass(frozen=True)
class PlanView:
    plan: SamplingPlan
    office: OrgUnit | None
    targets: list[TargetProgress]

    @property
    def target_total(self) -> int:
        return sum(t.target for t in self.targets)

    @property
    def taken_total(self) -> int:
        return sum(t.taken for t in self.targets)


def _require_planner(actor: Principal) -> None:
    access.require_regulator(actor)
    if actor.role not in PLANNERS:
        raise ForbiddenError(N_("Sampling plans and tasks are made by the heads of offices."))


def create_plan(*, session: Session, actor: Principal, form: PlanForm) -> SamplingPlan:
    """A plan of the actor's office for a year (refused whole, every problem named)."""
    _require_planner(actor)
    office = regions_repo.get_org_unit(session, actor.org_unit_id) if actor.org_unit_id else None
    if office is None:
        raise ForbiddenError(N_("Sampling plans and tasks are made by the heads of offices."))
    check = Check()
    year = _year(check, form.year)
    name = check.required("name", form.name, 120)
    notes = check.optional("notes", form.notes, 2000)
    targets: dict[ProductCategory, int] = {}
    for key, raw in form.targets.items():
        text = (raw or "").strip()
        if not text:
            continue
        category = check.category(f"targets.{key}", key)
        if not text.isdigit() or not 0 < int(text) <= MAX_TARGET:
            check.add(
                f"targets.{key}",
                N_("a target is a whole number from 1 to {limit}"),
                limit=MAX_TARGET,
            )
        elif category is not None:
            targets[category] = int(text)
    if not targets and not check.problems:
        check.add("targets", N_("set a target for at least one product category"))
    if check.problems or year is None:
        raise ValidationFailed(check.problems)
    codes = _place_codes(office.region_code)
    plan = SamplingPlan(
        year=year,
        name=name,
        org_unit_id=office.id,
        region_code=office.region_code,
        region_level=office.region_level,
        notes=notes,
        created_by_id=actor.user_id,
        **codes,
    )
    session.add(plan)
    session.flush()
    session.add_all(
        SamplingTarget(plan_id=plan.id, category=category, target_count=count)
        for category, count in targets.items()
    )
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="sampling_plan.create",
        entity_type="sampling_plan",
        entity_id=plan.id,
        after={
            "year": year,
            "name": name,
            "org_unit_id": office.id,
            "targets": {c.value: n for c, n in targets.items()},
        },
    )
    return plan


def _year(check: Check, raw: str) -> int | None:
    text = raw.strip()
    this_year = today_local().year
    if not text.isdigit() or not 2000 <= int(text) <= this_year + 1:
        check.add("year", N_("a year from 2000 to {last}"), last=this_year + 1)
        return None
    return int(text)


def _place_codes(code: str) -> dict[str, str | None]:
    """The codes of a region and those above it (GB/T 2260 prefixes, NBS townships)."""
    return {
        "province_code": code[:2] + "0000",
        "prefecture_code": code[:4] + "00" if code[2:4] != "00" else None,
        "county_code": code[:6] if len(code) >= 6 and code[4:6] != "00" else None,
        "township_code": code if len(code) > 6 else None,
    }


def create_task(*, session: Session, actor: Principal, form: TaskForm) -> SamplingTask:
    """A task of a plan: sample this business by that day (refused whole when wrong)."""
    _require_planner(actor)
    check = Check()
    plan = repo.get_plan(session, plan_id=form.plan_id, scope=access.sampling_plan_condition(actor))
    if plan is None:
        raise NotFoundError(N_("No such plan"))
    business = named_business(
        session=session,
        actor=actor,
        business_id=form.business_id,
        identifier=form.business,
        check=check,
    )
    category = check.category("category", form.category)
    due_on = check.day("due_on", form.due_on)
    if not form.due_on.strip():
        check.add("due_on", N_("Required"), code="required")
    elif due_on is not None:
        if due_on < today_local():
            check.add("due_on", N_("a task cannot be due in the past"))
        elif due_on.year != plan.year:
            check.add("due_on", N_("a task of the {year} plan is due in {year}"), year=plan.year)
    notes = check.optional("notes", form.notes, 2000)
    if business is not None and category is not None:
        open_tasks = repo.tasks(
            session,
            scope=access.sampling_task_condition(actor),
            plan_id=plan.id,
            status=TaskStatus.OPEN,
        )
        if any(t.business_id == business.id and t.category is category for t, _ in open_tasks):
            check.add("business", N_("this business already has an open task for this category"))
    if check.problems:
        raise ValidationFailed(check.problems)
    assert business is not None and category is not None and due_on is not None
    office = _responsible_office(session, business)
    task = SamplingTask(
        plan_id=plan.id,
        business_id=business.id,
        category=category,
        org_unit_id=office.id,
        due_on=due_on,
        status=TaskStatus.OPEN,
        province_code=business.province_code,
        prefecture_code=business.prefecture_code,
        county_code=business.county_code,
        township_code=business.township_code,
        notes=notes,
        created_by_id=actor.user_id,
    )
    session.add(task)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="sampling_task.create",
        entity_type="sampling_task",
        entity_id=task.id,
        after={
            "plan_id": plan.id,
            "business_id": business.id,
            "category": category.value,
            "due_on": due_on,
            "org_unit_id": office.id,
        },
    )
    return task


def _responsible_office(session: Session, business: Business) -> OrgUnit:
    """The most local active office covering the business (its station, else the county
    bureau, else the city's, else the province's): the one that samples it."""
    codes = [
        code
        for code in (
            business.township_code,
            business.county_code,
            business.prefecture_code,
            business.province_code,
        )
        if code
    ]
    units = {u.region_code: u for u in cases_repo.active_units_for_regions(session, codes)}
    for code in codes:
        if code in units:
            return units[code]
    raise ValidationFailed(
        [FieldProblem("business", N_("No office is responsible for this place."))]
    )


def list_plans(*, session: Session, actor: Principal, year: int | None) -> list[PlanView]:
    """The plans the actor may see, with their targets and the samples taken so far (of
    the actor's area)."""
    access.require_regulator(actor)
    plans = repo.plans(session, scope=access.sampling_plan_condition(actor), year=year)
    return _views(session, actor, plans)


def _views(session: Session, actor: Principal, plans: Sequence[SamplingPlan]) -> list[PlanView]:
    ids = [p.id for p in plans]
    targets = repo.targets_of(session, ids)
    taken = repo.taken_by_plan(session, plan_ids=ids, scope=access.sample_condition(actor))
    offices = {p.org_unit_id: regions_repo.get_org_unit(session, p.org_unit_id) for p in plans}
    order = list(ProductCategory)
    return [
        PlanView(
            plan=plan,
            office=offices.get(plan.org_unit_id),
            targets=sorted(
                (
                    TargetProgress(t.category, t.target_count, taken.get((plan.id, t.category), 0))
                    for t in targets.get(plan.id, [])
                ),
                key=lambda t: order.index(t.category),
            ),
        )
        for plan in plans
    ]


@dataclass(frozen=True)
class PlanFile:
    view: PlanView
    tasks: list[tuple[SamplingTask, str]]
    offices: dict[int, str]
    today: date


def plan_file(*, session: Session, actor: Principal, plan_id: int) -> PlanFile:
    """A plan with its progress and the tasks the actor may see."""
    access.require_regulator(actor)
    plan = repo.get_plan(session, plan_id=plan_id, scope=access.sampling_plan_condition(actor))
    if plan is None:
        raise NotFoundError(N_("No such plan"))
    tasks = repo.tasks(session, scope=access.sampling_task_condition(actor), plan_id=plan.id)
    office_ids = {t.org_unit_id for t, _ in tasks}
    offices = {}
    for office_id in office_ids:
        unit = regions_repo.get_org_unit(session, office_id)
        if unit is not None:
            offices[office_id] = unit.name
    return PlanFile(
        view=_views(session, actor, [plan])[0], tasks=tasks, offices=offices, today=today_local()
    )


def open_tasks(*, session: Session, actor: Principal) -> list[tuple[SamplingTask, str]]:
    """The open tasks of the actor's area, the soonest due first."""
    access.require_regulator(actor)
    return repo.tasks(
        session, scope=access.sampling_task_condition(actor), status=TaskStatus.OPEN, limit=200
    )


def get_task(*, session: Session, actor: Principal, task_id: int) -> SamplingTask:
    task = repo.get_task(session, task_id=task_id, scope=access.sampling_task_condition(actor))
    if task is None:
        raise NotFoundError(N_("No such task"))
    return task
