"""Government portal: problems by checklist item (which items fail most, by area and
business form, with charts), and the inspections that failed one item."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.inspections import problems
from sunshine.inspections.problems_repository import ProblemFilter
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Regulator
from sunshine.portals.shared.labels import label
from sunshine.portals.shared.templating import render
from sunshine.regions import repository as regions_repo
from sunshine.regions import service as regions_service
from sunshine.registry.enums import BusinessForm

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
CHART_ROWS = 15


def _filters(request: Request, session: DbSession) -> ProblemFilter:
    problems_found: list[FieldProblem] = []
    area = None
    code = request.query_params.get("area")
    if code:
        region = regions_repo.get_region(session, code) if code.isdigit() else None
        if region is None:
            problems_found.append(FieldProblem("area", N_("a region code has 6 or 9 digits")))
        else:
            area = (region.level, region.code)
    since_default, until_default = problems.this_year()
    since = forms.query_date(request, "since", problems_found) or since_default
    until = forms.query_date(request, "until", problems_found) or until_default
    if since > until:
        problems_found.append(
            FieldProblem("until", N_("the end of the period comes after its start"))
        )
    item_id = None
    raw_item = request.query_params.get("item")
    if raw_item:
        if raw_item.isdigit():
            item_id = int(raw_item)
        else:
            problems_found.append(FieldProblem("item", N_("not a checklist item")))
    form = forms.query_choice(request, "form", BusinessForm, problems_found)
    if problems_found:
        raise ValidationFailed(problems_found)
    return ProblemFilter(since=since, until=until, area=area, form=form, item_id=item_id)


def _query(filters: ProblemFilter, **extra: object) -> str:
    """The filters as a query string (links keep the period, area and form)."""
    params: dict[str, object] = {
        "since": filters.since.isoformat(),
        "until": filters.until.isoformat(),
    }
    if filters.area:
        params["area"] = filters.area[1]
    if filters.form:
        params["form"] = filters.form.value
    params.update({k: v for k, v in extra.items() if v is not None})
    return urlencode(params)


@router.get("/inspections/problems")
def problem_page(request: Request, session: DbSession, principal: Regulator) -> Response:
    """Which checklist items fail most in the jurisdiction over the period."""
    filters = _filters(request, session)
    report = problems.problem_report(session=session, actor=principal, filters=filters)
    return render(
        request,
        "gov/gov_problems.html",
        {
            "report": report,
            "filters": filters,
            "areas": regions_service.areas_within(session=session, actor=principal),
            "forms": list(BusinessForm),
            "form_names": {f.value: label(f) for f in BusinessForm},
            "query": _query(filters),
            "query_with": lambda **extra: _query(filters, **extra),
            "chart_rows": CHART_ROWS,
        },
    )


@router.get("/inspections/problems/items/{item_id}")
def failing_inspections(
    request: Request, session: DbSession, principal: Regulator, item_id: int
) -> Response:
    """The inspections of the jurisdiction that failed one item over the period."""
    filters = _filters(request, session)
    item, page = problems.failing_inspections(
        session=session,
        actor=principal,
        filters=filters,
        item_id=item_id,
        page=PageRequest(forms.page_number(request), PER_PAGE),
    )
    return render(
        request,
        "gov/gov_problems_item.html",
        {"item": item, "result": page, "filters": filters, "query": _query(filters)},
    )
