"""Government portal: the big ledger (大台账) and the ledger's exports.

* ``/gov/ledger/analytics``: aggregates of the jurisdiction's purchases by category,
  region, supplier and month, with charts;
* ``/gov/ledger/signals``: the risk signals the anomaly rules found (run them now with
  ``POST /gov/ledger/signals/run``; open a lead case from one with
  ``POST /gov/ledger/signals/{id}/case``);
* ``/gov/ledger/export.xlsx?business=&from=&to=`` (and ``export-book.csv``): one store's
  台账 in the operating norms' layout;
* ``/gov/ledger/fsma.xlsx?from=&to=&lot=`` (and ``fsma.zip``, CSV files): the FSMA 204-style
  sortable spreadsheet of the jurisdiction's receipts.
"""

from __future__ import annotations

import json
import os
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.time import today_local
from sunshine.ingredients import analytics, exports
from sunshine.ingredients.enums import SignalRule, SignalStatus
from sunshine.ingredients.rules import DOCUMENT_LABELS
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Regulator, check_csrf
from sunshine.portals.shared.templating import render, translator
from sunshine.registry.service import get_business

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SIGNAL_LABELS = {rule: r.label for rule, r in analytics.RULES.items()}
STATUS_LABELS = {
    SignalStatus.OPEN: N_("Open signal"),
    SignalStatus.CASE_OPENED: N_("Lead case opened"),
}


def period_of(request: Request) -> exports.Period:
    """``from`` and ``to`` of the query string (either may be empty); a bad date is named."""
    problems: list[FieldProblem] = []

    def day(name: str) -> date | None:
        raw = request.query_params.get(name) or ""
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            problems.append(FieldProblem(name, N_("Enter a valid date (YYYY-MM-DD)")))
            return None

    period = exports.Period(day("from"), day("to"))
    if period.date_from and period.date_to and period.date_from > period.date_to:
        problems.append(FieldProblem("to", N_("The end of the period is before its start")))
    if problems:
        raise ValidationFailed(problems)
    return period


def fsma_query(request: Request) -> exports.FsmaQuery:
    period = period_of(request)
    lots = tuple(v.strip() for v in request.query_params.getlist("lot") if v.strip())
    return exports.FsmaQuery(period.date_from, period.date_to, lots[:500])


def file_response(path: str, media_type: str, name: str) -> FileResponse:
    """The temporary file, removed once sent."""
    return FileResponse(
        path,
        media_type=media_type,
        filename=name,
        background=BackgroundTask(os.unlink, path),
    )


def _business_param(request: Request) -> int:
    raw = request.query_params.get("business") or ""
    if not raw.isdigit():
        raise ValidationFailed([FieldProblem("business", N_("Choose the store to export"))])
    return int(raw)


@router.get("/ledger/export.xlsx")
def book_xlsx(request: Request, session: DbSession, principal: Regulator) -> Response:
    """One store's 台账 of the period (a store of the jurisdiction; others are 404)."""
    business = get_business(session=session, actor=principal, business_id=_business_param(request))
    period = period_of(request)
    path = exports.book_xlsx(
        session=session,
        actor=principal,
        business=business,
        period=period,
        translate=translator(request),
    )
    return file_response(path, XLSX, f"ledger-{business.public_code}-{today_local()}.xlsx")


@router.get("/ledger/export-book.csv")
def book_csv(request: Request, session: DbSession, principal: Regulator) -> Response:
    business = get_business(session=session, actor=principal, business_id=_business_param(request))
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
def fsma_xlsx(request: Request, session: DbSession, principal: Regulator) -> Response:
    path = exports.fsma_xlsx(session=session, actor=principal, query=fsma_query(request))
    return file_response(path, XLSX, f"fsma204-{principal.jurisdiction_code}-{today_local()}.xlsx")


@router.get("/ledger/fsma.zip")
def fsma_zip(request: Request, session: DbSession, principal: Regulator) -> Response:
    path = exports.fsma_zip(session=session, actor=principal, query=fsma_query(request))
    name = f"fsma204-{principal.jurisdiction_code}-{today_local()}.zip"
    return file_response(path, "application/zip", name)


def _chart(buckets: list[tuple[str, int]]) -> str:
    return json.dumps(
        {"labels": [b[0] for b in buckets], "values": [b[1] for b in buckets]},
        ensure_ascii=False,
    )


@router.get("/ledger/analytics")
def big_ledger(request: Request, session: DbSession, principal: Regulator) -> Response:
    period = period_of(request)
    data = analytics.big_ledger(
        session=session, actor=principal, date_from=period.date_from, date_to=period.date_to
    )
    _ = translator(request)
    charts = {
        "category": _chart(
            [(_(b.msgid) if b.msgid else b.shown, b.lines) for b in data.by_category]
        ),
        "region": _chart([(b.shown, b.lines) for b in data.by_region]),
        "supplier": _chart([(b.shown, b.lines) for b in data.by_supplier]),
        "month": _chart(data.by_month),
    }
    return render(
        request,
        "gov/ledger_analytics.html",
        {"data": data, "charts": charts, "signal_labels": SIGNAL_LABELS},
    )


@router.get("/ledger/signals")
def signals(request: Request, session: DbSession, principal: Regulator) -> Response:
    q = request.query_params
    status = SignalStatus(q["status"]) if q.get("status") in set(SignalStatus) else None
    rule = SignalRule(q["rule"]) if q.get("rule") in set(SignalRule) else None
    result = analytics.list_signals(
        session=session,
        actor=principal,
        page=PageRequest(forms.page_number(request), 50),
        status=status,
        rule=rule,
    )
    return render(
        request,
        "gov/ledger_signals.html",
        {
            "result": result,
            "signal_labels": SIGNAL_LABELS,
            "status_labels": STATUS_LABELS,
            "rules": analytics.RULES,
            # The missing documents a signal names are stored as their kinds' values.
            "document_labels": {kind.value: text for kind, text in DOCUMENT_LABELS.items()},
            "found": q.get("found"),
        },
    )


@router.post("/ledger/signals/run", dependencies=Csrf)
def run_rules(session: DbSession, principal: Regulator) -> Response:
    created = analytics.run_rules(session=session, actor=principal)
    return RedirectResponse(f"/gov/ledger/signals?found={len(created)}", status_code=303)


@router.post("/ledger/signals/{signal_id:int}/case", dependencies=Csrf)
def open_case(session: DbSession, principal: Regulator, signal_id: int) -> Response:
    case = analytics.open_lead(session=session, actor=principal, signal_id=signal_id)
    return RedirectResponse(f"/gov/cases/{case.id}", status_code=303)
