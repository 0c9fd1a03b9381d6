"""Queries of the demo ledgers' seeders (the stores, their suppliers, the library)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from sunshine.auth.models import User
from sunshine.ingredients.models import Product
from sunshine.registry.enums import BusinessCategory, LicenceStatus, OperatingStatus
from sunshine.registry.models import Business


def caterers_in(session: Session, counties: Sequence[str]) -> list[Business]:
    """The caterers of the counties, by id."""
    return list(
        session.scalars(
            select(Business)
            .where(
                Business.county_code.in_(list(counties)),
                Business.category == BusinessCategory.CATERER,
            )
            .order_by(Business.id)
        )
    )


def licensed_trade(session: Session, *, valid_after: date) -> list[Business]:
    """Operating producers, wholesalers and market vendors whose licence is valid on the
    register until after ``valid_after``, by id."""
    return list(
        session.scalars(
            select(Business)
            .where(
                Business.category != BusinessCategory.CATERER,
                Business.operating_status == OperatingStatus.OPERATING,
                Business.licence_status == LicenceStatus.VALID,
                Business.licence_expiry_date > valid_after,
            )
            .order_by(Business.id)
        )
    )


def user_named(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def business_of_user(session: Session, username: str) -> Business | None:
    user = user_named(session, username)
    if user is None or user.business_id is None:
        return None
    return session.get(Business, user.business_id)


def library(session: Session) -> dict[str, Product]:
    """The platform's products by name."""
    return {
        p.name: p
        for p in session.scalars(select(Product).where(Product.owner_business_id.is_(None)))
    }
