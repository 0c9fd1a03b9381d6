"""Every query of Sunshine Kitchen (cameras, alerts, actions, health spans, statistics)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from sunshine.auth.enums import Role
from sunshine.auth.models import User
from sunshine.kitchen.alert_models import KitchenAlert, KitchenAlertAction, KitchenCameraHealthSpan
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.enums import AlertClass, AlertKind, AlertStatus, Area
from sunshine.regions.models import OrgUnit
from sunshine.registry.models import Business

# Cameras ------------------------------------------------------------------------------------


def get_camera(
    session: Session, *, camera_id: int, scope: ColumnElement[bool]
) -> KitchenCamera | None:
    stmt = select(KitchenCamera).where(KitchenCamera.id == camera_id, scope)
    return session.execute(stmt).scalar_one_or_none()


def camera_name_taken(
    session: Session, *, business_id: int, name: str, other_than: int | None
) -> bool:
    stmt = select(KitchenCamera.id).where(
        KitchenCamera.business_id == business_id, KitchenCamera.name == name
    )
    if other_than is not None:
        stmt = stmt.where(KitchenCamera.id != other_than)
    return session.execute(stmt.limit(1)).first() is not None


def page_cameras(
    session: Session,
    *,
    scope: ColumnElement[bool],
    business_id: int | None,
    offset: int,
    limit: int,
) -> tuple[list[tuple[KitchenCamera, str]], int]:
    """Cameras in ``scope`` (of one business, when given) with their business's name."""
    where = [scope]
    if business_id is not None:
        where.append(KitchenCamera.business_id == business_id)
    total = session.execute(select(func.count()).select_from(KitchenCamera).where(*where))
    stmt = (
        select(KitchenCamera, Business.name)
        .join(Business, Business.id == KitchenCamera.business_id)
        .where(*where)
        .order_by(Business.name, KitchenCamera.name, KitchenCamera.id)
        .offset(offset)
        .limit(limit)
    )
    rows = [(camera, name) for camera, name in session.execute(stmt)]
    return rows, int(total.scalar_one())


def enabled_cameras(session: Session) -> Sequence[KitchenCamera]:
    """Every enabled camera (the vision workers' configuration), in id order."""
    stmt = select(KitchenCamera).where(KitchenCamera.enabled.is_(True)).order_by(KitchenCamera.id)
    return session.execute(stmt).scalars().all()


def cameras_by_id(session: Session, ids: Collection[int]) -> dict[int, KitchenCamera]:
    if not ids:
        return {}
    stmt = select(KitchenCamera).where(KitchenCamera.id.in_(list(ids)))
    return {camera.id: camera for camera in session.execute(stmt).scalars()}


def camera_has_alerts(session: Session, camera_id: int) -> bool:
    stmt = select(KitchenAlert.id).where(KitchenAlert.camera_id == camera_id).limit(1)
    return session.execute(stmt).first() is not None


def published_camera(session: Session, token: str) -> KitchenCamera | None:
    stmt = select(KitchenCamera).where(
        KitchenCamera.public_token == token,
        KitchenCamera.public.is_(True),
        KitchenCamera.enabled.is_(True),
    )
    return session.execute(stmt).scalar_one_or_none()


def published_cameras(session: Session, business_id: int) -> Sequence[KitchenCamera]:
    stmt = (
        select(KitchenCamera)
        .where(
            KitchenCamera.business_id == business_id,
            KitchenCamera.public.is_(True),
            KitchenCamera.enabled.is_(True),
        )
        .order_by(KitchenCamera.name, KitchenCamera.id)
    )
    return session.execute(stmt).scalars().all()


def public_token_taken(session: Session, token: str) -> bool:
    stmt = select(KitchenCamera.id).where(KitchenCamera.public_token == token).limit(1)
    return session.execute(stmt).first() is not None


def get_business(session: Session, business_id: int) -> Business | None:
    return session.get(Business, business_id)


# Alerts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertFilter:
    business_id: int | None = None
    camera_id: int | None = None
    status: AlertStatus | None = None
    kind: AlertKind | None = None
    alert_class: AlertClass | None = None
    area: Area | None = None
    since: date | None = None  # local days, inclusive
    until: date | None = None


