"""Enterprise portal: the business's rectification orders (责令整改) and its answers.

* ``/biz/rectification``: the orders the business was given, the open ones first (a chain HQ
  adds ``?business=<id>`` to read an outlet's);
* ``/biz/rectification/{id}``: one order with each failed item, the deadline, where it stands,
  every answer with the regulator's review, and, for the store's owner or manager while the
  order waits for them, the answer form: per item, what was done, with photos or PDFs.

A refused answer comes back with what was typed and every problem named; nothing is kept.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from sunshine.auth.principal import Principal
from sunshine.core import evidence
from sunshine.core.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.time import today_local
from sunshine.inspections import rectification
from sunshine.inspections.rectification_enums import OrderState
from sunshine.inspections.service import KIND_LABELS, RESULT_LABELS
from sunshine.portals.shared.deps import DbSession, Enterprise, check_csrf
from sunshine.portals.shared.forms import with_upload_form
from sunshine.portals.shared.imports_routes import reject_oversized
from sunshine.portals.shared.templating import render, translator
from sunshine.registry import service as registry

router = APIRouter(include_in_schema=False)
Upload = [Depends(reject_oversized), Depends(check_csrf)]


def _selected(request: Request) -> int | None:
    raw = request.query_params.get("business")
    if not raw:
        return None
    if not raw.isdigit():
        raise NotFoundError(N_("No such business"))
    return int(raw)


def labels() -> dict[str, Any]:
    """What the rectification pages need to name values."""
    return {
        "state_labels": rectification.STATE_LABELS,
        "status_labels": rectification.STATUS_LABELS,
        "event_labels": rectification.EVENT_LABELS,
        "closed_by_labels": rectification.CLOSED_BY_LABELS,
        "result_labels": RESULT_LABELS,
        "kind_labels": KIND_LABELS,
        "max_files": rectification.MAX_FILES_PER_ITEM,
        "action_limit": rectification.ACTION_LIMIT,
    }


@router.get("/rectification")
def order_list(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = registry.enterprise_business(
        session=session, actor=principal, business_id=_selected(request)
    )
    orders = rectification.business_orders(session=session, actor=principal, business=business)
    today = today_local()
    return render(
        request,
        "biz/rectification.html",
        {
            "current": business,
            "own_business": business.id == principal.business_id,
            "orders": sorted(orders, key=lambda o: (o.state is not OrderState.OPEN, o.rectify_by)),
            "status_of": lambda o: rectification.public_status(o, today),
            "today": today,
            **labels(),
        },
    )


def _field_labels(request: Request, shown: rectification.OrderFile) -> dict[str, str]:
    _ = translator(request)
    names = {"note": _("Remarks")}
    for n, (row, _item) in enumerate(shown.items):
        names[f"items[{n}].action"] = _("Item {code}: what was done", code=row.code)
        names[f"items[{n}].files"] = _("Item {code}: photos or PDFs", code=row.code)
    return names


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
    flash = None
    if request.query_params.get("answered"):
        flash = translator(request)("Your answer has been sent to the regulator for review.")
    return render(
        request,
        "biz/rectification_detail.html",
        {
            "current": shown.business,
            "own_business": shown.business.id == principal.business_id,
            "shown": shown,
            "order": shown.order,
            "answering": rectification.may_answer(principal, shown.order),
            "values": values or {},
            "errors": errors or [],
            "field_labels": _field_labels(request, shown),
            "alert": alert,
            "flash": flash,
            "today": today_local(),
            **labels(),
        },
        status_code=status_code,
    )


@router.get("/rectification/{order_id}")
def order_detail(
    request: Request, session: DbSession, principal: Enterprise, order_id: int
) -> Response:
    return _detail_page(request, session, principal, order_id)


@router.post("/rectification/{order_id}/answer", dependencies=Upload)
async def send_answer(
    request: Request, session: DbSession, principal: Enterprise, order_id: int
) -> Response:
    return await with_upload_form(
        request, partial(_send_answer, request, session, principal, order_id)
    )


def _send_answer(
    request: Request, session: DbSession, principal: Principal, order_id: int, form: FormData
) -> Response:
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    version = values.get("expected_version", "")
    items = []
    count = values.get("item_count", "")
    for n in range(min(int(count), 100) if count.isdigit() else 0):
        raw_id = values.get(f"items-{n}-id", "")
        items.append(
            rectification.ItemAnswerForm(
                order_item_id=int(raw_id) if raw_id.isdigit() else -1,
                action=values.get(f"items-{n}-action", ""),
                uploads=[
                    evidence.Upload(f.filename, f.file)
                    for f in form.getlist(f"items-{n}-files")
                    if isinstance(f, UploadFile) and f.filename
                ],
            )
        )
    try:
        rectification.answer_order(
            session=session,
            actor=principal,
            order_id=order_id,
            form=rectification.AnswerForm(
                expected_version=int(version) if version.isdigit() else -1,
                items=items,
                note=values.get("note", ""),
            ),
        )
    except (ValidationFailed, evidence.EvidenceRejected) as exc:
        session.rollback()  # files already checked for other items go with the rollback
        return _detail_page(
            request,
            session,
            principal,
            order_id,
            values=values,
            errors=exc.problems,
            status_code=exc.status,
        )
    except ConflictError as exc:
        session.rollback()
        return _detail_page(
            request,
            session,
            principal,
            order_id,
            values=values,
            alert=exc.render(translator(request)),
            status_code=409,
        )
    link = f"/biz/rectification/{order_id}?{urlencode({'answered': 1})}"
    return RedirectResponse(link, status_code=303)
