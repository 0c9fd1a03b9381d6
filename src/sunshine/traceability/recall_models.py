"""Tables of batch recalls (批次召回): the recall of a lot, and each business holding it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import sunshine.cases.models
import sunshine.registry.models
import sunshine.sampling.models  # noqa: F401 - the failed sample that started a recall
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now
from sunshine.traceability.recall_enums import HolderStatus, RecallLevel, RecallOrigin


class Recall(Base):
    """A lot recalled by a regulator, or by the platform when a sample of the batch failed.

    The recall is a case of the case engine (kind ``recall``, ``case_id``); the holders, the
    businesses the forward trace found to have received the lot, are listed in
    :class:`RecallHolder` with what each has acknowledged and reported.
    """

    __tablename__ = "recalls"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    lot: Mapped[str] = mapped_column(String(512), index=True)
    product_label: Mapped[str] = mapped_column(String(200))
    batch: Mapped[str] = mapped_column(String(60))
    level: Mapped[RecallLevel] = mapped_column(str_enum(RecallLevel, 8))
    origin: Mapped[RecallOrigin] = mapped_column(str_enum(RecallOrigin, 12))
    reason: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text, default="")
    sample_id: Mapped[int | None] = mapped_column(ForeignKey("samples.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    acknowledge_by: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    #: Who closed the recall, and why when a holder had not acknowledged it (or a note).
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    close_reason: Mapped[str] = mapped_column(Text, default="", server_default="")


class RecallHolder(Base):
    """A business holding the recalled lot: its to-do (acknowledge, then report what it
    kept, destroyed or returned)."""

    __tablename__ = "recall_holders"
    __table_args__ = (
        UniqueConstraint("recall_id", "business_id"),
        Index("ix_recall_holders_business_status", "business_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recall_id: Mapped[int] = mapped_column(ForeignKey("recalls.id"), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    received_quantity: Mapped[float | None] = mapped_column(Float)
    uom: Mapped[str] = mapped_column(String(8), default="")
    tier: Mapped[int] = mapped_column(default=0)
    status: Mapped[HolderStatus] = mapped_column(str_enum(HolderStatus, 12))
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kept: Mapped[float | None] = mapped_column(Float)
    destroyed: Mapped[float | None] = mapped_column(Float)
    returned: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime | None]
