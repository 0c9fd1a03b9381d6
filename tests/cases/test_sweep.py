"""The scheduled sweep of statutory clocks: warnings before the due date, escalation of
overdue cases to the supervising office, each once per due date."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from helpers import open_station_case, principal_of
from sunshine.cases import service
from sunshine.cases.calendar import add_workdays
from sunshine.cases.enums import CaseState
from sunshine.cases.models import Case
from sunshine.core import jobs
from sunshine.core.time import today_local
from sunshine.regions.models import OrgUnit


def _open_case(session: Session, *, received_workdays_ago: int) -> Case:
    return open_station_case(session, kind="complaint", received_workdays_ago=received_workdays_ago)


def _actions(session: Session, case: Case) -> list[str]:
    actor = principal_of(session, "chief_a")
    return [e.action for e in service.timeline(session=session, actor=actor, case_id=case.id)]


def test_an_overdue_case_is_escalated_once(session: Session) -> None:
    case = _open_case(session, received_workdays_ago=12)  # 7 working days to accept: overdue
    station = session.get(OrgUnit, case.org_unit_id)
    assert station is not None and case.due_on is not None and case.due_on < today_local()
    result = service.sweep_clocks(session=session)
    assert result.escalated >= 1
    assert case.org_unit_id == station.parent_id and case.escalations == 1
    assert case.state is CaseState.RECEIVED
    events = service.timeline(
        session=session,
        actor=principal_of(session, "leader"),
        case_id=case.id,
    )
    assert events[-1].action == "escalate" and events[-1].actor_id is None
    assert "overdue" in (events[-1].reason or "")
    service.sweep_clocks(session=session)
    assert case.escalations == 1  # not again for the same due date


def test_a_case_due_soon_is_warned_about_once(session: Session) -> None:
    case = _open_case(session, received_workdays_ago=6)  # due on the next working day
    assert case.due_on == add_workdays(today_local(), count=1)
    service.sweep_clocks(session=session)
    service.sweep_clocks(session=session)
    assert _actions(session, case).count("warn") == 1
    assert case.escalations == 0


def test_a_case_far_from_its_due_date_is_left_alone(session: Session) -> None:
    case = _open_case(session, received_workdays_ago=0)
    service.sweep_clocks(session=session)
    assert _actions(session, case) == ["receive"]


def test_the_sweep_runs_every_ten_minutes() -> None:
    assert jobs.scheduled_jobs()["cases.sweep_clocks"] == {"minute": "*/10"}
    huey = jobs.get_huey()
    due = huey.read_periodic(datetime(2026, 11, 30, 9, 20, tzinfo=UTC))
    assert any(task.name == "cases.sweep_clocks.periodic" for task in due)
    assert not any(
        task.name == "cases.sweep_clocks.periodic"
        for task in huey.read_periodic(datetime(2026, 11, 30, 9, 21, tzinfo=UTC))
    )
