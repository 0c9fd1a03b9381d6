"""Inspection tasks: from a published draw or a case, assigned to the station and officers,
fulfilled by the inspection one of the task's officers records, and seen and acted on only
inside the jurisdiction (a neighbour sees nothing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from plan_helpers import add_officer, office_of, record, station_businesses, station_draw
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import open_station_case, principal_of
from sunshine.audit.models import AuditEntry
from sunshine.auth.enums import Role
from sunshine.cases import service as cases_service
from sunshine.cases.enums import CaseKind
from sunshine.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailed
from sunshine.core.pagination import PageRequest
from sunshine.core.time import today_local
from sunshine.inspections import conflicts, draws, tasks
from sunshine.inspections.enums import InspectionKind
from sunshine.inspections.plan_enums import TaskQueue, TaskSource, TaskStatus
from sunshine.inspections.plan_models import InspectionTask


def _ids(session: Session, *names: str) -> list[int]:
    return [principal_of(session, name).user_id or 0 for name in names]


def _case_task(session: Session, **kwargs: object) -> InspectionTask:
    case = open_station_case(session, kind="complaint", received_workdays_ago=1)
    return tasks.create_task_from_case(
        session=session,
        actor=principal_of(session, "chief_a"),
        case_id=case.id,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_case_asks_for_an_inspection_due_with_the_case(session: Session) -> None:
    case = open_station_case(session, kind="complaint", received_workdays_ago=1)
    chief = principal_of(session, "chief_a")
    task = tasks.create_task_from_case(session=session, actor=chief, case_id=case.id)
    assert task.source is TaskSource.CASE and task.case_id == case.id
    assert task.kind is InspectionKind.COMPLAINT and task.status is TaskStatus.OPEN
    assert task.business_id == case.business_id and task.due_on == case.due_on
    assert task.org_unit_id == chief.org_unit_id  # the business's station
    with pytest.raises(ConflictError):  # one open task per case
        tasks.create_task_from_case(session=session, actor=chief, case_id=case.id)
    assert session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "task.create", AuditEntry.entity_id == str(task.id)
        )
    ).scalar_one()


def test_a_case_without_a_business_or_a_past_due_date_is_refused(session: Session) -> None:
    chief = principal_of(session, "chief_a")
    placeless = cases_service.open_case(
        session=session,
        actor=chief,
        draft=cases_service.CaseDraft(
            kind=CaseKind.REPORT,
            title="无证摊贩",
            summary="路边无证烧烤摊。",
            region_code=office_of(session, "chief_a").region_code,
        ),
    )
    with pytest.raises(ValidationFailed) as exc:
        tasks.create_task_from_case(session=session, actor=chief, case_id=placeless.id)
    assert exc.value.problems[0].field == "case"
    with pytest.raises(ValidationFailed) as exc:
        _case_task(session, due_on=today_local() - timedelta(days=1))
    assert exc.value.problems[0].field == "due_on"


def test_the_inspection_a_task_officer_records_fulfils_the_task(session: Session) -> None:
    task = _case_task(session, inspector_ids=_ids(session, "inspector_a", "chief_a"))
    business = next(b for b in station_businesses(session, "chief_a") if b.id == task.business_id)
    inspection = record(
        session, by="inspector_a", business=business, officers=["inspector_a", "chief_a"]
    )
    assert inspection.task_id == task.id
    assert task.status is TaskStatus.DONE and task.closed_at is not None
    assert session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "task.fulfil", AuditEntry.entity_id == str(task.id)
        )
    ).scalar_one()
    # The next inspection of the business has no open task left to fulfil.
    again = record(
        session, by="inspector_a", business=business, officers=["inspector_a", "chief_a"]
    )
    assert again.task_id is None


def test_an_inspection_by_someone_else_leaves_the_task_open(session: Session) -> None:
    add_officer(session, username="off_s1", unit=office_of(session, "chief_a"))
    task = _case_task(session, inspector_ids=_ids(session, "chief_a", "off_s1"))
    business = next(b for b in station_businesses(session, "chief_a") if b.id == task.business_id)
    inspection = record(
        session, by="inspector_a", business=business, officers=["inspector_a", "chief_a"]
    )
    assert inspection.task_id is None and task.status is TaskStatus.OPEN


def test_officers_are_at_least_two_covering_the_business_without_conflict(session: Session) -> None:
    chief = principal_of(session, "chief_a")
    task = _case_task(session)
    assert tasks.task_detail(session=session, actor=chief, task_id=task.id).inspectors == []

    def problems(*names: str) -> set[str]:
        with pytest.raises(ValidationFailed) as exc:
            tasks.assign_inspectors(
                session=session, actor=chief, task_id=task.id, inspector_ids=_ids(session, *names)
            )
        return {p.text for p in exc.value.problems}

    assert "an inspection is made by at least two officers" in problems("inspector_a")
    assert any("does not cover" in p for p in problems("inspector_a", "inspector_b"))
    conflicts.declare_conflict(
        session=session,
        actor=principal_of(session, "inspector_a"),
        business_id=task.business_id,
        reason="亲属经营",
    )
    assert any("conflict of interest" in p for p in problems("inspector_a", "chief_a"))
    off = add_officer(session, username="off_s1", unit=office_of(session, "chief_a"))
    tasks.assign_inspectors(
        session=session, actor=chief, task_id=task.id, inspector_ids=[off.id, chief.user_id or 0]
    )
    shown = tasks.task_detail(session=session, actor=chief, task_id=task.id)
    assert [u for u, _ in shown.inspectors] == [off.id, chief.user_id]
    assert principal_of(session, "inspector_a").user_id not in {o.user_id for o in shown.eligible}
    with pytest.raises(ForbiddenError):  # inspectors do not assign
        tasks.assign_inspectors(
            session=session,
            actor=principal_of(session, "inspector_a"),
            task_id=task.id,
            inspector_ids=[off.id, chief.user_id or 0],
        )


def test_cancelling_says_why_and_closes_the_task(session: Session) -> None:
    chief = principal_of(session, "chief_a")
    task = _case_task(session)
    with pytest.raises(ValidationFailed):
        tasks.cancel_task(session=session, actor=chief, task_id=task.id, reason=" ")
    tasks.cancel_task(session=session, actor=chief, task_id=task.id, reason="该店已停业")
    assert task.status is TaskStatus.CANCELLED and "停业" in task.note
    with pytest.raises(ConflictError):
        tasks.cancel_task(session=session, actor=chief, task_id=task.id, reason="again")


def test_the_board_queues_mine_open_due_and_done(session: Session) -> None:
    inspector = principal_of(session, "inspector_a")
    chief = principal_of(session, "chief_a")
    mine = _case_task(session, inspector_ids=_ids(session, "inspector_a", "chief_a"))
    counts = tasks.queue_counts(session=session, actor=inspector)
    assert counts[TaskQueue.MINE] == 1 and counts[TaskQueue.OPEN] == 1
    assert counts[TaskQueue.DONE] == 0
    listed = tasks.list_tasks(
        session=session, actor=inspector, queue=TaskQueue.MINE, page=PageRequest()
    )
    assert [r.task.id for r in listed.page.items] == [mine.id]
    assert listed.inspectors[mine.id] == _ids(session, "inspector_a", "chief_a")
    tasks.cancel_task(session=session, actor=chief, task_id=mine.id, reason="重复")
    done = tasks.list_tasks(
        session=session, actor=inspector, queue=TaskQueue.DONE, page=PageRequest()
    )
    assert [r.task.id for r in done.page.items] == [mine.id]
    assert tasks.queue_counts(session=session, actor=inspector)[TaskQueue.MINE] == 0


def test_a_neighbouring_county_sees_and_does_nothing(session: Session) -> None:
    bureau = office_of(session, "inspector_a")
    add_officer(session, username="leader_a", unit=bureau, role=Role.BUREAU_LEADER)
    add_officer(session, username="off_a1", unit=bureau)
    draw = station_draw(session, by="leader_a")
    draws.publish_draw(session=session, actor=principal_of(session, "leader_a"), draw_id=draw.id)
    case_task = _case_task(session, inspector_ids=_ids(session, "inspector_a", "chief_a"))
    own = principal_of(session, "inspector_a")
    assert tasks.queue_counts(session=session, actor=own)[TaskQueue.OPEN] == draw.drawn_count + 1
    for name in ("inspector_b", "chief_b"):
        neighbour = principal_of(session, name)
        assert all(n == 0 for n in tasks.queue_counts(session=session, actor=neighbour).values())
        for queue in TaskQueue:
            listed = tasks.list_tasks(
                session=session, actor=neighbour, queue=queue, page=PageRequest()
            )
            assert listed.page.items == [] and listed.page.total == 0
        with pytest.raises(NotFoundError):
            tasks.task_detail(session=session, actor=neighbour, task_id=case_task.id)
        with pytest.raises(NotFoundError):
            draws.get_draw(session=session, actor=neighbour, draw_id=draw.id)
    with pytest.raises(NotFoundError):
        tasks.cancel_task(
            session=session,
            actor=principal_of(session, "chief_b"),
            task_id=case_task.id,
            reason="x",
        )
    with pytest.raises(NotFoundError):
        tasks.assign_inspectors(
            session=session,
            actor=principal_of(session, "chief_b"),
            task_id=case_task.id,
            inspector_ids=_ids(session, "inspector_b", "chief_b"),
        )
    # A station sees its own township's tasks, not the rest of the county's.
    chief = principal_of(session, "chief_a")
    station_code = office_of(session, "chief_a").region_code
    seen = tasks.list_tasks(
        session=session, actor=chief, queue=TaskQueue.OPEN, page=PageRequest(1, 100)
    )
    assert seen.page.items and all(r.task.township_code == station_code for r in seen.page.items)
