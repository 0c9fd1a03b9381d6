"""Business-level risk signals (风险信号)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import sunshine.registry.models  # noqa: F401 - the business a signal concerns
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now
from sunshine.risk.enums import SignalKind, SignalSource, SubjectType


class RiskSignal(Base):
    """One fact about a business that the risk grading counts: a confirmed violation, a
    repeated one, and later failed samples, inspection findings, complaints upheld.

    ``subject_type`` and ``subject_id`` name the record the signal is about (a kitchen
    alert, a case); a fact is recorded once (unique kind and subject), so a service that
    records it again, or a demo run twice, adds nothing. ``occurred_at`` is when the fact
    happened (the grading's year), ``recorded_at`` when it was written here. ``weight`` is
    the kind's weight when recorded (see :mod:`sunshine.risk.weights`). The region codes
    are the business's, copied so a regulator's list is one indexed equality, like the
    ledger's signals.
    """

    __tablename__ = "risk_signals"
    __table_args__ = (
        UniqueConstraint("kind", "subject_type", "subject_id"),
        Index("ix_risk_signals_business_occurred", "business_id", "occurred_at"),
        Index("ix_risk_signals_county_occurred", "county_code", "occurred_at"),
        Index("ix_risk_signals_prefecture_occurred", "prefecture_code", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    province_code: Mapped[str] = mapped_column(String(6))
    prefecture_code: Mapped[str | None] = mapped_column(String(6))
    county_code: Mapped[str | None] = mapped_column(String(6))
    township_code: Mapped[str | None] = mapped_column(String(9))
    source: Mapped[SignalSource] = mapped_column(str_enum(SignalSource, 16))
    kind: Mapped[SignalKind] = mapped_column(str_enum(SignalKind, 40))
    subject_type: Mapped[SubjectType] = mapped_column(str_enum(SubjectType, 24))
    subject_id: Mapped[int]
    detail: Mapped[str] = mapped_column(String(200))
    weight: Mapped[int]
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)
