"""Government portal: Sunshine Kitchen (阳光厨房 / 明厨亮灶) for the jurisdiction.

* ``/gov/kitchen/cameras``: every camera of the jurisdiction with its state, last frame and
  false-alarm rate, filtered by county or street, business, area and state;
* ``/gov/kitchen/cameras/{id}``: one camera: live MJPEG, health spans, recent alerts, the
  rules it runs with their sources, and whether a model is installed for each;
* ``/gov/kitchen/cameras/{id}/mjpeg`` and ``.../latest.jpg``: the live picture;
* ``/gov/kitchen/wall?region=|business=``: a wall of a street's (or a business's) cameras,
  tiles refreshing ``latest.jpg``; a click opens the camera's MJPEG stream;
* ``/gov/kitchen/alerts``: the review queue (filters, pages) and each alert's file
  (snapshots, clip, SHA-256 of each file, the business's answers), where the officer
  confirms the violation or marks a false alarm with its reason;
* ``/gov/kitchen/stats``: alerts by business, area, class and time, with charts.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sunshine.auth.principal import Principal
from sunshine.core.errors import ConflictError, FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.kitchen import overview, service, statistics
from sunshine.kitchen.access import ANSWERING_ROLES
from sunshine.kitchen.enums import AlertClass, AlertKind, AlertStatus, Area, CameraState
from sunshine.kitchen.labels import (
    ALERT_CLASS_LABELS,
    ALERT_KIND_LABELS,
    ALERT_STATUS_LABELS,
    CAMERA_STATE_LABELS,
    KITCHEN_AREA_LABELS,
)
from sunshine.kitchen.portal_repository import CameraFilter
from sunshine.kitchen.repository import AlertFilter
from sunshine.portals.shared import forms, kitchen_live
from sunshine.portals.shared.deps import DbSession, Regulator, check_csrf
from sunshine.portals.shared.templating import render, translator
from sunshine.regions import repository as regions_repo
from sunshine.regions import service as regions_service

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
CAMERAS_PER_PAGE = 30
WALL_TILES = 48
ALERTS_PER_PAGE = 30

DETECTOR_STATE_LABELS = {
    "installed": N_("Model installed"),
    "missing": N_("Model not downloaded yet"),
    "hash_mismatch": N_("Model file rejected (checksum)"),
    "not_installed": N_("Model not installed"),
}
SOURCE_STATUS_LABELS = {
    "verified": N_("verified source"),
    "secondary": N_("secondary source"),
    "unverified": N_("unverified source"),
}
RULE_HOURS_LABELS = {
    "open": N_("while open"),
    "closed": N_("while closed"),
    "always": N_("always"),
}
ACTION_LABELS = {
    "acknowledge": N_("Seen by the business"),
    "rectify": N_("Rectification reported"),
    "explain": N_("Explanation given"),
    "confirm": N_("Violation confirmed"),
    "false_alarm": N_("Marked as a false alarm"),
    "link_case": N_("Taken into a case"),
}
EVIDENCE_NAMES = {
    "snapshot-boxed.jpg": N_("Snapshot with boxes"),
    "snapshot-clean.jpg": N_("Snapshot without boxes"),
}
FIELD_NAMES = {"note": N_("Remarks"), "reason": N_("Reason")}


def kitchen_labels() -> dict[str, Any]:
    """What every kitchen page needs to name values (the enterprise pages use it too)."""
    return {
        "area_labels": KITCHEN_AREA_LABELS,
        "class_labels": ALERT_CLASS_LABELS,
        "kind_labels": ALERT_KIND_LABELS,
        "status_labels": ALERT_STATUS_LABELS,
        "state_labels": CAMERA_STATE_LABELS,
        "detector_labels": DETECTOR_STATE_LABELS,
        "source_labels": SOURCE_STATUS_LABELS,
        "hours_labels": RULE_HOURS_LABELS,
        "action_labels": ACTION_LABELS,
        "evidence_names": EVIDENCE_NAMES,
        "field_names": FIELD_NAMES,
        "unhealthy": {s.value for s in CameraState if s.value not in ("online", "connecting")},
    }


def _int(value: str | None, name: str, problems: list[FieldProblem]) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        problems.append(
            FieldProblem(name, N_("'{value}' is not a valid choice"), params={"value": value})
        )
        return None
    return int(value)


def _camera_filter(request: Request, session: DbSession) -> CameraFilter:
    problems: list[FieldProblem] = []
    code = request.query_params.get("region") or None
    level = None
    if code:
        region = regions_repo.get_region(session, code) if code.isdigit() else None
        if region is None:
            problems.append(FieldProblem("region", N_("a region code has 6 or 9 digits")))
            code = None
        else:
            level = region.level
    business = _int(request.query_params.get("business"), "business", problems)
    area = forms.query_choice(request, "area", Area, problems)
    state = forms.query_choice(request, "state", CameraState, problems)
    if problems:
        raise ValidationFailed(problems)
    return CameraFilter(
        region_level=level, region_code=code, business_id=business, area=area, state=state
    )


@router.get("/kitchen")
def kitchen_home() -> Response:
    return RedirectResponse("/gov/kitchen/cameras", status_code=303)


@router.get("/kitchen/cameras")
def camera_overview(request: Request, session: DbSession, principal: Regulator) -> Response:
    filters = _camera_filter(request, session)
    result = overview.camera_overview(
        session=session,
        actor=principal,
        filters=filters,
        page=PageRequest(forms.page_number(request), CAMERAS_PER_PAGE),
    )
    return render(
        request,
        "gov/gov_kitchen_cameras.html",
        {
            "result": result,
            "filters": filters,
            "areas": regions_service.areas_within(session=session, actor=principal, townships=True),
            "businesses": overview.business_choices(session=session, actor=principal),
            **kitchen_labels(),
        },
    )


@router.get("/kitchen/cameras/{camera_id}")
def camera_detail(
    request: Request, session: DbSession, principal: Regulator, camera_id: int
) -> Response:
    shown = overview.camera_file(session=session, actor=principal, camera_id=camera_id)
    return render(
        request,
        "gov/gov_kitchen_camera.html",
        {"shown": shown, "camera": shown.camera, "portal": "gov", **kitchen_labels()},
    )


@router.get("/kitchen/cameras/{camera_id}/mjpeg")
async def camera_mjpeg(request: Request, principal: Regulator, camera_id: int) -> Response:
    return await kitchen_live.mjpeg(request, principal, camera_id)


@router.get("/kitchen/cameras/{camera_id}/latest.jpg")
async def camera_latest(principal: Regulator, camera_id: int) -> Response:
    return await kitchen_live.latest_jpeg(principal, camera_id)


@router.get("/kitchen/wall")
def camera_wall(request: Request, session: DbSession, principal: Regulator) -> Response:
    filters = _camera_filter(request, session)
    result = overview.camera_overview(
        session=session,
        actor=principal,
        filters=filters,
        page=PageRequest(forms.page_number(request), WALL_TILES),
    )
    title = ""
    if filters.region_code:
        region = regions_repo.get_region(session, filters.region_code)
        title = region.name if region is not None else ""
    elif filters.business_id is not None and result.items:
        title = result.items[0].business_name
    return render(
        request,
        "gov/gov_kitchen_wall.html",
        {
            "result": result,
            "filters": filters,
            "wall_title": title,
            "areas": regions_service.areas_within(session=session, actor=principal, townships=True),
            **kitchen_labels(),
        },
    )


# Alerts -------------------------------------------------------------------------------------


def alert_filter(request: Request) -> AlertFilter:
    """The review queue's filters from the query string (unknown values are refused)."""
    problems: list[FieldProblem] = []
    q = request.query_params
    result = AlertFilter(
        business_id=_int(q.get("business"), "business", problems),
        camera_id=_int(q.get("camera"), "camera", problems),
        status=forms.query_choice(request, "status", AlertStatus, problems),
        kind=forms.query_choice(request, "kind", AlertKind, problems),
        alert_class=forms.query_choice(request, "class", AlertClass, problems),
        area=forms.query_choice(request, "area", Area, problems),
        since=forms.query_date(request, "since", problems),
        until=forms.query_date(request, "until", problems),
    )
    if problems:
        raise ValidationFailed(problems)
    return result


