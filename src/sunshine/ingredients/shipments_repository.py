"""Every query of shipments (发货记录)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from sunshine.ingredients.models import Supplier
from sunshine.ingredients.shipments_models import Shipment, ShipmentStatus
from sunshine.registry.enums import BusinessCategory
from sunshine.registry.models import Business


def visible(businesses: ColumnElement[bool]) -> ColumnElement[bool]:
    """Shipments whose supplier or caterer is one of ``businesses`` (a condition on Business)."""
    seen = select(Business.id).where(businesses)
    return or_(Shipment.supplier_business_id.in_(seen), Shipment.caterer_business_id.in_(seen))


@dataclass(frozen=True)
class ShipmentFilter:
    status: ShipmentStatus | None = None
    #: Only those still pending that left before this moment (the unconfirmed flag).
    pending_before: datetime | None = None
    mismatch: bool = False
    business_id: int | None = None  # as supplier or caterer


def _filtered(scope: ColumnElement[bool], f: ShipmentFilter) -> Select[Shipment]:
    stmt = select(Shipment).where(scope)
    if f.status is not None:
        stmt = stmt.where(Shipment.status == f.status)
    if f.pending_before is not None:
        stmt = stmt.where(
            Shipment.status == ShipmentStatus.PENDING, Shipment.shipped_at < f.pending_before
        )
    if f.mismatch:
        stmt = stmt.where(Shipment.status == ShipmentStatus.PARTIAL)
    if f.business_id is not None:
        stmt = stmt.where(
            or_(
                Shipment.supplier_business_id == f.business_id,
                Shipment.caterer_business_id == f.business_id,
            )
        )
    return stmt


def page_shipments(
    session: Session,
    *,
    scope: ColumnElement[bool],
    filters: ShipmentFilter,
    offset: int,
    limit: int,
) -> tuple[list[Shipment], int]:
    stmt = _filtered(scope, filters)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Shipment.shipped_at.desc(), Shipment.id.desc()).offset(offset).limit(limit)
    ).all()
    return list(rows), int(total)


def get_shipment(
    session: Session, *, shipment_id: int, scope: ColumnElement[bool], for_update: bool = False
) -> Shipment | None:
    stmt = select(Shipment).where(Shipment.id == shipment_id, scope)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def add(session: Session, shipment: Shipment) -> None:
    session.add(shipment)
    session.flush()


def caterer_by_code(session: Session, code: str) -> Business | None:
    return session.scalars(
        select(Business).where(
            Business.public_code == code, Business.category == BusinessCategory.CATERER
        )
    ).first()


def customers_of(session: Session, supplier_business_id: int) -> Sequence[Business]:
    """The caterers that list the business among their suppliers (its customers)."""
    return session.scalars(
        select(Business)
        .join(Supplier, Supplier.business_id == Business.id)
        .where(Supplier.supplier_business_id == supplier_business_id, Supplier.active.is_(True))
        .order_by(Business.name, Business.id)
    ).all()


def business_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Business.id, Business.name).where(Business.id.in_(set(ids))))
    return {business_id: name for business_id, name in rows}


def registered_supplier_id(
    session: Session, *, caterer_id: int, supplier_business_id: int
) -> int | None:
    return session.scalar(
        select(Supplier.id).where(
            Supplier.business_id == caterer_id,
            Supplier.supplier_business_id == supplier_business_id,
        )
    )


def shipped_quantity(
    session: Session, *, supplier_business_id: int, product_id: int, batch: str, unit: str
) -> Decimal | None:
    """The quantity of a lot (product and batch, in one unit) a supplier recorded as
    shipped, refused shipments left out; None when it recorded none."""
    stmt = select(func.sum(Shipment.quantity)).where(
        Shipment.supplier_business_id == supplier_business_id,
        Shipment.product_id == product_id,
        Shipment.batch_number == batch,
        Shipment.unit == unit,
        Shipment.status != ShipmentStatus.REFUSED,
    )
    found: Decimal | None = session.execute(stmt).scalar_one_or_none()
    return found