def get_alert(
    session: Session, *, alert_id: int, scope: ColumnElement[bool]
) -> KitchenAlert | None:
    stmt = select(KitchenAlert).where(KitchenAlert.id == alert_id, scope)
    return session.execute(stmt).scalar_one_or_none()


def set_clip_note(session: Session, *, alert: KitchenAlert, note: str) -> None:
    """Say why an alert has no clip, without touching its ``version`` (see
    ``service.attach_alert_clip``: a person reviewing the alert meanwhile must not be told
    it changed)."""
    session.execute(
        update(KitchenAlert)
        .where(KitchenAlert.id == alert.id)
        .values(clip_note=note)
        .execution_options(synchronize_session=False)
    )
    # The loaded row as the database now has it, not pending a versioned flush.
    set_committed_value(alert, "clip_note", note)


def page_alerts(
    session: Session,
    *,
    scope: ColumnElement[bool],
    filters: AlertFilter,
    offset: int,
    limit: int,
) -> tuple[list[tuple[KitchenAlert, str, str]], int]:
    """Alerts in ``scope``, the latest first, with their camera's and business's names."""
    where = [scope, *_alert_filters(filters)]
    total = session.execute(select(func.count()).select_from(KitchenAlert).where(*where))
    stmt = (
        select(KitchenAlert, KitchenCamera.name, Business.name)
        .join(KitchenCamera, KitchenCamera.id == KitchenAlert.camera_id)
        .join(Business, Business.id == KitchenAlert.business_id)
        .where(*where)
        .order_by(KitchenAlert.started_at.desc(), KitchenAlert.id.desc())
        .offset(offset)
        .limit(limit)
    )
    rows = [(alert, camera, business) for alert, camera, business in session.execute(stmt)]
    return rows, int(total.scalar_one())


