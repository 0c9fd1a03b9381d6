"""Every query of inspection plans, 双随机 draws, declared conflicts and inspection tasks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import InstrumentedAttribute, Session

from sunshine.audit.models import AuditEntry
from sunshine.auth.enums import Role
from sunshine.auth.models import User
from sunshine.cases.models import Case
from sunshine.inspections.enums import InspectionKind, InspectionResult
from sunshine.inspections.models import Inspection, InspectionInspector
from sunshine.inspections.plan_enums import DrawStatus, RiskLevel, TaskStatus
from sunshine.inspections.plan_models import (
    InspectionPlan,
    InspectionPlanItem,
    InspectionTask,
    InspectionTaskInspector,
    InspectorConflict,
    RandomDraw,
    RandomDrawEntry,
)
from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import OrgUnit, Region
from sunshine.regions.repository import region_within
from sunshine.registry.enums import BusinessForm, BusinessScale, OperatingStatus
from sunshine.registry.models import Business

CHUNK = 1000  # ids per IN list (within SQLite's limit of bound parameters)
# Bulk inserts go straight to the tables (Core executemany): thousands of rows a draw.
_PLAN_ITEMS = cast(Table, InspectionPlanItem.__table__)
_DRAW_ENTRIES = cast(Table, RandomDrawEntry.__table__)
_TASKS = cast(Table, InspectionTask.__table__)
_TASK_INSPECTORS = cast(Table, InspectionTaskInspector.__table__)

BUSINESS_PLACE: dict[RegionLevel, InstrumentedAttribute[Any]] = {
    RegionLevel.PROVINCE: Business.province_code,
    RegionLevel.PREFECTURE: Business.prefecture_code,
    RegionLevel.COUNTY: Business.county_code,
    RegionLevel.TOWNSHIP: Business.township_code,
}
INSPECTION_PLACE: dict[RegionLevel, InstrumentedAttribute[Any]] = {
    RegionLevel.PROVINCE: Inspection.province_code,
    RegionLevel.PREFECTURE: Inspection.prefecture_code,
    RegionLevel.COUNTY: Inspection.county_code,
    RegionLevel.TOWNSHIP: Inspection.township_code,
}


def _core(session: Session, stmt: Select[*tuple[Any, ...]]) -> CursorResult[*tuple[Any, ...]]:
    """Rows of a plain column query without the ORM's per-row work (a draw reads about a
    hundred thousand candidate ids; the ORM's row handling would double the time)."""
    return session.connection().execute(stmt)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def regions_within(level: RegionLevel, code: str) -> Select[str]:
    """The codes of the divisions of a subtree (for ``... IN (subquery)``)."""
    return select(Region.code).where(region_within(level, code))


# -- plans ---------------------------------------------------------------------------------


def get_plan(session: Session, plan_id: int) -> InspectionPlan | None:
    return session.get(InspectionPlan, plan_id)


def plan_of_office(session: Session, *, org_unit_id: int, year: int) -> InspectionPlan | None:
    stmt = select(InspectionPlan).where(
        InspectionPlan.org_unit_id == org_unit_id, InspectionPlan.year == year
    )
    return session.execute(stmt).scalar_one_or_none()


def plans_within(
    session: Session, *, level: RegionLevel, code: str, year: int
) -> Sequence[InspectionPlan]:
    """The plans of the year of the offices inside a jurisdiction, the widest first."""
    stmt = (
        select(InspectionPlan)
        .where(
            InspectionPlan.year == year,
            InspectionPlan.region_code.in_(regions_within(level, code)),
        )
        .order_by(func.length(InspectionPlan.region_code), InspectionPlan.region_code)
    )
    return session.execute(stmt).scalars().all()


