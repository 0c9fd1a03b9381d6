"""Every query of reviews, appeals and score summaries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Row, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sunshine.cogovernance.reviews.antiabuse import Earlier
from sunshine.cogovernance.reviews.enums import AppealStatus, ReviewStatus
from sunshine.cogovernance.reviews.models import Review, ReviewAppeal, ReviewSummary
from sunshine.core.time import utc_now
from sunshine.registry.enums import BusinessCategory
from sunshine.registry.models import Business

# Public lists ---------------------------------------------------------------------------------


def summary_of(session: Session, business_id: int) -> ReviewSummary | None:
    # Totals change by SQL increments, never through a loaded row: always read them fresh.
    return session.get(ReviewSummary, business_id, populate_existing=True)


def public_reviews(
    session: Session, *, business_id: int, status: ReviewStatus, offset: int, limit: int
) -> Sequence[Review]:
    """A store's reviews in one state, newest first (the index covers the order)."""
    stmt = (
        select(Review)
        .where(Review.business_id == business_id, Review.status == status)
        .order_by(Review.created_at.desc(), Review.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return session.execute(stmt).scalars().all()


def appeals_of(session: Session, review_ids: Sequence[int]) -> dict[int, ReviewAppeal]:
    if not review_ids:
        return {}
    stmt = select(ReviewAppeal).where(ReviewAppeal.review_id.in_(list(review_ids)))
    return {appeal.review_id: appeal for appeal in session.execute(stmt).scalars()}


def store_by_code(session: Session, code: str) -> Row[int, str, str] | None:
    """A store with a public page (a caterer) by its public code."""
    stmt = select(Business.id, Business.public_code, Business.name).where(
        Business.public_code == code, Business.category == BusinessCategory.CATERER
    )
    return session.execute(stmt).first()


def stores_of(session: Session, business_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Public code and name of several businesses, by id."""
    if not business_ids:
        return {}
    stmt = select(Business.id, Business.public_code, Business.name).where(
        Business.id.in_(set(business_ids))
    )
    return {row.id: (row.public_code, row.name) for row in session.execute(stmt)}


def store_of(session: Session, business_id: int) -> Row[str, str]:
    stmt = select(Business.public_code, Business.name).where(Business.id == business_id)
    return session.execute(stmt).one()


def reviews_by_author(
    session: Session, *, author_id: int, offset: int, limit: int
) -> tuple[Sequence[Review], int]:
    stmt = select(Review).where(Review.author_id == author_id)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(
        stmt.order_by(Review.created_at.desc(), Review.id.desc()).offset(offset).limit(limit)
    )
    return rows.scalars().all(), int(total)


def review_by_author(session: Session, *, review_id: int, author_id: int) -> Review | None:
    stmt = select(Review).where(Review.id == review_id, Review.author_id == author_id)
    return session.execute(stmt).scalar_one_or_none()


# Signals of a new review ----------------------------------------------------------------------


def same_source(
    session: Session,
    *,
    ip_digest: str | None,
    device_digest: str | None,
    author_id: int | None,
    since: datetime,
    limit: int,
) -> list[Earlier]:
    """Recent reviews from the same address, device or account, at any store, newest first."""
    sources: list[ColumnElement[bool]] = []
    if ip_digest:
        sources.append(Review.ip_digest == ip_digest)
    if device_digest:
        sources.append(Review.device_digest == device_digest)
    if author_id is not None:
        sources.append(Review.author_id == author_id)
    if not sources:
        return []
    stmt = (
        select(Review.id, Review.text)
        .where(or_(*sources), Review.created_at >= since)
        .order_by(Review.created_at.desc())
        .limit(limit)
    )
    return [Earlier(row.id, row.text) for row in session.execute(stmt)]


def same_store(session: Session, *, business_id: int, since: datetime, limit: int) -> list[Earlier]:
    stmt = (
        select(Review.id, Review.text)
        .where(Review.business_id == business_id, Review.created_at >= since)
        .order_by(Review.created_at.desc())
        .limit(limit)
    )
    return [Earlier(row.id, row.text) for row in session.execute(stmt)]


def count_since(session: Session, *, business_id: int, since: datetime) -> int:
    stmt = select(func.count()).where(Review.business_id == business_id, Review.created_at >= since)
    return int(session.execute(stmt).scalar_one())


def find_by_receipt(session: Session, receipt_digest: str) -> Review | None:
    stmt = select(Review).where(Review.receipt_digest == receipt_digest)
    return session.execute(stmt).scalar_one_or_none()


# Scoped lists (enterprise and government) ----------------------------------------------------


def get_review(session: Session, *, review_id: int, scope: ColumnElement[bool]) -> Review | None:
    """A review of a business inside ``scope`` (a condition on :class:`Business`)."""
    stmt = (
        select(Review)
        .join(Business, Business.id == Review.business_id)
        .where(Review.id == review_id, scope)
    )
    return session.execute(stmt).scalar_one_or_none()


def page_reviews(
    session: Session,
    *,
    scope: ColumnElement[bool],
    business_id: int | None,
    status: ReviewStatus | None,
    appeal_status: AppealStatus | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[Row[Review, str]], int]:
    """Reviews of businesses in ``scope`` with the business name, newest first."""
    stmt = (
        select(Review, Business.name).join(Business, Business.id == Review.business_id).where(scope)
    )
    if business_id is not None:
        stmt = stmt.where(Review.business_id == business_id)
    if status is not None:
        stmt = stmt.where(Review.status == status)
    if appeal_status is not None:
        stmt = stmt.join(ReviewAppeal, ReviewAppeal.review_id == Review.id).where(
            ReviewAppeal.status == appeal_status
        )
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(
        stmt.order_by(Review.created_at.desc(), Review.id.desc()).offset(offset).limit(limit)
    ).all()
    return rows, int(total)


def get_appeal(
    session: Session, *, appeal_id: int, scope: ColumnElement[bool]
) -> ReviewAppeal | None:
    stmt = (
        select(ReviewAppeal)
        .join(Review, Review.id == ReviewAppeal.review_id)
        .join(Business, Business.id == Review.business_id)
        .where(ReviewAppeal.id == appeal_id, scope)
        # Two regulators deciding one appeal at once: the second waits, then sees it decided.
        .with_for_update(of=ReviewAppeal)
    )
    return session.execute(stmt).scalar_one_or_none()


def business_of_review(session: Session, review_id: int) -> Row[ReviewStatus, int] | None:
    """A review's state and business id (what file access needs, without loading it)."""
    stmt = select(Review.status, Review.business_id).where(Review.id == review_id)
    return session.execute(stmt).first()


def business_in_scope(session: Session, *, business_id: int, scope: ColumnElement[bool]) -> bool:
    stmt = select(Business.id).where(Business.id == business_id, scope)
    return session.execute(stmt).first() is not None


# The score summary ---------------------------------------------------------------------------


def change_summary(
    session: Session,
    *,
    business_id: int,
    visible: int,
    folded: int,
    environment: int,
    quality: int,
    service: int,
) -> None:
    """Add the deltas to a store's totals (its row is created on the first review).

    ``INSERT .. ON CONFLICT DO NOTHING`` then ``UPDATE .. SET x = x + n``: two reviews of
    one store committing together both count, on SQLite and PostgreSQL alike.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(ReviewSummary)
        .values(
            business_id=business_id,
            visible_count=0,
            folded_count=0,
            environment_total=0,
            quality_total=0,
            service_total=0,
            updated_at=utc_now(),
        )
        .on_conflict_do_nothing(index_elements=[ReviewSummary.business_id])
    )
    session.execute(
        update(ReviewSummary)
        .where(ReviewSummary.business_id == business_id)
        .values(
            visible_count=ReviewSummary.visible_count + visible,
            folded_count=ReviewSummary.folded_count + folded,
            environment_total=ReviewSummary.environment_total + environment,
            quality_total=ReviewSummary.quality_total + quality,
            service_total=ReviewSummary.service_total + service,
            updated_at=utc_now(),
        )
        .execution_options(synchronize_session=False)
    )
