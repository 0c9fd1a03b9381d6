"""Government portal: shipments (发货记录) whose supplier or receiving caterer is in the
regulator's jurisdiction (``/gov/shipments``), filtered by status, with the unconfirmed and
quantity-mismatch flags (``?flag=unconfirmed`` / ``?flag=mismatch``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sunshine.core.pagination import PageRequest
from sunshine.core.time import utc_now
from sunshine.ingredients import shipments
from sunshine.ingredients import shipments_repository as repo
from sunshine.ingredients.enums import CATEGORY_LABELS
from sunshine.ingredients.shipments_models import ShipmentStatus
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Regulator
from sunshine.portals.shared.templating import render

router = APIRouter(include_in_schema=False)
PER_PAGE = 50


def _filter(request: Request) -> repo.ShipmentFilter:
    q = request.query_params
    status = ShipmentStatus(q["status"]) if q.get("status") in set(ShipmentStatus) else None
    if q.get("flag") == "unconfirmed":
        return shipments.unconfirmed_filter()
    if q.get("flag") == "mismatch":
        return repo.ShipmentFilter(mismatch=True)
    return repo.ShipmentFilter(status=status)


@router.get("/shipments")
def shipments_list(request: Request, session: DbSession, principal: Regulator) -> Response:
    """The jurisdiction's shipments, latest first."""
    result = shipments.list_shipments(
        session=session,
        actor=principal,
        filters=_filter(request),
        page=PageRequest(forms.page_number(request), PER_PAGE),
    )
    now = utc_now()
    return render(
        request,
        "gov/shipments.html",
        {
            "result": result,
            "names": shipments.names_of(session=session, shipments=result.items),
            "flags": {s.id: shipments.flags_of(s, now) for s in result.items},
            "status_labels": shipments.STATUS_LABELS,
            "shipment_flags": shipments.FLAG_LABELS,
            "category_labels": CATEGORY_LABELS,
            "confirm_hours": shipments.confirm_hours(),
            "qty": shipments.qty,
        },
    )
