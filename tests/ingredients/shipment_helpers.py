"""Builders shared by the shipment tests: a supplier business with its own account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sunshine.auth.enums import Role
from sunshine.auth.models import User
from sunshine.auth.passwords import hash_password
from sunshine.core.time import today_local
from sunshine.demo.seed import DEMO_PASSWORD
from sunshine.registry.enums import BusinessCategory
from sunshine.registry.models import Business


def supplier_business(session: Session, offset: int = 0) -> Business:
    return session.execute(
        select(Business)
        .where(Business.category != BusinessCategory.CATERER)
        .order_by(Business.id)
        .offset(offset)
        .limit(1)
    ).scalar_one()


def supplier_user(session: Session, offset: int = 0, role: Role = Role.ENTERPRISE_STAFF) -> str:
    """An account of a supplier business (the demo has ``supplier_a``; tests make their own)."""
    business = supplier_business(session, offset)
    username = f"test_supplier_{offset}_{role.value}"
    if session.execute(select(User).where(User.username == username)).scalar() is None:
        session.add(
            User(
                username=username,
                display_name="供货员",
                password_hash=hash_password(DEMO_PASSWORD),
                role=role,
                business_id=business.id,
            )
        )
        session.flush()
    return username


def caterer_of(session: Session, username: str) -> Business:
    user = session.execute(select(User).where(User.username == username)).scalar_one()
    business = session.get(Business, user.business_id)
    assert business is not None
    return business


def shipment_body(caterer_code: str, **changes: Any) -> dict[str, Any]:
    today = today_local()
    body: dict[str, Any] = {
        "caterer_code": caterer_code,
        "product_name": "冻虾仁",
        "category": "aquatic",
        "specification": "500g/袋",
        "gtin": "6901234567892",
        "producer_name": "湛江海产食品有限公司",
        "batch_number": "ZJ20261120",
        "production_date": (today - timedelta(days=10)).isoformat(),
        "expiry_date": (today + timedelta(days=355)).isoformat(),
        "quantity": "10",
        "unit": "袋",
        "documents": ["licence", "conformity", "voucher"],
        "reference": "DN-0001",
    }
    body.update(changes)
    return body


def bearer(session: Session, username: str) -> dict[str, str]:
    """The Authorization header of ``username``'s API token (as /api/v1/auth/token issues)."""
    from sunshine.auth import service as auth_service

    user = session.execute(select(User).where(User.username == username)).scalar_one()
    return {"Authorization": f"Bearer {auth_service.issue_api_token(user)}"}
