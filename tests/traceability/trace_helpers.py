"""A small supply network for the trace and recall tests, captured through the EPCIS
service as the businesses themselves would (receiving, shipping and transformation events,
with the conventions of issue 5)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import principal_of
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.registry.models import Business
from sunshine.traceability.epcis import service as epcis
from sunshine.traceability.epcis.identifiers import check_digit
from sunshine.traceability.epcis.repository import PARTY_PREFIX
from sunshine.traceability.lots import lot_id

CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
GTIN = "0690123456789" + check_digit("0690123456789")


def as_business(business: Business) -> Principal:
    """A business's own account, as its API token would act."""
    return Principal(
        user_id=None,
        username=f"biz-{business.public_code}",
        display_name=business.name,
        role=Role.ENTERPRISE_OWNER,
        business_id=business.id,
    )


def party(business: Business) -> str:
    return f"{PARTY_PREFIX}{business.public_code}"


def capture(session: Session, by: Business, event: dict[str, Any]) -> str:
    body = json.dumps({"@context": [CONTEXT], **event}).encode()
    return epcis.capture_event(session=session, actor=as_business(by), body=body).event_id


_counter = iter(range(1, 10_000))


def move(
    session: Session,
    *,
    lot: str,
    source: Business,
    destination: Business,
    quantity: float,
    step: str = "receiving",
    day: int = 2,
    uom: str = "KGM",
) -> str:
    """A receiving event captured by the destination (or a shipping event by the source)."""
    by = destination if step == "receiving" else source
    return capture(
        session,
        by,
        {
            "type": "ObjectEvent",
            "eventID": f"ni:///sha-256;{next(_counter):064x}?ver=CBV2.0",
            "eventTime": f"2026-03-{day:02d}T09:{next(_counter) % 60:02d}:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": step,
            "disposition": "in_progress" if step == "receiving" else "in_transit",
            "epcList": [],
            "quantityList": [{"epcClass": lot, "quantity": quantity, "uom": uom}],
            "sourceList": [{"type": "owning_party", "source": party(source)}],
            "destinationList": [{"type": "owning_party", "destination": party(destination)}],
        },
    )


def transform(
    session: Session, *, at: Business, inputs: list[str], output: str, quantity: float
) -> str:
    return capture(
        session,
        at,
        {
            "type": "TransformationEvent",
            "eventTime": "2026-03-04T06:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "bizStep": "commissioning",
            "inputQuantityList": [{"epcClass": i, "quantity": 10, "uom": "KGM"} for i in inputs],
            "outputQuantityList": [{"epcClass": output, "quantity": quantity, "uom": "KGM"}],
        },
    )


@dataclass
class Network:
    """producer → wholesaler → {central kitchen, caterer C}; kitchen makes ``dish`` of the
    ``lot`` and sends it to the store of owner_a and an outlet."""

    producer: Business
    wholesaler: Business
    kitchen: Business
    caterer: Business
    store: Business  # owner_a's store
    outlet: Business
    lot: str
    dish: str


def others(session: Session, store: Business, count: int) -> list[Business]:
    """Businesses outside county B (owner_b's), those of the store's county first."""
    county_b = session.get(Business, principal_of(session, "owner_b").business_id)
    assert county_b is not None
    return list(
        session.scalars(
            select(Business)
            .where(Business.county_code != county_b.county_code, Business.id != store.id)
            .order_by((Business.county_code == store.county_code).desc(), Business.id)
            .limit(count)
        )
    )


def build_network(session: Session) -> Network:
    store = session.get(Business, principal_of(session, "owner_a").business_id)
    assert store is not None
    producer, wholesaler, kitchen, caterer, outlet = others(session, store, 5)
    lot = lot_id(gtin=GTIN, supplier_code=producer.public_code, product_id=None, batch="B2603")
    dish = lot_id(gtin=None, supplier_code=kitchen.public_code, product_id=7, batch="D0304")
    move(session, lot=lot, source=producer, destination=wholesaler, quantity=100, step="shipping")
    move(session, lot=lot, source=producer, destination=wholesaler, quantity=100)
    move(session, lot=lot, source=wholesaler, destination=kitchen, quantity=40, day=3)
    move(session, lot=lot, source=wholesaler, destination=caterer, quantity=20, day=3)
    transform(session, at=kitchen, inputs=[lot], output=dish, quantity=60)
    move(session, lot=dish, source=kitchen, destination=store, quantity=30, day=5)
    move(session, lot=dish, source=kitchen, destination=outlet, quantity=25, day=5)
    session.flush()
    return Network(producer, wholesaler, kitchen, caterer, store, outlet, lot, dish)
