"""The demo's shipments: supplier_a ships to store A1; every ledger line is an event."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import principal_of
from sunshine.ingredients import shipments
from sunshine.ingredients.demo import seed_ledger
from sunshine.ingredients.models import LedgerLine
from sunshine.ingredients.shipments_demo import seed_shipments
from sunshine.ingredients.shipments_models import Shipment, ShipmentStatus
from sunshine.traceability.ledger_event_models import LedgerLineEvent


def test_the_demo_ships_to_store_a_and_every_line_becomes_an_event(
    session: Session, demo: Demo
) -> None:
    store_id = principal_of(session, "owner_a").business_id
    assert principal_of(session, "supplier_a").business_id is not None
    seed_ledger(
        session=session, seed=7, today=demo.today, counties=demo.counties, featured=store_id,
        stores=1, days=20,
    )  # fmt: skip
    seeded = seed_shipments(session=session, today=demo.today, store_id=store_id)
    assert seeded.shipments == 8
    rows = session.scalars(
        select(Shipment).where(Shipment.caterer_business_id == store_id).order_by(Shipment.id)
    ).all()
    assert [s.status for s in rows] == [
        ShipmentStatus.RECEIVED,
        ShipmentStatus.PARTIAL,
        ShipmentStatus.REFUSED,
        ShipmentStatus.PENDING,
        ShipmentStatus.PENDING,
    ]
    assert [shipments.overdue(s) for s in rows][3:] == [True, False]
    assert len(seeded.unconfirmed) == 2 and len(seeded.mismatched) == 2
    assert seeded.unshipped_line is not None
    assert all(s.shipping_event_id for s in rows)
    lines = session.scalar(select(func.count()).select_from(LedgerLine))
    linked = session.scalar(
        select(func.count()).select_from(LedgerLineEvent).where(LedgerLineEvent.role == "receiving")
    )
    assert lines and linked == lines
