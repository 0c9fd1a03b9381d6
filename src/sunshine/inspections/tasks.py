"""Inspection tasks (检查任务): who inspects which business by when.

A task comes from a published 双随机 draw (one per drawn business, with the officers drawn)
or from a case that asks for an inspection (:func:`create_task_from_case`). It is assigned
to the business's station (the most local active office covering it: the township's
station, else the county bureau, ...) and to its officers, at least two (Order 49 art. 23);
a task without officers (a pool too small, a case) waits for the station's chief to assign
them. Recording an inspection of the business by one of the task's officers fulfils the
task (:func:`fulfil_with`, called by ``service.record_inspection``): the inspection names
the task and the task is done.

Regulators see and act on the tasks of their jurisdiction only (``access.task_condition``).
(This module holds the domain's inspection tasks, not background jobs.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.cases import repository as cases_repo
from sunshine.cases import service as cases_service
from sunshine.cases.enums import CaseState
from sunshine.core.errors import (
    ConflictError,
    DomainError,
    FieldProblem,
    NotFoundError,
    ValidationFailed,
)
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import today_local, utc_now
from sunshine.inspections import plan_repository as repo
from sunshine.inspections import plan_rules as rules
from sunshine.inspections.enums import InspectionKind
from sunshine.inspections.models import Inspection
from sunshine.inspections.plan_enums import TaskQueue, TaskSource, TaskStatus
from sunshine.inspections.plan_models import InspectionTask, RandomDraw
from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import OrgUnit
from sunshine.registry.models import Business
from sunshine.registry.service import get_business

__all__ = [
    "DUE_SOON_DAYS",
    "TaskDetail",
    "assign_inspectors",
    "cancel_task",
    "case_id_for",
    "create_for_draw",
    "create_task_from_case",
    "fulfil_with",
    "list_tasks",
    "queue_counts",
    "task_detail",
]

#: The "due" tab: open tasks due within this many days, or overdue (a display choice).
DUE_SOON_DAYS = 7
_Place = tuple[str, str, str, str | None]


def _station(units: dict[str, OrgUnit], place: _Place) -> OrgUnit | None:
    """The most local active office covering a place: township, county, city, province."""
    for code in reversed(place):
        if code and code in units:
            return units[code]
    return None


def _stations(session: Session, places: dict[int, _Place]) -> dict[int, OrgUnit]:
    codes = sorted({code for place in places.values() for code in place if code})
    units = {u.region_code: u for u in cases_repo.active_units_for_regions(session, codes)}
    found = {}
    for business_id, place in places.items():
        unit = _station(units, place)
        if unit is None:
            raise ValidationFailed(
                [FieldProblem("business", N_("No office is responsible for this place."))]
            )
        found[business_id] = unit
    return found


def _task_row(
    *,
    source: TaskSource,
    business_id: int,
    place: _Place,
    unit: OrgUnit,
    kind: InspectionKind,
    due_on: date,
    actor: Principal,
    draw_id: int | None = None,
    draw_position: int | None = None,
    case_id: int | None = None,
    note: str = "",
) -> dict[str, object]:
    province, prefecture, county, township = place
    return {
        "source": source,
        "draw_id": draw_id,
        "draw_position": draw_position,
        "case_id": case_id,
        "business_id": business_id,
        "org_unit_id": unit.id,
        "kind": kind,
        "province_code": province,
        "prefecture_code": prefecture,
        "county_code": county,
        "township_code": township,
        "due_on": due_on,
        "status": TaskStatus.OPEN,
        "note": note,
        "created_at": utc_now(),
        "created_by_id": actor.user_id,
        "closed_at": None,
    }


def create_for_draw(
    *,
    session: Session,
    actor: Principal,
    draw: RandomDraw,
    entries: Sequence[repo.EntryRow],
) -> list[int]:
    """One task per drawn business, with the officers drawn for it (the draw's publication
    is audited as a whole, naming the tasks made). Returns the tasks' ids in draw order."""
    places = repo.business_places(session, [e.business_id for e in entries])
    stations = _stations(session, places)
    rows = [
        _task_row(
            source=TaskSource.DRAW,
            business_id=e.business_id,
            place=places[e.business_id],
            unit=stations[e.business_id],
            kind=InspectionKind.ROUTINE,
            due_on=draw.due_on,
            actor=actor,
            draw_id=draw.id,
            draw_position=e.position,
        )
        for e in entries
    ]
    by_position = repo.insert_draw_tasks(session, draw.id, rows)
    ids = [by_position[e.position] for e in entries]
    repo.insert_task_inspectors(
        session,
        [
            {"task_id": task_id, "user_id": user_id, "position": n}
            for task_id, e in zip(ids, entries, strict=True)
            for n, user_id in enumerate(e.inspector_ids)
        ],
    )
    return ids


