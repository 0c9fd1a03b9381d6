"""JSON routes of shipments under ``/api/v1`` (bearer tokens).

* ``POST /shipments``: a supplier records a shipment to a caterer (201);
* ``GET /shipments``: those the caller sends, receives or oversees (``status``,
  ``unconfirmed=true`` for the flagged ones), newest first;
* ``GET /shipments/{id}``: one shipment (404 if unseen);
* ``POST /shipments/{id}/confirmation``: the caterer's answer (full, partial, refused),
  which records its ledger line (409 when already answered).

Documents' photos and PDFs are attached through the portal's form; the API records which
documents travel with the goods.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sunshine.api.router import Authed
from sunshine.core.pagination import PageRequest
from sunshine.ingredients import shipments
from sunshine.ingredients import shipments_repository as repo
from sunshine.ingredients.shipments_models import Shipment, ShipmentStatus
from sunshine.ingredients.shipments_schemas import (
    ShipmentConfirmIn,
    ShipmentIn,
    ShipmentPage,
    ShipmentRead,
)
from sunshine.portals.shared.deps import DbSession, SignedIn

router = APIRouter(tags=["shipments"], dependencies=Authed)


def _read(shipment: Shipment) -> ShipmentRead:
    read = ShipmentRead.model_validate(shipment)
    return read.model_copy(update={"overdue": shipments.overdue(shipment)})


@router.post("/shipments", response_model=ShipmentRead, status_code=201)
def create_shipment(session: DbSession, principal: SignedIn, body: ShipmentIn) -> ShipmentRead:
    """Record goods sent to a caterer; every problem is answered at once (422)."""
    return _read(shipments.record_shipment(session=session, actor=principal, data=body))


@router.get("/shipments", response_model=ShipmentPage)
def list_shipments(
    session: DbSession,
    principal: SignedIn,
    status: ShipmentStatus | None = None,
    unconfirmed: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ShipmentPage:
    filters = shipments.unconfirmed_filter() if unconfirmed else repo.ShipmentFilter()
    if status is not None:
        filters = repo.ShipmentFilter(status=status, pending_before=filters.pending_before)
    result = shipments.list_shipments(
        session=session, actor=principal, filters=filters, page=PageRequest(page, per_page)
    )
    return ShipmentPage(
        items=[_read(s) for s in result.items],
        total=result.total,
        page=result.page,
        per_page=result.request.per_page,
        pages=result.pages,
    )


@router.get("/shipments/{shipment_id}", response_model=ShipmentRead)
def get_shipment(session: DbSession, principal: SignedIn, shipment_id: int) -> ShipmentRead:
    found = shipments.shipment_file(session=session, actor=principal, shipment_id=shipment_id)
    return _read(found.shipment)


@router.post("/shipments/{shipment_id}/confirmation", response_model=ShipmentRead)
def confirm_shipment(
    session: DbSession, principal: SignedIn, shipment_id: int, body: ShipmentConfirmIn
) -> ShipmentRead:
    """The caterer's answer: received in full, in part, or refused with the reason."""
    shipment = shipments.confirm_shipment(
        session=session, actor=principal, shipment_id=shipment_id, answer=body
    )
    return _read(shipment)
