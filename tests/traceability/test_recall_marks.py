"""The recall's mark on the store page's purchases (阳光食材): a purchase of a recalled lot,
or of a dish a central kitchen made of it, is marked while the recall is open; the cached
store page shows the mark as soon as the recall opens and drops it when the recall closes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from trace_helpers import GTIN, build_network, transform

from helpers import principal_of
from sunshine.core.time import today_local
from sunshine.ingredients import public, service
from sunshine.ingredients.enums import ProductCategory
from sunshine.ingredients.models import LedgerLine, Supplier
from sunshine.ingredients.schemas import LedgerLineIn
from sunshine.registry.models import Business
from sunshine.traceability import recall
from sunshine.traceability.lots import lot_id

DISH = "红烧肉（中央厨房半成品）"


def _buy(session: Session, supplier: Business, **values: object) -> LedgerLine:
    """Store A1 (owner_a's) records a purchase from ``supplier``."""
    staff = principal_of(session, "staff_a")
    assert staff.business_id is not None
    # A supplier record of the registry business (the network's may be caterers, which the
    # catalogue's form does not offer: a central kitchen supplying its outlets).
    record = session.scalars(
        select(Supplier).where(
            Supplier.business_id == staff.business_id, Supplier.supplier_business_id == supplier.id
        )
    ).first()
    if record is None:
        record = Supplier(business_id=staff.business_id, supplier_business_id=supplier.id, name="")
        session.add(record)
        session.flush()
    today = today_local()
    data = {
        "purchase_date": today - timedelta(days=1),
        "category": ProductCategory.MEAT_POULTRY,
        "specification": "散装 kg",
        "quantity": Decimal("20"),
        "unit": "kg",
        "production_date": today - timedelta(days=4),
        "expiry_date": today + timedelta(days=2),
        "supplier_id": record.id,
        "documents": ["licence", "quarantine", "voucher"],
        "appearance_ok": True,
        "recorder_name": "李四",
        **values,
    }
    return service.record_line(
        session=session,
        actor=staff,
        business_id=staff.business_id,
        data=LedgerLineIn.model_validate(data),
    )


def _marks(client: TestClient, code: str) -> list[str]:
    page = client.get(f"/s/{code}")
    assert page.status_code == 200
    return [
        chunk.split('"', 1)[0]
        for chunk in page.text.split(
            'class="badge text-bg-danger text-wrap safety-mark" data-mark="'
        )[1:]
    ]


def test_the_store_page_marks_purchases_of_a_recalled_lot_until_it_closes(
    session: Session, client: TestClient
) -> None:
    net = build_network(session)
    # A1 bought the recalled lot from the wholesaler, and a dish the kitchen made of it.
    dish = lot_id(
        gtin=None,
        supplier_code=net.kitchen.public_code,
        product_id=None,
        product_name=DISH,
        batch="D0305",
    )
    transform(session, at=net.kitchen, inputs=[net.lot], output=dish, quantity=80)
    raw = _buy(session, net.wholesaler, product_name="冷鲜猪肉", gtin=GTIN, batch_number="B2603")
    cooked = _buy(session, net.kitchen, product_name=DISH, batch_number="D0305")
    other = _buy(session, net.wholesaler, product_name="冷鲜猪肉", gtin=GTIN, batch_number="B2609")
    session.commit()
    code = net.store.public_code
    assert _marks(client, code) == []  # rendered, and now cached

    opened = recall.open_recall(
        session=session,
        actor=principal_of(session, "inspector_a"),
        form=recall.RecallForm(lot=net.lot, reason="检出沙门氏菌", level="level_1"),
    )
    session.commit()
    assert _marks(client, code) == ["recall", "recall"]
    shown = public.store_ingredients(session=session, code=code)
    marked = {p.batch_number: p.marks for p in shown.purchases.items if p.marks}
    assert set(marked) == {"B2603", "D0305"} and shown.marked == 2
    mark = marked["B2603"][0]
    assert mark.kind == "recall" and mark.params["reference"] == opened.reference
    assert all(p.batch_number != other.batch_number for p in shown.purchases.items if p.marks)
    assert {raw.id, cooked.id} == {
        line.id
        for line in session.query(LedgerLine).filter(
            LedgerLine.batch_number.in_(["B2603", "D0305"])
        )
    }

    recall.close_recall(
        session=session,
        actor=principal_of(session, "leader"),
        recall_id=opened.id,
        reason="该批次经复检合格",
    )
    session.commit()
    assert _marks(client, code) == []


def test_a_closed_recall_marks_nothing(session: Session) -> None:
    net = build_network(session)
    _buy(session, net.wholesaler, product_name="冷鲜猪肉", gtin=GTIN, batch_number="B2603")
    found = recall.open_recall(
        session=session,
        actor=principal_of(session, "inspector_a"),
        form=recall.RecallForm(lot=net.lot, reason="标签错误", level="level_3"),
    )
    lines = session.query(LedgerLine).filter(LedgerLine.batch_number == "B2603").all()
    assert [m.kind for m in public.marks_of(session, lines)[lines[0].id]] == ["recall"]
    recall.close_recall(
        session=session,
        actor=principal_of(session, "leader"),
        recall_id=found.id,
        reason="标签已更正",
    )
    assert public.marks_of(session, lines)[lines[0].id] == []
