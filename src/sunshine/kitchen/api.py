"""JSON routes of Sunshine Kitchen under ``/api/v1/kitchen``: cameras, alerts and their
review, statistics, and the rule table with its sources. Every list and detail is scoped to
the caller (a regulator's jurisdiction; a business its own)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from sunshine.api.router import Authed
from sunshine.auth.principal import Principal
from sunshine.core.evidence_models import EvidenceFile
from sunshine.core.pagination import PageRequest
from sunshine.kitchen import cameras, service, statistics
from sunshine.kitchen.alert_models import KitchenAlert
from sunshine.kitchen.camera_forms import CameraForm
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.enums import AlertClass, AlertKind, AlertStatus
from sunshine.kitchen.policy import AREA_RULES, CATALOGUE, rule_specs
from sunshine.kitchen.repository import AlertFilter
from sunshine.kitchen.schemas import (
    ActionIn,
    ActionRead,
    AlertDetail,
    AlertPage,
    AlertRead,
    BusinessTallyRead,
    CameraCreate,
    CameraFalseAlarmsRead,
    CameraIn,
    CameraPage,
    CameraRead,
    CameraUpdate,
    FileRead,
    KitchenStatisticsRead,
    RuleDefaultRead,
    RuleRead,
    TallyRead,
)
from sunshine.portals.shared.deps import DbSession, SignedIn

router = APIRouter(prefix="/kitchen", tags=["kitchen"], dependencies=Authed)


# Cameras ------------------------------------------------------------------------------------


@router.get("/cameras", response_model=CameraPage)
def list_cameras(
    session: DbSession,
    principal: SignedIn,
    business_id: int | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 20,
) -> CameraPage:
    """The cameras the caller may see (of one business, when given)."""
    result = cameras.list_cameras(
        session=session,
        actor=principal,
        business_id=business_id,
        page=PageRequest(page, per_page),
    )
    rates = service.false_alarm_rates(
        session=session, actor=principal, cameras=[c for c, _ in result.items]
    )
    return CameraPage(
        items=[_camera(session, principal, c, name, rates[c.id]) for c, name in result.items],
        total=result.total,
        page=result.page,
        per_page=result.request.per_page,
        pages=result.pages,
    )


@router.post("/cameras", response_model=CameraRead, status_code=201)
def create_camera(session: DbSession, principal: SignedIn, body: CameraCreate) -> CameraRead:
    """Add a camera (regulators in their jurisdiction; a business's owner or managers for
    itself). Refused whole with every problem named (``errors[].field``)."""
    camera = cameras.create_camera(
        session=session, actor=principal, business_id=body.business_id, form=_form(body)
    )
    return _camera(session, principal, camera)


@router.get("/cameras/{camera_id}", response_model=CameraRead)
def get_camera(session: DbSession, principal: SignedIn, camera_id: int) -> CameraRead:
    camera = cameras.visible_camera(session, principal, camera_id)
    return _camera(session, principal, camera)


@router.put("/cameras/{camera_id}", response_model=CameraRead)
def update_camera(
    session: DbSession, principal: SignedIn, camera_id: int, body: CameraUpdate
) -> CameraRead:
    """Change a camera's settings (given whole); 409 when it changed since
    ``expected_version``. Leave out ``username`` and ``password`` to keep the stored ones."""
    camera = cameras.update_camera(
        session=session,
        actor=principal,
        camera_id=camera_id,
        form=_form(body),
        expected_version=body.expected_version,
    )
    return _camera(session, principal, camera)


@router.delete("/cameras/{camera_id}", status_code=204)
def delete_camera(session: DbSession, principal: SignedIn, camera_id: int) -> Response:
    """Remove a camera that never raised an alert (409 otherwise: disable it instead)."""
    cameras.delete_camera(session=session, actor=principal, camera_id=camera_id)
    return Response(status_code=204)


def _form(body: CameraIn) -> CameraForm:
    return CameraForm(
        name=body.name,
        area=body.area,
        stream_kind=body.stream_kind,
        stream_url=body.stream_url,
        username=body.username,
        password=body.password,
        operating_hours=body.operating_hours,
        privacy_masks=body.privacy_masks,
        zones=body.zones,
        rule_overrides=body.rule_overrides,
        public=body.public,
        enabled=body.enabled,
        analysis_fps=body.analysis_fps,
        person_model=body.person_model,
    )


def _camera(
    session: DbSession,
    principal: Principal,
    camera: KitchenCamera,
    business_name: str | None = None,
    rate: service.FalseAlarmRate | None = None,
) -> CameraRead:
    if business_name is None:
        business_name = cameras.business_name(session, camera)
    if rate is None:
        rate = service.false_alarm_rates(session=session, actor=principal, cameras=[camera])[
            camera.id
        ]
    return CameraRead(
        id=camera.id,
        business_id=camera.business_id,
        business_name=business_name,
        area=camera.area.value,
        name=camera.name,
        stream_kind=camera.stream_kind.value,
        stream_url=camera.stream_url,
        credentials="set" if camera.credentials_encrypted is not None else "none",
        operating_hours=camera.operating_hours,
        privacy_masks=camera.privacy_masks,
        zones=camera.zones,
        rule_overrides=camera.rule_overrides,
        rules=[
            RuleRead(
                alert_class=r.alert_class.value,
                detect_cls=r.detect_cls,
                n=r.n,
                m=r.m,
                min_confidence=r.min_confidence,
                cooldown_s=r.cooldown_s,
                when=r.when.value,
                zone=r.zone,
            )
            for r in rule_specs(area=camera.area, overrides=camera.rule_overrides)
        ],
        public=camera.public,
        public_token=camera.public_token if camera.public else None,
        enabled=camera.enabled,
        analysis_fps=camera.analysis_fps,
        person_model=camera.person_model,
        state=camera.state.value,
        state_message=camera.state_message,
        state_since=camera.state_since,
        last_frame_at=camera.last_frame_at,
        fps=camera.fps,
        drops=camera.drops,
        false_alarm_rate=rate.rate,
        version=camera.version,
    )


# Alerts -------------------------------------------------------------------------------------


@router.get("/alerts", response_model=AlertPage)
def list_alerts(
    session: DbSession,
    principal: SignedIn,
    business_id: int | None = None,
    camera_id: int | None = None,
    status: AlertStatus | None = None,
    kind: AlertKind | None = None,
    alert_class: AlertClass | None = None,
    since: date | None = None,
    until: date | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 20,
) -> AlertPage:
    """The alerts the caller may see, the latest first (``since``/``until``: local days)."""
    result = service.list_alerts(
        session=session,
        actor=principal,
        filters=AlertFilter(
            business_id=business_id,
            camera_id=camera_id,
            status=status,
            kind=kind,
            alert_class=alert_class,
            since=since,
            until=until,
        ),
        page=PageRequest(page, per_page),
    )
    return AlertPage(
        items=[_alert(principal, a, camera, business) for a, camera, business in result.items],
        total=result.total,
        page=result.page,
        per_page=result.request.per_page,
        pages=result.pages,
    )


@router.get("/alerts/{alert_id}", response_model=AlertDetail)
def get_alert(session: DbSession, principal: SignedIn, alert_id: int) -> AlertDetail:
    """One alert with its evidence (each file's SHA-256) and what was done with it."""
    return _detail(session, principal, alert_id)


@router.post("/alerts/{alert_id}/actions", response_model=AlertDetail)
def act_on_alert(
    session: DbSession, principal: SignedIn, alert_id: int, body: ActionIn
) -> AlertDetail:
    """Answer an alert (the business) or review it (the regulator); 409 when the alert is
    past that step, 403 for a role that may not take it."""
    if body.action == "acknowledge":
        service.acknowledge(session=session, actor=principal, alert_id=alert_id, note=body.note)
    elif body.action == "rectify":
        service.rectify(session=session, actor=principal, alert_id=alert_id, note=body.note)
    elif body.action == "explain":
        service.explain(session=session, actor=principal, alert_id=alert_id, note=body.note)
    elif body.action == "confirm":
        service.confirm(session=session, actor=principal, alert_id=alert_id, note=body.note)
    else:
        service.mark_false_alarm(
            session=session, actor=principal, alert_id=alert_id, reason=body.note
        )
    return _detail(session, principal, alert_id)


def _alert(
    principal: Principal, alert: KitchenAlert, camera_name: str, business_name: str
) -> AlertRead:
    return AlertRead(
        id=alert.id,
        camera_id=alert.camera_id,
        camera_name=camera_name,
        business_id=alert.business_id,
        business_name=business_name,
        area=alert.area.value,
        alert_class=alert.alert_class.value,
        kind=alert.kind.value,
        confidence=alert.confidence,
        model=alert.model,
        model_sha256=alert.model_sha256,
        boxes=alert.boxes,
        started_at=alert.started_at,
        confirmed_at=alert.confirmed_at,
        ended_at=alert.ended_at,
        status=alert.status.value,
        case_id=alert.case_id if principal.is_regulator else None,
    )


def _file(row: EvidenceFile) -> FileRead:
    return FileRead(
        token=row.token,
        file_name=row.original_name,
        media_type=row.media_type,
        size=row.size,
        sha256=row.sha256,
        url=f"/evidence/{row.token}/original",
    )


def _detail(session: DbSession, principal: Principal, alert_id: int) -> AlertDetail:
    shown = service.alert_file(session=session, actor=principal, alert_id=alert_id)
    base = _alert(principal, shown.alert, shown.camera.name, shown.business.name)
    return AlertDetail(
        **base.model_dump(),
        files=[_file(f) for f in shown.files],
        clip_note=shown.alert.clip_note,
        actions=[
            ActionRead(
                action=a.action.value,
                actor=a.actor_label,
                note=a.note,
                at=a.at,
                files=[_file(f) for f in shown.action_files.get(a.id, [])],
            )
            for a in shown.actions
        ],
        review_note=shown.alert.review_note,
        case_reference=shown.case.reference if shown.case is not None else None,
    )


# Statistics and rules -----------------------------------------------------------------------


@router.get("/statistics", response_model=KitchenStatisticsRead)
def kitchen_statistics(
    session: DbSession,
    principal: SignedIn,
    since: date | None = None,
    until: date | None = None,
    business_id: int | None = None,
) -> KitchenStatisticsRead:
    """Alert counts by area, class, kind, status, day, week and business, and each
    camera's false-alarm rate (the last 30 days by default)."""
    stats = statistics.kitchen_statistics(
        session=session, actor=principal, since=since, until=until, business_id=business_id
    )

    def tallies(rows: list[statistics.Tally]) -> list[TallyRead]:
        return [TallyRead(key=t.key, count=t.count) for t in rows]

    return KitchenStatisticsRead(
        since=stats.since,
        until=stats.until,
        total=stats.total,
        by_area=tallies(stats.by_area),
        by_class=tallies(stats.by_class),
        by_kind=tallies(stats.by_kind),
        by_status=tallies(stats.by_status),
        by_day=tallies(stats.by_day),
        by_week=tallies(stats.by_week),
        by_business=[
            BusinessTallyRead(
                business_id=b.business_id,
                business_name=b.business_name,
                alerts=b.alerts,
                confirmed=b.confirmed,
            )
            for b in stats.by_business
        ],
        false_alarms=[
            CameraFalseAlarmsRead(
                camera_id=c.camera_id,
                camera_name=c.camera_name,
                business_name=c.business_name,
                alerts=c.alerts,
                reviewed=c.reviewed,
                false_alarms=c.false_alarms,
                rate=c.rate,
            )
            for c in stats.false_alarms
        ],
    )


@router.get("/rules", response_model=list[RuleDefaultRead])
def rule_table(principal: SignedIn) -> list[RuleDefaultRead]:
    """The alert rules, their defaults, the areas they apply in and their sources."""
    return [
        RuleDefaultRead(
            alert_class=d.alert_class.value,
            detect_cls=d.detect_cls,
            n=d.n,
            m=d.m,
            min_confidence=d.min_confidence,
            cooldown_s=d.cooldown_s,
            when=d.when.value,
            citation=d.citation,
            source_status=d.source_status,
            rule_summary=d.rule_summary,
            areas=[area.value for area, classes in AREA_RULES.items() if d.alert_class in classes],
        )
        for d in CATALOGUE.values()
    ]
