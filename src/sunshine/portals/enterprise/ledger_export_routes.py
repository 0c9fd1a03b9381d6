"""Enterprise portal: the store's ledger exports.

* ``/biz/ledger/export.xlsx?from=&to=`` (and ``export-book.csv``): the store's 台账 of the
  period in the operating norms' layout (a chain HQ names its outlet with ``business=``);
* ``/biz/ledger/fsma.xlsx?from=&to=&lot=`` (and ``fsma.zip``): the FSMA 204-style sortable
  spreadsheet of the businesses the user sees.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sunshine.core.time import today_local
from sunshine.ingredients import exports
from sunshine.portals.government.ledger_views_routes import (
    XLSX,
    file_response,
    fsma_query,
    period_of,
)
from sunshine.portals.shared.deps import DbSession, Enterprise
from sunshine.portals.shared.templating import translator
from sunshine.registry.models import Business
from sunshine.registry.service import enterprise_business

router = APIRouter(include_in_schema=False)


def _store(request: Request, session: DbSession, principal: Enterprise) -> Business:
    raw = request.query_params.get("business") or ""
    return enterprise_business(
        session=session, actor=principal, business_id=int(raw) if raw.isdigit() else None
    )


@router.get("/ledger/export.xlsx")
def book_xlsx(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = _store(request, session, principal)
    path = exports.book_xlsx(
        session=session,
        actor=principal,
        business=business,
        period=period_of(request),
        translate=translator(request),
    )
    return file_response(path, XLSX, f"ledger-{business.public_code}-{today_local()}.xlsx")


@router.get("/ledger/export-book.csv")
def book_csv(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = _store(request, session, principal)
    body = exports.book_csv(
        session=session,
        actor=principal,
        business=business,
        period=period_of(request),
        translate=translator(request),
    )
    name = f"ledger-{business.public_code}-{today_local()}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/ledger/fsma.xlsx")
def fsma_xlsx(request: Request, session: DbSession, principal: Enterprise) -> Response:
    path = exports.fsma_xlsx(session=session, actor=principal, query=fsma_query(request))
    return file_response(path, XLSX, f"fsma204-{today_local()}.xlsx")


@router.get("/ledger/fsma.zip")
def fsma_zip(request: Request, session: DbSession, principal: Enterprise) -> Response:
    path = exports.fsma_zip(session=session, actor=principal, query=fsma_query(request))
    return file_response(path, "application/zip", f"fsma204-{today_local()}.zip")
