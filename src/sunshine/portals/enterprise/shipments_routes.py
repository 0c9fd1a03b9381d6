"""Enterprise portal: shipments (发货记录; 线上下单、线下核查).

* ``/biz/shipments``: the shipments the business sends (a supplier) and receives (a caterer),
  those awaiting confirmation first, with their flags;
* ``/biz/shipments/new``: a supplier's form (caterer, product, lot, quantity, documents with
  photos or PDFs, when it left);
* ``/biz/shipments/{id}``: one shipment; for the receiving store's people while it is pending,
  the confirmation form (full, partial with the quantity received, refused with the reason),
  which records the ledger line.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from sunshine.auth.principal import Principal
from sunshine.core import evidence
from sunshine.core.errors import ConflictError, FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.time import to_local, today_local, utc_now
from sunshine.core.validation import blank_to_none, parse
from sunshine.ingredients import catalog, rules, shipments, views
from sunshine.ingredients import shipments_repository as repo
from sunshine.ingredients.enums import CATEGORY_LABELS, DocumentKind
from sunshine.ingredients.shipments_models import ShipmentStatus
from sunshine.ingredients.shipments_schemas import ShipmentConfirmIn, ShipmentIn
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Enterprise, check_csrf
from sunshine.portals.shared.imports_routes import reject_oversized
from sunshine.portals.shared.templating import render, translator
from sunshine.registry.models import Business
from sunshine.registry.service import enterprise_business

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
Upload = [Depends(reject_oversized), Depends(check_csrf)]
PER_PAGE = 30
FLASHES = {
    "recorded": N_("Shipment recorded; the caterer has been told."),
    "confirmed": N_("Receipt confirmed and recorded in the purchase ledger."),
    "refused": N_("Shipment refused; the supplier has been told."),
}
FIELD_LABELS = {
    "caterer_code": N_("Receiving caterer"),
    "received_quantity": N_("Quantity received"),
    "reason": N_("Reason for refusing"),
    "shipped_at": N_("Shipped at"),
    "outcome": N_("Receipt outcome"),
}
_CONTEXT = {
    "category_labels": CATEGORY_LABELS,
    "document_rules": rules.DOCUMENTS,
    "status_labels": shipments.STATUS_LABELS,
    "shipment_flags": shipments.FLAG_LABELS,
    "display_gtin": rules.display_gtin,
    "field_labels": {**views.FIELD_LABELS, **FIELD_LABELS},
    "confirm_hours": shipments.confirm_hours,
    "qty": shipments.qty,
}


def _page(request: Request, business: Business, template: str, /, **ctx: Any) -> Response:
    status_code = ctx.pop("status_code", 200)
    _ = translator(request)
    flash = next((_(m) for k, m in FLASHES.items() if request.query_params.get(k)), None)
    context = {
        "current": business,
        "own_business": True,
        "today": today_local(),
        "flash": flash,
        **_CONTEXT,
        **ctx,
    }
    return render(request, template, context, status_code=status_code)


@router.get("/shipments")
def shipments_list(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = enterprise_business(session=session, actor=principal)
    status_raw = request.query_params.get("status") or ""
    status = ShipmentStatus(status_raw) if status_raw in set(ShipmentStatus) else None
    result = shipments.list_shipments(
        session=session,
        actor=principal,
        filters=repo.ShipmentFilter(status=status),
        page=PageRequest(forms.page_number(request), PER_PAGE),
    )
    now = utc_now()
    return _page(
        request,
        business,
        "biz/shipments.html",
        result=result,
        status=status,
        names=shipments.names_of(session=session, shipments=result.items),
        flags={s.id: shipments.flags_of(s, now) for s in result.items},
        may_ship=shipments.may_ship(principal, business),
    )


def _form(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    values: dict[str, Any],
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    business = enterprise_business(session=session, actor=principal)
    products = catalog.product_choices(session=session, actor=principal, business_id=business.id)
    return _page(
        request,
        business,
        "biz/shipment_form.html",
        customers=shipments.customers(session=session, actor=principal),
        products=[*products.recent, *products.others],
        categories=views.category_choices(),
        values=values,
        errors=errors or [],
        bad={p.field.split(".")[0] for p in errors or []},
        status_code=status_code,
    )


@router.get("/shipments/new")
def new_shipment(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = enterprise_business(session=session, actor=principal)
    if not shipments.may_ship(principal, business):
        return RedirectResponse("/biz/shipments", status_code=303)
    now = to_local(utc_now()).strftime("%Y-%m-%dT%H:%M")
    return _form(request, session, principal, values={"shipped_at": now})


def shipment_input(values: dict[str, str]) -> ShipmentIn:
    """The form's values as a shipment (types checked; the service checks the rules)."""
    data: dict[str, Any] = blank_to_none(
        {k: v for k, v in values.items() if k in ShipmentIn.model_fields}
    )
    # A typed code wins over the list of stores that buy from the supplier.
    data["caterer_code"] = (values.get("caterer_code") or values.get("caterer_pick") or "").strip()
    data["documents"] = [k.value for k in DocumentKind if values.get(f"doc_{k.value}")]
    data["no_shelf_life"] = bool(values.get("no_shelf_life"))
    for text in ("reference", "note"):
        data[text] = values.get(text, "").strip()
    if data.get("shipped_at"):
        # A datetime-local field has no offset: it is the platform's local time.
        data["shipped_at"] = f"{data['shipped_at']}:00+08:00"
    return parse(ShipmentIn, data)


