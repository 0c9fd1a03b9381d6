"""Queries of regions and org units."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import OrgUnit, Region

_REGION_LEVEL_COLUMN = {
    RegionLevel.PROVINCE: Region.province_code,
    RegionLevel.PREFECTURE: Region.prefecture_code,
    RegionLevel.COUNTY: Region.county_code,
    RegionLevel.TOWNSHIP: Region.code,
}


def region_within(level: RegionLevel, code: str) -> ColumnElement[bool]:
    """Condition: a region lies in the subtree rooted at ``code`` (of ``level``)."""
    return _REGION_LEVEL_COLUMN[level] == code


def get_region(session: Session, code: str) -> Region | None:
    return session.get(Region, code)


def get_regions(session: Session, codes: Sequence[str]) -> dict[str, Region]:
    if not codes:
        return {}
    rows = session.execute(select(Region).where(Region.code.in_(list(codes)))).scalars()
    return {r.code: r for r in rows}


def all_region_names(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.execute(select(Region.code, Region.name))}


def existing_codes(session: Session, province_code: str) -> set[str]:
    rows = session.execute(select(Region.code).where(Region.province_code == province_code))
    return set(rows.scalars())


def children(session: Session, parent_code: str) -> Sequence[Region]:
    stmt = select(Region).where(Region.parent_code == parent_code).order_by(Region.code)
    return session.execute(stmt).scalars().all()


def regions_at_level(
    session: Session, *, level: RegionLevel, within: tuple[RegionLevel, str] | None = None
) -> Sequence[Region]:
    stmt = select(Region).where(Region.level == level)
    if within is not None:
        stmt = stmt.where(region_within(*within))
    return session.execute(stmt.order_by(Region.code)).scalars().all()


def provinces(session: Session) -> Sequence[Region]:
    return regions_at_level(session, level=RegionLevel.PROVINCE)


def count_regions(session: Session, province_code: str) -> dict[str, int]:
    rows = session.execute(
        select(Region.level, func.count())
        .where(Region.province_code == province_code)
        .group_by(Region.level)
    )
    return {str(level): int(n) for level, n in rows}


def search_regions(session: Session, *, term: str, limit: int = 20) -> Sequence[Region]:
    stmt = select(Region).where(Region.name.like(f"%{term}%")).order_by(Region.code).limit(limit)
    return session.execute(stmt).scalars().all()


def get_org_unit(session: Session, org_unit_id: int) -> OrgUnit | None:
    return session.get(OrgUnit, org_unit_id)


def org_unit_for_region(session: Session, region_code: str) -> OrgUnit | None:
    stmt = select(OrgUnit).where(OrgUnit.region_code == region_code).order_by(OrgUnit.id)
    return session.execute(stmt.limit(1)).scalar_one_or_none()


def org_units_within(session: Session, *, level: RegionLevel, code: str) -> Sequence[OrgUnit]:
    """Org units whose jurisdiction lies inside the subtree rooted at ``code``."""
    stmt = (
        select(OrgUnit)
        .join(Region, Region.code == OrgUnit.region_code)
        .where(region_within(level, code))
        .order_by(OrgUnit.region_code, OrgUnit.id)
    )
    return session.execute(stmt).scalars().all()


def org_unit_ids_within(session: Session, *, level: RegionLevel, code: str) -> list[int]:
    stmt = (
        select(OrgUnit.id)
        .join(Region, Region.code == OrgUnit.region_code)
        .where(region_within(level, code))
    )
    return list(session.execute(stmt).scalars())


def org_unit_region_codes(session: Session) -> set[str]:
    return set(session.execute(select(OrgUnit.region_code)).scalars())


def child_org_units(session: Session, parent_id: int) -> Sequence[OrgUnit]:
    stmt = select(OrgUnit).where(OrgUnit.parent_id == parent_id).order_by(OrgUnit.region_code)
    return session.execute(stmt).scalars().all()


def user_counts(session: Session, org_unit_ids: Sequence[int]) -> dict[int, int]:
    from sunshine.auth.models import User

    if not org_unit_ids:
        return {}
    stmt = (
        select(User.org_unit_id, func.count())
        .where(User.org_unit_id.in_(list(org_unit_ids)))
        .group_by(User.org_unit_id)
    )
    return {int(k): int(n) for k, n in session.execute(stmt) if k is not None}


def org_units_with_users(session: Session, ids: Sequence[int]) -> Sequence[OrgUnit]:
    """Offices (among ``ids``) that have at least one account, for pickers."""
    from sunshine.auth.models import User

    stmt = (
        select(OrgUnit)
        .where(OrgUnit.id.in_(list(ids)), OrgUnit.id.in_(select(User.org_unit_id)))
        .order_by(OrgUnit.region_code)
    )
    return session.execute(stmt).scalars().all()


def org_units_at_levels(
    session: Session, *, within: tuple[RegionLevel, str], levels: Sequence[RegionLevel]
) -> Sequence[OrgUnit]:
    stmt = (
        select(OrgUnit)
        .join(Region, Region.code == OrgUnit.region_code)
        .where(region_within(*within), OrgUnit.region_level.in_(list(levels)))
        .order_by(OrgUnit.region_code)
    )
    return session.execute(stmt).scalars().all()


def active_user_count(session: Session, org_unit_id: int) -> int:
    from sunshine.auth.models import User

    stmt = (
        select(func.count())
        .select_from(User)
        .where(User.org_unit_id == org_unit_id, User.is_active.is_(True))
    )
    return int(session.execute(stmt).scalar_one())