def operating_businesses(
    session: Session, *, level: RegionLevel, code: str, area_level: RegionLevel
) -> list[tuple[int, BusinessForm, BusinessScale, str | None]]:
    """Every operating business of a jurisdiction: id, form, scale and its division at
    ``area_level``."""
    stmt = (
        select(Business.id, Business.form, Business.scale, BUSINESS_PLACE[area_level])
        .where(
            BUSINESS_PLACE[level] == code,
            Business.operating_status == OperatingStatus.OPERATING,
        )
        .order_by(Business.id)
    )
    return [(int(i), f, s, a) for i, f, s, a in _core(session, stmt)]


def replace_plan_items(session: Session, plan_id: int, rows: Sequence[dict[str, Any]]) -> None:
    session.execute(delete(InspectionPlanItem).where(InspectionPlanItem.plan_id == plan_id))
    if rows:
        session.connection().execute(insert(_PLAN_ITEMS), list(rows))


def _done_per_business(
    plan: InspectionPlan, start: date, end: date, kinds: Iterable[InspectionKind]
) -> Any:
    """Per business of the plan, the inspections of the year it counts."""
    return (
        select(Inspection.business_id, func.count().label("n"))
        .where(
            INSPECTION_PLACE[plan.region_level] == plan.region_code,
            Inspection.inspected_on >= start,
            Inspection.inspected_on <= end,
            Inspection.kind.in_(list(kinds)),
        )
        .group_by(Inspection.business_id)
        .subquery()
    )


@dataclass(frozen=True)
class PlanTallyRow:
    area_code: str
    level: RiskLevel
    businesses: int
    required: int
    done: int  # inspections counted toward the plan, at most ``required`` per business
    met: int  # businesses with all their required inspections


def plan_tallies(
    session: Session,
    *,
    plan: InspectionPlan,
    start: date,
    end: date,
    kinds: Iterable[InspectionKind],
) -> list[PlanTallyRow]:
    done = _done_per_business(plan, start, end, kinds)
    n = func.coalesce(done.c.n, 0)
    item = InspectionPlanItem
    stmt = (
        select(
            item.area_code,
            item.level,
            func.count(),
            func.sum(item.required),
            func.sum(case((n < item.required, n), else_=item.required)),
            func.sum(case((n >= item.required, 1), else_=0)),
        )
        .outerjoin(done, done.c.business_id == item.business_id)
        .where(item.plan_id == plan.id)
        .group_by(item.area_code, item.level)
        .order_by(item.area_code, item.level)
    )
    return [
        PlanTallyRow(area, RiskLevel(level), int(b), int(r or 0), int(d or 0), int(m or 0))
        for area, level, b, r, d, m in session.execute(stmt)
    ]


def coverage_due(
    session: Session, *, plan: InspectionPlan, since: date, kinds: Iterable[InspectionKind]
) -> int:
    """Businesses of the plan with no inspection of ``kinds`` since ``since``."""
    covered = select(Inspection.id).where(
        Inspection.business_id == InspectionPlanItem.business_id,
        Inspection.inspected_on >= since,
        Inspection.kind.in_(list(kinds)),
    )
    stmt = (
        select(func.count())
        .select_from(InspectionPlanItem)
        .where(InspectionPlanItem.plan_id == plan.id, ~covered.exists())
    )
    return int(session.execute(stmt).scalar_one())


@dataclass(frozen=True)
class PlanLine:
    business_id: int
    name: str
    public_code: str
    area_code: str
    level: RiskLevel
    rule_key: str
    required: int
    maximum: int | None
    done: int


def plan_lines(
    session: Session,
    *,
    plan: InspectionPlan,
    start: date,
    end: date,
    kinds: Iterable[InspectionKind],
    area_code: str | None,
    level: RiskLevel | None,
    behind: bool,
    offset: int,
    limit: int,
) -> tuple[list[PlanLine], int]:
    """The plan's businesses with their inspections of the year: the highest level first."""
    done = _done_per_business(plan, start, end, kinds)
    n = func.coalesce(done.c.n, 0)
    item = InspectionPlanItem
    conditions: list[ColumnElement[bool]] = [item.plan_id == plan.id]
    if area_code:
        conditions.append(item.area_code == area_code)
    if level is not None:
        conditions.append(item.level == level)
    if behind:
        conditions.append(n < item.required)
    base = (
        select(
            item.business_id,
            Business.name,
            Business.public_code,
            item.area_code,
            item.level,
            item.rule_key,
            item.required,
            item.maximum,
            n,
        )
        .join(Business, Business.id == item.business_id)
        .outerjoin(done, done.c.business_id == item.business_id)
        .where(*conditions)
    )
    total = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    rows = session.execute(
        base.order_by(item.level.desc(), Business.name, item.business_id)
        .offset(offset)
        .limit(limit)
    )
    lines = [
        PlanLine(int(b), name, code, area, RiskLevel(lv), key, int(req), mx, int(d))
        for b, name, code, area, lv, key, req, mx, d in rows
    ]
    return lines, int(total)


