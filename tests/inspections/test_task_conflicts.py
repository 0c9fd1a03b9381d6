"""An inspection recorded for a task (the inspector app sends the task it took offline):
it fulfils that task; a task cancelled, done by another inspection or given to other
officers meanwhile is a conflict and nothing is stored; a task of another business or
station is refused. And the task map of the inspector app."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from plan_helpers import add_officer, office_of, record, station_businesses
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import open_station_case, principal_of
from sunshine.core.errors import ValidationFailed
from sunshine.inspections import inspector_app, tasks
from sunshine.inspections.models import Inspection
from sunshine.inspections.plan_enums import TaskStatus
from sunshine.inspections.plan_models import InspectionTask
from sunshine.inspections.plan_repository import TaskRow
from sunshine.registry.models import Business


def _ids(session: Session, *names: str) -> list[int]:
    return [principal_of(session, name).user_id or 0 for name in names]


def _task(session: Session, *officers: str) -> tuple[InspectionTask, Business]:
    case = open_station_case(session, kind="complaint", received_workdays_ago=1)
    task = tasks.create_task_from_case(
        session=session,
        actor=principal_of(session, "chief_a"),
        case_id=case.id,
        inspector_ids=_ids(session, *officers),
    )
    business = next(b for b in station_businesses(session, "chief_a") if b.id == task.business_id)
    return task, business


def _count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Inspection)).scalar_one())


def test_an_inspection_for_its_task_fulfils_that_task(session: Session) -> None:
    task, business = _task(session, "inspector_a", "chief_a")
    done = record(
        session,
        by="inspector_a",
        business=business,
        officers=["inspector_a", "chief_a"],
        task_id=task.id,
    )
    assert done.task_id == task.id and task.status is TaskStatus.DONE


def test_a_task_cancelled_meanwhile_is_a_conflict_and_nothing_is_stored(session: Session) -> None:
    task, business = _task(session, "inspector_a", "chief_a")
    tasks.cancel_task(
        session=session, actor=principal_of(session, "chief_a"), task_id=task.id, reason="停业"
    )
    before = _count(session)
    with pytest.raises(tasks.TaskChanged) as exc:
        record(
            session,
            by="inspector_a",
            business=business,
            officers=["inspector_a", "chief_a"],
            task_id=task.id,
        )
    assert exc.value.status == 409 and exc.value.slug == "task-changed"
    assert "cancelled" in exc.value.text
    assert _count(session) == before
    # Recorded without the task, the inspection is kept (the task stays cancelled).
    kept = record(session, by="inspector_a", business=business, officers=["inspector_a", "chief_a"])
    assert kept.task_id is None and task.status is TaskStatus.CANCELLED


def test_a_task_done_by_another_inspection_meanwhile_is_a_conflict(session: Session) -> None:
    task, business = _task(session, "inspector_a", "chief_a")
    record(session, by="chief_a", business=business, officers=["chief_a", "inspector_a"])
    assert task.status is TaskStatus.DONE
    with pytest.raises(tasks.TaskChanged) as exc:
        record(
            session,
            by="inspector_a",
            business=business,
            officers=["inspector_a", "chief_a"],
            task_id=task.id,
        )
    assert "Another inspection" in exc.value.text


def test_a_task_given_to_other_officers_meanwhile_is_a_conflict(session: Session) -> None:
    add_officer(session, username="off_s1", unit=office_of(session, "chief_a"))
    task, business = _task(session, "inspector_a", "chief_a")
    tasks.assign_inspectors(
        session=session,
        actor=principal_of(session, "chief_a"),
        task_id=task.id,
        inspector_ids=_ids(session, "chief_a", "off_s1"),
    )
    with pytest.raises(tasks.TaskChanged) as exc:
        record(
            session,
            by="inspector_a",
            business=business,
            officers=["inspector_a", "chief_a"],
            task_id=task.id,
        )
    assert "other officers" in exc.value.text
    assert task.status is TaskStatus.OPEN


def test_a_task_of_another_business_or_station_is_refused(session: Session) -> None:
    task, business = _task(session, "inspector_a", "chief_a")
    other = (
        session.execute(
            select(Business).where(
                Business.county_code == business.county_code, Business.id != business.id
            )
        )
        .scalars()
        .first()
    )
    assert other is not None
    with pytest.raises(ValidationFailed) as exc:
        record(
            session,
            by="inspector_a",
            business=other,
            officers=["inspector_a", "chief_a"],
            task_id=task.id,
        )
    assert exc.value.problems[0].field == "task_id"
    neighbour = next(iter(station_businesses(session, "chief_b")))
    with pytest.raises(ValidationFailed) as exc:
        record(
            session,
            by="inspector_b",
            business=neighbour,
            officers=["inspector_b", "chief_b"],
            task_id=task.id,
        )
    assert exc.value.problems[0].field == "task_id"
    assert task.status is TaskStatus.OPEN


def _row(task_id: int, due: date, lat: float | None, lon: float | None) -> TaskRow:
    task = InspectionTask(id=task_id, due_on=due)
    return TaskRow(task, f"店{task_id}", "", "", None, None, None, None, None, "路", lat, lon)


def test_the_task_map_places_tasks_by_their_coordinates() -> None:
    today = date(2026, 11, 30)
    rows = [
        _row(1, today - timedelta(days=1), 30.60, 104.00),  # south-west, overdue
        _row(2, today, None, None),  # no coordinates
        _row(3, today + timedelta(days=3), 30.70, 104.10),  # north-east
    ]
    found = inspector_app.task_map(rows, today=today)
    assert found is not None and found.unplaced == 1
    first, third = found.pins
    assert (first.number, third.number) == (1, 3)  # numbered as in the list
    assert first.overdue and not third.overdue
    # North is up, east is right, both inside the map with a margin.
    assert first.x < third.x and first.y > third.y
    for pin in found.pins:
        assert 0 < pin.x < found.width and 0 < pin.y < found.height
    # 0.1° of longitude at 30.65°N is 0.086° of latitude: the map is a little taller than wide.
    assert found.height == pytest.approx(found.width / 0.8604, rel=0.01)
    assert inspector_app.task_map([rows[1]], today=today) is None
    single = inspector_app.task_map([rows[0]], today=today)
    assert single is not None and single.pins[0].x == pytest.approx(found.width / 2)
