"""Whistleblower reports (举报), registered whistleblowers, rewards and their payouts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sunshine.cogovernance.reports.enums import (
    ProfileStatus,
    ReportCategory,
    RewardStatus,
    WhistleblowerGroup,
)
from sunshine.cogovernance.rewards import RewardLevel
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now


class Report(Base):
    """A lead about a store (from the registry) or a place (region, address, coordinates).

    The reporter's identity, when given, is encrypted (``identity_ciphertext``) and shown
    only to the handlers of the case, each view audited. ``user_id`` is kept only for a
    real-name reporter who wants to follow the report from their account; ``group`` is kept
    (without the person) when a verified whistleblower reports, for priority handling.
    """

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    category: Mapped[ReportCategory] = mapped_column(str_enum(ReportCategory, 24), index=True)
    description: Mapped[str] = mapped_column(Text)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    address: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    anonymous: Mapped[bool] = mapped_column(default=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    identity_ciphertext: Mapped[str | None] = mapped_column(Text)
    group: Mapped[WhistleblowerGroup | None] = mapped_column(str_enum(WhistleblowerGroup, 16))
    insider: Mapped[bool] = mapped_column(default=False)  # reports on their own employer
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)


class WhistleblowerProfile(Base):
    """A registered whistleblower (journalist, teacher, student, rider), verified by an
    administrator from their credentials before their reports get priority."""

    __tablename__ = "whistleblower_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    group: Mapped[WhistleblowerGroup] = mapped_column(str_enum(WhistleblowerGroup, 16))
    organisation: Mapped[str] = mapped_column(String(120))  # newsroom, school, platform
    status: Mapped[ProfileStatus] = mapped_column(str_enum(ProfileStatus, 16), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class RewardDecision(Base):
    """The reward for a substantiated report: the facts, the calculation shown to the
    handler, approval (with the finance bureau for large awards) and the state of payment."""

    __tablename__ = "reward_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), unique=True)
    level: Mapped[RewardLevel] = mapped_column(str_enum(RewardLevel, 8))
    fines_and_confiscations: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    facts: Mapped[dict[str, bool]] = mapped_column(JSON)
    insider_rate: Mapped[Decimal | None] = mapped_column(Numeric(6, 4))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    steps: Mapped[list[str]] = mapped_column(JSON)
    needs_finance_cosign: Mapped[bool]
    finance_cosigned_by: Mapped[str | None] = mapped_column(String(80))
    finance_cosigned_on: Mapped[date | None]
    status: Mapped[RewardStatus] = mapped_column(str_enum(RewardStatus, 16))
    calculated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    calculated_at: Mapped[datetime] = mapped_column(default=utc_now)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]


class RewardPayout(Base):
    """Money paid to the reporter under a reward decision (possibly in several payments)."""

    __tablename__ = "reward_payouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("reward_decisions.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    paid_on: Mapped[date]
    method: Mapped[str] = mapped_column(String(24))  # bank transfer, cash at the window, ...
    reference: Mapped[str] = mapped_column(String(60))  # voucher or transfer number
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)
    sequence: Mapped[int] = mapped_column(SmallInteger, default=1)