# -- declared conflicts ----------------------------------------------------------------------


def get_conflict(
    session: Session, *, conflict_id: int, scope: ColumnElement[bool]
) -> InspectorConflict | None:
    stmt = select(InspectorConflict).where(InspectorConflict.id == conflict_id, scope)
    return session.execute(stmt).scalar_one_or_none()


def active_conflict(session: Session, *, inspector_id: int, business_id: int) -> bool:
    stmt = select(InspectorConflict.id).where(
        InspectorConflict.inspector_id == inspector_id,
        InspectorConflict.business_id == business_id,
        InspectorConflict.withdrawn_at.is_(None),
    )
    return session.execute(stmt.limit(1)).first() is not None


def conflicts_of_businesses(session: Session, business_ids: Sequence[int]) -> set[tuple[int, int]]:
    """Standing declarations as (inspector id, business id)."""
    found: set[tuple[int, int]] = set()
    for chunk in _chunks(business_ids):
        stmt = select(InspectorConflict.inspector_id, InspectorConflict.business_id).where(
            InspectorConflict.business_id.in_(chunk), InspectorConflict.withdrawn_at.is_(None)
        )
        found.update((int(u), int(b)) for u, b in _core(session, stmt))
    return found


def page_conflicts(
    session: Session, *, scope: ColumnElement[bool], offset: int, limit: int
) -> tuple[list[tuple[InspectorConflict, str, str]], int]:
    """Declarations (standing first, newest first) with the officer's and business's names."""
    base = select(InspectorConflict).where(scope)
    total = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    stmt = (
        select(InspectorConflict, User.display_name, Business.name)
        .join(User, User.id == InspectorConflict.inspector_id)
        .join(Business, Business.id == InspectorConflict.business_id)
        .where(scope)
        .order_by(
            InspectorConflict.withdrawn_at.is_not(None),
            InspectorConflict.declared_at.desc(),
            InspectorConflict.id.desc(),
        )
        .offset(offset)
        .limit(limit)
    )
    return [(c, officer, business) for c, officer, business in session.execute(stmt)], int(total)


def search_businesses(
    session: Session, *, scope: ColumnElement[bool], term: str, limit: int
) -> Sequence[Business]:
    pattern = f"%{term}%"
    stmt = (
        select(Business)
        .where(scope, or_(Business.name.like(pattern), Business.public_code == term.upper()))
        .order_by(Business.name, Business.id)
        .limit(limit)
    )
    return session.execute(stmt).scalars().all()


# -- the inspector directory -----------------------------------------------------------------


@dataclass(frozen=True)
class Officer:
    """An officer of the directory, with the division their office covers."""

    user_id: int
    name: str
    level: RegionLevel
    code: str
    org_unit_id: int


