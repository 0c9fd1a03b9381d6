"""Government portal: the purchase-ledger lines (进货查验记录) of the businesses in the
regulator's jurisdiction (``/gov/ledger``, filtered by date range, category and product,
exported as CSV), and one line with its documents (``/gov/ledger/{id}``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sunshine.core.pagination import PageRequest
from sunshine.core.time import today_local
from sunshine.ingredients import rules, service, views
from sunshine.ingredients.enums import CATEGORY_LABELS
from sunshine.portals.enterprise.ledger_routes import line_filter
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Regulator
from sunshine.portals.shared.templating import render, translator

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
_CONTEXT = {
    "category_labels": CATEGORY_LABELS,
    "document_rules": rules.DOCUMENTS,
    "test_labels": views.TEST_LABELS,
    "licence_labels": views.LICENCE_LABELS,
    "flag_labels": service.FLAG_LABELS,
    "display_gtin": rules.display_gtin,
}


@router.get("/ledger")
def ledger(request: Request, session: DbSession, principal: Regulator) -> Response:
    """The current ledger lines of the jurisdiction, latest purchase first."""
    result = service.list_lines(
        session=session,
        actor=principal,
        filters=line_filter(request),
        page=PageRequest(forms.page_number(request), PER_PAGE),
        brief=True,
    )
    return render(
        request,
        "gov/ledger.html",
        {
            **_CONTEXT,
            "result": result,
            "names": service.business_names(session=session, lines=result.items),
            "flags": {line.id: service.flags_of(line) for line in result.items},
            "categories": views.category_choices(),
            "export_query": request.url.query,
        },
    )


@router.get("/ledger/export.csv")
def export(request: Request, session: DbSession, principal: Regulator) -> Response:
    lines = service.iter_lines(session=session, actor=principal, filters=line_filter(request))
    name = f"ledger-{principal.jurisdiction_code}-{today_local().isoformat()}.csv"
    return Response(
        views.export_csv(lines, translator(request)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/ledger/{line_id:int}")
def detail(request: Request, session: DbSession, principal: Regulator, line_id: int) -> Response:
    found = service.line_file(session=session, actor=principal, line_id=line_id)
    names = service.business_names(session=session, lines=[found.line])
    return render(
        request,
        "gov/ledger_detail.html",
        {**_CONTEXT, "f": found, "store_name": names.get(found.line.business_id, "")},
    )