@router.get("/kitchen/alerts")
def alert_queue(request: Request, session: DbSession, principal: Regulator) -> Response:
    filters = alert_filter(request)
    result = service.list_alerts(
        session=session,
        actor=principal,
        filters=filters,
        page=PageRequest(forms.page_number(request), ALERTS_PER_PAGE),
    )
    return render(
        request,
        "gov/gov_kitchen_alerts.html",
        {"result": result, "filters": filters, "portal": "gov", **kitchen_labels()},
    )


def alert_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    alert_id: int,
    template: str,
    *,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    alert_message: str | None = None,
    status_code: int = 200,
) -> Response:
    """One alert's file (the enterprise portal renders it with its own template)."""
    shown = service.alert_file(session=session, actor=principal, alert_id=alert_id)
    _ = translator(request)
    flash = {
        "confirm": _("The violation is confirmed; the business is told."),
        "false_alarm": _("The alert is marked as a false alarm; the reason is kept."),
        "acknowledge": _("You acknowledged the alert."),
        "rectify": _("Your rectification is sent to the regulator."),
        "explain": _("Your explanation is sent to the regulator."),
    }.get(request.query_params.get("done", ""))
    return render(
        request,
        template,
        {
            "shown": shown,
            "alert": shown.alert,
            "camera": shown.camera,
            "values": values or {},
            "errors": errors or [],
            "alert_message": alert_message,
            "flash": flash,
            "may_answer": principal.role in ANSWERING_ROLES,
            **kitchen_labels(),
        },
        status_code=status_code,
    )


