"""Every query of checklists and inspections."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from sunshine.auth.enums import REGULATOR_ROLES
from sunshine.auth.models import User
from sunshine.inspections.enums import (
    ChecklistStatus,
    InspectionKind,
    InspectionResult,
    ItemOutcome,
)
from sunshine.inspections.models import (
    Checklist,
    ChecklistItem,
    ChecklistSection,
    Inspection,
    InspectionInspector,
    InspectionItemResult,
)
from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import OrgUnit
from sunshine.registry.models import Business


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


def officers_covering(
    session: Session, places: Sequence[tuple[RegionLevel, str]]
) -> Sequence[tuple[User, OrgUnit]]:
    """Active officers whose office's jurisdiction is one of ``places`` (a business's
    province, prefecture, county and township)."""
    covers = or_(
        *(
            and_(OrgUnit.region_level == level, OrgUnit.region_code == code)
            for level, code in places
        )
    )
    stmt = (
        select(User, OrgUnit)
        .join(OrgUnit, OrgUnit.id == User.org_unit_id)
        .where(User.is_active, User.role.in_(list(REGULATOR_ROLES)), OrgUnit.active, covers)
        .order_by(User.display_name, User.id)
    )
    return [(user, unit) for user, unit in session.execute(stmt)]


def inspections_by_officer(
    session: Session, *, user_id: int, scope: ColumnElement[bool], limit: int
) -> Sequence[tuple[Inspection, str]]:
    """The inspections an officer took part in, the latest first, with the business name."""
    stmt = (
        select(Inspection, Business.name)
        .join(InspectionInspector, InspectionInspector.inspection_id == Inspection.id)
        .join(Business, Business.id == Inspection.business_id)
        .where(InspectionInspector.user_id == user_id, scope)
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
        .limit(limit)
    )
    return [(inspection, name) for inspection, name in session.execute(stmt)]


@dataclass(frozen=True)
class InspectionFilter:
    """What the government inspection list narrows to."""

    area: tuple[RegionLevel, str] | None = None
    result: InspectionResult | None = None
    kind: InspectionKind | None = None
    since: date | None = None
    until: date | None = None
    business: str | None = None  # part of the business's name


_INSPECTION_PLACE = {
    RegionLevel.PROVINCE: Inspection.province_code,
    RegionLevel.PREFECTURE: Inspection.prefecture_code,
    RegionLevel.COUNTY: Inspection.county_code,
    RegionLevel.TOWNSHIP: Inspection.township_code,
}


def page_inspections(
    session: Session,
    *,
    scope: ColumnElement[bool],
    filters: InspectionFilter,
    offset: int,
    limit: int,
) -> tuple[Sequence[tuple[Inspection, str]], int]:
    """Inspections under ``scope`` and the filters, the latest first, with business names."""
    conditions: list[ColumnElement[bool]] = [scope]
    if filters.area is not None:
        conditions.append(_INSPECTION_PLACE[filters.area[0]] == filters.area[1])
    if filters.result is not None:
        conditions.append(Inspection.result == filters.result)
    if filters.kind is not None:
        conditions.append(Inspection.kind == filters.kind)
    if filters.since is not None:
        conditions.append(Inspection.inspected_on >= filters.since)
    if filters.until is not None:
        conditions.append(Inspection.inspected_on <= filters.until)
    if filters.business:
        conditions.append(Business.name.contains(filters.business, autoescape=True))
    stmt = (
        select(Inspection, Business.name)
        .join(Business, Business.id == Inspection.business_id)
        .where(*conditions)
    )
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(
        stmt.order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [(inspection, name) for inspection, name in rows], int(total)


def public_inspections(
    session: Session, *, business_id: int, offset: int, limit: int
) -> tuple[Sequence[Inspection], int]:
    """A business's inspections as published, the latest first."""
    where = Inspection.business_id == business_id
    stmt = (
        select(Inspection)
        .where(where)
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
        .offset(offset)
        .limit(limit)
    )
    total = session.execute(select(func.count()).select_from(Inspection).where(where))
    return session.execute(stmt).scalars().all(), int(total.scalar_one())


def failed_items_of(
    session: Session, inspection_ids: Sequence[int]
) -> dict[int, list[tuple[ChecklistItem, InspectionItemResult]]]:
    """The items each inspection found wrong, in checklist order (one query)."""
    if not inspection_ids:
        return {}
    stmt = (
        select(ChecklistItem, InspectionItemResult)
        .join(InspectionItemResult, InspectionItemResult.item_id == ChecklistItem.id)
        .where(
            InspectionItemResult.inspection_id.in_(list(inspection_ids)),
            InspectionItemResult.outcome == ItemOutcome.FAIL,
        )
        .order_by(InspectionItemResult.inspection_id, ChecklistItem.position)
    )
    found: dict[int, list[tuple[ChecklistItem, InspectionItemResult]]] = {}
    for item, result in session.execute(stmt):
        found.setdefault(result.inspection_id, []).append((item, result))
    return found
