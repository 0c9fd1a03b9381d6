"""Risk signals of the big ledger (大台账): what the anomaly rules found in the purchase
ledgers, kept so a regulator can list them and open a lead case (线索) from one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

import sunshine.cases.models
import sunshine.registry.models  # noqa: F401 - the business a signal concerns
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now
from sunshine.ingredients.enums import SignalRule, SignalStatus


class LedgerSignal(Base):
    """One anomaly found by a rule of :mod:`sunshine.ingredients.analytics`.

    ``fingerprint`` says what was found (the rule and the line, or the rule and the lot), so
    running the rules again creates nothing new (unique index). The region codes are the
    business's, copied so a regulator's list is one indexed equality, like the lines'.
    """

    __tablename__ = "ledger_signals"
    __table_args__ = (
        Index("ix_ledger_signals_county_status", "county_code", "status"),
        Index("ix_ledger_signals_prefecture_status", "prefecture_code", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[SignalRule] = mapped_column(str_enum(SignalRule, 24), index=True)
    fingerprint: Mapped[str] = mapped_column(String(120), unique=True)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"), index=True)
    line_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    province_code: Mapped[str] = mapped_column(String(6))
    prefecture_code: Mapped[str | None] = mapped_column(String(6))
    county_code: Mapped[str | None] = mapped_column(String(6))
    township_code: Mapped[str | None] = mapped_column(String(9))
    found_at: Mapped[datetime] = mapped_column(default=utc_now)
    status: Mapped[SignalStatus] = mapped_column(str_enum(SignalStatus, 12))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
