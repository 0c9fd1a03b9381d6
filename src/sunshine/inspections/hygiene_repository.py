"""Every query of hygiene scores (量化分级)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sunshine.inspections.enums import ItemOutcome
from sunshine.inspections.hygiene_models import HygieneScore
from sunshine.inspections.models import Checklist, ChecklistItem, Inspection, InspectionItemResult


def get_score(session: Session, inspection_id: int) -> HygieneScore | None:
    return session.get(HygieneScore, inspection_id)


def item_outcomes(session: Session, inspection_id: int) -> list[tuple[str, bool, ItemOutcome]]:
    """The (item code, key, outcome) of every item an inspection answered."""
    stmt = (
        select(ChecklistItem.code, ChecklistItem.key, InspectionItemResult.outcome)
        .join(InspectionItemResult, InspectionItemResult.item_id == ChecklistItem.id)
        .where(InspectionItemResult.inspection_id == inspection_id)
    )
    return [(code, key, outcome) for code, key, outcome in session.execute(stmt)]


def checklist_version(session: Session, checklist_id: int) -> tuple[str, str] | None:
    """The (code, version) of a checklist; a province's refinement scores as its base."""
    checklist = session.get(Checklist, checklist_id)
    if checklist is None:
        return None
    if checklist.base_id is not None:
        base = session.get(Checklist, checklist.base_id)
        if base is not None:
            return base.code, base.version
    return checklist.code, checklist.version


def unscored_inspection_ids(
    session: Session, *, after_id: int, limit: int, business_id: int | None = None
) -> list[int]:
    """Inspections without a score row, by id from ``after_id`` (the backfill's batches)."""
    stmt = (
        select(Inspection.id)
        .outerjoin(HygieneScore, HygieneScore.inspection_id == Inspection.id)
        .where(HygieneScore.inspection_id.is_(None), Inspection.id > after_id)
    )
    if business_id is not None:
        stmt = stmt.where(Inspection.business_id == business_id)
    return list(session.execute(stmt.order_by(Inspection.id).limit(limit)).scalars())


def latest_score(session: Session, business_id: int) -> HygieneScore | None:
    """A business's latest scored inspection (``ix_hygiene_scores_business_on``)."""
    stmt = (
        select(HygieneScore)
        .where(HygieneScore.business_id == business_id)
        .order_by(HygieneScore.inspected_on.desc(), HygieneScore.inspection_id.desc())
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def scores_since(session: Session, business_id: int, since: date) -> Sequence[HygieneScore]:
    """A business's scores from ``since`` on, the latest first."""
    stmt = (
        select(HygieneScore)
        .where(HygieneScore.business_id == business_id, HygieneScore.inspected_on >= since)
        .order_by(HygieneScore.inspected_on.desc(), HygieneScore.inspection_id.desc())
    )
    return session.execute(stmt).scalars().all()


def oldest_score_since(session: Session, business_id: int, since: date) -> date | None:
    """The date of the business's oldest scored inspection on or after ``since``."""
    stmt = select(func.min(HygieneScore.inspected_on)).where(
        HygieneScore.business_id == business_id, HygieneScore.inspected_on >= since
    )
    found: date | None = session.execute(stmt).scalar_one_or_none()
    return found
