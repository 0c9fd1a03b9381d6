"""Queries of the big ledger's shipment rules (线上下单、线下核查) and of the government
dashboard's risk-signal card."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from sunshine.ingredients.enums import SignalStatus
from sunshine.ingredients.models import LedgerLine
from sunshine.ingredients.shipments_models import Shipment, ShipmentStatus
from sunshine.ingredients.signal_models import LedgerSignal
from sunshine.registry.models import Business

_Supplier = aliased(Business)


def shipments_where(
    session: Session,
    *,
    caterers: ColumnElement[bool],
    condition: ColumnElement[bool],
    since: datetime,
) -> Sequence[tuple[Shipment, Business, str]]:
    """Shipments that left since ``since`` matching a rule's condition, with the receiving
    caterer (a condition on Business decides whose) and the supplier's name."""
    stmt = (
        select(Shipment, Business, _Supplier.name)
        .join(Business, Business.id == Shipment.caterer_business_id)
        .join(_Supplier, _Supplier.id == Shipment.supplier_business_id)
        .where(caterers, condition, Shipment.shipped_at >= since)
        .order_by(Shipment.id)
    )
    return [(shipment, caterer, name) for shipment, caterer, name in session.execute(stmt)]


def unconfirmed(left_before: datetime) -> ColumnElement[bool]:
    return (Shipment.status == ShipmentStatus.PENDING) & (Shipment.shipped_at < left_before)


def mismatched() -> ColumnElement[bool]:
    return Shipment.status == ShipmentStatus.PARTIAL


def ledger_line(session: Session, line_id: int | None) -> LedgerLine | None:
    return session.get(LedgerLine, line_id) if line_id is not None else None


def open_signals(session: Session, *, scope: ColumnElement[bool]) -> int:
    stmt = select(func.count(LedgerSignal.id)).where(
        scope, LedgerSignal.status == SignalStatus.OPEN
    )
    return int(session.execute(stmt).scalar_one())
