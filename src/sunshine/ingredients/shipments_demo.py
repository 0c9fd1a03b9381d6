"""Demo shipments: the demo supplier (``supplier_a``, a wholesaler of county A) ships to
store A1 through the real services: received in full, received in part, refused, one on
its way and one left unconfirmed past the confirmation time. Deterministic."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from sunshine.auth.enums import Role
from sunshine.auth.models import User
from sunshine.auth.principal import Principal
from sunshine.core.time import SHANGHAI
from sunshine.ingredients import catalog, shipments
from sunshine.ingredients.enums import DocumentKind
from sunshine.ingredients.models import Product
from sunshine.ingredients.shipments_schemas import Outcome, ShipmentConfirmIn, ShipmentIn
from sunshine.registry.models import Business
from sunshine.traceability import ledger_events

# product name, quantity, unit, days before today it left, outcome (None: still pending),
# quantity received (partial) or reason (refused)
PLAN: tuple[tuple[str, str, str, int, Outcome | None, str], ...] = (
    ("冻虾仁", "20", "袋", 12, Outcome.FULL, ""),
    ("纯牛奶", "6", "箱", 9, Outcome.PARTIAL, "5"),
    ("冷鲜鸡", "15", "只", 6, Outcome.REFUSED, "到货温度 9°C，超过冷藏要求，拒收"),
    ("菜籽油", "8", "桶", 3, None, ""),  # unconfirmed for three days: flagged
    ("冻牛腩", "10", "袋", 0, None, ""),  # on its way today
)


def _principal(user: User, business: Business) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        business_id=business.id,
    )


def _store_staff(store: Business) -> Principal:
    return Principal(
        user_id=None,
        username=f"demo-staff-{store.id}",
        display_name="演示员工",
        role=Role.ENTERPRISE_STAFF,
        business_id=store.id,
    )


def seed_shipments(*, session: Session, today: date, store_id: int | None) -> int:
    """The demo's shipments to store A1; returns how many (0 without the supplier account)."""
    user = session.execute(select(User).where(User.username == "supplier_a")).scalar()
    supplier = session.get(Business, user.business_id) if user and user.business_id else None
    store = session.get(Business, store_id) if store_id else None
    if user is None or supplier is None or store is None:
        return 0
    shipper, receiver = _principal(user, supplier), _store_staff(store)
    catalog.add_registered_supplier(
        session=session, actor=receiver, supplier_business_id=supplier.id
    )
    products = {
        p.name: p
        for p in session.execute(
            select(Product).where(Product.owner_business_id.is_(None))
        ).scalars()
    }
    count = 0
    for n, (name, quantity, unit, days_ago, outcome, detail) in enumerate(PLAN):
        product = products.get(name)
        if product is None:
            continue
        left = datetime.combine(today - timedelta(days=days_ago), time(6, 30), tzinfo=SHANGHAI)
        made = left.date() - timedelta(days=1 if (product.shelf_life_days or 0) < 30 else 20)
        shipment = shipments.record_shipment(
            session=session,
            actor=shipper,
            data=ShipmentIn(
                caterer_code=store.public_code,
                product_id=product.id,
                batch_number=f"{made:%Y%m%d}{n + 1}",
                production_date=made,
                expiry_date=made + timedelta(days=(product.shelf_life_days or 3650) - 1)
                if product.shelf_life_days
                else None,
                no_shelf_life=product.shelf_life_days is None,
                quantity=Decimal(quantity),
                unit=unit,
                documents=[DocumentKind.LICENCE, DocumentKind.CONFORMITY, DocumentKind.VOUCHER],
                reference=f"FH{left:%Y%m%d}-{n + 1:02d}",
                shipped_at=left,
            ),
        )
        if outcome is not None:
            shipments.confirm_shipment(
                session=session,
                actor=receiver,
                shipment_id=shipment.id,
                answer=ShipmentConfirmIn(
                    outcome=outcome,
                    received_quantity=Decimal(detail) if outcome is Outcome.PARTIAL else None,
                    reason=detail if outcome is Outcome.REFUSED else "",
                    recorder_name="王师傅",
                    temperature_c=3.0,
                ),
                now=left + timedelta(hours=3),
            )
        count += 1
    ledger_events.backfill(session=session)  # any line recorded before the bridge
    return count
