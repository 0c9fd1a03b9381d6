"""Writing reviews and reading them in public: the diner's side (services never commit).

The merchant's reply and the regulator's decisions are in :mod:`.moderation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Row
from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth.principal import Principal
from sunshine.cogovernance.intake import new_receipt_code, normalise_receipt_code
from sunshine.cogovernance.reviews import antiabuse
from sunshine.cogovernance.reviews import repository as repo
from sunshine.cogovernance.reviews.access import may_review, review_scope
from sunshine.cogovernance.reviews.enums import AppealStatus, FoldReason, ReviewStatus
from sunshine.cogovernance.reviews.models import Review, ReviewAppeal, ReviewSummary
from sunshine.cogovernance.reviews.schemas import ReviewCreate
from sunshine.core import evidence
from sunshine.core.crypto import digest
from sunshine.core.errors import ConflictError, NotFoundError
from sunshine.core.evidence_models import EvidenceFile, EvidenceKind
from sunshine.core.i18n import N_
from sunshine.core.masking import mask_name
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.ratelimit import RateLimiter, get_rate_limiter
from sunshine.core.time import utc_now
from sunshine.registry.service.businesses import invalidate_store_page

OWNER_TYPE = "review"
MAX_PHOTOS = 6  # enough to show the dish, the table and the receipt; more is a photo album
PHOTO_RULES = evidence.EvidenceRules(
    kinds=frozenset({EvidenceKind.PHOTO}), max_files=MAX_PHOTOS, field="photos"
)
RECENT_ON_STORE_PAGE = 5
NO_STORE = N_("No store has this code.")
NO_RECEIPT = N_("No review has this receipt code.")


# Reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoLink:
    token: str

    @property
    def url(self) -> str:
        return f"/evidence/{self.token}"

    @property
    def thumb_url(self) -> str:
        return f"/evidence/{self.token}/thumb"


@dataclass(frozen=True)
class PublicReview:
    """A review as anyone may read it: no digests, no account, the author's name masked."""

    id: int
    status: ReviewStatus
    environment_score: int
    quality_score: int
    service_score: int
    text: str
    author_display: str
    created_at: datetime
    reply_text: str | None
    replied_at: datetime | None
    fold_reason: FoldReason | None
    photos: list[PhotoLink]

    @property
    def average(self) -> float:
        return (self.environment_score + self.quality_score + self.service_score) / 3


@dataclass(frozen=True)
class ScoreSummary:
    count: int
    folded_count: int
    environment: float | None
    quality: float | None
    service: float | None

    @property
    def overall(self) -> float | None:
        if not self.count:
            return None
        parts = (self.environment or 0.0, self.quality or 0.0, self.service or 0.0)
        return sum(parts) / 3

    @classmethod
    def of(cls, row: ReviewSummary | None) -> ScoreSummary:
        if row is None or row.visible_count <= 0:
            return cls(0, row.folded_count if row else 0, None, None, None)
        n = row.visible_count
        return cls(
            n,
            row.folded_count,
            row.environment_total / n,
            row.quality_total / n,
            row.service_total / n,
        )


@dataclass(frozen=True)
class StoreReviews:
    """The store page's reviews section: the scores and the newest visible reviews."""

    code: str
    name: str
    summary: ScoreSummary
    recent: list[PublicReview]


@dataclass(frozen=True)
class Store:
    id: int
    code: str
    name: str


def find_store(*, session: Session, code: str) -> Store:
    """The store with this public code (only caterers have store pages); 404 otherwise."""
    row = repo.store_by_code(session, code.strip().upper())
    if row is None:
        raise NotFoundError(NO_STORE)
    return Store(id=row.id, code=row.public_code, name=row.name)


