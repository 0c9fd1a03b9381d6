"""Builders shared by the purchase-ledger tests."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import principal_of
from sunshine.core.evidence import Upload
from sunshine.core.time import today_local
from sunshine.ingredients import catalog
from sunshine.ingredients.enums import ProductCategory
from sunshine.ingredients.models import Product, Supplier
from sunshine.ingredients.schemas import LedgerLineIn
from sunshine.registry.enums import BusinessCategory
from sunshine.registry.models import Business


def store_of(session: Session, username: str = "owner_a") -> Business:
    principal = principal_of(session, username)
    assert principal.business_id is not None
    business = session.get(Business, principal.business_id)
    assert business is not None
    return business


def wholesaler(session: Session, offset: int = 0) -> Business:
    stmt = (
        select(Business)
        .where(Business.category != BusinessCategory.CATERER)
        .order_by(Business.id)
        .offset(offset)
        .limit(1)
    )
    return session.execute(stmt).scalar_one()


def suppliers(session: Session, username: str = "owner_a") -> tuple[Supplier, Supplier]:
    """A registered supplier (a registry business) and an external one of the user's store."""
    actor = principal_of(session, username)
    registered = catalog.add_registered_supplier(
        session=session, actor=actor, supplier_business_id=wholesaler(session).id
    )
    external = catalog.add_external_supplier(
        session=session,
        actor=actor,
        data=catalog.ExternalSupplierInput(
            name=f"青石桥蔬菜批发摊 {username}",
            address="成都市锦江区青石桥南街 12 号",
            contact_name="王建国",
            contact_phone="13800001234",
            licence_number="JY15101040000012",
            licence_expiry_date=today_local() + timedelta(days=400),
        ),
    )
    return registered, external


def product(session: Session, username: str = "owner_a", gtin: str = "6901234567892") -> Product:
    return catalog.add_product(
        session=session,
        actor=principal_of(session, username),
        data=catalog.ProductInput(
            name="纯牛奶",
            category=ProductCategory.DAIRY,
            specification="250mL×24盒",
            gtin=gtin,
            shelf_life_days=180,
            producer_name="四川新希望乳业有限公司",
        ),
    )


def line_data(supplier_id: int, **changes: Any) -> LedgerLineIn:
    today = today_local()
    values: dict[str, Any] = {
        "purchase_date": today,
        "product_name": "猪肉（鲜）",
        "category": ProductCategory.MEAT_POULTRY,
        "specification": "散装 kg",
        "quantity": Decimal("12.5"),
        "unit": "kg",
        "batch_number": "B20261130",
        "production_date": today - timedelta(days=1),
        "shelf_life_days": 3,
        "producer_name": "成都市屠宰场",
        "supplier_id": supplier_id,
        "documents": ["licence", "quarantine", "voucher"],
        "appearance_ok": True,
        "temperature_c": 3.5,
        "recorder_name": "李四",
    }
    values.update(changes)
    return LedgerLineIn.model_validate(values)


def photo_upload(name: str = "invoice.jpg") -> Upload:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 180, 40)).save(buffer, "JPEG")
    buffer.seek(0)
    return Upload(name, buffer)


def day(offset: int) -> date:
    return today_local() + timedelta(days=offset)