@router.get("/kitchen/alerts/{alert_id}")
def alert_detail(
    request: Request, session: DbSession, principal: Regulator, alert_id: int
) -> Response:
    return alert_page(request, session, principal, alert_id, "gov/gov_kitchen_alert.html")


@router.post("/kitchen/alerts/{alert_id}/review", dependencies=Csrf)
def review_alert(
    request: Request,
    session: DbSession,
    principal: Regulator,
    alert_id: int,
    values: forms.FormValues,
) -> Response:
    decision = values.get("decision") or ""
    note = values.get("note") or ""
    try:
        if decision == "confirm":
            service.confirm(session=session, actor=principal, alert_id=alert_id, note=note)
        elif decision == "false_alarm":
            service.mark_false_alarm(
                session=session, actor=principal, alert_id=alert_id, reason=note
            )
        else:
            raise ValidationFailed(
                [FieldProblem("decision", N_("Choose: confirm, or false alarm"), code="required")]
            )
    except ValidationFailed as exc:
        session.rollback()
        errors = [
            FieldProblem("note", p.message, code=p.code, params=p.params)
            if p.field == "reason"
            else p
            for p in exc.problems
        ]
        return alert_page(
            request,
            session,
            principal,
            alert_id,
            "gov/gov_kitchen_alert.html",
            values=values,
            errors=errors,
            status_code=422,
        )
    except ConflictError as exc:
        session.rollback()
        return alert_page(
            request,
            session,
            principal,
            alert_id,
            "gov/gov_kitchen_alert.html",
            values=values,
            alert_message=exc.render(translator(request)),
            status_code=409,
        )
    return RedirectResponse(f"/gov/kitchen/alerts/{alert_id}?done={decision}", status_code=303)


# Statistics ---------------------------------------------------------------------------------


def stats_charts(request: Request, stats: statistics.KitchenStatistics) -> dict[str, str]:
    """The figures of the charts as JSON for ``static/charts.js`` (the tables beside them
    carry the same figures)."""
    _ = translator(request)

    def chart(labels: list[str], values: list[int]) -> str:
        return json.dumps({"labels": labels, "values": values}, ensure_ascii=False)

    # A month or less reads best by day; a longer period by week (Mondays).
    timeline = stats.by_day if (stats.until - stats.since).days <= 31 else stats.by_week
    return {
        "time": chart([t.key for t in timeline], [t.count for t in timeline]),
        "classes": chart(
            [_(ALERT_CLASS_LABELS[AlertClass(t.key)]) for t in stats.by_class],
            [t.count for t in stats.by_class],
        ),
        "areas": chart(
            [_(KITCHEN_AREA_LABELS[Area(t.key)]) for t in stats.by_area],
            [t.count for t in stats.by_area],
        ),
        "businesses": chart(
            [b.business_name for b in stats.by_business], [b.alerts for b in stats.by_business]
        ),
    }


def stats_period(request: Request) -> tuple[date | None, date | None]:
    problems: list[FieldProblem] = []
    since = forms.query_date(request, "since", problems)
    until = forms.query_date(request, "until", problems)
    if problems:
        raise ValidationFailed(problems)
    return since, until


@router.get("/kitchen/stats")
def kitchen_stats(request: Request, session: DbSession, principal: Regulator) -> Response:
    since, until = stats_period(request)
    problems: list[FieldProblem] = []
    business = _int(request.query_params.get("business"), "business", problems)
    if problems:
        raise ValidationFailed(problems)
    stats = statistics.kitchen_statistics(
        session=session, actor=principal, since=since, until=until, business_id=business
    )
    if business is not None and not stats.total:
        # A business outside the jurisdiction reads as one with no alerts: nothing leaks.
        business_name = ""
    else:
        business_name = stats.by_business[0].business_name if business is not None else ""
    return render(
        request,
        "shared/kitchen_stats.html",
        {
            "stats": stats,
            "charts": stats_charts(request, stats),
            "business_id": business,
            "business_name": business_name,
            "portal": "gov",
            **kitchen_labels(),
        },
    )