def public_view(review: Review, photos: Sequence[EvidenceFile]) -> PublicReview:
    """What the public sees; a folded review's photos are not shown until it is unfolded."""
    visible = review.status is ReviewStatus.VISIBLE
    return PublicReview(
        id=review.id,
        status=review.status,
        environment_score=review.environment_score,
        quality_score=review.quality_score,
        service_score=review.service_score,
        text=review.text,
        author_display=review.author_display,
        created_at=review.created_at,
        reply_text=review.reply_text,
        replied_at=review.replied_at,
        fold_reason=review.fold_reason,
        photos=[PhotoLink(f.token) for f in photos if f.public_path] if visible else [],
    )


def _with_photos(session: Session, reviews: Sequence[Review]) -> list[PublicReview]:
    files = evidence.files_of(session, owner_type=OWNER_TYPE, owner_ids=[r.id for r in reviews])
    return [public_view(r, files.get(r.id, [])) for r in reviews]


def store_reviews(*, session: Session, code: str) -> StoreReviews:
    """Scores and recent reviews for the (cached) store page: four indexed reads."""
    store = find_store(session=session, code=code)
    recent = repo.public_reviews(
        session,
        business_id=store.id,
        status=ReviewStatus.VISIBLE,
        offset=0,
        limit=RECENT_ON_STORE_PAGE,
    )
    return StoreReviews(
        code=store.code,
        name=store.name,
        summary=ScoreSummary.of(repo.summary_of(session, store.id)),
        recent=_with_photos(session, recent),
    )


def public_reviews(
    *, session: Session, code: str, folded: bool, page: PageRequest
) -> tuple[StoreReviews, Page[PublicReview]]:
    """One page of a store's shown (or folded) reviews, newest first."""
    store = find_store(session=session, code=code)
    status = ReviewStatus.FOLDED if folded else ReviewStatus.VISIBLE
    summary = ScoreSummary.of(repo.summary_of(session, store.id))
    rows = repo.public_reviews(
        session, business_id=store.id, status=status, offset=page.offset, limit=page.per_page
    )
    total = summary.folded_count if folded else summary.count
    header = StoreReviews(code=store.code, name=store.name, summary=summary, recent=[])
    return header, Page(items=_with_photos(session, rows), total=total, request=page)


# Writing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormGuard:
    """What the form carries besides the review: its signed stamp and the honeypot."""

    stamp: str | None
    honeypot: str | None


@dataclass(frozen=True)
class Submitted:
    review: Review
    receipt_code: str  # shown once; only its digest is stored


def review_form_stamp(*, session: Session, code: str) -> tuple[Store, str]:
    """The store a form is for, and the stamp that times its filling in."""
    store = find_store(session=session, code=code)
    return store, antiabuse.issue_stamp(store.code)


def receipt_digest(code: str) -> str:
    return digest(f"review-receipt:{normalise_receipt_code(code)}")


def submit_review(
    *,
    session: Session,
    actor: Principal,
    code: str,
    draft: ReviewCreate,
    guard: FormGuard,
    source: antiabuse.Source,
    uploads: Sequence[evidence.Upload] = (),
    limiter: RateLimiter | None = None,
) -> Submitted:
    """Record a diner's review: refused past the hard limits, folded on soft signals.

    Checks run cheapest first and every refusal comes before anything is written, so a
    refused review leaves no row and no file behind.
    """
    antiabuse.check_rates(limiter or get_rate_limiter(), source)
    store = find_store(session=session, code=code)
    may_review(actor, business_scope_hit=_in_own_scope(session, actor, store.id))
    antiabuse.check_honeypot(guard.honeypot)
    seconds = antiabuse.fill_seconds(guard.stamp, store.code)
    prepared = evidence.prepare(session=session, uploads=uploads, rules=PHOTO_RULES)
    verdict = antiabuse.assess(_signals(session, store.id, draft.text, seconds, source))
    receipt = new_receipt_code()
    now = utc_now()
    review = Review(
        business_id=store.id,
        status=ReviewStatus.FOLDED if verdict.fold else ReviewStatus.VISIBLE,
        environment_score=draft.environment_score,
        quality_score=draft.quality_score,
        service_score=draft.service_score,
        text=draft.text,
        author_id=actor.user_id if not actor.is_anonymous else None,
        author_display=mask_name(actor.display_name) if actor.user_id is not None else "",
        receipt_digest=receipt_digest(receipt),
        ip_digest=source.ip_digest,
        device_digest=source.device_digest,
        fill_seconds=seconds,
        fold_reason=FoldReason(verdict.reason) if verdict.reason else None,
        fold_note=verdict.note,
        folded_at=now if verdict.fold else None,
        created_at=now,
    )
    session.add(review)
    session.flush()
    evidence.record(
        session=session, actor=actor, prepared=prepared, owner_type=OWNER_TYPE, owner_id=review.id
    )
    count_in_summary(session, review, +1)
    audit.record(
        session=session,
        actor=actor,
        action="review.create",
        entity_type="review",
        entity_id=review.id,
        after=audit.snapshot(review, AUDIT_FIELDS) | {"photos": len(prepared)},
    )
    if review.status is ReviewStatus.VISIBLE:
        invalidate_store_page(session, store.id)
    return Submitted(review=review, receipt_code=receipt)


