"""Cases on the database: routing, the workflow with its timeline and audit, clocks,
conflicts between two handlers, and what a neighbouring office sees (nothing)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from helpers import principal_of, store_of_station
from sunshine.audit.models import AuditEntry
from sunshine.auth.models import User
from sunshine.auth.principal import Principal
from sunshine.cases import service
from sunshine.cases.enums import CaseAction, CaseKind, CaseState
from sunshine.cases.models import Case
from sunshine.cases.service import CaseDraft, Step
from sunshine.core.errors import ConflictError, NotFoundError, ValidationFailed
from sunshine.regions.models import OrgUnit
from sunshine.registry.models import Business

A = CaseAction


def _user_id(session: Session, username: str) -> int:
    return session.execute(select(User.id).where(User.username == username)).scalar_one()


@pytest.fixture
def chief(session: Session) -> Principal:
    return principal_of(session, "chief_a")


@pytest.fixture
def store(session: Session, chief: Principal) -> Business:
    """A business in the township of chief_a's station."""
    return store_of_station(session, "chief_a")


def _open(session: Session, actor: Principal, store: Business, kind: CaseKind) -> Case:
    draft = CaseDraft(
        kind=kind, title="后厨卫生差", summary="顾客反映餐具不洁。", business_id=store.id
    )
    return service.open_case(session=session, actor=actor, draft=draft)


def _step(case: Case, action: CaseAction, **extra: object) -> Step:
    return Step(action=action, expected_version=case.version, reason="核实情况", **extra)  # type: ignore[arg-type]


def test_a_case_goes_to_the_office_of_its_township(
    session: Session, chief: Principal, store: Business
) -> None:
    case = _open(session, chief, store, CaseKind.COMPLAINT)
    assert case.org_unit_id == chief.org_unit_id
    assert case.state is CaseState.RECEIVED
    assert case.reference.startswith("TS") and len(case.reference) == 17
    assert case.county_code == store.county_code
    assert case.due_limit_key == "complaint.accept" and case.due_on is not None


def test_a_complaint_runs_to_closure_with_timeline_audit_and_clocks(
    session: Session, chief: Principal, store: Business
) -> None:
    case = _open(session, chief, store, CaseKind.COMPLAINT)
    accept_due = case.due_on
    inspector = _user_id(session, "chief_a")  # the chief handles it himself
    case = service.act(session=session, actor=chief, case_id=case.id, step=_step(case, A.ACCEPT))
    assert case.due_limit_key == "complaint.mediation"
    assert case.due_on is not None and accept_due is not None and case.due_on > accept_due
    for action, extra in (
        (A.ASSIGN, {"assignee_id": inspector}),
        (A.START_VERIFYING, {}),
        (A.HANDLE, {}),
        (A.REVIEW, {}),
        (A.CLOSE, {}),
    ):
        case = service.act(
            session=session, actor=chief, case_id=case.id, step=_step(case, action, **extra)
        )
    assert case.state is CaseState.CLOSED and case.closed_at is not None
    assert case.due_on is None  # no clock runs on a closed case
    events = service.timeline(session=session, actor=chief, case_id=case.id)
    assert [e.action for e in events] == [
        "receive",
        "accept",
        "assign",
        "start_verifying",
        "handle",
        "review",
        "close",
    ]
    assert events[4].reason == "核实情况" and events[2].assignee_id == inspector
    audited = (
        session.execute(
            select(AuditEntry.action).where(
                AuditEntry.entity_type == "case", AuditEntry.entity_id == str(case.id)
            )
        )
        .scalars()
        .all()
    )
    assert "case.open" in audited and "case.close" in audited and len(audited) == 7