def _check_officers(
    session: Session, business: Business, inspector_ids: Sequence[int]
) -> tuple[list[int], list[FieldProblem]]:
    """The officers named for a task, in order and once each, and what is wrong with them:
    fewer than two, not in the directory, their office not covering the business, or a
    declared conflict of interest with it."""
    from sunshine.inspections.draws import DIRECTORY_ROLES

    ids = list(dict.fromkeys(inspector_ids))
    problems = []
    if len(ids) < rules.MIN_GROUP.value:
        problems.append(
            FieldProblem("inspectors", N_("an inspection is made by at least two officers"))
        )
    officers = {
        o.user_id: o
        for o in repo.directory(
            session, province_code=business.province_code, roles=DIRECTORY_ROLES, user_ids=ids
        )
    }
    place = {
        RegionLevel.PROVINCE: business.province_code,
        RegionLevel.PREFECTURE: business.prefecture_code,
        RegionLevel.COUNTY: business.county_code,
        RegionLevel.TOWNSHIP: business.township_code,
    }
    for n, user_id in enumerate(ids):
        officer = officers.get(user_id)
        if officer is None:
            problems.append(FieldProblem(f"inspectors[{n}]", N_("not an active officer")))
        elif place[officer.level] != officer.code:
            problems.append(
                FieldProblem(
                    f"inspectors[{n}]",
                    N_("{name}'s office does not cover this business"),
                    params={"name": officer.name},
                )
            )
        elif repo.active_conflict(session, inspector_id=user_id, business_id=business.id):
            problems.append(
                FieldProblem(
                    f"inspectors[{n}]",
                    N_("{name} declared a conflict of interest with this business"),
                    params={"name": officer.name},
                )
            )
    return ids, problems


def eligible_officers(session: Session, business: Business) -> list[repo.Officer]:
    """The officers who may be assigned to inspect a business: in the directory, their
    office covering it, no conflict declared with it."""
    from sunshine.inspections.draws import DIRECTORY_ROLES

    place = {
        RegionLevel.PROVINCE: business.province_code,
        RegionLevel.PREFECTURE: business.prefecture_code,
        RegionLevel.COUNTY: business.county_code,
        RegionLevel.TOWNSHIP: business.township_code,
    }
    conflicted = {u for u, _ in repo.conflicts_of_businesses(session, [business.id])}
    return [
        o
        for o in repo.directory(
            session, province_code=business.province_code, roles=DIRECTORY_ROLES
        )
        if place[o.level] == o.code and o.user_id not in conflicted
    ]


def _place_of(business: Business) -> _Place:
    return (
        business.province_code,
        business.prefecture_code,
        business.county_code,
        business.township_code,
    )


def create_task_from_case(
    *,
    session: Session,
    actor: Principal,
    case_id: int,
    due_on: date | None = None,
    inspector_ids: Sequence[int] = (),
    note: str = "",
) -> InspectionTask:
    """A case asks for an inspection of the business it concerns (投诉举报核查): a task for
    the business's station, due by ``due_on`` or else the due date of the case's running
    clock, with the officers named (at least two) or none yet (the station assigns them)."""
    access.require_regulator(actor)
    case = cases_service.get_case(session=session, actor=actor, case_id=case_id)
    problems = []
    if case.business_id is None:
        raise ValidationFailed(
            [FieldProblem("case", N_("the case names no business; an inspection needs one"))]
        )
    if case.state in (CaseState.CLOSED, CaseState.REJECTED):
        raise ValidationFailed([FieldProblem("case", N_("the case is closed"))])
    if repo.open_task_of_case(session, case.id) is not None:
        raise ConflictError(N_("This case already has an open inspection task."))
    business = get_business(session=session, actor=actor, business_id=case.business_id)
    due = due_on or case.due_on
    if due is None:
        problems.append(FieldProblem("due_on", N_("give the date the inspection is due")))
    elif due < today_local():
        problems.append(FieldProblem("due_on", N_("the due date cannot be in the past")))
    ids: list[int] = []
    if inspector_ids:
        ids, more = _check_officers(session, business, inspector_ids)
        problems += more
    if len(note.strip()) > 2000:
        problems.append(FieldProblem("note", N_("use at most {n} characters"), params={"n": 2000}))
    if problems or due is None:
        raise ValidationFailed(problems)
    place = _place_of(business)
    unit = _stations(session, {business.id: place})[business.id]
    row = _task_row(
        source=TaskSource.CASE,
        business_id=business.id,
        place=place,
        unit=unit,
        kind=InspectionKind.COMPLAINT,
        due_on=due,
        actor=actor,
        case_id=case.id,
        note=note.strip(),
    )
    task_id = repo.insert_tasks(session, [row])[0]
    repo.replace_task_inspectors(session, task_id, ids)
    task = repo.get_task(session, task_id=task_id, scope=access.task_condition(actor))
    if task is None:  # the business lies outside the actor's jurisdiction
        raise NotFoundError(N_("No such business"))
    audit.record(
        session=session,
        actor=actor,
        action="task.create",
        entity_type="inspection_task",
        entity_id=task.id,
        after={
            "source": TaskSource.CASE.value,
            "case_id": case.id,
            "business_id": business.id,
            "org_unit_id": unit.id,
            "due_on": due.isoformat(),
            "inspector_ids": ids,
        },
    )
    return task


