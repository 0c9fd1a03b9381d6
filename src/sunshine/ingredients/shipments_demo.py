"""Demo shipments (线上下单、线下核查) through the real services. The demo supplier
(``supplier_a``, a wholesaler or producer of county A) ships to store A1: received in full,
received in part (a quantity mismatch), refused, on its way, and left unconfirmed past the
confirmation time. A second wholesaler of the register (one with no demo account) ships to
A1's neighbour A2: received in full, received in part, left unconfirmed; and store A1 also
records a purchase from that wholesaler of the lot it shipped to A2, which it never shipped
to A1, so more of the lot is received than was shipped (the big ledger's mass balance).
Deterministic."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from sunshine.auth.enums import Role
from sunshine.auth.models import User
from sunshine.auth.principal import Principal
from sunshine.core.time import SHANGHAI, to_local, utc_now
from sunshine.ingredients import catalog, service, shipments
from sunshine.ingredients import demo_repository as repo
from sunshine.ingredients.demo_products import covers_everything, morning
from sunshine.ingredients.enums import DocumentKind
from sunshine.ingredients.schemas import LedgerLineIn
from sunshine.ingredients.shipments_models import Shipment
from sunshine.ingredients.shipments_schemas import Outcome, ShipmentConfirmIn, ShipmentIn
from sunshine.registry.models import Business
from sunshine.traceability import ledger_events

# product name, quantity, unit, days before today it left, outcome (None: still pending),
# quantity received (partial) or reason (refused)
Plan = tuple[tuple[str, str, str, int, Outcome | None, str], ...]
PLAN_A1: Plan = (
    ("冻虾仁", "20", "袋", 12, Outcome.FULL, ""),
    ("纯牛奶", "6", "箱", 9, Outcome.PARTIAL, "5"),
    ("冷鲜鸡", "15", "只", 6, Outcome.REFUSED, "到货温度 9°C，超过冷藏要求，拒收"),
    ("菜籽油", "8", "桶", 3, None, ""),  # unconfirmed for three days: flagged
    ("冻牛腩", "10", "袋", 0, None, ""),  # on its way today
)
PLAN_A2: Plan = (
    ("啤酒", "10", "箱", 8, Outcome.FULL, ""),
    ("鲜鸡蛋", "10", "板", 5, Outcome.PARTIAL, "8"),
    ("郫县豆瓣", "12", "袋", 4, None, ""),  # unconfirmed for four days: flagged
)
#: What store A1 records of the lot of A2's first shipment, which it never was shipped.
UNSHIPPED_QUANTITY = Decimal(15)


@dataclass
class ShipmentsSeeded:
    shipments: int = 0
    unconfirmed: list[int] = field(default_factory=list)
    mismatched: list[int] = field(default_factory=list)
    #: The line that receives more of a lot than was shipped (the mass balance's).
    unshipped_line: int | None = None


def _principal(user: User, business: Business) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        business_id=business.id,
    )


def _owner(business: Business) -> Principal:
    """A supplier business without a demo account, as its own people would act."""
    return Principal(
        user_id=None,
        username=f"demo-owner-{business.id}",
        display_name="演示供货商",
        role=Role.ENTERPRISE_OWNER,
        business_id=business.id,
    )


def second_wholesaler(session: Session, today: date, shipper: Business) -> Business | None:
    """The first business of the register, other than ``shipper``, licensed until after
    today for every key category (chilled goods included)."""
    return next(
        (
            b
            for b in repo.licensed_trade(session, valid_after=today)
            if b.id != shipper.id and covers_everything(b)
        ),
        None,
    )


def _store_staff(store: Business) -> Principal:
    return Principal(
        user_id=None,
        username=f"demo-staff-{store.id}",
        display_name="演示员工",
        role=Role.ENTERPRISE_STAFF,
        business_id=store.id,
    )


def _ship(
    session: Session,
    shipper: Principal,
    store: Business,
    plan: Plan,
    today: date,
    seeded: ShipmentsSeeded,
) -> list[Shipment]:
    receiver = _store_staff(store)
    catalog.add_registered_supplier(
        session=session, actor=receiver, supplier_business_id=shipper.business_id or 0
    )
    products = repo.library(session)
    made_list = []
    for n, (name, quantity, unit, days_ago, outcome, detail) in enumerate(plan):
        product = products.get(name)
        if product is None:
            continue
        # Early in the morning "today at 06:30" is still to come, and a shipment cannot leave
        # in the future: no later than four hours ago (its answer comes three hours after).
        left = min(
            datetime.combine(today - timedelta(days=days_ago), time(6, 30), tzinfo=SHANGHAI),
            utc_now().astimezone(SHANGHAI) - timedelta(hours=4),
        )
        made = left.date() - timedelta(days=1 if (product.shelf_life_days or 0) < 30 else 20)
        shipment = shipments.record_shipment(
            session=session,
            actor=shipper,
            data=ShipmentIn(
                caterer_code=store.public_code,
                product_id=product.id,
                batch_number=f"{made:%Y%m%d}{n + 1}",
                production_date=made,
                expiry_date=made + timedelta(days=product.shelf_life_days - 1)
                if product.shelf_life_days
                else None,
                no_shelf_life=product.shelf_life_days is None,
                quantity=Decimal(quantity),
                unit=unit,
                documents=[DocumentKind.LICENCE, DocumentKind.CONFORMITY, DocumentKind.VOUCHER],
                reference=f"FH{left:%Y%m%d}-{store.id % 100:02d}{n + 1:02d}",
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
        if outcome is Outcome.PARTIAL:
            seeded.mismatched.append(shipment.id)
        if outcome is None and shipments.overdue(shipment):
            seeded.unconfirmed.append(shipment.id)
        seeded.shipments += 1
        made_list.append(shipment)
    return made_list


def _receive_unshipped(
    session: Session, store: Business, supplier: Business, shipment: Shipment, today: date
) -> int:
    """Store ``store`` records a purchase from ``supplier`` of the lot of ``shipment``
    (shipped to another store), a few days after it: the lot's receipts now exceed what
    ``supplier`` shipped."""
    receiver = _store_staff(store)
    supplier_id = catalog.add_registered_supplier(
        session=session, actor=receiver, supplier_business_id=supplier.id
    ).id
    bought = min(
        today - timedelta(days=1), to_local(shipment.shipped_at).date() + timedelta(days=2)
    )
    line = service.record_line(
        session=session,
        actor=receiver,
        business_id=store.id,
        data=LedgerLineIn(
            purchase_date=bought,
            product_id=shipment.product_id,
            quantity=UNSHIPPED_QUANTITY,
            unit=shipment.unit,
            batch_number=shipment.batch_number,
            production_date=shipment.production_date,
            expiry_date=shipment.expiry_date,
            no_shelf_life=shipment.no_shelf_life,
            supplier_id=supplier_id,
            documents=[DocumentKind.VOUCHER, DocumentKind.LICENCE, DocumentKind.CONFORMITY],
            appearance_ok=True,
            recorder_name="赵师傅",
        ),
        now=morning(bought, random.Random("unshipped")),
    )
    return line.id


def seed_shipments(*, session: Session, today: date, store_id: int | None) -> ShipmentsSeeded:
    """The demo's shipments to stores A1 and A2 (nothing without the supplier account;
    nothing to A2 without its account or a second wholesaler)."""
    seeded = ShipmentsSeeded()
    user = repo.user_named(session, "supplier_a")
    supplier = repo.business_of_user(session, "supplier_a")
    store = session.get(Business, store_id) if store_id else None
    if user is None or supplier is None or store is None:
        return seeded
    _ship(session, _principal(user, supplier), store, PLAN_A1, today, seeded)
    neighbour = repo.business_of_user(session, "owner_a2")
    other = second_wholesaler(session, today, supplier)
    if neighbour is not None and neighbour.id != store.id and other is not None:
        sent = _ship(session, _owner(other), neighbour, PLAN_A2, today, seeded)
        if sent:
            seeded.unshipped_line = _receive_unshipped(session, store, other, sent[0], today)
    ledger_events.backfill(session=session)  # any line recorded before the bridge
    return seeded
