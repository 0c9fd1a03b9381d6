"""Public portal: published 双随机 draws (/draws) with their businesses and, once inspected,
the results, and each draw's document for repeating it (/draws/{reference}.json)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.inspections import draw_views
from sunshine.portals.government.plans_routes import RESULT_NAMES
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import CurrentPrincipal, DbSession
from sunshine.portals.shared.templating import render

router = APIRouter(include_in_schema=False)
#: Where a drawn business's inspection stands, as the public reads it.
STANDING = {
    "open": N_("Not inspected yet"),
    "done": N_("Inspected"),
    "cancelled": N_("Cancelled"),
}


@router.get("/draws")
def published_draws(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    listed = draw_views.published_draws(
        session=session, page=PageRequest(forms.page_number(request), 20)
    )
    return render(
        request,
        "public/draws.html",
        {
            "result": listed,
            "office_names": draw_views.office_names(session=session, draws=listed.items),
        },
    )


@router.get("/draws/{reference}.json")
def draw_document(session: DbSession, reference: str) -> Response:
    """Everything needed to repeat a published draw (see ``sunshine.inspections.draws``)."""
    document = draw_views.public_document(session=session, reference=reference)
    return JSONResponse(
        document,
        headers={"Content-Disposition": f'inline; filename="{reference}.json"'},
    )


@router.get("/draws/{reference}")
def published_draw(
    request: Request, session: DbSession, principal: CurrentPrincipal, reference: str
) -> Response:
    shown = draw_views.public_draw(
        session=session, reference=reference, page=PageRequest(forms.page_number(request), 50)
    )
    return render(
        request,
        "public/draw_detail.html",
        {
            "shown": shown,
            "result": shown.rows,
            "task_status_names": STANDING,
            "result_names": RESULT_NAMES,
        },
    )
