"""Government portal: rectification orders (责令整改) of the jurisdiction.

* ``/gov/rectification?tab=``: open, answered (awaiting review), overdue, closed and filed
  orders, with counts;
* ``/gov/rectification/{id}``: one order with its items, the business's answers and files, its
  timeline; the desk review form (accept, or send back with a reason and perhaps a new
  deadline) while an answer waits; a link to record a follow-up inspection in the inspector
  app; and, for the head of the office when the order may be filed, the filing form (立案)
  with the four conditions of penalty procedure art. 19.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sunshine.auth.principal import Principal
from sunshine.core.errors import ConflictError, FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.time import today_local
from sunshine.inspections import rectification
from sunshine.inspections.rectification_repository import TABS
from sunshine.portals.enterprise.rectification_routes import labels
from sunshine.portals.government.case_labels import case_label
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Regulator, check_csrf
from sunshine.portals.shared.templating import render, translator

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
PER_PAGE = 50
TAB_LABELS = {
    "open": N_("Open"),
    "answered": N_("Answered, awaiting review"),
    "overdue": N_("Overdue"),
    "closed": N_("Rectified"),
    "filed": N_("Case filed"),
}
FIELD_LABELS = {
    "reason": N_("Review remarks"),
    "new_deadline": N_("New rectification deadline"),
    "facts": N_("Suspected violation"),
    "order": N_("Rectification order"),
    **{f"conditions.{k}": v for k, v in rectification.FILING_CONDITIONS.items()},
}


def _context(request: Request) -> dict[str, Any]:
    _ = translator(request)
    return {
        **labels(),
        "tab_labels": TAB_LABELS,
        "case_label": case_label,
        "field_label": lambda name: _(FIELD_LABELS[name]) if name in FIELD_LABELS else name,
        "filing_conditions": rectification.FILING_CONDITIONS,
        "filing_source": rectification.FILING_SOURCE,
    }


@router.get("/rectification")
def order_list(request: Request, session: DbSession, principal: Regulator) -> Response:
    tab = request.query_params.get("tab", "open")
    if tab not in TABS:
        tab = "open"
    listed = rectification.list_orders(
        session=session,
        actor=principal,
        tab=tab,
        page=PageRequest(forms.page_number(request), PER_PAGE),
    )
    today = today_local()
    return render(
        request,
        "gov/gov_rectification.html",
        {
            "tab": tab,
            "result": listed,
            "counts": rectification.tab_counts(session=session, actor=principal),
            "today": today,
            "may_file": lambda o: rectification.may_be_filed(o, today),
            **_context(request),
        },
    )


def _detail_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    order_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> Response:
    shown = rectification.order_file(session=session, actor=principal, order_id=order_id)
    _ = translator(request)
    flash = {
        "accepted": _("The answer is accepted; the order is closed."),
        "rejected": _("The answer is sent back to the business."),
        "filed": _("The enforcement case is filed."),
    }.get(request.query_params.get("done", ""))
    return render(
        request,
        "gov/gov_rectification_detail.html",
        {
            "shown": shown,
            "order": shown.order,
            "may_file_now": shown.may_file and principal.role in rectification.FILING_ROLES,
            "values": values or {},
            "errors": errors or [],
            "alert": alert,
            "flash": flash,
            "today": today_local(),
            **_context(request),
        },
        status_code=status_code,
    )


@router.get("/rectification/{order_id}")
def order_detail(
    request: Request, session: DbSession, principal: Regulator, order_id: int
) -> Response:
    return _detail_page(request, session, principal, order_id)


def _version(values: dict[str, Any]) -> int:
    raw = values.get("expected_version") or ""
    return int(raw) if raw.isdigit() else -1


@router.post("/rectification/{order_id}/review", dependencies=Csrf)
def review(
    request: Request,
    session: DbSession,
    principal: Regulator,
    order_id: int,
    values: forms.FormValues,
) -> Response:
    accept = values.get("decision") == "accept"
    try:
        deadline = _deadline(values.get("new_deadline"))
        rectification.review_answer(
            session=session,
            actor=principal,
            order_id=order_id,
            form=rectification.ReviewForm(
                expected_version=_version(values),
                accept=accept,
                reason=values.get("reason") or "",
                new_deadline=deadline,
            ),
        )
    except (ValidationFailed, ConflictError) as exc:
        session.rollback()
        return _refused(request, session, principal, order_id, values, exc)
    done = "accepted" if accept else "rejected"
    return RedirectResponse(f"/gov/rectification/{order_id}?done={done}", status_code=303)


def _refused(
    request: Request,
    session: DbSession,
    principal: Principal,
    order_id: int,
    values: forms.FormValues,
    exc: ValidationFailed | ConflictError,
) -> Response:
    """The order again with what was refused: each field's problem (422), or why someone
    else's change came first (409)."""
    if isinstance(exc, ValidationFailed):
        return _detail_page(
            request,
            session,
            principal,
            order_id,
            values=values,
            errors=exc.problems,
            status_code=422,
        )
    return _detail_page(
        request,
        session,
        principal,
        order_id,
        values=values,
        alert=exc.render(translator(request)),
        status_code=409,
    )


def _deadline(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationFailed(
            [
                FieldProblem(
                    "new_deadline",
                    N_("'{value}' is not a date (YYYY-MM-DD)"),
                    params={"value": raw},
                )
            ]
        ) from exc


@router.post("/rectification/{order_id}/file", dependencies=Csrf)
def file_case(
    request: Request,
    session: DbSession,
    principal: Regulator,
    order_id: int,
    values: forms.FormValues,
) -> Response:
    conditions = frozenset(
        k for k in rectification.FILING_CONDITIONS if values.get(f"condition_{k}")
    )
    try:
        case = rectification.file_case(
            session=session,
            actor=principal,
            order_id=order_id,
            form=rectification.FilingForm(
                expected_version=_version(values),
                facts=str(values.get("facts") or ""),
                conditions=conditions,
            ),
        )
    except (ValidationFailed, ConflictError) as exc:
        session.rollback()
        return _refused(request, session, principal, order_id, values, exc)
    return RedirectResponse(f"/gov/enforcement/{case.id}?filed=1", status_code=303)
