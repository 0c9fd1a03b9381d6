"""What the review forms and the review API read and write."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sunshine.cogovernance.reviews.enums import AppealStatus, FoldReason, ReviewStatus

TEXT_MIN = 5  # "好吃，推荐" is a review; "好" alone says nothing a star does not
TEXT_MAX = 1000
REPLY_MAX = 500
STATEMENT_MAX = 1000
NOTE_MAX = 1000
Score = Annotated[int, Field(ge=1, le=5)]


def _clean(value: object) -> object:
    """Text as typed, without surrounding space or control characters (newlines stay)."""
    if not isinstance(value, str):
        return value
    kept = "".join(ch for ch in value if ch in "\n\t" or ch.isprintable())
    return kept.replace("\r\n", "\n").strip()


class ReviewCreate(BaseModel):
    """A diner's review as the form sends it."""

    environment_score: Score
    quality_score: Score
    service_score: Score
    text: Annotated[str, Field(min_length=TEXT_MIN, max_length=TEXT_MAX)]

    _clean_text = field_validator("text", mode="before")(_clean)


class ReplyIn(BaseModel):
    text: Annotated[str, Field(min_length=2, max_length=REPLY_MAX)]

    _clean_text = field_validator("text", mode="before")(_clean)


class AppealIn(BaseModel):
    statement: Annotated[str, Field(min_length=5, max_length=STATEMENT_MAX)]

    _clean_text = field_validator("statement", mode="before")(_clean)


class AppealDecisionIn(BaseModel):
    uphold: bool
    note: Annotated[str, Field(min_length=2, max_length=NOTE_MAX)]

    _clean_text = field_validator("note", mode="before")(_clean)


class FoldIn(BaseModel):
    note: Annotated[str, Field(min_length=2, max_length=NOTE_MAX)]

    _clean_text = field_validator("note", mode="before")(_clean)


class AppealRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    review_id: int
    status: AppealStatus
    statement: str
    filed_at: datetime
    decided_at: datetime | None
    decision_note: str | None


class ReviewRead(BaseModel):
    """A review as a regulator or the reviewed business sees it (no digests, no receipt)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    business_id: int
    business_name: str | None = None
    status: ReviewStatus
    environment_score: int
    quality_score: int
    service_score: int
    text: str
    author_display: str
    fold_reason: FoldReason | None
    folded_at: datetime | None
    reply_text: str | None
    replied_at: datetime | None
    reply_edited_at: datetime | None
    created_at: datetime
    version: int
    photos: list[str] = Field(default_factory=list, description="URLs of the public copies")
    appeal: AppealRead | None = None


class ReviewDetail(ReviewRead):
    """What regulators see besides: the signals behind a fold and the fill time."""

    fold_note: str | None
    fill_seconds: int | None
    originals: list[str] = Field(default_factory=list, description="URLs of the originals")


class ReviewPage(BaseModel):
    items: list[ReviewRead]
    total: int
    page: int
    per_page: int
    pages: int
