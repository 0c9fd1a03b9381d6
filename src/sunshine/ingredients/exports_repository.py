"""Queries of the FSMA 204 spreadsheet's shipping sheet: supplier shipments (发货记录) read
in keyset pages, and the businesses named in them."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from sunshine.ingredients.shipments_models import Shipment
from sunshine.registry.models import Business

#: The columns a shipping row needs (not the whole record: no note, files or audit ids).
_SHIPMENT_COLUMNS = (
    Shipment.id,
    Shipment.supplier_business_id,
    Shipment.caterer_business_id,
    Shipment.product_name,
    Shipment.specification,
    Shipment.category,
    Shipment.gtin,
    Shipment.producer_name,
    Shipment.batch_number,
    Shipment.production_date,
    Shipment.expiry_date,
    Shipment.quantity,
    Shipment.unit,
    Shipment.reference,
    Shipment.shipped_at,
    Shipment.lot_id,
    Shipment.status,
    Shipment.received_quantity,
)


def stream_shipments(
    session: Session,
    *,
    scope: ColumnElement[bool],
    start: datetime | None,
    end: datetime | None,
    lots: Collection[str] = (),
    batches: Collection[str] = (),
    page: int = 2000,
) -> Iterator[Any]:
    """Shipments in ``scope`` that left in ``[start, end)``, in the order recorded (keyset
    pages on the primary key); with ``lots`` or ``batches``, only those of these lot ids
    or batch numbers."""
    stmt = select(*_SHIPMENT_COLUMNS).where(scope)
    if start is not None:
        stmt = stmt.where(Shipment.shipped_at >= start)
    if end is not None:
        stmt = stmt.where(Shipment.shipped_at < end)
    if lots or batches:
        stmt = stmt.where(
            or_(Shipment.lot_id.in_(sorted(lots)), Shipment.batch_number.in_(sorted(batches)))
        )
    last = 0
    while True:
        rows = session.execute(
            stmt.where(Shipment.id > last).order_by(Shipment.id).limit(page)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def locations(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
    """Name, address and phone of each business (21 CFR 1.1310's location description)."""
    if not ids:
        return {}
    rows = session.execute(
        select(Business.id, Business.name, Business.address, Business.contact_phone).where(
            Business.id.in_(sorted(set(ids)))
        )
    )
    return {business_id: (name, address, phone) for business_id, name, address, phone in rows}
