"""Government portal: trace (溯源) and batch recalls (批次召回).

* ``/gov/trace``: the form (a lot, a ledger line or a supplier's code with a period; a
  direction and a depth) and the result: the graph as inline SVG drawn on the server
  (tiers left to right, businesses as boxes linking to ``/gov/businesses/{id}``, lots as
  labelled edges) and the table of every business touched;
* ``POST /gov/recalls``: mark the traced lot recalled (reason, level, scope);
* ``/gov/recalls`` and ``/gov/recalls/{id}``: the recalls the regulator sees, and one
  recall with each holder's acknowledgement and report;
* ``POST /gov/recalls/{id}/close``: close the recall and its case (with a reason while a
  holder has not acknowledged it).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sunshine.auth.principal import Principal
from sunshine.core.errors import (
    ConflictError,
    FieldProblem,
    NotFoundError,
    ValidationFailed,
)
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.time import to_local
from sunshine.portals.government.case_labels import case_label
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Regulator, check_csrf
from sunshine.portals.shared.templating import render, translator
from sunshine.traceability import recall, trace, trace_views
from sunshine.traceability.recall_enums import RecallLevel, recall_label

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
PER_PAGE = 50
FIELD_LABELS = {
    "lot": N_("Lot (batch) identifier"),
    "line": N_("Ledger line number"),
    "supplier": N_("Supplier code"),
    "from": N_("Shipped from"),
    "to": N_("Shipped until"),
    "depth": N_("Trace depth (hops)"),
    "reason": N_("Reason for the recall"),
    "level": N_("Recall level"),
    "scope": N_("Recall scope"),
    "close_reason": N_("Why the recall is closed"),
}
DIRECTION_LABELS = {
    trace.Direction.BACKWARD: N_("Backward: where it came from"),
    trace.Direction.FORWARD: N_("Forward: where it went"),
    trace.Direction.BOTH: N_("Both directions"),
}


def _context(request: Request) -> dict[str, Any]:
    _ = translator(request)
    return {
        "field_label": lambda name: _(FIELD_LABELS[name]) if name in FIELD_LABELS else name,
        "direction_labels": DIRECTION_LABELS,
        "recall_label": recall_label,
        "recall_levels": list(RecallLevel),
        "case_label": case_label,
        "lot_label": trace_views.lot_label,
        "quantity_text": trace_views.quantity_text,
        "local_day": trace_views.local_day,
        "box_w": trace_views.BOX_W,
        "col_w": trace_views.COL_W,
        "box_h": trace_views.BOX_H,
    }


def _day(problems: list[FieldProblem], name: str, raw: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(FieldProblem(name, N_("Enter a date as YYYY-MM-DD.")))
        return None


def _query(values: dict[str, str]) -> tuple[dict[str, Any], list[FieldProblem]]:
    problems: list[FieldProblem] = []
    line = values.get("line", "").strip()
    if line and not line.isdigit():
        problems.append(FieldProblem("line", N_("Enter the number of a ledger line.")))
    depth_raw = values.get("depth", "3").strip() or "3"
    depth = int(depth_raw) if depth_raw.isdigit() else 0
    try:
        direction = trace.Direction(values.get("direction") or "both")
    except ValueError:
        direction = trace.Direction.BOTH
    period = (
        _day(problems, "from", values.get("from", "")),
        _day(problems, "to", values.get("to", "")),
    )
    return {
        "lot": values.get("lot", "").strip() or None,
        "line_id": int(line) if line.isdigit() else None,
        "supplier": values.get("supplier", "").strip() or None,
        "period": period,
        "direction": direction,
        "depth": depth,
    }, problems


@router.get("/trace")
def trace_page(request: Request, session: DbSession, principal: Regulator) -> Response:
    values = {k: v for k, v in request.query_params.items()}
    context: dict[str, Any] = {"values": values, "errors": [], "alert": None, "result": None}
    asked = any(values.get(k) for k in ("lot", "line", "supplier"))
    status_code = 200
    if asked:
        query, problems = _query(values)
        try:
            if problems:
                raise ValidationFailed(problems)
            start = trace.resolve_start(
                session,
                lot=query["lot"],
                line_id=query["line_id"],
                supplier=query["supplier"],
                period=query["period"],
            )
            result = trace.trace(
                session=session,
                actor=principal,
                start=start,
                direction=query["direction"],
                depth=query["depth"],
            )
            context["result"] = result
            context["drawing"] = trace_views.drawing(result)
            context["rows"] = result.table()
            context["recall_lot"] = start.lots[0] if len(start.lots) == 1 else None
            if context["recall_lot"] is not None:
                under = recall.open_recall_of(
                    session=session, actor=principal, lot=context["recall_lot"]
                )
                context["open_recall"] = under
                if under is not None:
                    context["open_recall_day"] = to_local(under.created_at).date().isoformat()
        except ValidationFailed as exc:
            context["errors"] = exc.problems
            status_code = 422
        except NotFoundError as exc:
            context["alert"] = exc.render(translator(request))
            status_code = 404
    return render(
        request, "gov/gov_trace.html", {**context, **_context(request)}, status_code=status_code
    )


@router.get("/recalls")
def recall_list(request: Request, session: DbSession, principal: Regulator) -> Response:
    listed = recall.list_recalls(
        session=session, actor=principal, page=PageRequest(forms.page_number(request), PER_PAGE)
    )
    return render(
        request,
        "gov/gov_recalls.html",
        {
            "result": listed,
            "counts": recall.counts_of(session=session, recalls=list(listed.items)),
            **_context(request),
        },
    )


@router.post("/recalls", dependencies=Csrf)
def recall_create(
    request: Request, session: DbSession, principal: Regulator, values: forms.FormValues
) -> Response:
    form = recall.RecallForm(
        lot=values.get("lot") or "",
        reason=values.get("reason") or "",
        level=values.get("level") or "",
        scope=values.get("scope") or "",
        product_label=values.get("product_label") or "",
    )
    try:
        opened = recall.open_recall(session=session, actor=principal, form=form)
    except (ValidationFailed, ConflictError, NotFoundError) as exc:
        session.rollback()
        return _refused(request, principal, values, exc)
    return RedirectResponse(f"/gov/recalls/{opened.id}?done=opened", status_code=303)


def _refused(
    request: Request,
    principal: Principal,
    values: forms.FormValues,
    exc: ValidationFailed | ConflictError | NotFoundError,
) -> Response:
    """The recall form again (on the trace page's place) with what was refused."""
    del principal
    errors = exc.problems if isinstance(exc, ValidationFailed) else []
    alert = None if errors else exc.render(translator(request))
    return render(
        request,
        "gov/gov_trace.html",
        {
            "values": {"lot": values.get("lot") or ""},
            "recall_values": dict(values),
            "errors": errors,
            "alert": alert,
            "result": None,
            "recall_lot": values.get("lot") or "",
            **_context(request),
        },
        status_code=422 if errors else (409 if isinstance(exc, ConflictError) else 404),
    )


@router.get("/recalls/{recall_id:int}")
def recall_detail(
    request: Request, session: DbSession, principal: Regulator, recall_id: int
) -> Response:
    return _recall_page(request, session, principal, recall_id)


def _recall_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    recall_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: list[FieldProblem] | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> Response:
    view = recall.get_recall(session=session, actor=principal, recall_id=recall_id)
    _ = translator(request)
    done = request.query_params.get("done")
    flash = {
        "opened": _("The lot is recalled; every holder has been told."),
        "closed": _("The recall is closed; every holder has been told."),
    }.get(done or "")
    return render(
        request,
        "gov/gov_recall_detail.html",
        {
            "view": view,
            "r": view.recall,
            "flash": flash,
            "may_close": recall.may_close(session=session, actor=principal, found=view.recall),
            "close_values": values or {},
            "errors": errors or [],
            "alert": alert,
            **_context(request),
        },
        status_code=status_code,
    )


@router.post("/recalls/{recall_id:int}/close", dependencies=Csrf)
def recall_close(
    request: Request,
    session: DbSession,
    principal: Regulator,
    recall_id: int,
    values: forms.FormValues,
) -> Response:
    """Close the recall and its case (a reason is needed while a holder has not answered)."""
    reason = values.get("close_reason") or ""
    try:
        recall.close_recall(session=session, actor=principal, recall_id=recall_id, reason=reason)
    except (ValidationFailed, ConflictError) as exc:
        session.rollback()
        errors = [
            replace(p, field="close_reason") if p.field == "reason" else p
            for p in (exc.problems if isinstance(exc, ValidationFailed) else [])
        ]
        return _recall_page(
            request,
            session,
            principal,
            recall_id,
            values={"close_reason": reason},
            errors=errors,
            alert=None if errors else exc.render(translator(request)),
            status_code=exc.status,
        )
    return RedirectResponse(f"/gov/recalls/{recall_id}?done=closed", status_code=303)
