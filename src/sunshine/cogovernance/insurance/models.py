"""Food-safety liability policies (食品安全责任保险) of businesses."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sunshine.core.db import Base
from sunshine.core.time import utc_now


class InsurancePolicy(Base):
    """A business's cover: who insures it, for how much, from when to when, and where the
    insurer takes claim leads (a complaint claiming damage is forwarded there)."""

    __tablename__ = "insurance_policies"
    __table_args__ = (
        UniqueConstraint("insurer", "policy_number"),
        Index("ix_insurance_policies_business_period", "business_id", "start_on", "end_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    insurer: Mapped[str] = mapped_column(String(80))
    policy_number: Mapped[str] = mapped_column(String(40))
    cover_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # yuan, per year
    start_on: Mapped[date]
    end_on: Mapped[date]
    claims_email: Mapped[str | None] = mapped_column(String(120))
    claims_phone: Mapped[str | None] = mapped_column(String(20))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)
