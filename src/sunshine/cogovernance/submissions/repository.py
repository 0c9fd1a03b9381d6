"""Every query of the intake queue."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from sunshine.cogovernance.submissions.models import IntakeOutcome, SubmissionIntake
from sunshine.regions.models import Region
from sunshine.registry.enums import OperatingStatus
from sunshine.registry.models import Business


def open_stores(session: Session, codes: Collection[str]) -> dict[str, int]:
    """Public code -> id of the stores among ``codes`` that are not closed."""
    if not codes:
        return {}
    stmt = select(Business.public_code, Business.id).where(
        Business.public_code.in_(list(codes)),
        Business.operating_status != OperatingStatus.CLOSED,
    )
    return {code: id_ for code, id_ in session.execute(stmt)}


def known_regions(session: Session, codes: Collection[str]) -> set[str]:
    if not codes:
        return set()
    stmt = select(Region.code).where(Region.code.in_(list(codes)))
    return set(session.execute(stmt).scalars())


def add_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """One multi-row INSERT for a whole batch (the driver sends it in one round trip)."""
    if rows:
        session.execute(insert(SubmissionIntake), list(rows))


def claim_pending(session: Session, *, limit: int) -> Sequence[SubmissionIntake]:
    """The oldest unprocessed submissions; on PostgreSQL, rows another job is processing
    are skipped rather than waited for."""
    stmt = (
        select(SubmissionIntake)
        .where(SubmissionIntake.processed_at.is_(None))
        .order_by(SubmissionIntake.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return session.execute(stmt).scalars().all()


def mark(
    session: Session,
    *,
    intake_id: int,
    at: datetime,
    outcome: IntakeOutcome,
    result_id: int | None,
    error: str | None,
) -> None:
    session.execute(
        update(SubmissionIntake)
        .where(SubmissionIntake.id == intake_id)
        .values(processed_at=at, outcome=outcome, result_id=result_id, error=error)
    )


def by_receipt(session: Session, code: str) -> SubmissionIntake | None:
    stmt = select(SubmissionIntake).where(SubmissionIntake.receipt_code == code)
    return session.execute(stmt).scalar_one_or_none()


def count_pending(session: Session) -> int:
    stmt = select(func.count()).where(SubmissionIntake.processed_at.is_(None))
    return int(session.execute(stmt.select_from(SubmissionIntake)).scalar_one())
