"""Reading inspection records: a business's history and one inspection with its items,
scoped to what the reader may see (see ``access.inspection_condition``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core import evidence
from sunshine.core.errors import FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.inspections import checklists
from sunshine.inspections import repository as repo
from sunshine.inspections.models import (
    Checklist,
    ChecklistItem,
    Inspection,
    InspectionItemResult,
)
from sunshine.registry.service import get_business


@dataclass(frozen=True)
class InspectionFile:
    inspection: Inspection
    inspector_ids: list[int]
    items: list[tuple[ChecklistItem, InspectionItemResult]]


def checklist_for_business(*, session: Session, actor: Principal, business_id: int) -> Checklist:
    """The checklist in force for an inspection of a business the actor may see."""
    business = get_business(session=session, actor=actor, business_id=business_id)
    current = checklists.in_force(
        session=session, code="catering", province_code=business.province_code
    )
    if current is None:
        raise ValidationFailed([FieldProblem("checklist", N_("no checklist is in force"))])
    return current


def history(
    *, session: Session, actor: Principal, business_id: int, page: PageRequest
) -> Page[Inspection]:
    """A business's inspections, the latest first."""
    get_business(session=session, actor=actor, business_id=business_id)  # 404 if unseen
    items, total = repo.inspections_of_business(
        session,
        business_id=business_id,
        scope=access.inspection_condition(actor),
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=items, total=total, request=page)


def inspection_file(*, session: Session, actor: Principal, inspection_id: int) -> InspectionFile:
    inspection = repo.get_inspection(
        session, inspection_id=inspection_id, scope=access.inspection_condition(actor)
    )
    if inspection is None:
        raise NotFoundError(N_("No such inspection"))
    return InspectionFile(
        inspection=inspection,
        inspector_ids=repo.inspector_ids(session, inspection.id),
        items=list(repo.item_results(session, inspection.id)),
    )


def evidence_access(session: Session, actor: Principal, inspection_id: int) -> evidence.Access:
    """An inspection's signatures and photos: the originals for the regulators who see the
    record, the copies without metadata for the business inspected."""
    found = repo.get_inspection(
        session, inspection_id=inspection_id, scope=access.inspection_condition(actor)
    )
    if found is None:
        return evidence.Access.NONE
    return evidence.Access.ORIGINAL if actor.is_regulator else evidence.Access.PUBLIC


def list_inspections(
    *, session: Session, actor: Principal, filters: repo.InspectionFilter, page: PageRequest
) -> Page[tuple[Inspection, str]]:
    """The inspections of the actor's jurisdiction under the filters, the latest first."""
    access.require_regulator(actor)
    rows, total = repo.page_inspections(
        session,
        scope=access.inspection_condition(actor),
        filters=filters,
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=rows, total=total, request=page)