def _alert_filters(filters: AlertFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.business_id is not None:
        where.append(KitchenAlert.business_id == filters.business_id)
    if filters.camera_id is not None:
        where.append(KitchenAlert.camera_id == filters.camera_id)
    if filters.status is not None:
        where.append(KitchenAlert.status == filters.status)
    if filters.kind is not None:
        where.append(KitchenAlert.kind == filters.kind)
    if filters.alert_class is not None:
        where.append(KitchenAlert.alert_class == filters.alert_class)
    if filters.area is not None:
        where.append(KitchenAlert.area == filters.area)
    if filters.since is not None:
        where.append(KitchenAlert.started_on >= filters.since)
    if filters.until is not None:
        where.append(KitchenAlert.started_on <= filters.until)
    return where


def actions_of(session: Session, alert_id: int) -> Sequence[KitchenAlertAction]:
    stmt = (
        select(KitchenAlertAction)
        .where(KitchenAlertAction.alert_id == alert_id)
        .order_by(KitchenAlertAction.at, KitchenAlertAction.id)
    )
    return session.execute(stmt).scalars().all()


def confirmed_alerts(
    session: Session, *, business_id: int, alert_class: AlertClass, since: datetime
) -> Sequence[KitchenAlert]:
    """The business's confirmed alerts of one class started since ``since``, oldest first."""
    stmt = (
        select(KitchenAlert)
        .where(
            KitchenAlert.business_id == business_id,
            KitchenAlert.alert_class == alert_class,
            KitchenAlert.status == AlertStatus.CONFIRMED,
            KitchenAlert.started_at >= since,
        )
        .order_by(KitchenAlert.started_at, KitchenAlert.id)
    )
    return session.execute(stmt).scalars().all()


def open_health_span(session: Session, camera_id: int) -> KitchenCameraHealthSpan | None:
    stmt = (
        select(KitchenCameraHealthSpan)
        .where(
            KitchenCameraHealthSpan.camera_id == camera_id,
            KitchenCameraHealthSpan.ended_at.is_(None),
        )
        .order_by(KitchenCameraHealthSpan.started_at.desc())
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def health_spans(
    session: Session, *, camera_id: int, since: datetime
) -> Sequence[KitchenCameraHealthSpan]:
    stmt = (
        select(KitchenCameraHealthSpan)
        .where(
            KitchenCameraHealthSpan.camera_id == camera_id,
            (KitchenCameraHealthSpan.ended_at.is_(None))
            | (KitchenCameraHealthSpan.ended_at >= since),
        )
        .order_by(KitchenCameraHealthSpan.started_at)
    )
    return session.execute(stmt).scalars().all()


def regulator_ids_for_place(session: Session, *, region_codes: Collection[str]) -> list[int]:
    """Active officers (inspectors, station chiefs) of the offices of these regions: the
    people who supervise a business there (its township's station and its county bureau)."""
    codes = [code for code in region_codes if code]
    if not codes:
        return []
    stmt = (
        select(User.id)
        .join(OrgUnit, OrgUnit.id == User.org_unit_id)
        .where(
            OrgUnit.region_code.in_(codes),
            User.role.in_([Role.INSPECTOR, Role.STATION_CHIEF]),
            User.is_active.is_(True),
        )
        .order_by(User.id)
    )
    return list(session.execute(stmt).scalars())


# Statistics ---------------------------------------------------------------------------------


def _window(since: date, until: date) -> list[ColumnElement[bool]]:
    return [KitchenAlert.started_on >= since, KitchenAlert.started_on <= until]


def counts_by(
    session: Session,
    *,
    scope: ColumnElement[bool],
    since: date,
    until: date,
    columns: Sequence[Any],
) -> list[tuple[Any, ...]]:
    """Alert counts grouped by ``columns`` (each row: the column values, then the count)."""
    stmt = (
        select(*columns, func.count(KitchenAlert.id))
        .where(scope, *_window(since, until))
        .group_by(*columns)
        .order_by(*columns)
    )
    return [tuple(row) for row in session.execute(stmt)]


def counts_by_business(
    session: Session, *, scope: ColumnElement[bool], since: date, until: date, limit: int
) -> list[tuple[int, str, int, int]]:
    """Per business: id, name, alerts, confirmed alerts; the most alerts first."""
    confirmed = func.sum(case((KitchenAlert.status == AlertStatus.CONFIRMED, 1), else_=0))
    total = func.count(KitchenAlert.id)
    stmt = (
        select(Business.id, Business.name, total, confirmed)
        .join(Business, Business.id == KitchenAlert.business_id)
        .where(scope, *_window(since, until))
        .group_by(Business.id, Business.name)
        .order_by(total.desc(), Business.id)
        .limit(limit)
    )
    return [(int(i), str(n), int(t), int(c or 0)) for i, n, t, c in session.execute(stmt)]


@dataclass(frozen=True)
class CameraReviews:
    """Of a camera's behaviour alerts, those reviewed and those the regulator found false."""

    camera_id: int
    camera_name: str
    business_name: str  # camera names repeat across stores ("切配间")
    alerts: int
    reviewed: int
    false_alarms: int

    @property
    def rate(self) -> float | None:
        return self.false_alarms / self.reviewed if self.reviewed else None


def review_counts_by_camera(
    session: Session,
    *,
    scope: ColumnElement[bool],
    since: date | None,
    until: date | None,
    camera_ids: Collection[int] | None = None,
) -> list[CameraReviews]:
    """Per camera: behaviour alerts, reviewed (confirmed or false alarm), false alarms.
    Health alerts are left out: they say nothing about a detector's precision."""
    reviewed = func.sum(
        case(
            (KitchenAlert.status.in_([AlertStatus.CONFIRMED, AlertStatus.FALSE_ALARM]), 1),
            else_=0,
        )
    )
    false = func.sum(case((KitchenAlert.status == AlertStatus.FALSE_ALARM, 1), else_=0))
    where: list[ColumnElement[bool]] = [scope, KitchenAlert.kind != AlertKind.HEALTH]
    if since is not None:
        where.append(KitchenAlert.started_on >= since)
    if until is not None:
        where.append(KitchenAlert.started_on <= until)
    if camera_ids is not None:
        where.append(KitchenAlert.camera_id.in_(list(camera_ids)))
    stmt = (
        select(
            KitchenCamera.id,
            KitchenCamera.name,
            Business.name,
            func.count(KitchenAlert.id),
            reviewed,
            false,
        )
        .join(KitchenCamera, KitchenCamera.id == KitchenAlert.camera_id)
        .join(Business, Business.id == KitchenCamera.business_id)
        .where(*where)
        .group_by(KitchenCamera.id, KitchenCamera.name, Business.name)
        .order_by(KitchenCamera.id)
    )
    return [
        CameraReviews(int(i), str(n), str(b), int(t), int(r or 0), int(f or 0))
        for i, n, b, t, r, f in session.execute(stmt)
    ]
