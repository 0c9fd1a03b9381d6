"""JSON routes of inspections under ``/api/v1`` (the inspector app's data)."""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Query

from sunshine.api.router import Authed
from sunshine.core.evidence import Upload
from sunshine.core.pagination import PageRequest
from sunshine.inspections import checklists, records, service
from sunshine.inspections.schemas import (
    ChecklistItemRead,
    ChecklistRead,
    ChecklistSectionRead,
    InspectionDetail,
    InspectionIn,
    InspectionPage,
    InspectionRead,
    ItemResultRead,
)
from sunshine.inspections.service import InspectionForm, ItemAnswer, ItemPhoto, Signature
from sunshine.portals.shared.deps import DbSession, SignedIn

router = APIRouter(tags=["inspections"], dependencies=Authed)


@router.get("/checklists/in-force", response_model=ChecklistRead)
def checklist_in_force(session: DbSession, principal: SignedIn, business_id: int) -> ChecklistRead:
    """The checklist version an inspection of the business uses now, whole (the app keeps
    it to work offline)."""
    checklist = records.checklist_for_business(
        session=session, actor=principal, business_id=business_id
    )
    shown = checklists.view(session=session, actor=principal, checklist_id=checklist.id)
    return ChecklistRead(
        id=checklist.id,
        code=checklist.code,
        version=checklist.version,
        jurisdiction=checklist.jurisdiction,
        name_zh=checklist.name_zh,
        name_en=checklist.name_en,
        status=checklist.status,
        result_rule=checklist.result_rule,
        consequences=checklist.consequences,
        sections=[
            ChecklistSectionRead(
                code=section.code,
                title_zh=section.title_zh,
                title_en=section.title_en,
                items=[ChecklistItemRead.model_validate(item) for item in items],
            )
            for section, items in shown.sections
        ],
    )


@router.post("/inspections", response_model=InspectionDetail, status_code=201)
def record_inspection(
    session: DbSession, principal: SignedIn, body: InspectionIn
) -> InspectionDetail:
    """Record an inspection; its result is derived from the items (a ``result`` sent that
    contradicts them is refused). Sent again with the same ``client_key``, the stored
    record is answered and nothing new is stored; 409 when the checklist in force changed
    or the key belongs to another inspection."""
    form = InspectionForm(
        business_id=body.business_id,
        checklist_id=body.checklist_id,
        kind=body.kind,
        started_at=body.started_at,
        finished_at=body.finished_at,
        inspector_ids=body.inspector_ids,
        answers=[ItemAnswer(a.item, a.outcome, a.note) for a in body.items],
        representative_name=body.representative_name,
        stated_result=body.result,
        rectify_by=body.rectify_by,
        latitude=body.latitude,
        longitude=body.longitude,
        location_accuracy_m=body.location_accuracy_m,
        remarks=body.remarks,
        client_key=body.client_key,
        signatures=[
            Signature(s.user_id, Upload(f"signature-{n}.png", io.BytesIO(s.png)))
            for n, s in enumerate(body.signatures)
        ],
        photos=[ItemPhoto(p.item, Upload(p.filename, io.BytesIO(p.data))) for p in body.photos],
    )
    inspection = service.record_inspection(session=session, actor=principal, form=form)
    return _detail(session, principal, inspection.id)


@router.get("/inspections/{inspection_id}", response_model=InspectionDetail)
def get_inspection(session: DbSession, principal: SignedIn, inspection_id: int) -> InspectionDetail:
    """One inspection with its items (404 for one the caller may not see)."""
    return _detail(session, principal, inspection_id)


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


def _detail(session: DbSession, principal: SignedIn, inspection_id: int) -> InspectionDetail:
    shown = records.inspection_file(session=session, actor=principal, inspection_id=inspection_id)
    return InspectionDetail(
        **InspectionRead.model_validate(shown.inspection).model_dump(),
        inspector_ids=shown.inspector_ids,
        items=[
            ItemResultRead(
                item=item.code, key=item.key, outcome=r.outcome, note=r.note, photos=r.photos
            )
            for item, r in shown.items
        ],
    )