def test_the_second_of_two_handlers_gets_a_conflict_and_nothing_changes(
    session: Session, chief: Principal, store: Business
) -> None:
    case = _open(session, chief, store, CaseKind.REPORT)
    seen = case.version
    service.act(session=session, actor=chief, case_id=case.id, step=_step(case, A.ACCEPT))
    with pytest.raises(ConflictError):
        service.act(
            session=session,
            actor=chief,
            case_id=case.id,
            step=Step(action=A.REJECT, expected_version=seen, reason="重复举报"),
        )
    assert case.state is CaseState.ACCEPTED
    assert len(service.timeline(session=session, actor=chief, case_id=case.id)) == 2


def test_a_write_that_lost_the_race_is_refused(
    session: Session, chief: Principal, store: Business
) -> None:
    case = _open(session, chief, store, CaseKind.REPORT)
    step = _step(case, A.ACCEPT)
    # Another handler's write lands after this one read the case, before it writes.
    session.execute(update(Case).where(Case.id == case.id).values(version=Case.version + 1))
    with pytest.raises(ConflictError):
        service.act(session=session, actor=chief, case_id=case.id, step=step)


def test_neighbours_and_businesses_see_nothing(
    session: Session, chief: Principal, store: Business
) -> None:
    case = _open(session, chief, store, CaseKind.REPORT)
    for username in ("inspector_b", "chief_b", "owner_a", "citizen"):
        outsider = principal_of(session, username)
        with pytest.raises(NotFoundError):
            service.get_case(session=session, actor=outsider, case_id=case.id)
        with pytest.raises(NotFoundError):
            service.act(
                session=session, actor=outsider, case_id=case.id, step=_step(case, A.ACCEPT)
            )
    for username in ("inspector_a", "city_leader", "leader"):  # the county, city and province
        insider = principal_of(session, username)
        assert service.get_case(session=session, actor=insider, case_id=case.id).id == case.id


def test_assignment_stays_inside_the_responsible_office(
    session: Session, chief: Principal, store: Business
) -> None:
    case = _open(session, chief, store, CaseKind.LEAD)
    case = service.act(session=session, actor=chief, case_id=case.id, step=_step(case, A.ACCEPT))
    with pytest.raises(ValidationFailed) as raised:
        service.act(
            session=session,
            actor=chief,
            case_id=case.id,
            step=_step(case, A.ASSIGN, assignee_id=_user_id(session, "inspector_b")),
        )
    assert raised.value.problems[0].field == "assignee_id"


def test_transfer_and_escalation_move_the_case_between_offices(
    session: Session, chief: Principal, store: Business
) -> None:
    case = _open(session, chief, store, CaseKind.REPORT)
    station = session.get(OrgUnit, case.org_unit_id)
    assert station is not None and station.parent_id is not None
    case = service.act(session=session, actor=chief, case_id=case.id, step=_step(case, A.ESCALATE))
    assert case.org_unit_id == station.parent_id and case.escalations == 1
    assert case.state is CaseState.RECEIVED
    leader = principal_of(session, "leader")
    other = principal_of(session, "inspector_b")
    assert other.org_unit_id is not None
    case = service.act(
        session=session,
        actor=leader,
        case_id=case.id,
        step=_step(case, A.TRANSFER, to_org_unit_id=other.org_unit_id),
    )
    assert case.org_unit_id == other.org_unit_id and case.state is CaseState.RECEIVED
    # The receiving office now sees the case although the place is in another county.
    assert service.get_case(session=session, actor=other, case_id=case.id).id == case.id


def test_bad_drafts_are_refused_whole(session: Session, chief: Principal) -> None:
    before = session.execute(select(Case.id)).all()
    for draft in (
        CaseDraft(kind=CaseKind.LEAD, title="", summary="x", region_code="510104"),
        CaseDraft(kind=CaseKind.LEAD, title="x", summary="x"),
        CaseDraft(kind=CaseKind.LEAD, title="x", summary="x", region_code="999999"),
    ):
        with pytest.raises(ValidationFailed):
            service.open_case(session=session, actor=chief, draft=draft)
    assert session.execute(select(Case.id)).all() == before
