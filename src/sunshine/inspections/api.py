"""JSON routes of inspections under ``/api/v1`` (the inspector app's data)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sunshine.api.router import Authed
from sunshine.core.pagination import PageRequest
from sunshine.inspections import exchange, records, service
from sunshine.inspections.schemas import (
    ChecklistRead,
    InspectionDetail,
    InspectionIn,
    InspectionPage,
    InspectionRead,
)
from sunshine.portals.shared.deps import DbSession, SignedIn

router = APIRouter(tags=["inspections"], dependencies=Authed)


@router.get("/checklists/in-force", response_model=ChecklistRead)
def checklist_in_force(session: DbSession, principal: SignedIn, business_id: int) -> ChecklistRead:
    """The checklist version an inspection of the business uses now, whole (the app keeps
    it to work offline)."""
    return exchange.checklist_read(session=session, actor=principal, business_id=business_id)


@router.post("/inspections", response_model=InspectionDetail, status_code=201)
def record_inspection(
    session: DbSession, principal: SignedIn, body: InspectionIn
) -> InspectionDetail:
    """Record an inspection; its result is derived from the items (a ``result`` sent that
    contradicts them is refused). Sent again with the same ``client_key``, the stored
    record is answered and nothing new is stored; 409 when the checklist in force changed
    or the key belongs to another inspection."""
    form = exchange.inspection_form(body)
    inspection = service.record_inspection(session=session, actor=principal, form=form)
    return exchange.inspection_detail(session=session, actor=principal, inspection_id=inspection.id)


@router.get("/inspections/{inspection_id}", response_model=InspectionDetail)
def get_inspection(session: DbSession, principal: SignedIn, inspection_id: int) -> InspectionDetail:
    """One inspection with its items (404 for one the caller may not see)."""
    return exchange.inspection_detail(session=session, actor=principal, inspection_id=inspection_id)


@router.get("/businesses/{business_id}/inspections", response_model=InspectionPage)
def business_inspections(
    session: DbSession,
    principal: SignedIn,
    business_id: int,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 20,
) -> InspectionPage:
    """A business's inspections, the latest first."""
    result = records.history(
        session=session,
        actor=principal,
        business_id=business_id,
        page=PageRequest(page, per_page),
    )
    return InspectionPage(
        items=[InspectionRead.model_validate(i) for i in result.items],
        total=result.total,
        page=result.page,
        per_page=result.request.per_page,
        pages=result.pages,
    )
