"""The merchant's reply and the regulator's decisions on reviews (services never commit).

Nothing here deletes a review: a regulator folds one (with a note), unfolds one, or decides
the author's appeal; every change is audited with its before and after, and a change to
what the store page shows drops its cached copies after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sunshine.audit import service as audit
from sunshine.auth.principal import Principal
from sunshine.cogovernance.reviews import repository as repo
from sunshine.cogovernance.reviews.access import (
    require_moderator,
    require_replier,
    review_scope,
)
from sunshine.cogovernance.reviews.enums import AppealStatus, FoldReason, ReviewStatus
from sunshine.cogovernance.reviews.models import Review, ReviewAppeal, ReviewSummary
from sunshine.cogovernance.reviews.service import OWNER_TYPE, count_in_summary
from sunshine.core import evidence
from sunshine.core.errors import ConflictError, NotFoundError
from sunshine.core.evidence_models import EvidenceFile
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import utc_now
from sunshine.registry.service.businesses import invalidate_store_page

NO_REVIEW = N_("No such review")
CHANGED = N_("Someone else changed this review at the same moment; reload the page and try again.")


def _flush(session: Session) -> None:
    """Write the changes; a review changed meanwhile by someone else (its ``version`` moved
    on) is a clear conflict rather than a lost update."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError(CHANGED) from exc


@dataclass(frozen=True)
class ReviewFilter:
    business_id: int | None = None
    status: ReviewStatus | None = None
    appeal_status: AppealStatus | None = None


@dataclass(frozen=True)
class ScopedReview:
    """A review with what a business or a regulator sees next to it."""

    review: Review
    business_name: str
    photos: list[EvidenceFile]
    appeal: ReviewAppeal | None


def get_review(*, session: Session, actor: Principal, review_id: int) -> Review:
    """A review of a business the actor may see (404 otherwise, existence not revealed)."""
    review = repo.get_review(session, review_id=review_id, scope=review_scope(actor))
    if review is None:
        raise NotFoundError(NO_REVIEW)
    return review


def list_reviews(
    *, session: Session, actor: Principal, filters: ReviewFilter, page: PageRequest
) -> Page[ScopedReview]:
    """Reviews of the businesses the actor may see (its own, its outlets, its jurisdiction)."""
    rows, total = repo.page_reviews(
        session,
        scope=review_scope(actor),
        business_id=filters.business_id,
        status=filters.status,
        appeal_status=filters.appeal_status,
        offset=page.offset,
        limit=page.per_page,
    )
    ids = [review.id for review, _ in rows]
    files = evidence.files_of(session, owner_type=OWNER_TYPE, owner_ids=ids)
    appeals = repo.appeals_of(session, ids)
    items = [
        ScopedReview(review, name, files.get(review.id, []), appeals.get(review.id))
        for review, name in rows
    ]
    return Page(items=items, total=total, request=page)


def summary(session: Session, business_id: int) -> ReviewSummary | None:
    """The business's score totals (callers have checked it may be seen)."""
    return repo.summary_of(session, business_id)


def scoped(session: Session, review: Review) -> ScopedReview:
    files = evidence.files_of(session, owner_type=OWNER_TYPE, owner_ids=[review.id])
    return ScopedReview(
        review=review,
        business_name=repo.store_of(session, review.business_id).name,
        photos=files.get(review.id, []),
        appeal=repo.appeals_of(session, [review.id]).get(review.id),
    )


# The merchant's reply ------------------------------------------------------------------------


def reply(*, session: Session, actor: Principal, review_id: int, text: str) -> Review:
    """The business's one reply to a review (商家回复); writing again edits it."""
    require_replier(actor)
    review = get_review(session=session, actor=actor, review_id=review_id)
    before = {"reply_text": review.reply_text}
    now = utc_now()
    first = review.reply_text is None
    review.reply_text = text
    if first:
        review.replied_at = now
        review.reply_by_id = actor.user_id
    else:
        review.reply_edited_at = now
    _flush(session)
    audit.record(
        session=session,
        actor=actor,
        action="review.reply" if first else "review.reply_edit",
        entity_type="review",
        entity_id=review.id,
        before=None if first else before,
        after={"reply_text": text},
    )
    if review.status is ReviewStatus.VISIBLE:
        invalidate_store_page(session, review.business_id)
    return review