def _task_in_scope(session: Session, actor: Principal, task_id: int) -> InspectionTask:
    access.require_regulator(actor)
    task = repo.get_task(session, task_id=task_id, scope=access.task_condition(actor))
    if task is None:
        raise NotFoundError(N_("No such task"))
    return task


def _open(task: InspectionTask) -> None:
    if task.status is not TaskStatus.OPEN:
        raise ConflictError(N_("This task is no longer open."))


def assign_inspectors(
    *, session: Session, actor: Principal, task_id: int, inspector_ids: Sequence[int]
) -> InspectionTask:
    """Name the officers of an open task (replacing those named before)."""
    access.require_planner(actor)
    task = _task_in_scope(session, actor, task_id)
    _open(task)
    business = get_business(session=session, actor=actor, business_id=task.business_id)
    ids, problems = _check_officers(session, business, inspector_ids)
    if problems:
        raise ValidationFailed(problems)
    before = repo.inspectors_of_tasks(session, [task.id]).get(task.id, [])
    repo.replace_task_inspectors(session, task.id, ids)
    audit.record(
        session=session,
        actor=actor,
        action="task.assign",
        entity_type="inspection_task",
        entity_id=task.id,
        before={"inspector_ids": before},
        after={"inspector_ids": ids},
    )
    return task


def cancel_task(*, session: Session, actor: Principal, task_id: int, reason: str) -> InspectionTask:
    """Cancel an open task (the business closed, moved, ...), saying why."""
    access.require_planner(actor)
    task = _task_in_scope(session, actor, task_id)
    _open(task)
    text = reason.strip()
    if not text:
        raise ValidationFailed([FieldProblem("reason", N_("say why the task is cancelled"))])
    if len(text) > 2000:
        raise ValidationFailed(
            [FieldProblem("reason", N_("use at most {n} characters"), params={"n": 2000})]
        )
    task.status = TaskStatus.CANCELLED
    task.closed_at = utc_now()
    task.note = (task.note + "\n" if task.note else "") + text
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="task.cancel",
        entity_type="inspection_task",
        entity_id=task.id,
        before={"status": TaskStatus.OPEN.value},
        after={"status": task.status.value, "reason": text},
    )
    return task


class TaskChanged(ConflictError):
    """The task an inspection was recorded for changed after the device took it (cancelled,
    done by another inspection, given to other officers): the record is not stored until the
    inspector decides to record it without the task."""

    def __init__(self, message: str, **params: str) -> None:
        DomainError.__init__(
            self, message=message, status=409, slug="task-changed", params=dict(params)
        )


def task_for_record(
    *, session: Session, actor: Principal, task_id: int, business_id: int
) -> InspectionTask:
    """The task a device says its inspection fulfils, as it stands now: refused when it is
    not a task the actor may see (another station's) or not of this business, and a
    :class:`TaskChanged` conflict when it changed since the device took it."""
    access.require_regulator(actor)
    task = repo.get_task(session, task_id=task_id, scope=access.task_condition(actor))
    if task is None or task.business_id != business_id:
        raise ValidationFailed(
            [FieldProblem("task_id", N_("not a task of this business in your jurisdiction"))]
        )
    if task.status is TaskStatus.CANCELLED:
        raise TaskChanged(N_("The task was cancelled after this inspection began."))
    if task.status is TaskStatus.DONE:
        raise TaskChanged(N_("Another inspection fulfilled the task after this one began."))
    officers = repo.inspectors_of_tasks(session, [task.id]).get(task.id, [])
    if actor.user_id not in officers:
        raise TaskChanged(N_("The task was given to other officers after this inspection began."))
    return task


