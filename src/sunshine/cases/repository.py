"""Every query of cases and their timeline."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeGuard, cast

from sqlalchemy import (
    ColumnElement,
    Date,
    and_,
    bindparam,
    case,
    extract,
    false,
    func,
    null,
    or_,
    select,
    union,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BooleanClauseList,
    ClauseElement,
    Grouping,
)
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import ScalarSelect, Select
from sqlalchemy.sql.util import find_tables
from sqlalchemy.sql.visitors import iterate, replacement_traverse

from sunshine.auth.enums import Role
from sunshine.auth.models import User
from sunshine.cases.enums import CaseKind, CaseState
from sunshine.cases.models import (
    CLOSED_QUEUE_STATES,
    OPEN_QUEUE_STATES,
    Case,
    CaseEvent,
    CaseExtension,
    CasePause,
)
from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import OrgUnit, Region
from sunshine.regions.repository import region_within
from sunshine.registry.models import Business


def get_case(session: Session, *, case_id: int, scope: ColumnElement[bool]) -> Case | None:
    return session.execute(select(Case).where(Case.id == case_id, scope)).scalar_one_or_none()


def visible_case_ids(
    session: Session, *, case_ids: Iterable[int], scope: ColumnElement[bool]
) -> set[int]:
    """Those of ``case_ids`` that ``scope`` (a principal's case condition) lets one see."""
    wanted = set(case_ids)
    if not wanted:
        return set()
    return set(session.scalars(select(Case.id).where(Case.id.in_(wanted), scope)))


def reference_exists(session: Session, reference: str) -> bool:
    stmt = select(Case.id).where(Case.reference == reference)
    return session.execute(stmt).first() is not None


def get_event(session: Session, event_id: int) -> CaseEvent | None:
    return session.get(CaseEvent, event_id)


def events_of(session: Session, case_id: int) -> Sequence[CaseEvent]:
    stmt = select(CaseEvent).where(CaseEvent.case_id == case_id)
    return session.execute(stmt.order_by(CaseEvent.occurred_at, CaseEvent.id)).scalars().all()


def active_units_for_regions(session: Session, codes: Sequence[str]) -> Sequence[OrgUnit]:
    """Active org units whose jurisdiction is exactly one of these divisions."""
    stmt = select(OrgUnit).where(OrgUnit.region_code.in_(list(codes)), OrgUnit.active.is_(True))
    return session.execute(stmt.order_by(OrgUnit.id)).scalars().all()


def cases_due_by(session: Session, day: date) -> Sequence[Case]:
    """Open cases whose running clock is due on or before ``day``, soonest first."""
    stmt = select(Case).where(Case.due_on.is_not(None), Case.due_on <= day)
    return session.execute(stmt.order_by(Case.due_on, Case.id)).scalars().all()


def pauses_of(session: Session, case_id: int) -> Sequence[CasePause]:
    stmt = select(CasePause).where(CasePause.case_id == case_id)
    return session.execute(stmt.order_by(CasePause.start_on, CasePause.id)).scalars().all()


def extensions_of(session: Session, case_id: int) -> Sequence[CaseExtension]:
    stmt = select(CaseExtension).where(CaseExtension.case_id == case_id)
    return session.execute(stmt.order_by(CaseExtension.id)).scalars().all()


@dataclass(frozen=True)
class CaseQueue:
    """A workbench queue: open cases, due soon, overdue, the caller's, closed."""

    name: str = "open"
    kind: CaseKind | None = None
    state: CaseState | None = None
    assignee_id: int | None = None  # "mine"


#: The closed queue is counted up to this many cases; beyond, its size is a lower bound
#: ("more than 1,000"). A province closes some 300,000 cases a year: counting them on every
#: page view would cost far more than the page, and nobody pages that far. The open queues
#: (a few percent of all cases) are counted exactly, from their index alone.
CLOSED_COUNT_CAP = 1_000


def count_cap_of(queue: CaseQueue) -> int | None:
    """Where counting ``queue`` stops (``None``: never), for ``Page.count_cap``."""
    return CLOSED_COUNT_CAP if queue.name == "closed" else None


def page_cases(
    session: Session,
    *,
    scope: ColumnElement[bool],
    queue: CaseQueue,
    today: date,
    due_soon_until: date,
    offset: int,
    limit: int,
    narrowed_by: Sequence[ColumnElement[bool]] = (),
) -> tuple[Sequence[Case], int]:
    """One page of a queue and its size. Open queues show the most urgent first (due date,
    then the oldest; cases with no running clock last), the closed queue the most recently
    closed or rejected first. The size is exact up to :func:`count_cap_of` the queue, a
    lower bound beyond it. ``narrowed_by``: further conditions (a workbench's filters).

    How, with a million cases: the page's ids are read in order from the queue's indexes
    alone (they carry the columns the scope and the filters test), then only those cases,
    in the same statement as the count. The open queues hold a few percent of the cases,
    in one small index. The closed queue holds nearly all of them, so each part of a scope
    made of alternatives (the cases placed in a jurisdiction, or handled by one of its
    offices) is read from its own index, in order, and the parts are merged: one ordered
    read of a mixed condition would pass over most of a province's cases to fill a
    township's page."""
    keys, order = _queue_keys(session, scope, queue, today, due_soon_until, narrowed_by)
    return _page_and_count(session, keys, order, offset, limit, count_cap_of(queue))


def _queue_keys(
    session: Session,
    scope: ColumnElement[bool],
    queue: CaseQueue,
    today: date,
    due_soon_until: date,
    narrowed_by: Sequence[ColumnElement[bool]] = (),
) -> tuple[list[Select[*tuple[Any, ...]]], _Order]:
    """The ordered reads whose merge is the queue (see :func:`page_cases`), and its order."""
    parts = [scope]
    if queue.name == "closed":
        parts = _alternatives(_with_subqueries_listed(session, scope))
    conditions = [*_queue_conditions(queue, today, due_soon_until), *narrowed_by]
    order = _queue_order(queue)
    keys = [select(Case.id, *(c for c, _ in order)).where(p, *conditions) for p in parts]
    return keys, order


_Order = tuple[tuple[InstrumentedAttribute[Any], bool], ...]  # (column, descending) pairs


def _page_and_count(
    session: Session,
    keys: Sequence[Select[*tuple[Any, ...]]],
    order: _Order,
    offset: int,
    limit: int,
    count_cap: int | None,
) -> tuple[Sequence[Case], int]:
    """One page of the cases any of ``keys`` selects (the id, then the order's columns)
    and how many there are (at most ``count_cap`` + 1), in one round trip."""
    page = _page_of(keys, order, offset, limit)
    count = _count_of(keys, count_cap)
    stmt = (
        select(Case, count.scalar_subquery())
        .join(page, page.c[0] == Case.id)
        .order_by(*_sorted_by(page.c, order))
    )
    rows = session.execute(stmt).all()
    total = int(rows[0][1]) if rows else 0
    if not rows and offset:  # past the last page: count on its own
        total = int(session.execute(count).scalar_one())
    if count_cap is not None:
        total = min(total, count_cap + 1)
    return [row[0] for row in rows], total


def _page_of(
    keys: Sequence[Select[*tuple[Any, ...]]], order: _Order, offset: int, limit: int
) -> Any:
    """The subquery of one page's ids (and order columns) from the keys' ordered reads."""
    wanted = offset + limit  # no part contributes more than this to the page
    parts = [key.order_by(*_sorted_by(key.selected_columns, order)).limit(wanted) for key in keys]
    if len(parts) == 1:
        return parts[0].offset(offset).limit(limit).subquery()
    merged = union(*(select(*part.subquery().c) for part in parts)).subquery()
    ordered = select(*merged.c).order_by(*_sorted_by(merged.c, order))
    return ordered.offset(offset).limit(limit).subquery()


def _count_of(keys: Sequence[Select[*tuple[Any, ...]]], count_cap: int | None) -> Select[Any]:
    """How many cases the keys select together (stopping past ``count_cap``)."""
    counted = [key.with_only_columns(key.selected_columns[0]) for key in keys]
    if count_cap is not None:
        counted = [key.limit(count_cap + 1) for key in counted]
    if len(counted) == 1:
        matching = counted[0].subquery()
    else:
        matching = union(*(select(*key.subquery().c) for key in counted)).subquery()
    return select(func.count()).select_from(matching)


def _sorted_by(columns: Any, order: _Order) -> list[ColumnElement[Any]]:
    """``order`` applied to ``columns`` (the id, then the order's columns, in order)."""
    sorted_by = []
    for column, (_, descending) in zip(list(columns)[1:], order, strict=True):
        sorted_by.append(column.desc() if descending else column.asc().nulls_last())
    return sorted_by


def _alternatives(scope: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    """The alternatives of a scope that is an OR (or an OR and further conditions, which
    go with each alternative), each read from its own index; or the scope itself when it
    has no OR or still holds a subquery (a jurisdiction with too many offices to list
    holds a large share of all cases: one ordered read of the whole scope finds a page
    soonest). Any split gives the same cases; splitting the jurisdiction's OR is fast."""
    if any(isinstance(element, ScalarSelect) for element in iterate(scope)):
        return [scope]
    if _is_or(scope):
        return list(scope.clauses)
    if isinstance(scope, BooleanClauseList) and scope.operator is operators.and_:
        clauses = [_ungrouped(clause) for clause in scope.clauses]
        ors = [clause for clause in clauses if _is_or(clause)]
        if ors:  # the first OR: the scope, when filters follow it
            rest = [clause for clause in clauses if clause is not ors[0]]
            return [and_(alternative, *rest) for alternative in ors[0].clauses]
    return [scope]


def _is_or(condition: ClauseElement) -> TypeGuard[BooleanClauseList]:
    return isinstance(condition, BooleanClauseList) and condition.operator is operators.or_


def _ungrouped(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """The condition inside the parentheses SQLAlchemy puts around an OR within an AND."""
    inner: Any = condition
    while isinstance(inner, Grouping):
        inner = inner.element
    return cast("ColumnElement[bool]", inner)


# A subquery selecting more values than this stays a subquery (see below).
_LISTED_AT_MOST = 100


def _with_subqueries_listed(session: Session, scope: ColumnElement[bool]) -> ColumnElement[bool]:
    """``scope`` with each ``column IN (subquery)`` that selects a few values replaced by
    those values (the offices inside a county or a township). Inside an OR, PostgreSQL
    runs such a subquery as a filter on every row it reads, so it can use no index for it
    and cannot estimate how many cases match. A long list (a province's 3,000 offices)
    costs more to send and plan than it saves: such a jurisdiction holds a large share of
    all cases, read in the queue's order where the subquery is a cheap filter.
    Subqueries that refer to the cases themselves are left alone (they cannot run alone)."""

    def listed(element: ClauseElement, **_: Any) -> ClauseElement | None:
        if (
            isinstance(element, BinaryExpression)
            and element.operator is operators.in_op
            and isinstance(element.right, ScalarSelect)
            and isinstance(element.right.element, Select)
            and Case.__table__ not in find_tables(element.right.element, include_joins=True)
        ):
            subquery = element.right.element.limit(_LISTED_AT_MOST + 1)
            values = session.execute(subquery).scalars().all()
            if len(values) <= _LISTED_AT_MOST:
                return element.left.in_(values)
        return None

    return replacement_traverse(scope, {}, listed)


def _queue_order(queue: CaseQueue) -> _Order:
    """The order of a queue, as its indexes hold it (``ix_cases_open_queue``; for the
    closed queue ``ix_cases_closed_queue`` and the indexes by place and by office)."""
    if queue.name == "closed":
        return ((Case.state_since, True), (Case.id, True))
    return ((Case.due_on, False), (Case.received_on, False), (Case.id, False))


def _states_in(states: Sequence[CaseState]) -> ColumnElement[bool]:
    """A queue's states, written into the SQL as literals: SQLite, like PostgreSQL, then
    sees that the condition is its partial index's (``OPEN_QUEUE_STATES`` in models)."""
    return Case.state.in_(bindparam(None, list(states), literal_execute=True))


def _queue_conditions(
    queue: CaseQueue, today: date, due_soon_until: date
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if queue.name == "closed":
        conditions.append(_states_in(CLOSED_QUEUE_STATES))
    else:
        conditions.append(_states_in(OPEN_QUEUE_STATES))
    if queue.name == "overdue":
        conditions.append(Case.due_on < today)
    elif queue.name == "due_soon":
        conditions.append(and_(Case.due_on >= today, Case.due_on <= due_soon_until))
    elif queue.name == "mine":
        conditions.append(Case.assignee_id == queue.assignee_id)
    if queue.kind is not None:
        conditions.append(Case.kind == queue.kind)
    if queue.state is not None:
        conditions.append(_states_in([queue.state]))  # (the rejected have an index)
    return conditions


# -- the workbench of the government portal ------------------------------------------------
# Filters beyond the queue, the counts on its tabs, and the names a page of cases shows.

_PLACE_COLUMN = {
    RegionLevel.PROVINCE: Case.province_code,
    RegionLevel.PREFECTURE: Case.prefecture_code,
    RegionLevel.COUNTY: Case.county_code,
    RegionLevel.TOWNSHIP: Case.township_code,
}
_OPEN_STATES = tuple(s for s in CaseState if s not in (CaseState.CLOSED, CaseState.REJECTED))


@dataclass(frozen=True)
class WorkbenchFilter:
    """What the workbench narrows a queue to: the place (an area of the jurisdiction), the
    responsible office, the assignee, and text found in the reference or the title."""

    area: tuple[RegionLevel, str] | None = None
    org_unit_id: int | None = None
    assignee_id: int | None = None
    text: str | None = None


def _filter_conditions(filters: WorkbenchFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.area is not None:
        level, code = filters.area
        conditions.append(_PLACE_COLUMN[level] == code)
    if filters.org_unit_id is not None:
        conditions.append(Case.org_unit_id == filters.org_unit_id)
    if filters.assignee_id is not None:
        conditions.append(Case.assignee_id == filters.assignee_id)
    if filters.text:
        # References are upper case (TS20261129-4K7Q2M): a typed prefix finds one at once.
        conditions.append(
            or_(
                Case.reference.startswith(filters.text.upper(), autoescape=True),
                Case.title.contains(filters.text, autoescape=True),
            )
        )
    return conditions


@dataclass(frozen=True)
class NamedCase:
    """A case of a workbench page with the names its row shows."""

    case: Case
    business: str | None
    unit: str
    assignee: str | None


def page_workbench(
    session: Session,
    *,
    scope: ColumnElement[bool],
    queue: CaseQueue,
    filters: WorkbenchFilter,
    today: date,
    due_soon_until: date,
    offset: int,
    limit: int,
    counted: bool,
) -> tuple[list[NamedCase], int | None]:
    """One page of a queue narrowed by the workbench's filters (:func:`page_cases`' order,
    indexes and count cap, with the filters added to the scope), each case with the names
    of its business, office and assignee, in one round trip. The size only when
    ``counted``: the workbench counts its open queues once, for their tabs."""
    narrowed = _filter_conditions(filters)
    keys, order = _queue_keys(
        session, and_(scope, *narrowed) if narrowed else scope, queue, today, due_soon_until
    )
    page = _page_of(keys, order, offset, limit)
    count = _count_of(keys, count_cap_of(queue)) if counted else None
    stmt = (
        select(
            Case,
            Business.name,
            OrgUnit.name,
            User.display_name,
            count.scalar_subquery() if count is not None else null(),
        )
        .join(page, page.c[0] == Case.id)
        .join(OrgUnit, OrgUnit.id == Case.org_unit_id)
        .outerjoin(Business, Business.id == Case.business_id)
        .outerjoin(User, User.id == Case.assignee_id)
        .order_by(*_sorted_by(page.c, order))
    )
    rows = session.execute(stmt).all()
    total: int | None = None
    if count is not None:
        total = int(rows[0][4]) if rows else 0
        if not rows and offset:  # past the last page: count on its own
            total = int(session.execute(count).scalar_one())
        cap = count_cap_of(queue)
        if cap is not None:
            total = min(total, cap + 1)
    named = [NamedCase(case, business, unit, person) for case, business, unit, person, _ in rows]
    return named, total


@dataclass(frozen=True)
class StateTally:
    """How many open cases of one state there are, and how many of them are overdue, due
    soon, or the caller's."""

    state: CaseState
    total: int
    overdue: int
    due_soon: int
    mine: int


def tally_open_cases(
    session: Session,
    *,
    scope: ColumnElement[bool],
    filters: WorkbenchFilter,
    kind: CaseKind | None,
    today: date,
    due_soon_until: date,
    user_id: int | None,
) -> list[StateTally]:
    """The counts behind the workbench's tabs, in one grouped pass over the open cases
    (a few percent of all, in the open queue's index; the closed are not counted)."""
    overdue = Case.due_on < today
    due_soon = and_(Case.due_on >= today, Case.due_on <= due_soon_until)
    mine = Case.assignee_id == user_id if user_id is not None else false()
    stmt = select(
        Case.state, func.count(), _count_where(overdue), _count_where(due_soon), _count_where(mine)
    ).where(
        # Listed offices let PostgreSQL test them as values rather than run a subquery
        # per open case of the jurisdiction it reads.
        _with_subqueries_listed(session, scope),
        _states_in(OPEN_QUEUE_STATES),
        *_filter_conditions(filters),
    )
    if kind is not None:
        stmt = stmt.where(Case.kind == kind)
    rows = session.execute(stmt.group_by(Case.state))
    return [
        StateTally(CaseState(state), int(n), int(late), int(soon), int(own))
        for state, n, late, soon, own in rows
    ]


def tally_mine(
    session: Session,
    *,
    scope: ColumnElement[bool],
    filters: WorkbenchFilter,
    kind: CaseKind | None,
    user_id: int,
) -> dict[CaseState, int]:
    """How many of the caller's open cases (in ``scope``, under the filters) each state
    holds: read from their own index (``ix_cases_open_mine``)."""
    stmt = select(Case.state, func.count()).where(
        Case.assignee_id == user_id,
        scope,
        _states_in(OPEN_QUEUE_STATES),
        *_filter_conditions(filters),
    )
    if kind is not None:
        stmt = stmt.where(Case.kind == kind)
    rows = session.execute(stmt.group_by(Case.state))
    return {CaseState(state): int(n) for state, n in rows}


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def assignable_users(
    session: Session,
    *,
    within: tuple[RegionLevel, str],
    roles: Sequence[Role],
    limit: int,
    levels: Sequence[RegionLevel] | None = None,
    office_id: int | None = None,
    user_id: int | None = None,
) -> Sequence[tuple[User, OrgUnit]]:
    """Active accounts with one of ``roles`` in the offices inside ``within`` (only those
    at ``levels``, only ``office_id``, only ``user_id``, when given), by office."""
    offices = (
        select(OrgUnit.id)
        .join(Region, Region.code == OrgUnit.region_code)
        .where(region_within(*within))
    )
    if levels is not None:
        offices = offices.where(OrgUnit.region_level.in_(list(levels)))
    if office_id is not None:
        offices = offices.where(OrgUnit.id == office_id)
    stmt = (
        select(User, OrgUnit)
        .join(OrgUnit, OrgUnit.id == User.org_unit_id)
        .where(User.org_unit_id.in_(offices), User.is_active.is_(True), User.role.in_(list(roles)))
        .order_by(OrgUnit.region_code, OrgUnit.id, User.display_name, User.id)
        .limit(limit)
    )
    if user_id is not None:
        stmt = stmt.where(User.id == user_id)
    return [(user, unit) for user, unit in session.execute(stmt)]


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    stmt = select(User.id, User.display_name).where(User.id.in_(wanted))
    return {int(i): name for i, name in session.execute(stmt)}


def unit_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    stmt = select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(wanted))
    return {int(i): name for i, name in session.execute(stmt)}


def business_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    stmt = select(Business.id, Business.name).where(Business.id.in_(wanted))
    return {int(i): name for i, name in session.execute(stmt)}


def transfer_targets(session: Session, *, unit: OrgUnit, limit: int) -> Sequence[OrgUnit]:
    """Active offices a case may be transferred to from ``unit``: its supervising office,
    the offices beside it (the same supervisor) and the offices under it."""
    related = or_(OrgUnit.parent_id == unit.id, OrgUnit.id == unit.parent_id)
    if unit.parent_id is not None:
        related = or_(related, OrgUnit.parent_id == unit.parent_id)
    stmt = (
        select(OrgUnit)
        .where(related, OrgUnit.active.is_(True), OrgUnit.id != unit.id)
        .order_by(OrgUnit.region_level, OrgUnit.region_code, OrgUnit.id)
        .limit(limit)
    )
    return session.execute(stmt).scalars().all()


# -- statistics: grouped in SQL, so a province's million cases are never loaded ----------


class local_date(FunctionElement[date]):
    """The Asia/Shanghai calendar day of a stored UTC instant (China keeps UTC+8 all year)."""

    type = Date()
    inherit_cache = True


@compiles(local_date, "sqlite")
def _local_date_sqlite(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(local_date, "postgresql")
def _local_date_postgresql(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Shanghai' AS DATE)"


def volumes_by_month(
    session: Session, *, scope: ColumnElement[bool], since: date
) -> list[tuple[CaseKind, int, int, int]]:
    """Cases received since ``since`` by kind, year and month: (kind, year, month, n)."""
    year = extract("year", Case.received_on)
    month = extract("month", Case.received_on)
    stmt = (
        select(Case.kind, year, month, func.count())
        .where(scope, Case.received_on >= since)
        .group_by(Case.kind, year, month)
    )
    return [(CaseKind(kind), int(y), int(m), int(n)) for kind, y, m, n in session.execute(stmt)]


def first_step_days(
    session: Session, *, scope: ColumnElement[bool], since: date, action: str
) -> list[tuple[CaseKind, date, date, int]]:
    """For cases received since ``since`` that took ``action``: (kind, day received, local
    day of the first such step, how many cases), grouped so the rows stay few (one per pair
    of days) however many cases there are."""
    first = (
        select(
            Case.kind.label("kind"),
            Case.received_on.label("received_on"),
            func.min(local_date(CaseEvent.occurred_at)).label("done_on"),
        )
        .join(CaseEvent, CaseEvent.case_id == Case.id)
        .where(scope, Case.received_on >= since, CaseEvent.action == action)
        .group_by(Case.id, Case.kind, Case.received_on)
        .subquery()
    )
    stmt = select(first.c.kind, first.c.received_on, first.c.done_on, func.count()).group_by(
        first.c.kind, first.c.received_on, first.c.done_on
    )
    return [
        (CaseKind(kind), received, _as_date(done), int(n))
        for kind, received, done, n in session.execute(stmt)
    ]


def closing_days(
    session: Session, *, scope: ColumnElement[bool], since: date
) -> list[tuple[CaseKind, date, date, int]]:
    """For closed cases received since ``since``: (kind, day received, local day closed, n)."""
    closed_on = local_date(Case.closed_at)
    stmt = (
        select(Case.kind, Case.received_on, closed_on, func.count())
        .where(
            scope,
            Case.received_on >= since,
            Case.state == CaseState.CLOSED,
            Case.closed_at.is_not(None),
        )
        .group_by(Case.kind, Case.received_on, closed_on)
    )
    return [
        (CaseKind(kind), received, _as_date(done), int(n))
        for kind, received, done, n in session.execute(stmt)
    ]


def _as_date(value: date | str) -> date:
    # SQLite hands back the text of date(); PostgreSQL a date.
    return value if isinstance(value, date) else date.fromisoformat(value)


@dataclass(frozen=True)
class DeadlineTally:
    """Cases of one area or kind: received in the period, open now, overdue now, and
    received in the period and past a statutory deadline at some point."""

    key: str | None
    received: int
    open: int
    overdue: int
    missed: int


def deadline_tally(
    session: Session,
    *,
    scope: ColumnElement[bool],
    group: str,
    level: RegionLevel | None,
    since: date,
    today: date,
) -> list[DeadlineTally]:
    """Deadline figures grouped by ``group``: ``"area"`` (the division of ``level`` the
    case is placed in) or ``"kind"``. "Past a deadline" is what the clock sweep recorded
    (``escalated_for_due_on``): the case was found overdue at least once."""
    column: ColumnElement[Any] = (
        Case.kind.expression
        if group == "kind"
        else _PLACE_COLUMN[level or RegionLevel.TOWNSHIP].expression
    )
    in_period = Case.received_on >= since
    open_now = Case.state.in_(_OPEN_STATES)
    stmt = (
        select(
            column,
            _count_where(in_period),
            _count_where(open_now),
            _count_where(and_(open_now, Case.due_on < today)),
            _count_where(and_(in_period, Case.escalated_for_due_on.is_not(None))),
        )
        .where(scope, or_(in_period, open_now))
        .group_by(column)
    )
    return [
        DeadlineTally(None if key is None else str(key), int(n), int(o), int(late), int(missed))
        for key, n, o, late, missed in session.execute(stmt)
    ]


def demo_businesses(session: Session, *, county_code: str, limit: int) -> Sequence[Business]:
    """Businesses of a county in id order, for the demo's cases about them."""
    stmt = select(Business).where(Business.county_code == county_code).order_by(Business.id)
    return session.execute(stmt.limit(limit)).scalars().all()


def last_event(session: Session, case_id: int) -> CaseEvent | None:
    stmt = select(CaseEvent).where(CaseEvent.case_id == case_id)
    return session.execute(stmt.order_by(CaseEvent.id.desc()).limit(1)).scalar_one_or_none()
