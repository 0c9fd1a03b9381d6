"""Queries used by the demo commands."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from sunshine.auth.models import User
from sunshine.regions.models import OrgUnit
from sunshine.registry.models import Business


def any_business(session: Session) -> bool:
    return session.execute(select(Business.id).limit(1)).first() is not None


def users_with_units(session: Session) -> Sequence[tuple[User, str | None, str | None]]:
    stmt = (
        select(User, OrgUnit.name, OrgUnit.region_code)
        .outerjoin(OrgUnit, OrgUnit.id == User.org_unit_id)
        .order_by(User.id)
    )
    rows = session.execute(stmt).all()
    out = []
    for user, unit_name, unit_region in rows:
        region = unit_region
        if region is None and user.business_id is not None:
            business = session.get(Business, user.business_id)
            region = (business.township_code or business.county_code) if business else None
        out.append((user, unit_name, region))
    return out


def link_outlets(session: Session, links: Sequence[tuple[int, int]]) -> None:
    """Set ``chain_hq_id`` of each (outlet id, HQ id) pair."""
    if links:
        session.execute(update(Business), [{"id": bid, "chain_hq_id": hq} for bid, hq in links])


def refresh_statistics(session: Session) -> None:
    """Refresh the planner's statistics after a bulk load (both backends know ANALYZE);
    without them PostgreSQL plans the new 100,000 rows as if the tables were empty."""
    session.flush()
    session.execute(text("ANALYZE"))
