"""What the inspector app (检查App) shows: the businesses an inspector may visit, a
business's inspection history and open problems, the officers who may inspect it with
them, and the record (监督检查结果记录表) of an inspection for printing.

Everything is scoped like the rest of the inspections: a business outside the reader's
jurisdiction, or an inspection of one, is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import true
from sqlalchemy.orm import Session

from sunshine.auth import access
from sunshine.auth import repository as auth_repo
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.inspections import records
from sunshine.inspections import repository as repo
from sunshine.inspections.enums import ItemOutcome
from sunshine.inspections.models import (
    Checklist,
    ChecklistItem,
    ChecklistSection,
    Inspection,
    InspectionItemResult,
)
from sunshine.regions.enums import RegionLevel
from sunshine.registry import repository as registry_repo
from sunshine.registry.models import Business
from sunshine.registry.repository import BusinessFilter
from sunshine.registry.service import get_business, list_businesses

SEARCH_LIMIT = 20
RECENT_LIMIT = 10
HISTORY_LIMIT = 20
# The nearest office first: a station's officers are the usual co-inspectors.
_NEAREST = {
    RegionLevel.TOWNSHIP: 0,
    RegionLevel.COUNTY: 1,
    RegionLevel.PREFECTURE: 2,
    RegionLevel.PROVINCE: 3,
}

ItemLine = tuple[ChecklistItem, InspectionItemResult]


@dataclass(frozen=True)
class Officer:
    """An officer who may inspect a business: their office covers it."""

    id: int
    name: str
    role: Role
    office: str


@dataclass(frozen=True)
class BusinessProfile:
    business: Business
    history: list[Inspection]
    total: int
    open_problems: list[ItemLine]  # the failed items of the latest inspection


@dataclass(frozen=True)
class Signer:
    name: str
    signature: str  # evidence token of the drawn signature ("" if none was kept)


@dataclass(frozen=True)
class RecordSheet:
    """An inspection as its record (监督检查结果记录表) prints it."""

    inspection: Inspection
    business: Business
    checklist: Checklist
    sections: list[tuple[ChecklistSection, list[ItemLine]]]
    inspectors: list[Signer]

    @property
    def failed(self) -> list[ItemLine]:
        return [
            line
            for _, lines in self.sections
            for line in lines
            if line[1].outcome is ItemOutcome.FAIL
        ]


def find_businesses(*, session: Session, actor: Principal, query: str) -> list[Business]:
    """Businesses of the inspector's jurisdiction by name, address, credit code or licence
    number (the first few: the app is for finding one, not for browsing)."""
    access.require_regulator(actor)
    if not query.strip():
        return []
    found = list_businesses(
        session=session,
        actor=actor,
        filters=BusinessFilter(q=query.strip()),
        page=PageRequest(1, SEARCH_LIMIT),
        count_cap=SEARCH_LIMIT,
    )
    return list(found.items)


def recent_inspections(*, session: Session, actor: Principal) -> list[tuple[Inspection, str]]:
    """The inspections the actor took part in, the latest first, with business names."""
    access.require_regulator(actor)
    if actor.user_id is None:
        return []
    return list(
        repo.inspections_by_officer(
            session,
            user_id=actor.user_id,
            scope=access.inspection_condition(actor),
            limit=RECENT_LIMIT,
        )
    )


def business_profile(*, session: Session, actor: Principal, business_id: int) -> BusinessProfile:
    """A business with its latest inspections and the problems the last one found."""
    access.require_regulator(actor)
    business = get_business(session=session, actor=actor, business_id=business_id)
    history = records.history(
        session=session,
        actor=actor,
        business_id=business_id,
        page=PageRequest(1, HISTORY_LIMIT),
    )
    latest = history.items[0] if history.items else None
    problems = []
    if latest is not None:
        problems = [
            line
            for line in repo.item_results(session, latest.id)
            if line[1].outcome is ItemOutcome.FAIL
        ]
    return BusinessProfile(
        business=business,
        history=list(history.items),
        total=history.total,
        open_problems=problems,
    )


def officers_for(*, session: Session, actor: Principal, business_id: int) -> list[Officer]:
    """The officers whose office covers the business (those the inspection's rules accept
    as its inspectors), the actor first, then the nearest offices."""
    access.require_regulator(actor)
    business = get_business(session=session, actor=actor, business_id=business_id)
    places = [
        (level, code)
        for level, code in (
            (RegionLevel.PROVINCE, business.province_code),
            (RegionLevel.PREFECTURE, business.prefecture_code),
            (RegionLevel.COUNTY, business.county_code),
            (RegionLevel.TOWNSHIP, business.township_code),
        )
        if code
    ]
    rows = sorted(
        repo.officers_covering(session, places),
        key=lambda row: (row[0].id != actor.user_id, _NEAREST[row[1].region_level]),
    )
    return [Officer(user.id, user.display_name, user.role, unit.name) for user, unit in rows]


def record_sheet(*, session: Session, actor: Principal, inspection_id: int) -> RecordSheet:
    """The record of an inspection the actor may see, items grouped by section."""
    access.require_regulator(actor)
    shown = records.inspection_file(session=session, actor=actor, inspection_id=inspection_id)
    inspection = shown.inspection
    # The inspection is already scoped; the business it names is part of its record even
    # if the business has since moved out of the reader's jurisdiction.
    business = registry_repo.get_business(session, business_id=inspection.business_id, scope=true())
    checklist = repo.get_checklist(session, inspection.checklist_id)
    if business is None or checklist is None:
        raise NotFoundError(N_("No such inspection"))
    by_section: dict[int, list[ItemLine]] = {}
    for item, result in shown.items:
        by_section.setdefault(item.section_id, []).append((item, result))
    sections = [
        (section, by_section[section.id])
        for section in repo.sections_of(session, checklist.id)
        if section.id in by_section
    ]
    return RecordSheet(
        inspection=inspection,
        business=business,
        checklist=checklist,
        sections=sections,
        inspectors=_signers(session, inspection.id),
    )


def _signers(session: Session, inspection_id: int) -> list[Signer]:
    rows = repo.inspectors_of(session, inspection_id)
    names = {
        u.id: u.display_name for u in auth_repo.users_by_ids(session, [r.user_id for r in rows])
    }
    return [Signer(names.get(r.user_id, ""), r.signature) for r in rows]
