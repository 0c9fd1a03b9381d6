"""Shipments (发货记录): the supplier's half of 线上下单、线下核查 (order online, verify offline).

A supplier business records what it sends to a caterer; the caterer checks the goods on
arrival and confirms the receipt in full, in part (the quantity received) or refuses it
with a reason. A confirmation records the caterer's ledger line (进货查验记录) through the
ledger service, so the receiving EPCIS event follows as for any other line.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

import sunshine.ingredients.models  # noqa: F401 - products and ledger lines the keys point at
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now
from sunshine.ingredients.enums import ProductCategory


class ShipmentStatus(StrEnum):
    """Where a shipment stands (its own enum here: the shipments capability is additive)."""

    PENDING = "pending"  # sent, not yet confirmed by the caterer
    RECEIVED = "received"  # received in full
    PARTIAL = "partial"  # received in part (a quantity mismatch, flagged)
    REFUSED = "refused"  # refused on arrival, with the reason


class Shipment(Base):
    """One lot of one product sent by a supplier to a caterer."""

    __tablename__ = "ingredient_shipments"
    __table_args__ = (
        Index("ix_ingredient_shipments_caterer_status", "caterer_business_id", "status"),
        Index("ix_ingredient_shipments_supplier_shipped", "supplier_business_id", "shipped_at"),
        Index("ix_ingredient_shipments_status_shipped", "status", "shipped_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    caterer_business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))

    product_id: Mapped[int | None] = mapped_column(ForeignKey("ingredient_products.id"))
    product_name: Mapped[str] = mapped_column(String(120))
    category: Mapped[ProductCategory] = mapped_column(str_enum(ProductCategory, 16))
    specification: Mapped[str] = mapped_column(String(80))
    gtin: Mapped[str | None] = mapped_column(String(14))
    producer_name: Mapped[str] = mapped_column(String(120), default="")
    batch_number: Mapped[str | None] = mapped_column(String(40))
    production_date: Mapped[date | None]
    expiry_date: Mapped[date | None]
    no_shelf_life: Mapped[bool] = mapped_column(Boolean, default=False)
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    unit: Mapped[str] = mapped_column(String(16))
    documents: Mapped[list[str]] = mapped_column(JSON, default=list)  # DocumentKind values
    reference: Mapped[str] = mapped_column(String(40), default="")  # delivery note number
    note: Mapped[str] = mapped_column(String(500), default="")
    shipped_at: Mapped[datetime]
    lot_id: Mapped[str] = mapped_column(String(512), index=True)
    shipping_event_id: Mapped[str | None] = mapped_column(String(512))

    status: Mapped[ShipmentStatus] = mapped_column(
        str_enum(ShipmentStatus, 12), default=ShipmentStatus.PENDING
    )
    received_quantity: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ledger_line_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_lines.id"))

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    @property
    def mismatch(self) -> bool:
        """A receipt of less (or more) than was shipped."""
        return self.received_quantity is not None and self.received_quantity != self.quantity