def directory(
    session: Session,
    *,
    province_code: str,
    roles: Iterable[Role],
    user_ids: Sequence[int] = (),
    within: tuple[RegionLevel, str] | None = None,
) -> list[Officer]:
    """Active officers of ``roles`` in active offices of a province, by id (optionally
    only ``user_ids``, or only those of the offices inside a jurisdiction)."""
    stmt = (
        select(User.id, User.display_name, OrgUnit.region_level, OrgUnit.region_code, OrgUnit.id)
        .join(OrgUnit, OrgUnit.id == User.org_unit_id)
        .join(Region, Region.code == OrgUnit.region_code)
        .where(
            User.role.in_(list(roles)),
            User.is_active.is_(True),
            OrgUnit.active.is_(True),
            Region.province_code == province_code,
        )
        .order_by(User.id)
    )
    if user_ids:
        stmt = stmt.where(User.id.in_(list(user_ids)))
    if within is not None:
        stmt = stmt.where(region_within(*within))
    return [Officer(int(i), n, lv, c, int(u)) for i, n, lv, c, u in _core(session, stmt)]


def users_by_id(session: Session, ids: Sequence[int]) -> dict[int, User]:
    if not ids:
        return {}
    stmt = select(User).where(User.id.in_(list(ids)))
    return {u.id: u for u in session.execute(stmt).scalars()}


def last_inspectors(session: Session, business_ids: Sequence[int]) -> dict[int, list[int]]:
    """The officers of each business's latest inspection (by day, then record)."""
    out: dict[int, list[int]] = {}
    for chunk in _chunks(business_ids):
        ranked = (
            select(
                Inspection.id,
                Inspection.business_id,
                func.row_number()
                .over(
                    partition_by=Inspection.business_id,
                    order_by=(Inspection.inspected_on.desc(), Inspection.id.desc()),
                )
                .label("rank"),
            )
            .where(Inspection.business_id.in_(chunk))
            .subquery()
        )
        stmt = (
            select(ranked.c.business_id, InspectionInspector.user_id)
            .join(InspectionInspector, InspectionInspector.inspection_id == ranked.c.id)
            .where(ranked.c.rank == 1)
        )
        for business_id, user_id in _core(session, stmt):
            out.setdefault(int(business_id), []).append(int(user_id))
    return out


# -- draws ---------------------------------------------------------------------------------


def candidate_ids(session: Session, conditions: Sequence[ColumnElement[bool]]) -> list[int]:
    """The ids of the businesses matching ``conditions``, ascending. Read as one
    comma-separated text and sorted here: a draw's hundred thousand ids fetched as rows
    take four times as long (0.18 s against 0.04 s on PostgreSQL)."""
    stmt = select(func.aggregate_strings(Business.id.cast(String), ",")).where(*conditions)
    joined = session.connection().execute(stmt).scalar_one()
    return sorted(map(int, joined.split(","))) if joined else []


def count_candidates(session: Session, conditions: Sequence[ColumnElement[bool]]) -> int:
    stmt = select(func.count()).select_from(Business).where(*conditions)
    return int(session.execute(stmt).scalar_one())


def inspected_by_levels(
    session: Session,
    *,
    level: RegionLevel,
    code: str,
    since: date,
    office_levels: Sequence[RegionLevel],
) -> set[int]:
    """Businesses of a jurisdiction inspected since ``since`` by an office of ``office_levels``."""
    if not office_levels:
        return set()
    stmt = (
        select(Inspection.business_id)
        .join(OrgUnit, OrgUnit.id == Inspection.org_unit_id)
        .where(
            INSPECTION_PLACE[level] == code,
            Inspection.inspected_on >= since,
            OrgUnit.region_level.in_(list(office_levels)),
        )
        .distinct()
    )
    return {int(i) for i in session.execute(stmt).scalars()}


def business_places(
    session: Session, business_ids: Sequence[int]
) -> dict[int, tuple[str, str, str, str | None]]:
    """Each business's province, prefecture, county and township codes."""
    out: dict[int, tuple[str, str, str, str | None]] = {}
    for chunk in _chunks(business_ids):
        stmt = select(
            Business.id,
            Business.province_code,
            Business.prefecture_code,
            Business.county_code,
            Business.township_code,
        ).where(Business.id.in_(chunk))
        for i, p, pf, c, t in _core(session, stmt):
            out[int(i)] = (p, pf, c, t)
    return out


def draw_reference_exists(session: Session, reference: str) -> bool:
    stmt = select(RandomDraw.id).where(RandomDraw.reference == reference)
    return session.execute(stmt).first() is not None


