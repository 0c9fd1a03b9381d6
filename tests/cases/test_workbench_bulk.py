"""Bulk assignment: one request, each case checked against the version the dispatcher saw;
a refused case is left as it was and said why, the others are assigned."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import api_token, open_station_case, principal_of
from sunshine.audit.models import AuditEntry
from sunshine.auth.models import User
from sunshine.auth.principal import Principal
from sunshine.cases import bulk, service
from sunshine.cases.bulk import Target
from sunshine.cases.enums import CaseAction, CaseState
from sunshine.cases.models import Case
from sunshine.cases.service import Step
from sunshine.core.errors import ForbiddenError, ValidationFailed


@pytest.fixture
def chief(session: Session) -> Principal:
    return principal_of(session, "chief_a")


def _accepted(session: Session, chief: Principal) -> Case:
    case = open_station_case(session, kind="complaint", received_workdays_ago=2)
    step = Step(action=CaseAction.ACCEPT, expected_version=case.version)
    return service.act(session=session, actor=chief, case_id=case.id, step=step)


def _audits(session: Session, case: Case) -> list[str]:
    stmt = select(AuditEntry.action).where(
        AuditEntry.entity_type == "case", AuditEntry.entity_id == str(case.id)
    )
    return list(session.execute(stmt).scalars())


def test_each_case_is_assigned_or_says_why_not(session: Session, chief: Principal) -> None:
    first, second, stale = (_accepted(session, chief) for _ in range(3))
    received = open_station_case(session, kind="report", received_workdays_ago=1)
    seen_stale = stale.version
    # Someone else reassigns the third case after the dispatcher loaded the list.
    service.act(
        session=session,
        actor=chief,
        case_id=stale.id,
        step=Step(CaseAction.ASSIGN, expected_version=stale.version, assignee_id=chief.user_id),
    )
    received_version = received.version
    outcomes = bulk.assign_cases(
        session=session,
        actor=chief,
        assignee_id=chief.user_id,
        targets=[
            Target(first.id, first.version),
            Target(received.id, received.version),
            Target(stale.id, seen_stale),
            Target(second.id, second.version),
        ],
    )
    by_case = {o.case_id: o for o in outcomes}
    assert [o.case_id for o in outcomes] == [first.id, received.id, stale.id, second.id]
    assert by_case[first.id].assigned and by_case[second.id].assigned
    assert by_case[first.id].reference == first.reference
    assert by_case[first.id].version == first.version
    assert first.state is CaseState.ASSIGNED and first.assignee_id == chief.user_id
    refused = by_case[received.id]
    assert not refused.assigned and refused.message is not None
    assert refused.message.startswith("A case is assigned once it is accepted")
    assert received.state is CaseState.RECEIVED and received.assignee_id is None
    assert received.version == received_version
    assert "case.assign" not in _audits(session, received)
    conflict = by_case[stale.id]
    assert not conflict.assigned and conflict.message is not None
    assert "moved on" in conflict.message
    assert _audits(session, first).count("case.assign") == 1
    actions = [e.action for e in service.timeline(session=session, actor=chief, case_id=first.id)]
    assert actions == ["receive", "accept", "assign"]


def test_an_officer_of_another_office_is_refused_per_case(
    session: Session, chief: Principal
) -> None:
    case = _accepted(session, chief)
    other = session.execute(select(User).where(User.username == "inspector_a")).scalar_one()
    outcomes = bulk.assign_cases(
        session=session,
        actor=chief,
        assignee_id=other.id,  # the county's inspector works above the station
        targets=[Target(case.id, case.version)],
    )
    assert not outcomes[0].assigned
    assert outcomes[0].message == "Choose an officer of the responsible office."
    assert case.assignee_id is None and case.state is CaseState.ACCEPTED


def test_a_neighbouring_station_gets_nothing(session: Session, chief: Principal) -> None:
    case = _accepted(session, chief)
    neighbour = principal_of(session, "chief_b")
    outcomes = bulk.assign_cases(
        session=session,
        actor=neighbour,
        assignee_id=neighbour.user_id,
        targets=[Target(case.id, case.version)],
    )
    assert outcomes[0].assigned is False
    assert outcomes[0].reference is None  # not even the reference is told
    assert outcomes[0].message == "No such case"
    assert case.assignee_id is None


def test_requests_that_cannot_apply_are_refused_whole(session: Session, chief: Principal) -> None:
    case = _accepted(session, chief)
    with pytest.raises(ForbiddenError):
        bulk.assign_cases(
            session=session,
            actor=principal_of(session, "inspector_a"),  # inspectors do not dispatch
            assignee_id=chief.user_id,
            targets=[Target(case.id, case.version)],
        )
    with pytest.raises(ForbiddenError):
        bulk.assign_cases(
            session=session,
            actor=principal_of(session, "owner_a"),
            assignee_id=chief.user_id,
            targets=[Target(case.id, case.version)],
        )
    leader = session.execute(select(User).where(User.username == "leader")).scalar_one()
    cases = [
        (None, [Target(case.id, case.version)], "assignee_id"),
        (leader.id, [Target(case.id, case.version)], "assignee_id"),  # leaders do not handle
        (chief.user_id, [], "cases"),
        (chief.user_id, [Target(case.id, case.version)] * 2, "cases"),
    ]
    for assignee_id, targets, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            bulk.assign_cases(
                session=session, actor=chief, assignee_id=assignee_id, targets=targets
            )
        assert [p.field for p in refused.value.problems] == [field]
    assert case.state is CaseState.ACCEPTED


def test_bulk_assignment_through_the_api(client: TestClient, session: Session) -> None:
    chief = principal_of(session, "chief_a")
    first, second = _accepted(session, chief), _accepted(session, chief)
    session.commit()
    headers = api_token(client, "chief_a")
    answer = client.post(
        "/api/v1/case-assignments",
        headers=headers,
        json={
            "assignee_id": chief.user_id,
            "cases": [
                {"case_id": first.id, "expected_version": first.version},
                {"case_id": second.id, "expected_version": second.version - 1},
            ],
        },
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["assigned"] == 1 and body["failed"] == 1
    assert body["results"][0]["assigned"] is True
    assert "moved on" in body["results"][1]["detail"]
    empty = client.post(
        "/api/v1/case-assignments",
        headers=headers,
        json={"assignee_id": chief.user_id, "cases": []},
    )
    assert empty.status_code == 422
    neighbour = client.post(
        "/api/v1/case-assignments",
        headers=api_token(client, "inspector_b"),
        json={
            "assignee_id": chief.user_id,
            "cases": [{"case_id": second.id, "expected_version": second.version}],
        },
    )
    assert neighbour.status_code == 403
    assert client.post("/api/v1/case-assignments", json={}).status_code == 401
