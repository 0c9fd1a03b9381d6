"""Enterprise portal: the business's kitchen cameras (明厨亮灶) and their alerts.

* ``/biz/kitchen/cameras``: my cameras with their state and last picture; the owner and
  managers add and change them (``/new``, ``/{id}/edit``): address, user name and password
  (never shown again: the form says whether they are set), opening hours, public or not,
  privacy masks and zones drawn over the camera's latest picture (stored as fractions of
  it) with a JSON field beside each drawing for exact values;
* ``/biz/kitchen/cameras/{id}``: live MJPEG, health, recent alerts and rules in force;
* ``/biz/kitchen/alerts`` and ``/biz/kitchen/alerts/{id}``: the alerts, and the answer to
  each one: acknowledge, rectify (what was done, with photos) or explain.

A chain HQ adds ``?business=<outlet id>`` to read an outlet's. A refused form comes back
with what was typed and every problem named beside its field; nothing is kept.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from sunshine.auth.principal import Principal
from sunshine.core import evidence
from sunshine.core.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.kitchen import cameras, live, overview, service, statistics
from sunshine.kitchen.camera_forms import CameraForm, check_camera
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.enums import StreamKind
from sunshine.kitchen.portal_repository import CameraFilter
from sunshine.portals.government.kitchen_routes import (
    alert_filter,
    alert_page,
    kitchen_labels,
    stats_charts,
    stats_period,
)
from sunshine.portals.shared import forms, kitchen_live
from sunshine.portals.shared.deps import DbSession, Enterprise, check_csrf
from sunshine.portals.shared.imports_routes import reject_oversized
from sunshine.portals.shared.templating import render, translator
from sunshine.registry import service as registry
from sunshine.registry.models import Business

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
Upload = [Depends(reject_oversized), Depends(check_csrf)]
CAMERAS_PER_PAGE = 50
ALERTS_PER_PAGE = 30
DAYS = range(7)

STREAM_KIND_LABELS = {
    StreamKind.RTSP: N_("RTSP (most IP cameras and recorders)"),
    StreamKind.HTTP_MJPEG: N_("HTTP MJPEG"),
    StreamKind.HLS: N_("HLS playlist (.m3u8)"),
    StreamKind.FILE: N_("Video file (demonstration only)"),
    StreamKind.IMAGES: N_("Image folder (demonstration only)"),
}
HOURS_MODES = {
    "always": N_("Always open (no after-hours rule)"),
    "daily": N_("The same hours every day"),
    "custom": N_("Weekly windows (JSON)"),
}
#: The form's field names, for the problems the camera check names (``zones[1].polygon``
#: is shown under the zones field).
CAMERA_FIELDS = {
    "name": N_("Camera name"),
    "area": N_("Kitchen area"),
    "stream_kind": N_("Stream kind"),
    "stream_url": N_("Stream address"),
    "username": N_("User name"),
    "password": N_("Password"),
    "operating_hours": N_("Opening hours"),
    "privacy_masks": N_("Privacy masks"),
    "zones": N_("Zones"),
    "rule_overrides": N_("Rule changes"),
    "analysis_fps": N_("Frames analysed per second"),
    "person_model": N_("Person model"),
    "business_id": N_("Business"),
}


async def _raw_form(request: Request) -> dict[str, Any]:
    """The submitted form as typed (a password keeps its spaces), CSRF token removed."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


RawForm = Annotated[dict[str, Any], Depends(_raw_form)]


def _selected(request: Request) -> int | None:
    raw = request.query_params.get("business")
    if not raw:
        return None
    if not raw.isdigit():
        raise NotFoundError(N_("No such business"))
    return int(raw)


def _business(request: Request, session: DbSession, principal: Principal) -> Business:
    return registry.enterprise_business(
        session=session, actor=principal, business_id=_selected(request)
    )


def _context(business: Business, principal: Principal) -> dict[str, Any]:
    return {
        "current": business,
        "own_business": business.id == principal.business_id,
        "editor": principal.can_edit_business,
        "portal": "biz",
        "stream_kind_labels": STREAM_KIND_LABELS,
        "hours_modes": HOURS_MODES,
        "camera_fields": CAMERA_FIELDS,
        **kitchen_labels(),
    }


