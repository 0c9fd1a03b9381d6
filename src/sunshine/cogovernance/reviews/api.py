"""JSON routes of reviews under ``/api/v1``: scoped lists, replies, folds and appeals.

Diners write reviews through the phone form (``/s/{code}/review``), which carries the
anti-abuse stamp and honeypot; the API serves the businesses and the regulators.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sunshine.api.router import Authed
from sunshine.auth.principal import Principal
from sunshine.cogovernance.reviews import moderation
from sunshine.cogovernance.reviews.enums import AppealStatus, ReviewStatus
from sunshine.cogovernance.reviews.moderation import ReviewFilter, ScopedReview
from sunshine.cogovernance.reviews.schemas import (
    AppealDecisionIn,
    AppealRead,
    FoldIn,
    ReplyIn,
    ReviewDetail,
    ReviewPage,
    ReviewRead,
)
from sunshine.core.evidence_models import PublicCopy
from sunshine.core.pagination import PageRequest
from sunshine.portals.shared.deps import DbSession, SignedIn

router = APIRouter(tags=["reviews"], dependencies=Authed)


def _read(item: ScopedReview) -> ReviewRead:
    review = item.review
    return ReviewRead.model_validate(
        {
            **{name: getattr(review, name) for name in _REVIEW_FIELDS},
            "business_name": item.business_name,
            "photos": [
                f"/evidence/{f.token}"
                for f in item.photos
                if f.public_copy is PublicCopy.STRIPPED and review.status is ReviewStatus.VISIBLE
            ],
            "appeal": AppealRead.model_validate(item.appeal) if item.appeal else None,
        }
    )


_REVIEW_FIELDS = tuple(
    name for name in ReviewRead.model_fields if name not in {"business_name", "photos", "appeal"}
)


def _detail(principal: Principal, item: ScopedReview) -> ReviewDetail:
    """The review; regulators also get the fold signals and the originals' addresses."""
    regulator = principal.is_regulator
    return ReviewDetail(
        **_read(item).model_dump(),
        fold_note=item.review.fold_note if regulator else None,
        fill_seconds=item.review.fill_seconds if regulator else None,
        originals=[f"/evidence/{f.token}/original" for f in item.photos] if regulator else [],
    )


@router.get("/reviews", response_model=ReviewPage)
def list_reviews(
    session: DbSession,
    principal: SignedIn,
    business_id: int | None = None,
    status: ReviewStatus | None = None,
    appeal: AppealStatus | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 20,
) -> ReviewPage:
    """Reviews of the businesses the caller may see: a regulator's jurisdiction, a
    business's own (a chain HQ's outlets too). ``appeal=pending`` lists appeals to decide."""
    result = moderation.list_reviews(
        session=session,
        actor=principal,
        filters=ReviewFilter(business_id=business_id, status=status, appeal_status=appeal),
        page=PageRequest(page, per_page),
    )
    return ReviewPage(
        items=[_read(item) for item in result.items],
        total=result.total,
        page=result.page,
        per_page=result.request.per_page,
        pages=result.pages,
    )


@router.get("/reviews/{review_id}", response_model=ReviewDetail)
def get_review(session: DbSession, principal: SignedIn, review_id: int) -> ReviewDetail:
    review = moderation.get_review(session=session, actor=principal, review_id=review_id)
    return _detail(principal, moderation.scoped(session, review))


@router.post("/reviews/{review_id}/reply", response_model=ReviewDetail)
def reply(session: DbSession, principal: SignedIn, review_id: int, body: ReplyIn) -> ReviewDetail:
    """The business's reply (owner, manager or chain HQ); posting again edits it."""
    review = moderation.reply(session=session, actor=principal, review_id=review_id, text=body.text)
    return _detail(principal, moderation.scoped(session, review))


@router.post("/reviews/{review_id}/fold", response_model=ReviewDetail)
def fold(session: DbSession, principal: SignedIn, review_id: int, body: FoldIn) -> ReviewDetail:
    """A regulator folds a review after a check (it stays public behind the fold)."""
    review = moderation.fold(session=session, actor=principal, review_id=review_id, note=body.note)
    return _detail(principal, moderation.scoped(session, review))


@router.post("/reviews/{review_id}/unfold", response_model=ReviewDetail)
def unfold(session: DbSession, principal: SignedIn, review_id: int, body: FoldIn) -> ReviewDetail:
    """A regulator shows a folded review again."""
    review = moderation.unfold(
        session=session, actor=principal, review_id=review_id, note=body.note
    )
    return _detail(principal, moderation.scoped(session, review))


@router.post("/review-appeals/{appeal_id}/decision", response_model=AppealRead)
def decide_appeal(
    session: DbSession, principal: SignedIn, appeal_id: int, body: AppealDecisionIn
) -> AppealRead:
    """Uphold (the review is shown again) or dismiss (it stays folded) an author's appeal."""
    appeal = moderation.decide_appeal(
        session=session, actor=principal, appeal_id=appeal_id, uphold=body.uphold, note=body.note
    )
    return AppealRead.model_validate(appeal)
