"""Government portal: businesses' self-inspection (主体自查) in the jurisdiction.

* ``/gov/selfcheck?month=2026-11``: completion rates per frequency and problem rates by area
  for the month, with the overdue to-dos first in line;
* ``/gov/selfcheck/overdue``: every open to-do past its due date, with business links;
* ``/gov/selfcheck/records/{id}``: one self-inspection with its answers and photos;
* ``/gov/selfcheck/businesses/{id}``: the fragment the business page loads (recent
  self-inspections, open and overdue to-dos).

Everything is scoped to the viewer's jurisdiction by the services.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.time import today_local
from sunshine.inspections import self_stats, self_views
from sunshine.inspections.enums import ItemOutcome
from sunshine.inspections.self_rules import (
    FREQUENCY_LABELS,
    FREQUENCY_SHORT,
    SOURCES,
    SelfCheckFrequency,
)
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Regulator
from sunshine.portals.shared.templating import render

router = APIRouter(include_in_schema=False)
OVERDUE_ON_DASHBOARD = 20
OUTCOME_LABELS = {
    ItemOutcome.PASS: N_("Meets the requirement"),
    ItemOutcome.FAIL: N_("Problem found"),
    ItemOutcome.NOT_APPLICABLE: N_("Not applicable here"),
}


def _month(request: Request) -> date:
    raw = request.query_params.get("month", "")
    if not raw:
        return today_local().replace(day=1)
    try:
        year, month = (int(part) for part in raw.split("-"))
        chosen = date(year, month, 1)
    except ValueError:
        raise ValidationFailed(
            [FieldProblem("month", N_("give the month as YYYY-MM, e.g. 2026-11"))]
        ) from None
    if chosen > today_local():
        raise ValidationFailed([FieldProblem("month", N_("the month has not begun yet"))])
    return chosen


def _months(count: int = 12) -> list[date]:
    first = today_local().replace(day=1)
    out = []
    for _ in range(count):
        out.append(first)
        first = (first.replace(day=1) - date.resolution).replace(day=1)
    return out


@router.get("/selfcheck")
def dashboard(request: Request, session: DbSession, principal: Regulator) -> Response:
    stats = self_stats.statistics(session=session, actor=principal, month=_month(request))
    overdue = self_stats.overdue_todos(
        session=session, actor=principal, page=PageRequest(1, OVERDUE_ON_DASHBOARD)
    )
    return render(
        request,
        "gov/gov_selfcheck.html",
        {
            "stats": stats,
            "overdue": overdue,
            "months": _months(),
            "frequencies": list(SelfCheckFrequency),
            "frequency_labels": FREQUENCY_LABELS,
            "frequency_short": FREQUENCY_SHORT,
            "sources": SOURCES,
            "today": today_local(),
        },
    )


@router.get("/selfcheck/overdue")
def overdue(request: Request, session: DbSession, principal: Regulator) -> Response:
    result = self_stats.overdue_todos(
        session=session, actor=principal, page=PageRequest(forms.page_number(request), 50)
    )
    return render(
        request, "gov/gov_selfcheck_overdue.html", {"result": result, "today": today_local()}
    )


@router.get("/selfcheck/records/{self_inspection_id}")
def record(
    request: Request, session: DbSession, principal: Regulator, self_inspection_id: int
) -> Response:
    shown = self_views.self_inspection_file(
        session=session, actor=principal, self_inspection_id=self_inspection_id
    )
    return render(
        request,
        "gov/gov_selfcheck_detail.html",
        {
            "f": shown,
            "frequency_labels": FREQUENCY_LABELS,
            "outcome_labels": OUTCOME_LABELS,
            "today": today_local(),
        },
    )


@router.get("/selfcheck/businesses/{business_id}")
def business_fragment(
    request: Request, session: DbSession, principal: Regulator, business_id: int
) -> Response:
    summary = self_views.business_summary(session=session, actor=principal, business_id=business_id)
    return render(
        request,
        "gov/gov_selfcheck_business.html",
        {"s": summary, "frequency_short": FREQUENCY_SHORT},
    )
