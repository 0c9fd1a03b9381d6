"""The complaint ladder on the database: the store answers, the diner escalates to the
company head and then to the regulator (a case), follows it by receipt code and rates it;
who may act at each step, what is stored, what is told, and what a neighbour sees."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import principal_of, store_of_station
from sunshine.audit.models import AuditEntry
from sunshine.auth.principal import ANONYMOUS, Principal
from sunshine.cases import service as cases
from sunshine.cases.calendar import add_workdays
from sunshine.cases.enums import CaseAction, CaseKind, CaseState
from sunshine.cases.models import Case
from sunshine.cogovernance import intake
from sunshine.cogovernance.complaints import service
from sunshine.cogovernance.complaints.enums import ComplaintState, ComplaintStep
from sunshine.cogovernance.complaints.models import Complaint, ComplaintEvent
from sunshine.cogovernance.complaints.service import ComplaintForm
from sunshine.cogovernance.insurance import service as insurance
from sunshine.core.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ThrottledError,
    ValidationFailed,
)
from sunshine.core.pagination import PageRequest
from sunshine.core.time import today_local
from sunshine.notifications.models import Notification
from sunshine.registry.models import Business

DINER = replace(ANONYMOUS, ip="203.0.113.7")
FORM = ComplaintForm(
    category="foreign_matter",
    desired_outcome="refund",
    description="炒饭里吃出一根头发，服务员说不可能。",
    request_text="退还餐费并道歉",
    name="王小明",
    phone="13912345678",
    email="wxm@example.cn",
)


def _store(session: Session, demo: Demo, username: str) -> Business:
    business = session.get(Business, demo.account(username)["business_id"])
    assert business is not None
    return business


def _file(session: Session, store: Business, **changes: Any) -> Complaint:
    return service.submit_complaint(
        session=session, actor=DINER, store_code=store.public_code, form=replace(FORM, **changes)
    )


def _events(session: Session, complaint: Complaint) -> list[ComplaintStep]:
    rows = session.execute(
        select(ComplaintEvent.step)
        .where(ComplaintEvent.complaint_id == complaint.id)
        .order_by(ComplaintEvent.id)
    )
    return list(rows.scalars())


def _notes(session: Session, kind: str) -> list[Notification]:
    return list(session.execute(select(Notification).where(Notification.kind == kind)).scalars())


def test_a_complaint_goes_to_the_store_with_the_diner_s_contact_sealed(
    session: Session, demo: Demo
) -> None:
    store = _store(session, demo, "owner_a")
    complaint = _file(session, store)
    assert complaint.state is ComplaintState.WITH_MERCHANT
    assert complaint.stage_due_on == add_workdays(today_local(), count=10)
    assert len(complaint.receipt_code) == 14 and complaint.receipt_code.count("-") == 2
    assert "13912345678" not in complaint.contact_ciphertext
    assert intake.unseal(complaint.contact_ciphertext).phone == "13912345678"
    assert complaint.contact_masked == "王** 139****5678"
    assert _events(session, complaint) == [ComplaintStep.SUBMIT]
    to_store = _notes(session, "complaint.to_answer")
    told = {n.recipient_user_id for n in to_store}
    assert all(complaint.receipt_code not in n.subject + n.body for n in to_store)
    assert principal_of(session, "owner_a").user_id in told
    assert principal_of(session, "staff_a").user_id not in told
    (receipt,) = _notes(session, "complaint.received")
    assert receipt.recipient_user_id is None and complaint.receipt_code in receipt.body
    audit = session.execute(
        select(AuditEntry).where(
            AuditEntry.entity_type == "complaint", AuditEntry.entity_id == str(complaint.id)
        )
    ).scalar_one()
    assert audit.action == "complaint.submit"


def test_bad_input_is_refused_whole_naming_every_field(session: Session, demo: Demo) -> None:
    store = _store(session, demo, "owner_a")
    before = session.execute(select(Complaint.id)).all()
    with pytest.raises(ValidationFailed) as caught:
        _file(
            session,
            store,
            category="nonsense",
            description=" ",
            phone="12345",
            name="",
            occurred_on=today_local() + timedelta(days=1),
        )
    fields = {p.field for p in caught.value.problems}
    assert fields == {"category", "description", "phone", "name", "occurred_on"}
    assert session.execute(select(Complaint.id)).all() == before
    with pytest.raises(NotFoundError):
        service.submit_complaint(session=session, actor=DINER, store_code="NOPE0000", form=FORM)


def test_one_address_cannot_flood_a_store_with_complaints(session: Session, demo: Demo) -> None:
    store = _store(session, demo, "owner_a")
    for n in range(service.PER_ADDRESS_PER_HOUR):
        _file(session, store, phone=f"1391234{n:04d}")
    with pytest.raises(ThrottledError):
        _file(session, store, phone="13700000000")


def test_the_store_answers_and_the_diner_accepts_then_rates(session: Session, demo: Demo) -> None:
    store = _store(session, demo, "owner_a")
    complaint = _file(session, store)
    manager = principal_of(session, "manager_a")
    with pytest.raises(ConflictError):
        service.answer(
            session=session,
            actor=manager,
            complaint_id=complaint.id,
            text="抱歉",
            expected_version=complaint.version + 1,
        )
    service.answer(
        session=session,
        actor=manager,
        complaint_id=complaint.id,
        text="非常抱歉，已退款并加强后厨管理。",
        expected_version=complaint.version,
    )
    assert complaint.state is ComplaintState.MERCHANT_ANSWERED
    assert _notes(session, "complaint.answered")
    with pytest.raises(ConflictError):
        service.rate_handling(
            session=session, actor=DINER, receipt_code=complaint.receipt_code, rating=5, comment=""
        )
    service.accept_answer(session=session, actor=DINER, receipt_code=complaint.receipt_code.lower())
    assert complaint.state is ComplaintState.RESOLVED and complaint.finished_at is not None
    service.rate_handling(
        session=session,
        actor=DINER,
        receipt_code=complaint.receipt_code,
        rating=4,
        comment="处理及时",
    )
    assert complaint.rating == 4
    with pytest.raises(ConflictError):
        service.rate_handling(
            session=session, actor=DINER, receipt_code=complaint.receipt_code, rating=1, comment=""
        )


def test_only_the_store_s_owner_or_manager_answers(session: Session, demo: Demo) -> None:
    store = _store(session, demo, "owner_a")
    complaint = _file(session, store)
    for username, error in (
        ("staff_a", NotFoundError),  # staff do not see complaints at all
        ("owner_a2", NotFoundError),  # the neighbouring store
        ("owner_b", NotFoundError),
        ("inspector_a", ForbiddenError),  # regulators read, they do not answer for the store
    ):
        with pytest.raises(error):
            service.answer(
                session=session,
                actor=principal_of(session, username),
                complaint_id=complaint.id,
                text="不是我们的问题",
                expected_version=complaint.version,
            )


def test_escalation_to_the_head_waits_for_an_answer_or_the_deadline(
    session: Session, demo: Demo
) -> None:
    store = _store(session, demo, "owner_a")
    complaint = _file(session, store)
    with pytest.raises(ConflictError):
        service.escalate_to_head(
            session=session, actor=DINER, receipt_code=complaint.receipt_code, reason="没有回复"
        )
    complaint.stage_due_on = today_local() - timedelta(days=1)  # the store let it pass
    service.escalate_to_head(
        session=session, actor=DINER, receipt_code=complaint.receipt_code, reason="商家未回复"
    )
    assert complaint.state is ComplaintState.WITH_HEAD
    assert complaint.head_business_id == store.id  # no chain: the legal representative
    with pytest.raises(ForbiddenError):
        service.head_answer(
            session=session,
            actor=principal_of(session, "manager_a"),
            complaint_id=complaint.id,
            text="抱歉",
            expected_version=complaint.version,
        )
    service.head_answer(
        session=session,
        actor=principal_of(session, "owner_a"),
        complaint_id=complaint.id,
        text="我是负责人，已全额退款。",
        expected_version=complaint.version,
    )
    assert complaint.state is ComplaintState.HEAD_ANSWERED


def test_a_chain_outlet_s_complaint_goes_to_the_headquarters(session: Session, demo: Demo) -> None:
    hq_id = demo.account("chain_hq")["business_id"]
    outlet = session.execute(
        select(Business).where(Business.chain_hq_id == hq_id).limit(1)
    ).scalar_one()
    complaint = _file(session, outlet)
    hq = principal_of(session, "chain_hq")
    listed = service.list_for_business(
        session=session, actor=hq, states=None, page=PageRequest(1, 50)
    )
    assert complaint.id in {c.id for c in listed.items}
    complaint.stage_due_on = today_local() - timedelta(days=1)
    service.escalate_to_head(
        session=session, actor=DINER, receipt_code=complaint.receipt_code, reason="门店不理"
    )
    assert complaint.head_business_id == hq_id
    assert _notes(session, "complaint.head_to_answer")[0].recipient_user_id == hq.user_id
    service.head_answer(
        session=session,
        actor=hq,
        complaint_id=complaint.id,
        text="总部已责令门店整改并退款。",
        expected_version=complaint.version,
    )
    assert complaint.state is ComplaintState.HEAD_ANSWERED


def test_at_the_regulator_it_becomes_a_case_the_diner_follows(session: Session, demo: Demo) -> None:
    store = store_of_station(session, "chief_a")
    complaint = _file(session, store)
    service.escalate_to_regulator(
        session=session, actor=DINER, receipt_code=complaint.receipt_code, reason="商家拒绝退款"
    )
    case = session.get(Case, complaint.case_id)
    assert case is not None and case.kind is CaseKind.COMPLAINT
    assert case.state is CaseState.RECEIVED and case.business_id == store.id
    assert "13912345678" not in case.summary and "王小明" not in case.summary
    # The receipt code is the diner's key: the case file names the complaint by number.
    assert complaint.receipt_code not in case.summary
    assert f"Complaint No. {complaint.id}" in case.summary
    assert complaint.state is ComplaintState.WITH_REGULATOR
    with pytest.raises(ConflictError):
        service.escalate_to_regulator(
            session=session, actor=DINER, receipt_code=complaint.receipt_code, reason="再次"
        )
    chief = principal_of(session, "chief_a")  # accepting or rejecting is the chief's call
    cases.act(
        session=session,
        actor=chief,
        case_id=case.id,
        step=cases.Step(action=CaseAction.REJECT, expected_version=case.version, reason="已过三年"),
    )
    assert complaint.state is ComplaintState.CLOSED
    view = service.follow(session=session, actor=DINER, receipt_code=complaint.receipt_code)
    texts = [e.text for e in view.events]
    assert "reject: 已过三年" in texts
    assert view.may_rate and not view.may_escalate_to_regulator


def test_the_regulator_s_working_notes_are_not_shown_to_the_diner(
    session: Session, demo: Demo
) -> None:
    store = store_of_station(session, "chief_a")
    complaint = _file(session, store)
    service.escalate_to_regulator(
        session=session, actor=DINER, receipt_code=complaint.receipt_code, reason="不满意"
    )
    case = session.get(Case, complaint.case_id)
    assert case is not None
    chief = principal_of(session, "chief_a")
    cases.act(
        session=session,
        actor=chief,
        case_id=case.id,
        step=cases.Step(
            action=CaseAction.ACCEPT, expected_version=case.version, reason="内部：投诉人多次投诉"
        ),
    )
    texts = [
        e.text or ""
        for e in service.follow(
            session=session, actor=DINER, receipt_code=complaint.receipt_code
        ).events
    ]
    assert "accept" in texts and not any("内部" in t for t in texts)


def test_deadlines_remind_the_store_then_tell_the_diner(session: Session, demo: Demo) -> None:
    store = _store(session, demo, "owner_a")
    complaint = _file(session, store)
    due = complaint.stage_due_on
    assert due is not None
    soon = service.sweep_deadlines(session=session, today=add_workdays(due, count=-1))
    assert soon.reminded >= 1 and complaint.reminded_for_due_on == due
    again = service.sweep_deadlines(session=session, today=add_workdays(due, count=-1))
    assert complaint.id and again.reminded == 0
    late = service.sweep_deadlines(session=session, today=due + timedelta(days=1))
    assert late.overdue >= 1
    assert ComplaintStep.OVERDUE in _events(session, complaint)
    assert _notes(session, "complaint.answer_overdue")


def test_a_damage_claim_against_an_insured_store_reaches_the_insurer(
    session: Session, demo: Demo
) -> None:
    store = _store(session, demo, "owner_a")
    insurance.record_policy(
        session=session,
        actor=principal_of(session, "owner_a"),
        business_id=store.id,
        form=insurance.PolicyForm(
            insurer="中国人保财险",
            policy_number="PICC-2026-0001",
            cover_amount="500000",
            start_on=date(2026, 1, 1),
            end_on=date(2099, 12, 31),
            claims_email="claims@picc.example.cn",
        ),
    )
    complaint = _file(session, store, claims_damage=True, category="illness")
    (lead,) = _notes(session, "complaint.claim_lead")
    assert lead.recipient_user_id is None and "PICC-2026-0001" in lead.body
    assert complaint.receipt_code not in lead.body
    assert "13912345678" in lead.body  # forwarded with the diner's consent
    assert ComplaintStep.INSURER_NOTIFIED in _events(session, complaint)
    assert insurance.active_policy(session=session, business_id=store.id).cover_amount == Decimal(
        "500000.00"
    )


def test_a_neighbour_sees_none_of_a_store_s_complaints(session: Session, demo: Demo) -> None:
    store = _store(session, demo, "owner_a")
    complaint = _file(session, store)
    page = PageRequest(1, 200)
    for username in ("owner_a2", "owner_b", "inspector_b", "chain_hq", "staff_a", "citizen"):
        actor: Principal = principal_of(session, username)
        ids = {
            c.id
            for c in service.list_for_business(
                session=session, actor=actor, states=None, page=page
            ).items
        }
        assert complaint.id not in ids, username
    for username in ("owner_a", "manager_a", "inspector_a"):
        ids = {
            c.id
            for c in service.list_for_business(
                session=session, actor=principal_of(session, username), states=None, page=page
            ).items
        }
        assert complaint.id in ids, username
