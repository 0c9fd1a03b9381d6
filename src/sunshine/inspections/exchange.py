"""The inspector app's JSON, turned into the service's terms and back.

Shared by the API (``/api/v1``) and the government portal's inspector app (``/gov/app``),
so a phone sending an inspection to either is read the same way and answered with the
same record.
"""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.core.evidence import Upload
from sunshine.inspections import checklists, records
from sunshine.inspections.schemas import (
    ChecklistItemRead,
    ChecklistRead,
    ChecklistSectionRead,
    InspectionDetail,
    InspectionIn,
    InspectionRead,
    ItemResultRead,
)
from sunshine.inspections.service import InspectionForm, ItemAnswer, ItemPhoto, Signature


def checklist_read(*, session: Session, actor: Principal, business_id: int) -> ChecklistRead:
    """The checklist version an inspection of the business uses now, whole (the app keeps
    it to work offline)."""
    checklist = records.checklist_for_business(
        session=session, actor=actor, business_id=business_id
    )
    shown = checklists.view(session=session, actor=actor, checklist_id=checklist.id)
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


def inspection_form(body: InspectionIn) -> InspectionForm:
    """What the device sent, as the service reads it (files as in-memory uploads)."""
    return InspectionForm(
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
        task_id=body.task_id,
        signatures=[
            Signature(s.user_id, Upload(f"signature-{n}.png", io.BytesIO(s.png)))
            for n, s in enumerate(body.signatures)
        ],
        photos=[ItemPhoto(p.item, Upload(p.filename, io.BytesIO(p.data))) for p in body.photos],
    )


def inspection_detail(
    *, session: Session, actor: Principal, inspection_id: int
) -> InspectionDetail:
    """One inspection with its items (404 for one the actor may not see)."""
    shown = records.inspection_file(session=session, actor=actor, inspection_id=inspection_id)
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