# Folding and unfolding ----------------------------------------------------------------------


def _set_status(
    session: Session,
    actor: Principal,
    review: Review,
    *,
    status: ReviewStatus,
    reason: FoldReason | None,
    note: str | None,
    action: str,
) -> None:
    before = audit.snapshot(review, ("status", "fold_reason", "fold_note"))
    count_in_summary(session, review, -1)
    review.status = status
    review.fold_reason = reason
    # A shown review carries no fold note; why it was unfolded stays in the audit trail.
    review.fold_note = note if status is ReviewStatus.FOLDED else None
    review.folded_at = utc_now() if status is ReviewStatus.FOLDED else None
    _flush(session)
    count_in_summary(session, review, +1)
    audit.record(
        session=session,
        actor=actor,
        action=action,
        entity_type="review",
        entity_id=review.id,
        before=before,
        after=audit.snapshot(review, ("status", "fold_reason")) | {"note": note},
    )
    invalidate_store_page(session, review.business_id)


def fold(*, session: Session, actor: Principal, review_id: int, note: str) -> Review:
    """A regulator folds a shown review after a check (the note says why, for the record)."""
    require_moderator(actor)
    review = get_review(session=session, actor=actor, review_id=review_id)
    if review.status is ReviewStatus.FOLDED:
        raise ConflictError(N_("This review is already folded."))
    _set_status(
        session,
        actor,
        review,
        status=ReviewStatus.FOLDED,
        reason=FoldReason.REGULATOR,
        note=note,
        action="review.fold",
    )
    return review


def unfold(*, session: Session, actor: Principal, review_id: int, note: str) -> Review:
    """A regulator shows a folded review again (e.g. one held during a burst, once checked)."""
    require_moderator(actor)
    review = get_review(session=session, actor=actor, review_id=review_id)
    if review.status is ReviewStatus.VISIBLE:
        raise ConflictError(N_("This review is not folded."))
    _set_status(
        session,
        actor,
        review,
        status=ReviewStatus.VISIBLE,
        reason=None,
        note=note,
        action="review.unfold",
    )
    return review


# Appeals ---------------------------------------------------------------------------------------


def decide_appeal(
    *, session: Session, actor: Principal, appeal_id: int, uphold: bool, note: str
) -> ReviewAppeal:
    """Uphold (the review is shown again) or dismiss (it stays folded) a pending appeal."""
    require_moderator(actor)
    appeal = repo.get_appeal(session, appeal_id=appeal_id, scope=review_scope(actor))
    if appeal is None:
        raise NotFoundError(N_("No such appeal"))
    if appeal.status is not AppealStatus.PENDING:
        raise ConflictError(N_("This appeal has already been decided."))
    appeal.status = AppealStatus.UPHELD if uphold else AppealStatus.DISMISSED
    appeal.decided_by_id = actor.user_id
    appeal.decided_at = utc_now()
    appeal.decision_note = note
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="review.appeal_decide",
        entity_type="review",
        entity_id=appeal.review_id,
        before={"appeal_id": appeal.id, "status": AppealStatus.PENDING.value},
        after={"appeal_id": appeal.id, "status": appeal.status.value, "note": note},
    )
    review = get_review(session=session, actor=actor, review_id=appeal.review_id)
    if uphold and review.status is ReviewStatus.FOLDED:
        _set_status(
            session,
            actor,
            review,
            status=ReviewStatus.VISIBLE,
            reason=None,
            note=note,
            action="review.unfold",
        )
    return appeal
