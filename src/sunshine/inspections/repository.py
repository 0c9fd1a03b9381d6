"""Every query of checklists and inspections."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from sunshine.inspections.enums import ChecklistStatus
from sunshine.inspections.models import (
    Checklist,
    ChecklistItem,
    ChecklistSection,
    Inspection,
    InspectionInspector,
    InspectionItemResult,
)


def get_checklist(session: Session, checklist_id: int) -> Checklist | None:
    return session.get(Checklist, checklist_id)


def find_checklist(
    session: Session, *, code: str, version: str, jurisdiction: str
) -> Checklist | None:
    stmt = select(Checklist).where(
        Checklist.code == code,
        Checklist.version == version,
        Checklist.jurisdiction == jurisdiction,
    )
    return session.execute(stmt).scalar_one_or_none()


def active_checklists(
    session: Session, *, code: str, jurisdictions: Sequence[str]
) -> Sequence[Checklist]:
    stmt = select(Checklist).where(
        Checklist.code == code,
        Checklist.status == ChecklistStatus.ACTIVE,
        Checklist.jurisdiction.in_(list(jurisdictions)),
    )
    return session.execute(stmt).scalars().all()


def checklists_for(session: Session, jurisdictions: Sequence[str]) -> Sequence[Checklist]:
    """Every version of the given jurisdictions, newest load first."""
    stmt = select(Checklist).where(Checklist.jurisdiction.in_(list(jurisdictions)))
    return (
        session.execute(stmt.order_by(Checklist.code, Checklist.loaded_at.desc())).scalars().all()
    )


def sections_of(session: Session, checklist_id: int) -> Sequence[ChecklistSection]:
    stmt = select(ChecklistSection).where(ChecklistSection.checklist_id == checklist_id)
    return session.execute(stmt.order_by(ChecklistSection.position)).scalars().all()


def items_of(session: Session, checklist_id: int) -> Sequence[ChecklistItem]:
    stmt = select(ChecklistItem).where(ChecklistItem.checklist_id == checklist_id)
    return session.execute(stmt.order_by(ChecklistItem.position)).scalars().all()


def inspection_by_client_key(session: Session, client_key: str) -> Inspection | None:
    stmt = select(Inspection).where(Inspection.client_key == client_key)
    return session.execute(stmt).scalar_one_or_none()


def inspection_reference_exists(session: Session, reference: str) -> bool:
    stmt = select(Inspection.id).where(Inspection.reference == reference)
    return session.execute(stmt).first() is not None


def get_inspection(
    session: Session, *, inspection_id: int, scope: ColumnElement[bool]
) -> Inspection | None:
    stmt = select(Inspection).where(Inspection.id == inspection_id, scope)
    return session.execute(stmt).scalar_one_or_none()


def inspections_of_business(
    session: Session, *, business_id: int, scope: ColumnElement[bool], offset: int, limit: int
) -> tuple[Sequence[Inspection], int]:
    """A business's inspections, the latest first (``ix_inspections_business_on``)."""
    where = (Inspection.business_id == business_id, scope)
    stmt = (
        select(Inspection)
        .where(*where)
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
        .offset(offset)
        .limit(limit)
    )
    total = session.execute(select(func.count()).select_from(Inspection).where(*where))
    return session.execute(stmt).scalars().all(), int(total.scalar_one())


def inspector_ids(session: Session, inspection_id: int) -> list[int]:
    stmt = select(InspectionInspector.user_id).where(
        InspectionInspector.inspection_id == inspection_id
    )
    return list(session.execute(stmt.order_by(InspectionInspector.position)).scalars())


def item_results(
    session: Session, inspection_id: int
) -> Sequence[tuple[ChecklistItem, InspectionItemResult]]:
    stmt = (
        select(ChecklistItem, InspectionItemResult)
        .join(InspectionItemResult, InspectionItemResult.item_id == ChecklistItem.id)
        .where(InspectionItemResult.inspection_id == inspection_id)
        .order_by(ChecklistItem.position)
    )
    return [(item, result) for item, result in session.execute(stmt)]


def inspectors_of(session: Session, inspection_id: int) -> Sequence[InspectionInspector]:
    stmt = select(InspectionInspector).where(InspectionInspector.inspection_id == inspection_id)
    return session.execute(stmt.order_by(InspectionInspector.position)).scalars().all()
