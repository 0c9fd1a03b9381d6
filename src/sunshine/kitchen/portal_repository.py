"""The queries of the kitchen portal pages that :mod:`.repository` does not hold: the camera
overview with its filters (place, business, area, state), and the published cameras the
public reaches by token, by store and by street."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.enums import Area, CameraState
from sunshine.regions.enums import RegionLevel
from sunshine.registry.enums import BusinessCategory
from sunshine.registry.models import Business

_LEVEL_COLUMN = {
    RegionLevel.PROVINCE: Business.province_code,
    RegionLevel.PREFECTURE: Business.prefecture_code,
    RegionLevel.COUNTY: Business.county_code,
    RegionLevel.TOWNSHIP: Business.township_code,
}


@dataclass(frozen=True)
class CameraFilter:
    """The overview's filters; every field optional."""

    region_level: RegionLevel | None = None
    region_code: str | None = None
    business_id: int | None = None
    area: Area | None = None
    state: CameraState | None = None


@dataclass(frozen=True)
class CameraRow:
    camera: KitchenCamera
    business_name: str
    township_code: str | None


def _camera_filters(filters: CameraFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.region_level is not None and filters.region_code:
        where.append(_LEVEL_COLUMN[filters.region_level] == filters.region_code)
    if filters.business_id is not None:
        where.append(KitchenCamera.business_id == filters.business_id)
    if filters.area is not None:
        where.append(KitchenCamera.area == filters.area)
    if filters.state is not None:
        where.append(KitchenCamera.state == filters.state)
    return where


def page_overview(
    session: Session,
    *,
    scope: ColumnElement[bool],
    filters: CameraFilter,
    offset: int,
    limit: int,
) -> tuple[list[CameraRow], int]:
    """Cameras in ``scope`` matching ``filters``, by street, business and name."""
    where = [scope, *_camera_filters(filters)]
    total = session.execute(
        select(func.count())
        .select_from(KitchenCamera)
        .join(Business, Business.id == KitchenCamera.business_id)
        .where(*where)
    ).scalar_one()
    stmt = (
        select(KitchenCamera, Business.name, Business.township_code)
        .join(Business, Business.id == KitchenCamera.business_id)
        .where(*where)
        .order_by(Business.township_code, Business.name, KitchenCamera.name, KitchenCamera.id)
        .offset(offset)
        .limit(limit)
    )
    rows = [CameraRow(camera, name, township) for camera, name, township in session.execute(stmt)]
    return rows, int(total)


def businesses_with_cameras(
    session: Session, *, scope: ColumnElement[bool], limit: int
) -> list[tuple[int, str]]:
    """The businesses in ``scope`` that have cameras (the overview's business picker)."""
    stmt = (
        select(Business.id, Business.name)
        .where(Business.id.in_(select(KitchenCamera.business_id).where(scope)))
        .order_by(Business.name, Business.id)
        .limit(limit)
    )
    return [(int(i), str(n)) for i, n in session.execute(stmt)]


# What the public sees ------------------------------------------------------------------------


def public_camera(session: Session, token: str) -> KitchenCamera | None:
    """The camera published under ``token`` now (an unpublished camera's token is replaced,
    and a disabled camera shows nothing)."""
    stmt = select(KitchenCamera).where(
        KitchenCamera.public_token == token,
        KitchenCamera.public.is_(True),
        KitchenCamera.enabled.is_(True),
    )
    return session.execute(stmt).scalar_one_or_none()


def store_public_cameras(session: Session, public_code: str) -> Sequence[KitchenCamera]:
    """The published cameras of the caterer whose store page has ``public_code``."""
    stmt = (
        select(KitchenCamera)
        .join(Business, Business.id == KitchenCamera.business_id)
        .where(
            Business.public_code == public_code,
            Business.category == BusinessCategory.CATERER,
            KitchenCamera.public.is_(True),
            KitchenCamera.enabled.is_(True),
        )
        .order_by(KitchenCamera.area, KitchenCamera.name, KitchenCamera.id)
    )
    return session.execute(stmt).scalars().all()


def street_public_cameras(
    session: Session, township_code: str, limit: int
) -> list[tuple[Business, KitchenCamera]]:
    """The caterers of a street (township) with published cameras, each with its cameras."""
    stmt = (
        select(Business, KitchenCamera)
        .join(KitchenCamera, KitchenCamera.business_id == Business.id)
        .where(
            Business.township_code == township_code,
            Business.category == BusinessCategory.CATERER,
            KitchenCamera.public.is_(True),
            KitchenCamera.enabled.is_(True),
        )
        .order_by(Business.name, Business.id, KitchenCamera.name, KitchenCamera.id)
        .limit(limit)
    )
    return [(business, camera) for business, camera in session.execute(stmt)]
