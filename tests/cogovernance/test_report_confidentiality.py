"""Whistleblower reports: a case at once, priority for verified groups, the reporter's
identity sealed and shown only to the case's handlers (each view on the timeline and in the
audit trail), a business notice that gives nothing away, and rewards with their payouts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import principal_of, store_of_station
from sunshine.audit.models import AuditEntry
from sunshine.auth.enums import Role
from sunshine.auth.models import User
from sunshine.auth.principal import ANONYMOUS, Principal
from sunshine.cases import service as cases
from sunshine.cases.enums import CaseAction, CaseKind, CaseState
from sunshine.cases.models import Case, CaseEvent
from sunshine.cogovernance.reports import payouts, profiles, service
from sunshine.cogovernance.reports.enums import RewardStatus
from sunshine.cogovernance.reports.models import Report
from sunshine.cogovernance.reports.service import ReportForm
from sunshine.cogovernance.rewards import ReportFacts
from sunshine.core.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationFailed,
)
from sunshine.core.time import today_local
from sunshine.notifications.models import Notification
from sunshine.registry.models import Business

SENDER = replace(ANONYMOUS, ip="198.51.100.23")
REAL_NAME = ReportForm(
    category="expired_or_spoiled",
    description="后厨冷库里有大量过期冻肉，标签被撕掉后继续使用。",
    anonymous=False,
    insider=True,
    name="赵敏",
    phone="13698765432",
    id_number="",
)


def _report(
    session: Session, store: Business, actor: Principal = SENDER, **changes: object
) -> Report:
    form = replace(REAL_NAME, store_code=store.public_code, **changes)  # type: ignore[arg-type]
    return service.submit_report(session=session, actor=actor, form=form)


def _case(session: Session, report: Report) -> Case:
    case = session.get(Case, report.case_id)
    assert case is not None
    return case


def _step(session: Session, username: str, case: Case, action: CaseAction, **extra: object) -> None:
    cases.act(
        session=session,
        actor=principal_of(session, username),
        case_id=case.id,
        step=cases.Step(action=action, expected_version=case.version, reason="依法处理", **extra),  # type: ignore[arg-type]
    )


@pytest.fixture
def store(session: Session) -> Business:
    return store_of_station(session, "chief_a")


def test_a_report_opens_a_case_without_a_word_about_the_reporter(
    session: Session, store: Business
) -> None:
    report = _report(session, store)
    case = _case(session, report)
    assert case.kind is CaseKind.REPORT and case.state is CaseState.RECEIVED
    assert case.priority == 0
    assert "赵敏" not in case.summary and "13698765432" not in case.summary
    assert report.identity_ciphertext and "赵敏" not in report.identity_ciphertext
    assert report.user_id is None  # filed without an account
    (receipt,) = session.execute(
        select(Notification).where(Notification.kind == "report.received")
    ).scalars()
    assert report.receipt_code in receipt.body


def test_an_anonymous_report_keeps_no_trace_of_its_sender(
    session: Session, store: Business
) -> None:
    citizen = replace(principal_of(session, "citizen"), ip="198.51.100.99")
    report = _report(session, store, actor=citizen, anonymous=True, name="", phone="")
    assert report.identity_ciphertext is None and report.user_id is None
    entry = session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "report.submit", AuditEntry.entity_id == str(report.id)
        )
    ).scalar_one()
    assert entry.actor_id is None and "198.51.100.99" not in str(entry.__dict__)
    chief = principal_of(session, "chief_a")
    with pytest.raises(NotFoundError):
        service.reveal_reporter(session=session, actor=chief, case_id=report.case_id)


def test_bad_reports_are_refused_whole(session: Session, store: Business) -> None:
    before = session.execute(select(Report.id)).all()
    with pytest.raises(ValidationFailed) as caught:
        service.submit_report(
            session=session,
            actor=SENDER,
            form=ReportForm(
                category="gossip",
                description="",
                anonymous=False,
                name="",
                phone="110",
                id_number="510104199001011234",
                latitude=123.0,
            ),
        )
    fields = {p.field for p in caught.value.problems}
    assert fields == {
        "category",
        "description",
        "region_code",
        "name",
        "phone",
        "id_number",
        "latitude",
    }
    with pytest.raises(ValidationFailed) as caught:
        service.submit_report(
            session=session,
            actor=SENDER,
            form=ReportForm(category="hygiene", description="x", store_code="ZZZZ9999"),
        )
    assert [p.field for p in caught.value.problems] == ["store_code"]
    assert session.execute(select(Report.id)).all() == before


def test_a_report_about_a_place_is_routed_by_its_region(session: Session, store: Business) -> None:
    township = store.township_code
    assert township is not None
    report = service.submit_report(
        session=session,
        actor=SENDER,
        form=ReportForm(
            category="unlicensed",
            description="路边无证摊贩售卖凉拌菜。",
            region_code=township,
            address="某某路 12 号旁",
            latitude=30.65,
            longitude=104.07,
        ),
    )
    case = _case(session, report)
    assert case.township_code == township
    assert case.org_unit_id == principal_of(session, "chief_a").org_unit_id


def test_verified_whistleblowers_are_handled_first(session: Session, store: Business) -> None:
    citizen = principal_of(session, "citizen")
    profile = profiles.apply(session=session, actor=citizen, group="rider", organisation="美团外卖")
    assert _report(session, store, actor=citizen).group is None  # not yet verified
    profiles.decide(
        session=session,
        actor=principal_of(session, "admin"),
        profile_id=profile.id,
        verify=True,
        note="骑手证 RZ-2026-118 已核验",
    )
    report = _report(session, store, actor=citizen)
    assert report.group is not None and report.group.value == "rider"
    assert _case(session, report).priority == 1
    with pytest.raises(ForbiddenError):
        profiles.decide(
            session=session,
            actor=principal_of(session, "chief_a"),
            profile_id=profile.id,
            verify=False,
            note="x",
        )


def test_only_the_handlers_see_the_reporter_and_each_view_is_recorded(
    session: Session, store: Business
) -> None:
    report = _report(session, store)
    case = _case(session, report)
    chief = principal_of(session, "chief_a")  # heads the responsible station
    identity = service.reveal_reporter(session=session, actor=chief, case_id=case.id)
    assert identity.name == "赵敏" and identity.phone == "13698765432"
    # Another station's chief, an inspector of the county not assigned, the county's leader
    # at another level, and the reported business itself: none of them.
    _step(session, "chief_a", case, CaseAction.ACCEPT)
    refused = {
        "chief_b": NotFoundError,  # another station: cannot even see the case
        "owner_a": NotFoundError,
        "inspector_b": NotFoundError,
        "inspector_a": ForbiddenError,  # sees the county's cases, but is not assigned
        "admin": ForbiddenError,
    }
    for username, error in refused.items():
        with pytest.raises(error):
            service.reveal_reporter(
                session=session, actor=principal_of(session, username), case_id=case.id
            )
    # Escalated to the county bureau, whose leader assigns inspector_a: the inspector now
    # handles it, the station's chief no longer does.
    _step(session, "chief_a", case, CaseAction.ESCALATE)
    inspector = principal_of(session, "inspector_a")
    _step(session, "leader", case, CaseAction.ASSIGN, assignee_id=inspector.user_id)
    assert service.reveal_reporter(session=session, actor=inspector, case_id=case.id).name
    with pytest.raises(ForbiddenError):
        service.reveal_reporter(session=session, actor=chief, case_id=case.id)
    views = (
        session.execute(
            select(CaseEvent.actor_id).where(
                CaseEvent.case_id == case.id, CaseEvent.action == "view_sensitive"
            )
        )
        .scalars()
        .all()
    )
    audits = (
        session.execute(
            select(AuditEntry.actor_id).where(AuditEntry.action == "report.view_identity")
        )
        .scalars()
        .all()
    )
    assert views == audits == [chief.user_id, inspector.user_id]


def test_the_business_notice_cannot_point_to_the_reporter(
    session: Session, store: Business
) -> None:
    owner = User(
        username="owner_reported",
        display_name="被举报店主",
        password_hash="-",
        role=Role.ENTERPRISE_OWNER,
        business_id=store.id,
    )
    session.add(owner)
    session.flush()
    report = _report(session, store)
    case = _case(session, report)
    chief = principal_of(session, "chief_a")
    _step(session, "chief_a", case, CaseAction.ACCEPT)
    _step(session, "chief_a", case, CaseAction.ASSIGN, assignee_id=chief.user_id)
    _step(session, "chief_a", case, CaseAction.START_VERIFYING)
    notices = (
        session.execute(select(Notification).where(Notification.kind == "report.business_notice"))
        .scalars()
        .all()
    )
    assert [n.recipient_user_id for n in notices] == [owner.id]
    for notice in notices:
        text = notice.subject + notice.body
        assert notice.link is None and notice.params == {}
        for leak in ("赵敏", "冷库", "过期", report.receipt_code, case.reference, "2026"):
            assert leak not in text
    decision = (
        session.execute(select(Notification).where(Notification.kind == "report.decision"))
        .scalars()
        .all()
    )
    assert len(decision) == 1 and report.receipt_code in decision[0].body


def test_a_reward_is_calculated_approved_and_paid_with_every_step_recorded(
    session: Session, store: Business
) -> None:
    report = _report(session, store)
    case = _case(session, report)
    chief, leader = principal_of(session, "chief_a"), principal_of(session, "leader")
    facts = ReportFacts(natural_person=True, insider=True, substantiated_and_closed=True)
    form = payouts.RewardForm(level="second", fines_and_confiscations="200000", facts=facts)
    with pytest.raises(ConflictError):
        payouts.assess(session=session, actor=chief, case_id=case.id, form=form)
    case.state = CaseState.CLOSED  # the case was verified, decided and closed
    session.flush()
    decision = payouts.assess(session=session, actor=chief, case_id=case.id, form=form)
    assert decision.amount == Decimal("6000.00") and decision.status is RewardStatus.CALCULATED
    assert decision.steps[0].startswith("second level")
    with pytest.raises(ForbiddenError):
        payouts.approve(session=session, actor=chief, case_id=case.id)
    with pytest.raises(ForbiddenError):
        payouts.assess(
            session=session, actor=principal_of(session, "inspector_a"), case_id=case.id, form=form
        )
    payouts.approve(session=session, actor=leader, case_id=case.id)
    with pytest.raises(ValidationFailed):
        payouts.record_payout(
            session=session,
            actor=chief,
            case_id=case.id,
            amount="7000",
            paid_on=today_local() + timedelta(days=1),
            method="银行转账",
            reference="",
        )
    payouts.record_payout(
        session=session,
        actor=chief,
        case_id=case.id,
        amount="6000",
        paid_on=today_local(),
        method="银行转账",
        reference="ZZ20261130001",
    )
    assert decision.status is RewardStatus.PAID
    actions = (
        session.execute(select(CaseEvent.action).where(CaseEvent.case_id == case.id))
        .scalars()
        .all()
    )
    assert {"reward_assess", "reward_approve", "reward_payout"} <= set(actions)


def test_a_large_reward_needs_the_finance_bureau(session: Session, store: Business) -> None:
    report = _report(session, store)
    case = _case(session, report)
    case.state = CaseState.CLOSED
    session.flush()
    facts = ReportFacts(natural_person=True, substantiated_and_closed=True)
    form = payouts.RewardForm(level="first", fines_and_confiscations="12000000", facts=facts)
    chief, leader = principal_of(session, "chief_a"), principal_of(session, "leader")
    decision = payouts.assess(session=session, actor=chief, case_id=case.id, form=form)
    assert decision.amount == Decimal("600000.00") and decision.needs_finance_cosign
    with pytest.raises(ValidationFailed):
        payouts.approve(session=session, actor=leader, case_id=case.id)
    payouts.approve(
        session=session,
        actor=leader,
        case_id=case.id,
        finance_cosigned_by="市财政局 李会计",
        finance_cosigned_on=today_local(),
    )
    assert decision.status is RewardStatus.APPROVED
