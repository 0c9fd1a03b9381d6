"""Enterprise portal: the batch recalls (批次召回) the business holds — its to-dos.

* ``/biz/recalls``: the recalls of lots the business (a chain HQ: its outlets) received,
  open ones first, with whether each is acknowledged;
* ``/biz/recalls/{id}``: one recall, and for the store's owner or manager the form that
  acknowledges it and reports what was kept apart, destroyed or returned.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sunshine.auth.principal import Principal
from sunshine.core.errors import ConflictError, FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Enterprise, check_csrf
from sunshine.portals.shared.templating import render, translator
from sunshine.traceability import recall, trace_views
from sunshine.traceability.recall_enums import recall_label

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
FIELD_LABELS = {
    "kept": N_("Quantity kept apart"),
    "destroyed": N_("Quantity destroyed"),
    "returned": N_("Quantity returned to the supplier"),
    "note": N_("Note"),
}


def _context(request: Request) -> dict[str, Any]:
    _ = translator(request)
    return {
        "field_label": lambda name: _(FIELD_LABELS[name]) if name in FIELD_LABELS else name,
        "recall_label": recall_label,
        "quantity_text": trace_views.quantity_text,
        "local_day": trace_views.local_day,
    }


@router.get("/recalls")
def recall_list(request: Request, session: DbSession, principal: Enterprise) -> Response:
    rows = recall.holdings(session=session, actor=principal)
    return render(request, "biz/recalls.html", {"rows": rows, **_context(request)})


def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    recall_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> Response:
    holder, found, business = recall.holding(session=session, actor=principal, recall_id=recall_id)
    _ = translator(request)
    flash = _("Thank you: your answer is recorded.") if request.query_params.get("done") else None
    return render(
        request,
        "biz/recall_detail.html",
        {
            "h": holder,
            "r": found,
            "business": business,
            "may_respond": principal.role in recall.RESPONDERS
            and holder.business_id == principal.business_id
            and found.closed_at is None,
            "values": values or {},
            "errors": errors or [],
            "alert": alert,
            "flash": flash,
            **_context(request),
        },
        status_code=status_code,
    )


@router.get("/recalls/{recall_id:int}")
def recall_detail(
    request: Request, session: DbSession, principal: Enterprise, recall_id: int
) -> Response:
    return _page(request, session, principal, recall_id)


@router.post("/recalls/{recall_id:int}/respond", dependencies=Csrf)
def respond(
    request: Request,
    session: DbSession,
    principal: Enterprise,
    recall_id: int,
    values: forms.FormValues,
) -> Response:
    form = recall.ResponseForm(
        kept=values.get("kept") or "",
        destroyed=values.get("destroyed") or "",
        returned=values.get("returned") or "",
        note=values.get("note") or "",
    )
    try:
        recall.respond(session=session, actor=principal, recall_id=recall_id, form=form)
    except ValidationFailed as exc:
        session.rollback()
        return _page(
            request,
            session,
            principal,
            recall_id,
            values=values,
            errors=exc.problems,
            status_code=422,
        )
    except ConflictError as exc:
        session.rollback()
        return _page(
            request,
            session,
            principal,
            recall_id,
            values=values,
            alert=exc.render(translator(request)),
            status_code=409,
        )
    return RedirectResponse(f"/biz/recalls/{recall_id}?done=1", status_code=303)