AUDIT_FIELDS = (
    "business_id",
    "status",
    "environment_score",
    "quality_score",
    "service_score",
    "fold_reason",
    "fold_note",
)


def _in_own_scope(session: Session, actor: Principal, business_id: int) -> bool:
    if not actor.is_enterprise:
        return False
    return repo.business_in_scope(session, business_id=business_id, scope=review_scope(actor))


def _signals(
    session: Session, business_id: int, text: str, seconds: int, source: antiabuse.Source
) -> antiabuse.Signals:
    rules = antiabuse.FOLD_RULES
    now = utc_now()
    lookback = now - timedelta(seconds=rules.source_lookback_s)
    person = repo.same_source(
        session,
        ip_digest=None,
        device_digest=source.device_digest,
        author_id=source.account_id,
        since=lookback,
        limit=rules.candidates,
    )
    seen = {e.review_id for e in person}
    address = [
        e
        for e in repo.same_source(
            session,
            ip_digest=source.ip_digest,
            device_digest=None,
            author_id=None,
            since=lookback,
            limit=rules.candidates,
        )
        if e.review_id not in seen
    ]
    seen |= {e.review_id for e in address}
    store = repo.same_store(
        session,
        business_id=business_id,
        since=now - timedelta(seconds=rules.store_lookback_s),
        limit=rules.candidates,
    )
    return antiabuse.Signals(
        text=text,
        fill_seconds=seconds,
        same_person=person,
        same_address=address,
        same_store=[e for e in store if e.review_id not in seen],
        store_recent_count=repo.count_since(
            session, business_id=business_id, since=now - timedelta(seconds=rules.burst_window_s)
        ),
    )


def count_in_summary(session: Session, review: Review, sign: int) -> None:
    """Add (``+1``) or take away (``-1``) ``review`` in its store's totals as it now stands."""
    visible = review.status is ReviewStatus.VISIBLE
    repo.change_summary(
        session,
        business_id=review.business_id,
        visible=sign if visible else 0,
        folded=0 if visible else sign,
        environment=sign * review.environment_score if visible else 0,
        quality=sign * review.quality_score if visible else 0,
        service=sign * review.service_score if visible else 0,
    )


# The author's receipt ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptView:
    """What the author sees by receipt code or account: the review, its store, its appeal."""

    review: PublicReview
    store_code: str
    store_name: str
    appeal: ReviewAppeal | None

    @property
    def can_appeal(self) -> bool:
        return self.review.status is ReviewStatus.FOLDED and self.appeal is None


