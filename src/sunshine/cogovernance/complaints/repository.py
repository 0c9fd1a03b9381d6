"""Every query of the complaints domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from sunshine.cogovernance.complaints.enums import ComplaintState
from sunshine.cogovernance.complaints.models import Complaint, ComplaintEvent


def receipt_exists(session: Session, code: str) -> bool:
    stmt = select(Complaint.id).where(Complaint.receipt_code == code)
    return session.execute(stmt).first() is not None


def by_receipt(session: Session, code: str) -> Complaint | None:
    stmt = select(Complaint).where(Complaint.receipt_code == code)
    return session.execute(stmt).scalar_one_or_none()


def get_complaint(
    session: Session, *, complaint_id: int, scope: ColumnElement[bool]
) -> Complaint | None:
    stmt = select(Complaint).where(Complaint.id == complaint_id, scope)
    return session.execute(stmt).scalar_one_or_none()


def by_case(session: Session, case_id: int) -> Complaint | None:
    stmt = select(Complaint).where(Complaint.case_id == case_id)
    return session.execute(stmt).scalar_one_or_none()


def events_of(session: Session, complaint_id: int) -> Sequence[ComplaintEvent]:
    stmt = (
        select(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint_id)
        .order_by(ComplaintEvent.occurred_at, ComplaintEvent.id)
    )
    return session.execute(stmt).scalars().all()


def page_complaints(
    session: Session,
    *,
    scope: ColumnElement[bool],
    states: frozenset[ComplaintState] | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[Complaint], int]:
    """Complaints in ``scope``, those waiting longest for an answer first."""
    conditions = [scope]
    if states is not None:
        conditions.append(Complaint.state.in_(states))
    total = session.execute(select(func.count()).where(*conditions).select_from(Complaint))
    stmt = (
        select(Complaint)
        .where(*conditions)
        .order_by(Complaint.stage_due_on.is_(None), Complaint.stage_due_on, Complaint.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return session.execute(stmt).scalars().all(), int(total.scalar_one())


def complaints_of_user(session: Session, user_id: int, *, limit: int) -> Sequence[Complaint]:
    stmt = (
        select(Complaint)
        .where(Complaint.user_id == user_id)
        .order_by(Complaint.submitted_at.desc())
        .limit(limit)
    )
    return session.execute(stmt).scalars().all()


def awaiting_answer_by(session: Session, day: date) -> Sequence[Complaint]:
    """Complaints waiting on the store or the head whose answer is due by ``day``."""
    stmt = (
        select(Complaint)
        .where(
            Complaint.state.in_((ComplaintState.WITH_MERCHANT, ComplaintState.WITH_HEAD)),
            Complaint.stage_due_on <= day,
        )
        .order_by(Complaint.stage_due_on, Complaint.id)
    )
    return session.execute(stmt).scalars().all()


def count_open_for(session: Session, *, scope: ColumnElement[bool]) -> int:
    stmt = select(func.count()).where(
        scope,
        Complaint.state.in_((ComplaintState.WITH_MERCHANT, ComplaintState.WITH_HEAD)),
    )
    return int(session.execute(stmt.select_from(Complaint)).scalar_one())
