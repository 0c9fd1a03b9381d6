"""Reviews (用户评价), their appeals and each store's running score summary."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sunshine.cogovernance.reviews.enums import AppealStatus, FoldReason, ReviewStatus
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now


class Review(Base):
    """One diner's rating of a store's environment, food quality and service, with text.

    Where it came from is kept only as keyed digests (``ip_digest``, ``device_digest``):
    enough to find reviews from the same address or phone, not enough to read either.
    The author is an account (``author_id``) or anonymous; either way ``receipt_digest``
    (a keyed digest of the receipt code given once) lets the author follow and appeal it.
    """

    __tablename__ = "reviews"
    __table_args__ = (
        # The store page's recent reviews, the per-store lists and the burst count.
        Index("ix_reviews_business_status_created", "business_id", "status", "created_at"),
        Index("ix_reviews_business_created", "business_id", "created_at"),
        # Near-duplicates from the same source (address, phone, account).
        Index("ix_reviews_ip_created", "ip_digest", "created_at"),
        Index("ix_reviews_device_created", "device_digest", "created_at"),
        Index("ix_reviews_author_created", "author_id", "created_at"),
        CheckConstraint("environment_score BETWEEN 1 AND 5", name="environment_score_range"),
        CheckConstraint("quality_score BETWEEN 1 AND 5", name="quality_score_range"),
        CheckConstraint("service_score BETWEEN 1 AND 5", name="service_score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    status: Mapped[ReviewStatus] = mapped_column(str_enum(ReviewStatus, 12))
    environment_score: Mapped[int]
    quality_score: Mapped[int]
    service_score: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_display: Mapped[str] = mapped_column(String(40), default="")  # masked: 张*
    receipt_digest: Mapped[str] = mapped_column(String(64), unique=True)
    ip_digest: Mapped[str | None] = mapped_column(String(64))
    device_digest: Mapped[str | None] = mapped_column(String(64))
    fill_seconds: Mapped[int | None]  # from the form being served to it being sent
    fold_reason: Mapped[FoldReason | None] = mapped_column(str_enum(FoldReason, 16))
    fold_note: Mapped[str | None] = mapped_column(Text)  # the signals, for regulators
    folded_at: Mapped[datetime | None]
    reply_text: Mapped[str | None] = mapped_column(Text)
    reply_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    replied_at: Mapped[datetime | None]
    reply_edited_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
    # Two people acting on one review at once (a reply and a fold): the second is refused.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own attribute


class ReviewAppeal(Base):
    """The author's appeal against a fold (申诉), decided by a regulator or the admin.

    One appeal per review: a dismissed appeal is final on the platform (the author may still
    complain to the regulator by the ordinary complaint route).
    """

    __tablename__ = "review_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), unique=True)
    status: Mapped[AppealStatus] = mapped_column(str_enum(AppealStatus, 12), index=True)
    statement: Mapped[str] = mapped_column(Text)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime] = mapped_column(default=utc_now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)


class ReviewSummary(Base):
    """A store's visible-review totals, kept up to date with every change of a review.

    The store page shows averages and a count; summing stored totals is one primary-key
    read however many reviews a store has. Changes use ``SET x = x + n`` so concurrent
    reviews of one store cannot lose each other's counts.
    """

    __tablename__ = "review_summaries"

    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), primary_key=True)
    visible_count: Mapped[int] = mapped_column(default=0)
    folded_count: Mapped[int] = mapped_column(default=0)
    environment_total: Mapped[int] = mapped_column(default=0)
    quality_total: Mapped[int] = mapped_column(default=0)
    service_total: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
