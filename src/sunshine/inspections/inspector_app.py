"""What the inspector app (检查App) shows: the businesses an inspector may visit, a
business's inspection history and open problems, the officers who may inspect it with
them, and the record (监督检查结果记录表) of an inspection for printing.

Everything is scoped like the rest of the inspections: a business outside the reader's
jurisdiction, or an inspection of one, is a 404.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import true
from sqlalchemy.orm import Session

from sunshine.auth import access
from sunshine.auth import repository as auth_repo
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.inspections import plan_repository as plan_repo
from sunshine.inspections import plan_rules, records
from sunshine.inspections import repository as repo
from sunshine.inspections.enums import ItemOutcome
from sunshine.inspections.models import (
    Checklist,
    ChecklistItem,
    ChecklistSection,
    Inspection,
    InspectionItemResult,
)
from sunshine.inspections.plan_models import InspectionTask
from sunshine.inspections.plan_repository import TaskRow
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
    my_task: InspectionTask | None = None  # the officer's open task for the business
    # Until dynamic risk grading exists: the static level of the business's form and scale.
    static_level: plan_rules.StaticLevelRule | None = None
    frequency: plan_rules.Frequency | None = None


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
    my_task = None
    if actor.user_id is not None:
        my_task = plan_repo.open_task_for(session, business_id=business_id, user_id=actor.user_id)
    try:
        level = plan_rules.static_level(business.form, business.scale)
    except LookupError:  # a form no rule grades (the rules are data; say so, not fail)
        level = None
    return BusinessProfile(
        business=business,
        history=list(history.items),
        total=history.total,
        open_problems=problems,
        my_task=my_task,
        static_level=level,
        frequency=plan_rules.frequency(level.level) if level else None,
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


@dataclass(frozen=True)
class MapPin:
    """A task on the task map: its number in the list, where it is drawn (``x``, ``y`` in
    the map's own units) and where it is (for the phone's map app)."""

    number: int
    task_id: int
    name: str
    address: str
    x: float
    y: float
    latitude: float
    longitude: float
    overdue: bool


@dataclass(frozen=True)
class TaskMap:
    """The officer's tasks placed by their coordinates, with the box they were fitted into
    (the page's script places the officer in the same box)."""

    width: float
    height: float
    pins: list[MapPin]
    west: float
    east: float
    south: float
    north: float
    unplaced: int  # tasks whose business has no coordinates


MAP_WIDTH = 100.0
_MAP_MARGIN = 0.12  # of the span, so pins at the edge are whole
_MIN_SPAN_DEG = 0.01  # about 1 km: one task, or tasks in one street, still get a box


def task_map(rows: Sequence[TaskRow], *, today: date) -> TaskMap | None:
    """The tasks in ``rows`` on a plain map (no base map: the platform uses no outside map
    service, so the map shows where the tasks lie from each other and from the officer,
    and each pin opens the phone's own map app). None when no task has coordinates."""
    placed = [
        (n, r) for n, r in enumerate(rows, 1) if r.latitude is not None and r.longitude is not None
    ]
    if not placed:
        return None
    lats = [float(r.latitude) for _, r in placed if r.latitude is not None]
    lons = [float(r.longitude) for _, r in placed if r.longitude is not None]
    mid = (min(lats) + max(lats)) / 2
    # East-west degrees shrink with latitude: scale them so distances look right.
    squeeze = max(math.cos(math.radians(mid)), 0.1)
    lat_span = max(max(lats) - min(lats), _MIN_SPAN_DEG)
    lon_span = max(max(lons) - min(lons), _MIN_SPAN_DEG / squeeze)
    south = (min(lats) + max(lats) - lat_span) / 2 - lat_span * _MAP_MARGIN
    north = south + lat_span * (1 + 2 * _MAP_MARGIN)
    west = (min(lons) + max(lons) - lon_span) / 2 - lon_span * _MAP_MARGIN
    east = west + lon_span * (1 + 2 * _MAP_MARGIN)
    height = min(max(MAP_WIDTH * (north - south) / ((east - west) * squeeze), 45.0), 120.0)
    pins = [
        MapPin(
            number=n,
            task_id=r.task.id,
            name=r.business_name,
            address=r.business_address,
            x=round((float(r.longitude or 0) - west) / (east - west) * MAP_WIDTH, 2),
            y=round((north - float(r.latitude or 0)) / (north - south) * height, 2),
            latitude=float(r.latitude or 0),
            longitude=float(r.longitude or 0),
            overdue=r.task.due_on < today,
        )
        for n, r in placed
    ]
    return TaskMap(
        width=MAP_WIDTH,
        height=round(height, 2),
        pins=pins,
        west=west,
        east=east,
        south=south,
        north=north,
        unplaced=len(rows) - len(placed),
    )
