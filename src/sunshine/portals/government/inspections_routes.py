"""Government portal: the inspections of the jurisdiction (监督检查记录), filtered; each
opens its printable record (see ``inspector_app_routes``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.inspections import records
from sunshine.inspections.enums import InspectionKind, InspectionResult
from sunshine.inspections.repository import InspectionFilter
from sunshine.inspections.service import KIND_LABELS, RESULT_LABELS
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Regulator
from sunshine.portals.shared.templating import render
from sunshine.regions import repository as regions_repo
from sunshine.regions import service as regions_service

router = APIRouter(include_in_schema=False)
PER_PAGE = 50


def _filters(request: Request, session: DbSession) -> InspectionFilter:
    problems: list[FieldProblem] = []
    area = None
    code = request.query_params.get("area")
    if code:
        region = regions_repo.get_region(session, code) if code.isdigit() else None
        if region is None:
            problems.append(FieldProblem("area", N_("a region code has 6 or 9 digits")))
        else:
            area = (region.level, region.code)
    filters = InspectionFilter(
        area=area,
        result=forms.query_choice(request, "result", InspectionResult, problems),
        kind=forms.query_choice(request, "kind", InspectionKind, problems),
        since=forms.query_date(request, "since", problems),
        until=forms.query_date(request, "until", problems),
        business=(request.query_params.get("q") or "").strip()[:100] or None,
    )
    if problems:
        raise ValidationFailed(problems)
    return filters


@router.get("/inspections")
def inspections(request: Request, session: DbSession, principal: Regulator) -> Response:
    """The inspections of the jurisdiction, the latest first."""
    listed = records.list_inspections(
        session=session,
        actor=principal,
        filters=_filters(request, session),
        page=PageRequest(forms.page_number(request), PER_PAGE),
    )
    return render(
        request,
        "gov/inspections.html",
        {
            "result": listed,
            "areas": regions_service.areas_within(session=session, actor=principal),
            "query": request.query_params,
            "results": RESULT_LABELS,
            "kinds": KIND_LABELS,
        },
    )
