"""Stopping a case's clock for a laboratory result, and extensions approved by the head
of the bureau, on stored cases."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from helpers import open_station_case, principal_of
from sunshine.cases import clocks, service
from sunshine.cases.calendar import add_workdays
from sunshine.cases.clock import Pause, StatutoryClock
from sunshine.cases.enums import CaseAction, CaseKind
from sunshine.cases.limits import PauseKind, limit_for
from sunshine.cases.models import Case
from sunshine.cases.service import CaseDraft, Step
from sunshine.core.errors import ConflictError, ForbiddenError, ValidationFailed
from sunshine.core.time import today_local


def _report(session: Session, *, received_workdays_ago: int) -> Case:
    return open_station_case(session, kind="report", received_workdays_ago=received_workdays_ago)


def test_a_stop_for_testing_moves_the_due_date_by_the_days_it_lasted(session: Session) -> None:
    chief = principal_of(session, "chief_a")
    case = _report(session, received_workdays_ago=5)
    first_due = case.due_on
    assert case.due_limit_key == "lead.verify" and first_due is not None
    start = add_workdays(today_local(), count=-3)
    clocks.pause_clock(
        session=session,
        actor=chief,
        case_id=case.id,
        kind=PauseKind.TESTING,
        reason="送检",
        start_on=start,
    )
    assert case.due_on is None  # stopped: nothing to warn about or escalate
    assert service.sweep_clocks(session=session).escalated == 0
    with pytest.raises(ConflictError):
        clocks.pause_clock(
            session=session, actor=chief, case_id=case.id, kind=PauseKind.TESTING, reason="再次"
        )
    clocks.resume_clock(session=session, actor=chief, case_id=case.id)
    expected = StatutoryClock(
        rule=limit_for("lead.verify", received_on=case.received_on),
        start=case.received_on,
        pauses=(Pause(PauseKind.TESTING, start, today_local()),),
    ).deadline()
    assert expected is not None
    assert case.due_on == expected.due_date and case.due_on > first_due
    actions = [e.action for e in service.timeline(session=session, actor=chief, case_id=case.id)]
    assert actions == ["receive", "pause", "resume"]


def test_a_clock_stops_only_for_what_its_regulation_names(session: Session) -> None:
    chief = principal_of(session, "chief_a")
    case = _report(session, received_workdays_ago=2)
    with pytest.raises(ValidationFailed) as raised:
        clocks.pause_clock(
            session=session, actor=chief, case_id=case.id, kind=PauseKind.HEARING, reason="听证"
        )
    assert raised.value.problems[0].field == "kind"
    with pytest.raises(ConflictError):
        clocks.resume_clock(session=session, actor=chief, case_id=case.id)


def test_the_head_of_the_bureau_extends_a_limit_once(session: Session) -> None:
    case = _report(session, received_workdays_ago=10)
    before = case.due_on
    assert before is not None
    with pytest.raises(ForbiddenError):
        clocks.extend_clock(
            session=session, actor=principal_of(session, "chief_a"), case_id=case.id, reason="复杂"
        )
    leader = principal_of(session, "leader")
    clocks.extend_clock(session=session, actor=leader, case_id=case.id, reason="案情复杂")
    assert case.due_on == add_workdays(before, count=15)  # lead.verify_extension: 15 days
    with pytest.raises(ConflictError):
        clocks.extend_clock(session=session, actor=leader, case_id=case.id, reason="再延")


def test_nothing_to_extend_without_a_running_clock_that_allows_it(session: Session) -> None:
    chief = principal_of(session, "chief_a")
    case = _report(session, received_workdays_ago=1)
    case = service.act(
        session=session,
        actor=chief,
        case_id=case.id,
        step=Step(action=CaseAction.REJECT, expected_version=case.version, reason="不属实"),
    )
    leader = principal_of(session, "leader")
    with pytest.raises(ValidationFailed):  # no clock runs on a rejected case
        clocks.extend_clock(session=session, actor=leader, case_id=case.id, reason="x")
    complaint = service.open_case(
        session=session,
        actor=chief,
        draft=CaseDraft(
            kind=CaseKind.COMPLAINT, title="t", summary="s", business_id=case.business_id
        ),
    )
    with pytest.raises(ValidationFailed) as raised:  # acceptance (7 days) has no extension
        clocks.extend_clock(session=session, actor=leader, case_id=complaint.id, reason="x")
    assert "cannot be extended" in raised.value.problems[0].message


def test_a_handled_complaint_does_not_restart_its_acceptance_clock(session: Session) -> None:
    """Accepted (stopping complaint.accept), then handled: the mediation clock stops too and
    no clock runs, rather than the acceptance clock counting again from receipt."""
    from sunshine.cases import service
    from sunshine.cases.enums import CaseAction

    case = open_station_case(session, kind="complaint", received_workdays_ago=2)
    chief = principal_of(session, "chief_a")
    for action, extra in (
        (CaseAction.ACCEPT, {}),
        (CaseAction.ASSIGN, {"assignee_id": chief.user_id}),
        (CaseAction.START_VERIFYING, {}),
        (CaseAction.HANDLE, {}),
    ):
        service.act(
            session=session,
            actor=chief,
            case_id=case.id,
            step=service.Step(
                action=action, expected_version=case.version, reason="依法办理", **extra
            ),  # type: ignore[arg-type]
        )
    assert case.state.value == "handled"
    assert case.due_on is None and case.due_limit_key is None
