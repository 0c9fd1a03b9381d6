"""What the big ledger's mass-balance rule asks of shipments: how much of a lot a supplier
shipped (registered on :mod:`sunshine.ingredients.analytics`, named in its
``SHIPPED_MODULES``)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from sunshine.ingredients import analytics
from sunshine.ingredients import shipments_repository as repo


@analytics.shipped_quantity_source
def shipped(
    session: Session, supplier_business_id: int, product_id: int, batch: str, unit: str
) -> Decimal | None:
    return repo.shipped_quantity(
        session,
        supplier_business_id=supplier_business_id,
        product_id=product_id,
        batch=batch,
        unit=unit,
    )
