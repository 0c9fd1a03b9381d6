"""Complaints (投诉) and their timeline as the diner sees it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sunshine.cogovernance.complaints.enums import (
    ComplaintCategory,
    ComplaintState,
    ComplaintStep,
    DesiredOutcome,
    Party,
)
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now


class Complaint(Base):
    """A diner's complaint about a store, from the store page to (if need be) a case.

    The diner's contact is stored encrypted (``contact_ciphertext``); the store sees only
    ``contact_masked``. ``stage_due_on`` is the day the store (or the company head) must
    answer by. ``head_business_id`` is whom the complaint went to when escalated: the chain's
    headquarters, or the store itself when its legal representative is the head.
    """

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_business_state", "business_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    head_business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    category: Mapped[ComplaintCategory] = mapped_column(str_enum(ComplaintCategory, 24))
    desired_outcome: Mapped[DesiredOutcome] = mapped_column(str_enum(DesiredOutcome, 24))
    description: Mapped[str] = mapped_column(Text)
    request_text: Mapped[str] = mapped_column(Text, default="")
    occurred_on: Mapped[date | None]
    claims_damage: Mapped[bool] = mapped_column(default=False)
    contact_ciphertext: Mapped[str] = mapped_column(Text)
    contact_masked: Mapped[str] = mapped_column(String(60), default="")
    phone_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    state: Mapped[ComplaintState] = mapped_column(str_enum(ComplaintState, 24), index=True)
    stage_due_on: Mapped[date | None]
    reminded_for_due_on: Mapped[date | None]
    overdue_for_due_on: Mapped[date | None]
    merchant_answer: Mapped[str | None] = mapped_column(Text)
    merchant_answered_at: Mapped[datetime | None]
    head_answer: Mapped[str | None] = mapped_column(Text)
    head_answered_at: Mapped[datetime | None]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    finished_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own attribute


class ComplaintEvent(Base):
    """One step on a complaint's timeline, as the diner and the store see it."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utc_now)
    party: Mapped[Party] = mapped_column(str_enum(Party, 16))
    step: Mapped[ComplaintStep] = mapped_column(str_enum(ComplaintStep, 24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state: Mapped[ComplaintState] = mapped_column(str_enum(ComplaintState, 24))
    text: Mapped[str | None] = mapped_column(Text)
