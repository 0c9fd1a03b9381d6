"""Every query of the insurance community."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from sunshine.cogovernance.insurance.models import InsurancePolicy


def active_policy(session: Session, *, business_id: int, day: date) -> InsurancePolicy | None:
    """The policy covering ``business_id`` on ``day`` (the latest to end, if several)."""
    stmt = (
        select(InsurancePolicy)
        .where(
            InsurancePolicy.business_id == business_id,
            InsurancePolicy.start_on <= day,
            InsurancePolicy.end_on >= day,
        )
        .order_by(InsurancePolicy.end_on.desc())
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def policies_of(session: Session, business_id: int) -> Sequence[InsurancePolicy]:
    stmt = (
        select(InsurancePolicy)
        .where(InsurancePolicy.business_id == business_id)
        .order_by(InsurancePolicy.end_on.desc())
    )
    return session.execute(stmt).scalars().all()


def policy_number_taken(session: Session, *, insurer: str, policy_number: str) -> bool:
    stmt = select(InsurancePolicy.id).where(
        InsurancePolicy.insurer == insurer, InsurancePolicy.policy_number == policy_number
    )
    return session.execute(stmt).first() is not None