@router.get("/kitchen")
def kitchen_home() -> Response:
    return RedirectResponse("/biz/kitchen/cameras", status_code=303)


@router.get("/kitchen/cameras")
def my_cameras(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = _business(request, session, principal)
    result = overview.camera_overview(
        session=session,
        actor=principal,
        filters=CameraFilter(business_id=business.id),
        page=PageRequest(forms.page_number(request), CAMERAS_PER_PAGE),
    )
    flash = None
    if request.query_params.get("saved"):
        _ = translator(request)
        flash = _("The camera is saved; the video worker picks it up within a minute.")
    return render(
        request,
        "biz/biz_kitchen_cameras.html",
        {"result": result, "flash": flash, **_context(business, principal)},
    )


# The camera form ----------------------------------------------------------------------------


def _json(values: dict[str, Any], key: str, problems: list[FieldProblem], default: Any) -> Any:
    text = (values.get(key) or "").strip()
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError as exc:
        problems.append(
            FieldProblem(
                key, N_("not valid JSON: {detail}"), code="json", params={"detail": str(exc)}
            )
        )
        return default


def _hours(values: dict[str, Any], problems: list[FieldProblem]) -> Any:
    mode = values.get("hours_mode") or "always"
    if mode == "always":
        return None
    if mode == "daily":
        start, end = values.get("hours_start") or "", values.get("hours_end") or ""
        return [{"day": day, "start": start, "end": end} for day in DAYS]
    return _json(values, "operating_hours", problems, None)


def _fps(values: dict[str, Any], problems: list[FieldProblem]) -> float | None:
    raw = (values.get("analysis_fps") or "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        problems.append(FieldProblem("analysis_fps", N_("a number is expected"), code="type"))
        return None


def _credentials(values: dict[str, Any]) -> tuple[str | None, str | None]:
    """None, None keeps the stored credentials; both empty removes them."""
    username, password = values.get("username") or "", values.get("password") or ""
    if values.get("clear_credentials"):
        return "", ""
    if not username and not password:
        return None, None
    return username, password


def _form(values: dict[str, Any]) -> tuple[CameraForm, list[FieldProblem]]:
    problems: list[FieldProblem] = []
    username, password = _credentials(values)
    form = CameraForm(
        name=values.get("name") or "",
        area=values.get("area") or "",
        stream_kind=values.get("stream_kind") or "",
        stream_url=values.get("stream_url") or "",
        username=username,
        password=password,
        operating_hours=_hours(values, problems),
        privacy_masks=_json(values, "privacy_masks", problems, []),
        zones=_json(values, "zones", problems, []),
        rule_overrides=_json(values, "rule_overrides", problems, None),
        public=bool(values.get("public")),
        enabled=bool(values.get("enabled")),
        analysis_fps=_fps(values, problems),
        person_model=values.get("person_model") or "person",
    )
    return form, problems


def _values_of(camera: KitchenCamera) -> dict[str, Any]:
    """The edit form's values from a stored camera (never its credentials)."""
    hours = camera.operating_hours
    values: dict[str, Any] = {
        "name": camera.name,
        "area": camera.area.value,
        "stream_kind": camera.stream_kind.value,
        "stream_url": camera.stream_url,
        "privacy_masks": json.dumps(camera.privacy_masks),
        "zones": json.dumps(camera.zones, ensure_ascii=False),
        "rule_overrides": json.dumps(camera.rule_overrides, ensure_ascii=False)
        if camera.rule_overrides
        else "",
        "public": camera.public,
        "enabled": camera.enabled,
        "analysis_fps": str(camera.analysis_fps),
        "person_model": camera.person_model,
        "expected_version": str(camera.version),
        "hours_mode": "always",
    }
    if hours:
        spans = {(w.get("start"), w.get("end")) for w in hours}
        if len(hours) == 7 and {w.get("day") for w in hours} == set(DAYS) and len(spans) == 1:
            start, end = spans.pop()
            values.update(hours_mode="daily", hours_start=start, hours_end=end)
        else:
            values.update(
                hours_mode="custom", operating_hours=json.dumps(hours, ensure_ascii=False)
            )
    return values


def _field_of(problem: FieldProblem) -> str:
    return re.split(r"[\[.]", problem.field, maxsplit=1)[0]


def _form_page(
    request: Request,
    business: Business,
    principal: Principal,
    *,
    camera: KitchenCamera | None,
    values: dict[str, Any],
    errors: list[FieldProblem] | None = None,
    alert_message: str | None = None,
    status_code: int = 200,
) -> Response:
    by_field: dict[str, list[FieldProblem]] = {}
    for problem in errors or []:
        field = _field_of(problem)
        if field in ("hours_start", "hours_end"):
            field = "operating_hours"
        by_field.setdefault(field if field in CAMERA_FIELDS else "", []).append(problem)
    return render(
        request,
        "biz/biz_kitchen_camera_form.html",
        {
            "camera": camera,
            "values": values,
            "errors": errors or [],
            "field_errors": by_field,
            "alert_message": alert_message,
            "credentials_set": camera is not None and camera.credentials_encrypted is not None,
            "has_picture": camera is not None and live.has_picture(camera.id),
            **_context(business, principal),
        },
        status_code=status_code,
    )


def _require_editor(principal: Principal) -> None:
    from sunshine.kitchen.access import require_camera_editor

    require_camera_editor(principal)


@router.get("/kitchen/cameras/new")
def new_camera(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = _business(request, session, principal)
    _require_editor(principal)
    values = {"enabled": True, "hours_mode": "daily", "hours_start": "09:00", "hours_end": "22:00"}
    return _form_page(request, business, principal, camera=None, values=values)


def _with_business(path: str, business: Business, principal: Principal) -> str:
    if business.id == principal.business_id:
        return path
    return f"{path}?{urlencode({'business': business.id})}"


@router.post("/kitchen/cameras/new", dependencies=Csrf)
def add_camera(
    request: Request, session: DbSession, principal: Enterprise, values: RawForm
) -> Response:
    business = _business(request, session, principal)
    form, problems = _form(values)
    try:
        if problems:
            raise ValidationFailed(problems + check_camera(form).problems)
        cameras.create_camera(session=session, actor=principal, business_id=business.id, form=form)
    except ValidationFailed as exc:
        session.rollback()
        return _form_page(
            request,
            business,
            principal,
            camera=None,
            values=values,
            errors=exc.problems,
            status_code=422,
        )
    link = _with_business("/biz/kitchen/cameras", business, principal)
    return RedirectResponse(link + ("&" if "?" in link else "?") + "saved=1", status_code=303)


@router.get("/kitchen/cameras/{camera_id}")
def camera_detail(
    request: Request, session: DbSession, principal: Enterprise, camera_id: int
) -> Response:
    shown = overview.camera_file(session=session, actor=principal, camera_id=camera_id)
    return render(
        request,
        "biz/biz_kitchen_camera.html",
        {"shown": shown, "camera": shown.camera, **_context(shown.business, principal)},
    )


@router.get("/kitchen/cameras/{camera_id}/edit")
def edit_camera(
    request: Request, session: DbSession, principal: Enterprise, camera_id: int
) -> Response:
    _require_editor(principal)
    camera = cameras.visible_camera(session, principal, camera_id)
    business = registry.enterprise_business(
        session=session, actor=principal, business_id=camera.business_id
    )
    return _form_page(request, business, principal, camera=camera, values=_values_of(camera))


@router.post("/kitchen/cameras/{camera_id}/edit", dependencies=Csrf)
def save_camera(
    request: Request,
    session: DbSession,
    principal: Enterprise,
    camera_id: int,
    values: RawForm,
) -> Response:
    camera = cameras.visible_camera(session, principal, camera_id)
    business = registry.enterprise_business(
        session=session, actor=principal, business_id=camera.business_id
    )
    form, problems = _form(values)
    raw_version = values.get("expected_version") or ""
    try:
        if problems:
            raise ValidationFailed(problems + check_camera(form).problems)
        cameras.update_camera(
            session=session,
            actor=principal,
            camera_id=camera_id,
            form=form,
            expected_version=int(raw_version) if raw_version.isdigit() else None,
        )
    except ValidationFailed as exc:
        session.rollback()
        return _form_page(
            request,
            business,
            principal,
            camera=camera,
            values=values,
            errors=exc.problems,
            status_code=422,
        )
    except ConflictError as exc:
        session.rollback()
        return _form_page(
            request,
            business,
            principal,
            camera=camera,
            values=values,
            alert_message=exc.render(translator(request)),
            status_code=409,
        )
    link = _with_business("/biz/kitchen/cameras", business, principal)
    return RedirectResponse(link + ("&" if "?" in link else "?") + "saved=1", status_code=303)


@router.get("/kitchen/cameras/{camera_id}/mjpeg")
async def camera_mjpeg(request: Request, principal: Enterprise, camera_id: int) -> Response:
    return await kitchen_live.mjpeg(request, principal, camera_id)


@router.get("/kitchen/cameras/{camera_id}/latest.jpg")
async def camera_latest(principal: Enterprise, camera_id: int) -> Response:
    return await kitchen_live.latest_jpeg(principal, camera_id)


# Alerts -------------------------------------------------------------------------------------


@router.get("/kitchen/alerts")
def my_alerts(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = _business(request, session, principal)
    filters = alert_filter(request)
    result = service.list_alerts(
        session=session,
        actor=principal,
        filters=replace(filters, business_id=business.id),
        page=PageRequest(forms.page_number(request), ALERTS_PER_PAGE),
    )
    return render(
        request,
        "biz/biz_kitchen_alerts.html",
        {"result": result, "filters": filters, **_context(business, principal)},
    )


@router.get("/kitchen/stats")
def kitchen_stats(request: Request, session: DbSession, principal: Enterprise) -> Response:
    """The selected store's alerts by time, behaviour, area and camera, with the share of
    each camera's alerts the regulator found false: what to put right, and where."""
    business = _business(request, session, principal)
    since, until = stats_period(request)
    stats = statistics.kitchen_statistics(
        session=session, actor=principal, since=since, until=until, business_id=business.id
    )
    context = _context(business, principal)
    return render(
        request,
        "shared/kitchen_stats.html",
        {
            "stats": stats,
            "charts": stats_charts(request, stats),
            # The period form keeps a chain's selected store; a store's own page needs none.
            "business_id": None if context["own_business"] else business.id,
            "business_name": business.name,
            **context,
        },
    )


def _alert_page(
    request: Request, session: DbSession, principal: Principal, alert_id: int, **kw: Any
) -> Response:
    return alert_page(request, session, principal, alert_id, "biz/biz_kitchen_alert.html", **kw)


@router.get("/kitchen/alerts/{alert_id}")
def alert_detail(
    request: Request, session: DbSession, principal: Enterprise, alert_id: int
) -> Response:
    return _alert_page(request, session, principal, alert_id)


@router.post("/kitchen/alerts/{alert_id}/answer", dependencies=Upload)
async def answer_alert(
    request: Request, session: DbSession, principal: Enterprise, alert_id: int
) -> Response:
    return await forms.with_upload_form(
        request, partial(_answer, request, session, principal, alert_id)
    )


def _answer(
    request: Request, session: DbSession, principal: Principal, alert_id: int, form: FormData
) -> Response:
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    action = values.get("action", "")
    note = values.get("note", "")
    photos = [
        evidence.Upload(f.filename, f.file)
        for f in form.getlist("photos")
        if isinstance(f, UploadFile) and f.filename
    ]
    try:
        if action == "acknowledge":
            service.acknowledge(session=session, actor=principal, alert_id=alert_id, note=note)
        elif action == "rectify":
            service.rectify(
                session=session, actor=principal, alert_id=alert_id, note=note, photos=photos
            )
        elif action == "explain":
            service.explain(session=session, actor=principal, alert_id=alert_id, note=note)
        else:
            raise ValidationFailed(
                [FieldProblem("action", N_("Choose how to answer"), code="required")]
            )
    except (ValidationFailed, evidence.EvidenceRejected) as exc:
        session.rollback()
        return _alert_page(
            request,
            session,
            principal,
            alert_id,
            values=values,
            errors=exc.problems,
            status_code=exc.status,
        )
    except ConflictError as exc:
        session.rollback()
        return _alert_page(
            request,
            session,
            principal,
            alert_id,
            values=values,
            alert_message=exc.render(translator(request)),
            status_code=409,
        )
    return RedirectResponse(f"/biz/kitchen/alerts/{alert_id}?done={action}", status_code=303)