async def _with_form(request: Request, handler: Any, *args: Any) -> Response:
    result: Response = await forms.with_upload_form(
        request, lambda form: handler(request, form, *args)
    )
    return result


@router.post("/shipments/new", dependencies=Upload)
async def record(request: Request, session: DbSession, principal: Enterprise) -> Response:
    return await _with_form(request, _record, session, principal)


def _record(request: Request, form: FormData, session: DbSession, principal: Principal) -> Response:
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    files = [
        evidence.Upload(item.filename, item.file)
        for item in form.getlist("files")
        if isinstance(item, UploadFile) and item.filename
    ]
    try:
        shipment = shipments.record_shipment(
            session=session, actor=principal, data=shipment_input(values), files=files
        )
    except (ValidationFailed, evidence.EvidenceRejected) as exc:
        return _form(
            request, session, principal, values=values, errors=exc.problems,
            status_code=exc.status,
        )  # fmt: skip
    return RedirectResponse(f"/biz/shipments/{shipment.id}?recorded=1", status_code=303)


def _detail(
    request: Request,
    session: DbSession,
    principal: Principal,
    shipment_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> Response:
    business = enterprise_business(session=session, actor=principal)
    found = shipments.shipment_file(session=session, actor=principal, shipment_id=shipment_id)
    return _page(
        request,
        business,
        "biz/shipment_detail.html",
        f=found,
        values=values or {"outcome": "full", "appearance_ok": "yes",
                          "recorder_name": principal.display_name},
        errors=errors or [],
        bad={p.field for p in errors or []},
        alert=alert,
        status_code=status_code,
    )  # fmt: skip


@router.get("/shipments/{shipment_id:int}")
def detail(
    request: Request, session: DbSession, principal: Enterprise, shipment_id: int
) -> Response:
    return _detail(request, session, principal, shipment_id)


def confirm_input(values: dict[str, str]) -> ShipmentConfirmIn:
    data: dict[str, Any] = blank_to_none(
        {k: v for k, v in values.items() if k in ShipmentConfirmIn.model_fields}
    )
    data["appearance_ok"] = values.get("appearance_ok", "yes") != "no"
    for text in ("reason", "appearance_note", "recorder_name"):
        data[text] = values.get(text, "").strip()
    if data.get("outcome") != "partial":
        data.pop("received_quantity", None)  # the field stays in the form when hidden
    return parse(ShipmentConfirmIn, data)


@router.post("/shipments/{shipment_id:int}/confirm", dependencies=Csrf)
def confirm(
    request: Request,
    session: DbSession,
    principal: Enterprise,
    shipment_id: int,
    values: forms.FormValues,
) -> Response:
    text = {k: str(v or "") for k, v in values.items() if k != "csrf_token"}
    try:
        shipment = shipments.confirm_shipment(
            session=session, actor=principal, shipment_id=shipment_id, answer=confirm_input(text)
        )
    except ValidationFailed as exc:
        return _detail(
            request, session, principal, shipment_id, values=text, errors=exc.problems,
            status_code=exc.status,
        )  # fmt: skip
    except ConflictError as exc:
        return _detail(
            request, session, principal, shipment_id, values=text,
            alert=exc.render(translator(request)), status_code=409,
        )  # fmt: skip
    flag = "refused" if shipment.status is ShipmentStatus.REFUSED else "confirmed"
    return RedirectResponse(f"/biz/shipments/{shipment.id}?{flag}=1", status_code=303)