def insert_draw_entries(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.connection().execute(insert(_DRAW_ENTRIES), list(rows))


def get_draw(session: Session, *, draw_id: int, scope: ColumnElement[bool]) -> RandomDraw | None:
    stmt = select(RandomDraw).where(RandomDraw.id == draw_id, scope)
    return session.execute(stmt).scalar_one_or_none()


def find_draw(session: Session, key: str) -> RandomDraw | None:
    """A draw by id or reference (the command line)."""
    stmt = select(RandomDraw).where(
        or_(RandomDraw.reference == key, RandomDraw.id == (int(key) if key.isdigit() else -1))
    )
    return session.execute(stmt).scalar_one_or_none()


def published_draw(session: Session, reference: str) -> RandomDraw | None:
    stmt = select(RandomDraw).where(
        RandomDraw.reference == reference, RandomDraw.status == DrawStatus.PUBLISHED
    )
    return session.execute(stmt).scalar_one_or_none()


def page_draws(
    session: Session, *, scope: ColumnElement[bool], offset: int, limit: int
) -> tuple[Sequence[RandomDraw], int]:
    total = session.execute(select(func.count()).select_from(RandomDraw).where(scope)).scalar_one()
    stmt = (
        select(RandomDraw)
        .where(scope)
        .order_by(RandomDraw.drawn_at.desc(), RandomDraw.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return session.execute(stmt).scalars().all(), int(total)


def page_published_draws(
    session: Session, *, offset: int, limit: int
) -> tuple[Sequence[RandomDraw], int]:
    published = RandomDraw.status == DrawStatus.PUBLISHED
    total = session.execute(
        select(func.count()).select_from(RandomDraw).where(published)
    ).scalar_one()
    stmt = (
        select(RandomDraw)
        .where(published)
        .order_by(RandomDraw.published_at.desc(), RandomDraw.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return session.execute(stmt).scalars().all(), int(total)


@dataclass(frozen=True)
class EntryRow:
    """A drawn business as stored (:class:`RandomDrawEntry`), read without the ORM."""

    position: int
    business_id: int
    pool: list[int]
    excluded: dict[str, list[int]]
    inspector_ids: list[int]


def entries_of(session: Session, draw_id: int) -> list[EntryRow]:
    """A draw's businesses in draw order (thousands for a province: read as plain rows)."""
    c = _DRAW_ENTRIES.c
    stmt = (
        select(c.position, c.business_id, c.pool, c.excluded, c.inspector_ids)
        .where(c.draw_id == draw_id)
        .order_by(c.position)
    )
    return [EntryRow(*row) for row in _core(session, stmt)]


@dataclass(frozen=True)
class DrawnBusiness:
    """A drawn business as the draw's pages show it, with its task and the inspection
    that fulfilled the task, once there is one."""

    position: int
    business_id: int
    name: str
    public_code: str
    county_code: str
    township_code: str | None
    inspector_ids: list[int]
    pool_size: int
    excluded: dict[str, list[int]]
    task_id: int | None
    task_status: TaskStatus | None
    inspected_on: date | None
    result: InspectionResult | None


def drawn_businesses(
    session: Session, *, draw_id: int, offset: int, limit: int
) -> list[DrawnBusiness]:
    entry = RandomDrawEntry
    stmt = (
        select(
            entry.position,
            entry.business_id,
            Business.name,
            Business.public_code,
            Business.county_code,
            Business.township_code,
            entry.inspector_ids,
            entry.pool,
            entry.excluded,
            InspectionTask.id,
            InspectionTask.status,
            Inspection.inspected_on,
            Inspection.result,
        )
        .join(Business, Business.id == entry.business_id)
        .outerjoin(
            InspectionTask,
            and_(
                InspectionTask.draw_id == entry.draw_id,
                InspectionTask.draw_position == entry.position,
            ),
        )
        .outerjoin(Inspection, Inspection.task_id == InspectionTask.id)
        .where(entry.draw_id == draw_id)
        .order_by(entry.position)
        .offset(offset)
        .limit(limit)
    )
    return [
        DrawnBusiness(
            position=int(pos),
            business_id=int(bid),
            name=name,
            public_code=code,
            county_code=county,
            township_code=township,
            inspector_ids=list(ids),
            pool_size=len(pool),
            excluded=dict(excluded),
            task_id=task_id,
            task_status=status,
            inspected_on=on,
            result=result,
        )
        for (
            pos,
            bid,
            name,
            code,
            county,
            township,
            ids,
            pool,
            excluded,
            task_id,
            status,
            on,
            result,
        ) in session.execute(stmt)
    ]


def draw_audit_entry(session: Session, *, draw_id: int, action: str) -> AuditEntry | None:
    """The latest entry of ``action`` about the draw (a database may reuse the id of a row
    removed by hand; the entry's own content then tells the draws apart)."""
    stmt = (
        select(AuditEntry)
        .where(
            AuditEntry.action == action,
            AuditEntry.entity_type == "random_draw",
            AuditEntry.entity_id == str(draw_id),
        )
        .order_by(AuditEntry.seq.desc())
    )
    return session.execute(stmt.limit(1)).scalar_one_or_none()


def task_counts_of_draw(session: Session, draw_id: int) -> dict[TaskStatus, int]:
    stmt = (
        select(InspectionTask.status, func.count())
        .where(InspectionTask.draw_id == draw_id)
        .group_by(InspectionTask.status)
    )
    return {TaskStatus(s): int(n) for s, n in session.execute(stmt)}


# -- tasks ---------------------------------------------------------------------------------


def insert_tasks(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert tasks; their ids in the order of ``rows``."""
    if not rows:
        return []
    stmt = insert(_TASKS).returning(_TASKS.c.id, sort_by_parameter_order=True)
    return [int(i) for i in session.connection().execute(stmt, list(rows)).scalars()]


def insert_draw_tasks(
    session: Session, draw_id: int, rows: Sequence[dict[str, Any]]
) -> dict[int, int]:
    """Insert a draw's tasks; their ids by draw position. (A plain executemany and one
    read of the ids: an INSERT ... RETURNING of thousands of rows is several times slower
    with psycopg, which parses the whole multi-row statement.)"""
    if not rows:
        return {}
    session.connection().execute(insert(_TASKS), list(rows))
    stmt = select(_TASKS.c.draw_position, _TASKS.c.id).where(_TASKS.c.draw_id == draw_id)
    return {int(p): int(i) for p, i in session.connection().execute(stmt)}


def insert_task_inspectors(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.connection().execute(insert(_TASK_INSPECTORS), list(rows))


def replace_task_inspectors(session: Session, task_id: int, user_ids: Sequence[int]) -> None:
    session.execute(
        delete(InspectionTaskInspector).where(InspectionTaskInspector.task_id == task_id)
    )
    insert_task_inspectors(
        session, [{"task_id": task_id, "user_id": u, "position": n} for n, u in enumerate(user_ids)]
    )


def get_task(
    session: Session, *, task_id: int, scope: ColumnElement[bool]
) -> InspectionTask | None:
    stmt = select(InspectionTask).where(InspectionTask.id == task_id, scope)
    return session.execute(stmt).scalar_one_or_none()


def open_task_of_case(session: Session, case_id: int) -> InspectionTask | None:
    stmt = select(InspectionTask).where(
        InspectionTask.case_id == case_id, InspectionTask.status == TaskStatus.OPEN
    )
    return session.execute(stmt.limit(1)).scalar_one_or_none()


def open_task_for(session: Session, *, business_id: int, user_id: int) -> InspectionTask | None:
    """The open task of a business the officer is one of the inspectors of, the one due
    first (the task an inspection the officer records fulfils)."""
    stmt = (
        select(InspectionTask)
        .join(InspectionTaskInspector, InspectionTaskInspector.task_id == InspectionTask.id)
        .where(
            InspectionTask.business_id == business_id,
            InspectionTask.status == TaskStatus.OPEN,
            InspectionTaskInspector.user_id == user_id,
        )
        .order_by(InspectionTask.due_on, InspectionTask.id)
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def mine_condition(user_id: int) -> ColumnElement[bool]:
    return InspectionTask.id.in_(
        select(InspectionTaskInspector.task_id).where(InspectionTaskInspector.user_id == user_id)
    )


@dataclass(frozen=True)
class TaskRow:
    task: InspectionTask
    business_name: str
    business_code: str
    office_name: str
    draw_reference: str | None
    case_reference: str | None
    inspection_id: int | None
    inspection_reference: str | None
    result: InspectionResult | None
    business_address: str = ""
    latitude: float | None = None
    longitude: float | None = None


def _task_rows(stmt: Select[*tuple[Any, ...]], session: Session) -> list[TaskRow]:
    return [TaskRow(*row) for row in session.execute(stmt)]


def _task_select() -> Select[*tuple[Any, ...]]:
    stmt: Select[*tuple[Any, ...]] = (
        select(
            InspectionTask,
            Business.name,
            Business.public_code,
            OrgUnit.name,
            RandomDraw.reference,
            Case.reference,
            Inspection.id,
            Inspection.reference,
            Inspection.result,
            Business.address,
            Business.latitude,
            Business.longitude,
        )
        .join(Business, Business.id == InspectionTask.business_id)
        .join(OrgUnit, OrgUnit.id == InspectionTask.org_unit_id)
        .outerjoin(RandomDraw, RandomDraw.id == InspectionTask.draw_id)
        .outerjoin(Case, Case.id == InspectionTask.case_id)
        .outerjoin(Inspection, Inspection.task_id == InspectionTask.id)
    )
    return stmt


def page_tasks(
    session: Session,
    *,
    conditions: Sequence[ColumnElement[bool]],
    newest_first: bool,
    offset: int,
    limit: int,
) -> tuple[list[TaskRow], int]:
    total = session.execute(
        select(func.count()).select_from(InspectionTask).where(*conditions)
    ).scalar_one()
    order = (
        (InspectionTask.closed_at.desc(), InspectionTask.id.desc())
        if newest_first
        else (InspectionTask.due_on, InspectionTask.id)
    )
    stmt = _task_select().where(*conditions).order_by(*order).offset(offset).limit(limit)
    return _task_rows(stmt, session), int(total)


def task_row(session: Session, task_id: int) -> TaskRow | None:
    rows = _task_rows(_task_select().where(InspectionTask.id == task_id), session)
    return rows[0] if rows else None


def count_tasks(session: Session, conditions: Sequence[ColumnElement[bool]]) -> int:
    stmt = select(func.count()).select_from(InspectionTask).where(*conditions)
    return int(session.execute(stmt).scalar_one())


def inspectors_of_tasks(session: Session, task_ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for chunk in _chunks(task_ids):
        stmt = (
            select(InspectionTaskInspector.task_id, InspectionTaskInspector.user_id)
            .where(InspectionTaskInspector.task_id.in_(chunk))
            .order_by(InspectionTaskInspector.task_id, InspectionTaskInspector.position)
        )
        for task_id, user_id in session.execute(stmt):
            out.setdefault(int(task_id), []).append(int(user_id))
    return out


def case_by_reference(
    session: Session, *, reference: str, scope: ColumnElement[bool]
) -> Case | None:
    stmt = select(Case).where(Case.reference == reference, scope)
    return session.execute(stmt).scalar_one_or_none()


def open_case_with_business(session: Session, *, township_code: str) -> Case | None:
    """An open case about a business of a township, due soonest (the demo's case task)."""
    stmt = (
        select(Case)
        .where(
            Case.township_code == township_code,
            Case.business_id.is_not(None),
            Case.due_on.is_not(None),
            Case.closed_at.is_(None),
            Case.state.not_in(["closed", "rejected"]),
        )
        .order_by(Case.due_on, Case.id)
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()
