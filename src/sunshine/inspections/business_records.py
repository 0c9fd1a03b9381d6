"""A business reads its own inspection records (enterprise portal): its history, and one
inspection item by item with the inspectors' notes and photos, grouped by the checklist's
sections. Scoped by ``access.inspection_condition``: a business sees its own records (a
chain headquarters its outlets' too) and nobody else's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from sunshine.auth import repository as auth_repo
from sunshine.auth.principal import Principal
from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.inspections import records
from sunshine.inspections import rectification_repository as rectification_repo
from sunshine.inspections import repository as repo
from sunshine.inspections.enums import ItemOutcome
from sunshine.inspections.models import (
    Checklist,
    ChecklistItem,
    ChecklistSection,
    Inspection,
    InspectionItemResult,
)
from sunshine.inspections.rectification_models import RectificationOrder
from sunshine.registry.models import Business


@dataclass(frozen=True)
class BusinessRecord:
    """One inspection as the business inspected reads it."""

    inspection: Inspection
    checklist: Checklist
    inspectors: list[str]
    sections: list[tuple[ChecklistSection, list[tuple[ChecklistItem, InspectionItemResult]]]]
    order: RectificationOrder | None = None  # the rectification order the result set

    @property
    def failed(self) -> list[tuple[ChecklistItem, InspectionItemResult]]:
        return [
            line
            for _, lines in self.sections
            for line in lines
            if line[1].outcome is ItemOutcome.FAIL
        ]


def own_history(
    *, session: Session, actor: Principal, business: Business, page: PageRequest
) -> Page[Inspection]:
    """The business's inspections, the latest first (``business`` already checked as one
    the actor may act for; the records are scoped again)."""
    return records.history(session=session, actor=actor, business_id=business.id, page=page)


def own_record(*, session: Session, actor: Principal, inspection_id: int) -> BusinessRecord:
    """One of the business's own inspections (404 for anyone else's)."""
    shown = records.inspection_file(session=session, actor=actor, inspection_id=inspection_id)
    checklist = repo.get_checklist(session, shown.inspection.checklist_id)
    if checklist is None:
        raise NotFoundError(N_("No such inspection"))
    by_section: dict[int, list[tuple[ChecklistItem, InspectionItemResult]]] = {}
    for item, result in shown.items:
        by_section.setdefault(item.section_id, []).append((item, result))
    names = {u.id: u.display_name for u in auth_repo.users_by_ids(session, shown.inspector_ids)}
    return BusinessRecord(
        inspection=shown.inspection,
        checklist=checklist,
        inspectors=[names[i] for i in shown.inspector_ids if i in names],
        sections=[
            (section, by_section[section.id])
            for section in repo.sections_of(session, checklist.id)
            if section.id in by_section
        ],
        order=rectification_repo.order_of_inspection(session, shown.inspection.id),
    )
