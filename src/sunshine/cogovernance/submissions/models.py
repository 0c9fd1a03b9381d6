"""The intake queue (受理队列) of complaints and reports sent through the API."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now


class SubmissionKind(StrEnum):
    COMPLAINT = "complaint"
    REPORT = "report"


class IntakeOutcome(StrEnum):
    STORED = "stored"  # registered as a complaint or report (``result_id``)
    REFUSED = "refused"  # could not be registered after all (``error`` says why)


class SubmissionIntake(Base):
    """One accepted submission, kept from the moment its sender got a receipt code until
    the job registered it. The form (personal data included) is stored encrypted; the
    receipt code is unique here and on the complaint or report made from it, so a submission
    is registered exactly once however often the job runs."""

    __tablename__ = "submission_intake"
    __table_args__ = (
        # The job's queue: only rows not yet processed are in this index.
        Index(
            "ix_submission_intake_pending",
            "id",
            postgresql_where=text("processed_at IS NULL"),
            sqlite_where=text("processed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[SubmissionKind] = mapped_column(str_enum(SubmissionKind, 16))
    channel: Mapped[str] = mapped_column(String(64))  # which client sent it
    business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"))
    payload_ciphertext: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utc_now)
    processed_at: Mapped[datetime | None]
    outcome: Mapped[IntakeOutcome | None] = mapped_column(str_enum(IntakeOutcome, 16))
    result_id: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
