"""Which EPCIS events a purchase ledger line made (进货查验记录 ↔ EPCIS 事件).

A line is never changed, so its event ids are kept here rather than on the line: its
receiving ObjectEvent and, once a correction declares the line wrong, the error declaration
of that event. A trace goes from a line to its lot and its events through this table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

import sunshine.ingredients.models  # noqa: F401 - the ledger lines the keys point at
from sunshine.core.db import Base
from sunshine.core.time import utc_now


class LedgerLineEvent(Base):
    """One event of one ledger line: ``role`` is ``receiving`` or ``error_declaration``."""

    __tablename__ = "ledger_line_events"
    __table_args__ = (Index("ix_ledger_line_events_event_id", "event_id"),)

    ledger_line_id: Mapped[int] = mapped_column(ForeignKey("ledger_lines.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(512))
    event_hash: Mapped[str] = mapped_column(String(100))
    lot_id: Mapped[str] = mapped_column(String(512), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