def _receipt_views(session: Session, reviews: Sequence[Review]) -> list[ReceiptView]:
    """The author's view of several reviews: three queries however many there are."""
    ids = [r.id for r in reviews]
    stores = repo.stores_of(session, [r.business_id for r in reviews])
    files = evidence.files_of(session, owner_type=OWNER_TYPE, owner_ids=ids)
    appeals = repo.appeals_of(session, ids)
    return [
        ReceiptView(
            review=public_view(r, files.get(r.id, [])),
            store_code=stores[r.business_id][0],
            store_name=stores[r.business_id][1],
            appeal=appeals.get(r.id),
        )
        for r in reviews
    ]


def by_receipt(
    *,
    session: Session,
    receipt: str,
    source: antiabuse.Source,
    limiter: RateLimiter | None = None,
) -> ReceiptView:
    """The review a receipt code belongs to (look-ups are rate limited against guessing)."""
    antiabuse.check_receipt_rate(limiter or get_rate_limiter(), source)
    review = repo.find_by_receipt(session, receipt_digest(receipt))
    if review is None:
        raise NotFoundError(NO_RECEIPT)
    return _receipt_views(session, [review])[0]


def my_reviews(*, session: Session, actor: Principal, page: PageRequest) -> Page[ReceiptView]:
    """The signed-in author's own reviews, newest first."""
    if actor.user_id is None:
        return Page(items=[], total=0, request=page)
    rows, total = repo.reviews_by_author(
        session, author_id=actor.user_id, offset=page.offset, limit=page.per_page
    )
    return Page(items=_receipt_views(session, rows), total=total, request=page)


def file_appeal(
    *,
    session: Session,
    actor: Principal,
    statement: str,
    receipt: str | None = None,
    review_id: int | None = None,
    source: antiabuse.Source | None = None,
    limiter: RateLimiter | None = None,
) -> ReviewAppeal:
    """The author appeals a fold, proving authorship by receipt code or by account.

    One appeal per review, only while it is folded; a regulator of the store decides it.
    """
    review: Review | None = None
    if receipt is not None:
        if source is not None:
            antiabuse.check_receipt_rate(limiter or get_rate_limiter(), source)
        review = repo.find_by_receipt(session, receipt_digest(receipt))
    elif review_id is not None and actor.user_id is not None:
        review = repo.review_by_author(session, review_id=review_id, author_id=actor.user_id)
    if review is None:
        raise NotFoundError(NO_RECEIPT)
    if review.status is not ReviewStatus.FOLDED:
        raise ConflictError(N_("Only a folded review can be appealed."))
    if repo.appeals_of(session, [review.id]):
        raise ConflictError(N_("This review has already been appealed."))
    appeal = ReviewAppeal(
        review_id=review.id,
        status=AppealStatus.PENDING,
        statement=statement,
        filed_by_id=actor.user_id,
        filed_at=utc_now(),
    )
    session.add(appeal)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="review.appeal",
        entity_type="review",
        entity_id=review.id,
        after={"appeal_id": appeal.id, "status": appeal.status.value},
    )
    return appeal


# Access to a review's photos ----------------------------------------------------------------------


def evidence_access(session: Session, actor: Principal, review_id: int) -> evidence.Access:
    """The evidence policy of reviews (see :data:`sunshine.core.evidence.OWNER_POLICIES`).

    The public copy is public while the review is shown; the original (GPS and all) only
    for the regulators of the store.
    """
    row: Row[ReviewStatus, int] | None = repo.business_of_review(session, review_id)
    if row is None:
        return evidence.Access.NONE
    status, business_id = row
    if actor.is_regulator and repo.business_in_scope(
        session, business_id=business_id, scope=review_scope(actor)
    ):
        return evidence.Access.ORIGINAL
    if status is ReviewStatus.VISIBLE:
        return evidence.Access.PUBLIC
    return evidence.Access.NONE


__all__ = [
    "AppealStatus",
    "FormGuard",
    "PublicReview",
    "ReceiptView",
    "ScoreSummary",
    "StoreReviews",
    "Submitted",
    "by_receipt",
    "evidence_access",
    "file_appeal",
    "find_store",
    "my_reviews",
    "public_reviews",
    "review_form_stamp",
    "store_reviews",
    "submit_review",
]
