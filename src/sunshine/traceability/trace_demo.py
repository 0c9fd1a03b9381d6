"""Demo trace and recall: a small multi-tier supply chain in the demo's first county
(a food producer → a wholesaler → a central kitchen → outlets, store A1 among them),
captured as the businesses' own EPCIS events, and one regulator's recall of the producer's
lot of frozen beef that a newcomer finds on the government dashboard (and at
``/gov/recalls``; traced at ``/gov/trace``). Deterministic."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.core.time import SHANGHAI
from sunshine.ingredients.enums import ProductCategory
from sunshine.ingredients.models import Product
from sunshine.regions.enums import RegionLevel
from sunshine.registry.enums import BusinessCategory, BusinessForm
from sunshine.registry.models import Business
from sunshine.traceability import recall
from sunshine.traceability.epcis import service as epcis
from sunshine.traceability.epcis.repository import PARTY_PREFIX
from sunshine.traceability.lots import lot_id

CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"


@dataclass(frozen=True)
class TraceSeeded:
    events: int
    recall_reference: str | None


def _as(business: Business) -> Principal:
    return Principal(
        user_id=None,
        username=f"demo-epcis-{business.id}",
        display_name=business.name,
        role=Role.ENTERPRISE_OWNER,
        business_id=business.id,
    )


def _party(business: Business) -> str:
    return f"{PARTY_PREFIX}{business.public_code}"


def _capture(session: Session, by: Business, event: dict[str, Any]) -> None:
    body = json.dumps({"@context": [CONTEXT], **event}).encode()
    epcis.capture_event(session=session, actor=_as(by), body=body)


def _moment(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour), SHANGHAI).isoformat()


def _move(
    session: Session, *, lot: str, src: Business, dst: Business, qty: float, day: date, uom: str
) -> int:
    """The shipping event of the source and the receiving event of the destination."""
    for step, by, hour in (("shipping", src, 6), ("receiving", dst, 9)):
        _capture(
            session,
            by,
            {
                "type": "ObjectEvent",
                "eventTime": _moment(day, hour),
                "eventTimeZoneOffset": "+08:00",
                "action": "OBSERVE",
                "bizStep": step,
                "disposition": "in_transit" if step == "shipping" else "in_progress",
                "epcList": [],
                "quantityList": [{"epcClass": lot, "quantity": qty, "uom": uom}],
                "sourceList": [{"type": "owning_party", "source": _party(src)}],
                "destinationList": [{"type": "owning_party", "destination": _party(dst)}],
            },
        )
    return 2


#: The chain's roles by business form; the outlets are any other caterers.
ROLES = (BusinessForm.FOOD_PRODUCER, BusinessForm.WHOLESALER, BusinessForm.CENTRAL_KITCHEN)


def _cast(session: Session, store: Business, county: str) -> list[Business] | None:
    """Producer, wholesaler, central kitchen and two outlets: of the county where it has
    them (the last of each form by id), else of the province; any other business stands in
    for a form the province lacks (a small demo). None when there are too few."""
    candidates = [
        b
        for b in session.scalars(
            select(Business)
            .where(Business.province_code == store.province_code, Business.id != store.id)
            .order_by((Business.county_code == county).desc(), Business.id.desc())
        )
    ]
    cast: list[Business] = []
    for form in ROLES:
        found = next((b for b in candidates if b.form is form and b not in cast), None)
        if found is not None:
            cast.append(found)
    cast += [b for b in candidates if b.category is BusinessCategory.CATERER and b not in cast][
        : 5 - len(cast)
    ]
    cast += [b for b in candidates if b not in cast][: 5 - len(cast)]
    return cast if len(cast) == 5 else None


def seed_trace(*, session: Session, today: date, county: str, featured: int | None) -> TraceSeeded:
    """The chain and its recall (nothing without the featured store)."""
    store = session.get(Business, featured) if featured is not None else None
    cast = _cast(session, store, county) if store is not None else None
    if store is None or cast is None:
        return TraceSeeded(events=0, recall_reference=None)
    producer, wholesaler, kitchen, outlet_b, outlet_c = cast
    product = session.scalars(
        select(Product)
        .where(
            Product.gtin.is_not(None),
            Product.gtin != "",
            Product.category == ProductCategory.MEAT_POULTRY,
        )
        .order_by(Product.id)
    ).first()
    batch = f"{(today - timedelta(days=12)).strftime('%Y%m%d')}A"
    lot = lot_id(
        gtin=product.gtin if product else None,
        supplier_code=producer.public_code,
        product_id=product.id if product else None,
        product_name="" if product else "冻牛腩",
        batch=batch,
    )
    dish = lot_id(
        gtin=None,
        supplier_code=kitchen.public_code,
        product_id=None,
        product_name="红烧牛腩（中央厨房半成品）",
        batch=(today - timedelta(days=9)).strftime("%Y%m%d"),
    )
    events = _move(
        session,
        lot=lot,
        src=producer,
        dst=wholesaler,
        qty=500,
        day=today - timedelta(days=11),
        uom="KGM",
    )
    for dst, qty in ((kitchen, 200), (store, 40), (outlet_b, 60)):
        events += _move(
            session,
            lot=lot,
            src=wholesaler,
            dst=dst,
            qty=qty,
            day=today - timedelta(days=10),
            uom="KGM",
        )
    _capture(
        session,
        kitchen,
        {
            "type": "TransformationEvent",
            "eventTime": _moment(today - timedelta(days=9), 5),
            "eventTimeZoneOffset": "+08:00",
            "bizStep": "commissioning",
            "inputQuantityList": [{"epcClass": lot, "quantity": 200, "uom": "KGM"}],
            "outputQuantityList": [{"epcClass": dish, "quantity": 260, "uom": "KGM"}],
        },
    )
    events += 1
    for dst, qty in ((store, 50), (outlet_c, 80)):
        events += _move(
            session,
            lot=dish,
            src=kitchen,
            dst=dst,
            qty=qty,
            day=today - timedelta(days=9),
            uom="KGM",
        )
    regulator = Principal(
        user_id=None,
        username="demo-recall",
        display_name="演示：县局",
        role=Role.BUREAU_LEADER,
        jurisdiction_code=county,
        jurisdiction_level=RegionLevel.COUNTY,
    )
    opened = recall.open_recall(
        session=session,
        actor=regulator,
        form=recall.RecallForm(
            lot=lot,
            reason="上游屠宰加工企业同批次冻牛腩抽检检出克伦特罗（瘦肉精），按规定全部召回。",
            level="level_1",
            scope="该批次全部收货主体及以其加工的中央厨房半成品",
        ),
    )
    return TraceSeeded(events=events, recall_reference=opened.reference)
