"""Closing a batch recall: once every holder has acknowledged it, or earlier with a stated
reason; its case closes with it, the step is audited, the holders are told; a case closed
or reopened from the workbench takes the recall along."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from trace_helpers import build_network

from helpers import csrf_of, principal_of
from sunshine.audit.models import AuditEntry
from sunshine.cases import service as cases
from sunshine.cases.enums import CaseAction, CaseState
from sunshine.cases.models import Case
from sunshine.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailed
from sunshine.notifications.models import Notification
from sunshine.traceability import recall
from sunshine.traceability.recall_enums import HolderStatus
from sunshine.traceability.recall_models import Recall, RecallHolder

Opener = Callable[[str], TestClient]


def _open(session: Session, lot: str) -> Recall:
    return recall.open_recall(
        session=session,
        actor=principal_of(session, "inspector_a"),
        form=recall.RecallForm(lot=lot, reason="检出沙门氏菌", level="level_1"),
    )


def _acknowledge_all(session: Session, found: Recall) -> None:
    for holder in session.scalars(select(RecallHolder).where(RecallHolder.recall_id == found.id)):
        holder.status = HolderStatus.ACKNOWLEDGED
    session.flush()


def _audits(session: Session, action: str, recall_id: int) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == action, AuditEntry.entity_id == str(recall_id)
            )
        )
    )


def test_a_recall_every_holder_acknowledged_closes_with_its_case(session: Session) -> None:
    net = build_network(session)
    found = _open(session, net.lot)
    _acknowledge_all(session, found)
    leader = principal_of(session, "leader")
    assert recall.may_close(session=session, actor=leader, found=found)
    closed = recall.close_recall(session=session, actor=leader, recall_id=found.id, reason="")
    assert closed.closed_at is not None and closed.closed_by_id == leader.user_id
    assert closed.close_reason == ""
    case = session.get(Case, found.case_id)
    assert case is not None and case.state is CaseState.CLOSED and case.closed_at is not None
    assert len(_audits(session, "recall.close", found.id)) == 1
    owner = principal_of(session, "owner_a")
    told = session.scalars(
        select(Notification).where(
            Notification.kind == "recall.closed", Notification.recipient_user_id == owner.user_id
        )
    ).all()
    assert len(told) == 1 and told[0].link == f"/biz/recalls/{found.id}"
    assert "every holder has acknowledged it" in told[0].body or "已确认" in told[0].body
    assert not recall.may_close(session=session, actor=leader, found=found)
    # Closed is closed: a second close, and a holder's late answer, are refused.
    with pytest.raises(ConflictError):
        recall.close_recall(session=session, actor=leader, recall_id=found.id, reason="再次")
    with pytest.raises(ConflictError):
        recall.respond(session=session, actor=owner, recall_id=found.id, form=recall.ResponseForm())


def test_closing_before_every_holder_answered_needs_a_reason(session: Session) -> None:
    net = build_network(session)
    found = _open(session, net.lot)
    leader = principal_of(session, "leader")
    with pytest.raises(ValidationFailed) as caught:
        recall.close_recall(session=session, actor=leader, recall_id=found.id, reason="  ")
    assert [p.field for p in caught.value.problems] == ["reason"]
    assert caught.value.problems[0].params == {"n": 5}
    assert found.closed_at is None  # nothing changed
    reason = "批次经复检合格，召回依据撤销"
    closed = recall.close_recall(session=session, actor=leader, recall_id=found.id, reason=reason)
    assert closed.close_reason == reason
    entry = _audits(session, "recall.close", found.id)[0]
    assert entry.after == {"closed": True, "reason": reason, "pending_holders": 5}


def test_who_may_close(session: Session) -> None:
    net = build_network(session)
    found = _open(session, net.lot)
    _acknowledge_all(session, found)
    # An inspector opens recalls but does not close them; another county sees none of it.
    inspector = principal_of(session, "inspector_a")
    assert not recall.may_close(session=session, actor=inspector, found=found)
    with pytest.raises(ForbiddenError):
        recall.close_recall(session=session, actor=inspector, recall_id=found.id, reason="")
    with pytest.raises(NotFoundError):
        recall.close_recall(
            session=session,
            actor=principal_of(session, "inspector_b"),
            recall_id=found.id,
            reason="",
        )
    with pytest.raises(ForbiddenError):
        recall.close_recall(
            session=session, actor=principal_of(session, "owner_a"), recall_id=found.id, reason=""
        )
    assert session.get(Recall, found.id).closed_at is None  # type: ignore[union-attr]


def test_the_workbench_closes_and_reopens_the_recall_with_its_case(session: Session) -> None:
    net = build_network(session)
    found = _open(session, net.lot)
    leader = principal_of(session, "leader")
    case = session.get(Case, found.case_id)
    assert case is not None
    # A holder has not answered: the case's close needs the reason the recall needs.
    with pytest.raises(ValidationFailed):
        cases.act(
            session=session,
            actor=leader,
            case_id=case.id,
            step=cases.Step(action=CaseAction.CLOSE, expected_version=case.version),
        )
    session.rollback()
    net = build_network(session)
    found = _open(session, net.lot)
    case = session.get(Case, found.case_id)
    assert case is not None
    cases.act(
        session=session,
        actor=leader,
        case_id=case.id,
        step=cases.Step(
            action=CaseAction.CLOSE, expected_version=case.version, reason="持有主体已停业"
        ),
    )
    assert found.closed_at is not None and found.close_reason == "持有主体已停业"
    assert found.closed_by_id == leader.user_id
    cases.act(
        session=session,
        actor=leader,
        case_id=case.id,
        step=cases.Step(action=CaseAction.REOPEN, expected_version=case.version, reason="复核"),
    )
    assert found.closed_at is None and found.close_reason == ""
    assert len(_audits(session, "recall.reopen", found.id)) == 1


def test_the_recall_page_closes_the_recall(session: Session, new_client: Opener) -> None:
    net = build_network(session)
    found = _open(session, net.lot)
    session.commit()
    leader = new_client("leader")
    page = leader.get(f"/gov/recalls/{found.id}")
    assert 'id="close-form"' in page.text and 'id="pending-warning"' in page.text
    token = csrf_of(leader, f"/gov/recalls/{found.id}")
    refused = leader.post(
        f"/gov/recalls/{found.id}/close", data={"csrf_token": token, "close_reason": ""}
    )
    assert refused.status_code == 422
    assert 'data-field="close_reason"' in refused.text and "is-invalid" in refused.text
    done = leader.post(
        f"/gov/recalls/{found.id}/close",
        data={"csrf_token": token, "close_reason": "该批次经复检合格"},
    )
    assert done.status_code == 303 and done.headers["location"].endswith("?done=closed")
    shown = leader.get(done.headers["location"])
    assert 'data-state="closed"' in shown.text and "该批次经复检合格" in shown.text
    assert 'id="close-form"' not in shown.text
    again = leader.post(
        f"/gov/recalls/{found.id}/close", data={"csrf_token": token, "close_reason": "x"}
    )
    assert again.status_code == 409
    # An inspector sees the recall but no button; the holder's page says it is closed.
    inspector = new_client("inspector_a")
    assert 'id="close-form"' not in inspector.get(f"/gov/recalls/{found.id}").text
    owner = new_client("owner_a")
    assert 'id="recall-closed-at"' in owner.get(f"/biz/recalls/{found.id}").text
