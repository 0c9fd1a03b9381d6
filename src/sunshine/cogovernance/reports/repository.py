"""Every query of whistleblower reports, profiles and rewards."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from sunshine.cases.models import Case
from sunshine.cogovernance.reports.enums import ProfileStatus
from sunshine.cogovernance.reports.models import (
    Report,
    RewardDecision,
    RewardPayout,
    WhistleblowerProfile,
)


def receipt_exists(session: Session, code: str) -> bool:
    return session.execute(select(Report.id).where(Report.receipt_code == code)).first() is not None


def by_receipt(session: Session, code: str) -> Report | None:
    stmt = select(Report).where(Report.receipt_code == code)
    return session.execute(stmt).scalar_one_or_none()


def by_case(session: Session, case_id: int) -> Report | None:
    return session.execute(select(Report).where(Report.case_id == case_id)).scalar_one_or_none()


def visible_case(session: Session, *, case_id: int, scope: ColumnElement[bool]) -> Case | None:
    return session.execute(select(Case).where(Case.id == case_id, scope)).scalar_one_or_none()


def get_report(session: Session, report_id: int) -> Report | None:
    return session.get(Report, report_id)


def reports_of_user(session: Session, user_id: int, *, limit: int) -> Sequence[Report]:
    stmt = (
        select(Report)
        .where(Report.user_id == user_id)
        .order_by(Report.submitted_at.desc())
        .limit(limit)
    )
    return session.execute(stmt).scalars().all()


def profile_of(session: Session, user_id: int) -> WhistleblowerProfile | None:
    stmt = select(WhistleblowerProfile).where(WhistleblowerProfile.user_id == user_id)
    return session.execute(stmt).scalar_one_or_none()


def get_profile(session: Session, profile_id: int) -> WhistleblowerProfile | None:
    return session.get(WhistleblowerProfile, profile_id)


def profiles(
    session: Session, *, status: ProfileStatus | None, limit: int
) -> Sequence[WhistleblowerProfile]:
    stmt = select(WhistleblowerProfile).order_by(WhistleblowerProfile.created_at.desc())
    if status is not None:
        stmt = stmt.where(WhistleblowerProfile.status == status)
    return session.execute(stmt.limit(limit)).scalars().all()


def reward_of(session: Session, report_id: int) -> RewardDecision | None:
    stmt = select(RewardDecision).where(RewardDecision.report_id == report_id)
    return session.execute(stmt).scalar_one_or_none()


def payouts_of(session: Session, decision_id: int) -> Sequence[RewardPayout]:
    stmt = (
        select(RewardPayout)
        .where(RewardPayout.decision_id == decision_id)
        .order_by(RewardPayout.paid_on, RewardPayout.id)
    )
    return session.execute(stmt).scalars().all()