def fulfil_with(
    *,
    session: Session,
    actor: Principal,
    inspection: Inspection,
    task: InspectionTask | None = None,
) -> InspectionTask | None:
    """The inspection just recorded fulfils ``task`` (checked by :func:`task_for_record`)
    or else the open task of its business that the recording officer is one of the
    inspectors of (the one due first), if there is one."""
    if actor.user_id is None:
        return None
    if task is None:
        task = repo.open_task_for(
            session, business_id=inspection.business_id, user_id=actor.user_id
        )
    if task is None:
        return None
    inspection.task_id = task.id
    task.status = TaskStatus.DONE
    task.closed_at = utc_now()
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="task.fulfil",
        entity_type="inspection_task",
        entity_id=task.id,
        before={"status": TaskStatus.OPEN.value},
        after={"status": task.status.value, "inspection_id": inspection.id},
    )
    return task


def _queue_conditions(actor: Principal, queue: TaskQueue) -> list[ColumnElement[bool]]:
    conditions = [access.task_condition(actor)]
    if queue is TaskQueue.DONE:
        conditions.append(InspectionTask.status.in_([TaskStatus.DONE, TaskStatus.CANCELLED]))
        return conditions
    conditions.append(InspectionTask.status == TaskStatus.OPEN)
    if queue is TaskQueue.MINE:
        conditions.append(repo.mine_condition(actor.user_id or 0))
    elif queue is TaskQueue.DUE:
        conditions.append(InspectionTask.due_on <= today_local() + timedelta(days=DUE_SOON_DAYS))
    return conditions


@dataclass(frozen=True)
class TaskList:
    page: Page[repo.TaskRow]
    inspectors: dict[int, list[int]]
    names: dict[int, str]


def list_tasks(
    *, session: Session, actor: Principal, queue: TaskQueue, page: PageRequest
) -> TaskList:
    access.require_regulator(actor)
    rows, total = repo.page_tasks(
        session,
        conditions=_queue_conditions(actor, queue),
        newest_first=queue is TaskQueue.DONE,
        offset=page.offset,
        limit=page.per_page,
    )
    inspectors = repo.inspectors_of_tasks(session, [r.task.id for r in rows])
    names = cases_repo.user_names(session, {u for ids in inspectors.values() for u in ids})
    return TaskList(Page(items=rows, total=total, request=page), inspectors, names)


def queue_counts(*, session: Session, actor: Principal) -> dict[TaskQueue, int]:
    access.require_regulator(actor)
    return {
        queue: repo.count_tasks(session, _queue_conditions(actor, queue)) for queue in TaskQueue
    }


@dataclass(frozen=True)
class TaskDetail:
    row: repo.TaskRow
    inspectors: list[tuple[int, str]]
    eligible: list[repo.Officer]
    overdue: bool


def task_detail(*, session: Session, actor: Principal, task_id: int) -> TaskDetail:
    task = _task_in_scope(session, actor, task_id)
    row = repo.task_row(session, task.id)
    assert row is not None
    ids = repo.inspectors_of_tasks(session, [task.id]).get(task.id, [])
    names = cases_repo.user_names(session, ids)
    eligible: list[repo.Officer] = []
    if task.status is TaskStatus.OPEN and actor.role in access.PLANNING_ROLES:
        business = get_business(session=session, actor=actor, business_id=task.business_id)
        eligible = eligible_officers(session, business)
    return TaskDetail(
        row=row,
        inspectors=[(u, names.get(u, str(u))) for u in ids],
        eligible=eligible,
        overdue=task.status is TaskStatus.OPEN and task.due_on < today_local(),
    )


def case_id_for(*, session: Session, actor: Principal, reference: str) -> int:
    """The id of a case the actor may see, by its reference (``TS20261130-…``)."""
    access.require_regulator(actor)
    case = repo.case_by_reference(
        session, reference=reference.strip().upper(), scope=access.case_condition(actor)
    )
    if case is None:
        raise ValidationFailed(
            [FieldProblem("case", N_("no case with this reference in your jurisdiction"))]
        )
    return case.id
