"""Problems by checklist item: how often each item fails, by item, area or business form.

Written to stay fast at a province-year (a million inspections, ten million item results
on PostgreSQL): nothing reads the passed item results, which are nine in ten rows.

- Failures (and the not-applicable answers) come from the item results that did not pass,
  through the partial index ``ix_inspection_item_results_not_passed``, joined to the
  inspections of the period and scope and counted with GROUP BY in SQL.
- The checks an item had come from the inspections themselves: every inspection except a
  flying one answers every item of its checklist (Order 49 art. 27, enforced when it is
  recorded), so an item was checked by (the non-flying inspections with its checklist)
  − (those that answered it not applicable) + (the flying inspections that answered it).
  Flying inspections are few, and their answers are read by their ids.

Call :func:`problem_counts` from a script with any scope condition, e.g.
``region_scope(RegionLevel.PROVINCE, "320000")``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal_column, select
from sqlalchemy.orm import Session

from sunshine.inspections.enums import InspectionKind, ItemOutcome
from sunshine.inspections.models import ChecklistItem, Inspection, InspectionItemResult
from sunshine.regions.enums import RegionLevel
from sunshine.registry.enums import BusinessForm
from sunshine.registry.models import Business


class Grouping(StrEnum):
    ITEM = "item"
    AREA = "area"
    FORM = "form"


PLACE = {
    RegionLevel.PROVINCE: Inspection.province_code,
    RegionLevel.PREFECTURE: Inspection.prefecture_code,
    RegionLevel.COUNTY: Inspection.county_code,
    RegionLevel.TOWNSHIP: Inspection.township_code,
}
# The literal the partial index's predicate names, so PostgreSQL can prove the index
# applies (a bound parameter would hide the value from the planner of a generic plan).
_NOT_PASSED = InspectionItemResult.outcome.op("<>")(literal_column("'pass'"))


def region_scope(level: RegionLevel, code: str) -> ColumnElement[bool]:
    """The inspections of one region (a regulator's jurisdiction, or a benchmark's)."""
    return PLACE[level] == code


@dataclass(frozen=True)
class ProblemFilter:
    """The period (inclusive) and what the counts narrow to."""

    since: date
    until: date
    area: tuple[RegionLevel, str] | None = None
    form: BusinessForm | None = None
    item_id: int | None = None


@dataclass(frozen=True)
class ProblemCount:
    """``failures`` of ``checked`` item checks for one key (an item id, a region code, a
    business form); ``inspections`` counts the inspections (for an item: that checked it)."""

    key: str
    failures: int
    checked: int
    inspections: int

    @property
    def rate(self) -> float | None:
        return self.failures / self.checked if self.checked else None


def _conditions(scope: ColumnElement[bool], filters: ProblemFilter) -> list[ColumnElement[bool]]:
    found = [
        scope,
        Inspection.inspected_on >= filters.since,
        Inspection.inspected_on <= filters.until,
    ]
    if filters.area is not None:
        found.append(PLACE[filters.area[0]] == filters.area[1])
    if filters.form is not None:
        found.append(Business.form == filters.form)
    return found


def _with_business(stmt: Select[Any], needed: bool) -> Select[Any]:
    return stmt.join(Business, Business.id == Inspection.business_id) if needed else stmt


def problem_counts(
    session: Session,
    *,
    scope: ColumnElement[bool],
    filters: ProblemFilter,
    by: Grouping = Grouping.ITEM,
    area_level: RegionLevel = RegionLevel.COUNTY,
) -> list[ProblemCount]:
    """Failures and checks per item (``by=ITEM``), per area at ``area_level`` or per
    business form, over the inspections under ``scope`` and ``filters``, the most failed
    first. Three grouped queries; see the module for why they are fast."""
    needs_business = by is Grouping.FORM or filters.form is not None
    key: Any = {
        Grouping.ITEM: InspectionItemResult.item_id,
        Grouping.AREA: PLACE[area_level],
        Grouping.FORM: Business.form,
    }[by]
    where = _conditions(scope, filters)
    item_where: list[ColumnElement[bool]] = []
    if filters.item_id is not None:
        item_where.append(InspectionItemResult.item_id == filters.item_id)
    flying = Inspection.kind == InspectionKind.FLYING

    # 1. What did not pass: failures, and the not-applicable answers of full inspections.
    not_passed = _with_business(
        select(
            key,
            func.sum(case((InspectionItemResult.outcome == ItemOutcome.FAIL, 1), else_=0)),
            func.sum(
                case(
                    ((InspectionItemResult.outcome == ItemOutcome.NOT_APPLICABLE) & ~flying, 1),
                    else_=0,
                )
            ),
        )
        .select_from(InspectionItemResult)
        .join(Inspection, Inspection.id == InspectionItemResult.inspection_id),
        needs_business,
    ).where(_NOT_PASSED, *where, *item_where)
    failures: dict[str, int] = defaultdict(int)
    checked: dict[str, int] = defaultdict(int)
    for k, failed, not_applicable in session.execute(not_passed.group_by(key)):
        failures[_key(k)] += int(failed or 0)
        checked[_key(k)] -= int(not_applicable or 0)

    # 2. The inspections: each full one checked every item of its checklist.
    inspections: dict[str, int] = defaultdict(int)
    group: list[Any] = [Inspection.checklist_id] + ([] if by is Grouping.ITEM else [key])
    counted = _with_business(
        select(
            *group,
            func.sum(case((~flying, 1), else_=0)),
            func.count(),
        ).select_from(Inspection),
        needs_business,
    ).where(*where)
    if filters.item_id is not None:
        counted = counted.where(
            Inspection.checklist_id
            == select(ChecklistItem.checklist_id)
            .where(ChecklistItem.id == filters.item_id)
            .scalar_subquery()
        )
    per_checklist = list(session.execute(counted.group_by(*group)))
    items = _items_of(session, {int(row[0]) for row in per_checklist}, filters.item_id)
    for row in per_checklist:
        checklist_id, full, total = int(row[0]), int(row[-2] or 0), int(row[-1])
        if by is Grouping.ITEM:
            for item_id in items.get(checklist_id, []):
                checked[str(item_id)] += full
        else:
            k = _key(row[1])
            checked[k] += full * len(items.get(checklist_id, []))
            inspections[k] += total

    # 3. Flying inspections: the items they answered (few rows, read by inspection id).
    answered = _with_business(
        select(key, func.count())
        .select_from(InspectionItemResult)
        .join(Inspection, Inspection.id == InspectionItemResult.inspection_id),
        needs_business,
    ).where(
        flying,
        InspectionItemResult.outcome != ItemOutcome.NOT_APPLICABLE,
        *where,
        *item_where,
    )
    for k, n in session.execute(answered.group_by(key)):
        checked[_key(k)] += int(n)

    keys = {k for k, n in failures.items() if n > 0} | {k for k, n in checked.items() if n > 0}
    rows = [
        ProblemCount(
            key=k,
            failures=failures.get(k, 0),
            checked=checked.get(k, 0),
            inspections=checked.get(k, 0) if by is Grouping.ITEM else inspections.get(k, 0),
        )
        for k in keys
    ]
    return sorted(rows, key=lambda r: (-r.failures, -(r.rate or 0), r.key))


@dataclass(frozen=True)
class ProblemCube:
    """The counts of :func:`problem_counts` for every (item, area, form) at once, so a
    page wanting them by item, by area and by form reads the item results once, not three
    times (each map's key is ``(item id or checklist id, area code, form value)``)."""

    failures: dict[tuple[int, str, str], int]
    not_applicable: dict[tuple[int, str, str], int]  # in full (non-flying) inspections
    flying_checked: dict[tuple[int, str, str], int]  # answers of flying inspections
    inspections: dict[tuple[int, str, str], tuple[int, int]]  # checklist: (full, all)
    items_of: dict[int, list[int]]  # checklist id: its item ids

    def counts(self, by: Grouping, *, item_id: int | None = None) -> list[ProblemCount]:
        """Roll the cube up ``by`` item, area or form, narrowed to one item if given (as
        ``problem_counts`` with ``filters.item_id``)."""
        index = {Grouping.ITEM: 0, Grouping.AREA: 1, Grouping.FORM: 2}[by]
        failures: dict[str, int] = defaultdict(int)
        checked: dict[str, int] = defaultdict(int)
        inspections: dict[str, int] = defaultdict(int)
        for cell, n in self.failures.items():
            if item_id is None or cell[0] == item_id:
                failures[str(cell[index])] += n
        for cell, n in self.not_applicable.items():
            if item_id is None or cell[0] == item_id:
                checked[str(cell[index])] -= n
        for cell, n in self.flying_checked.items():
            if item_id is None or cell[0] == item_id:
                checked[str(cell[index])] += n
        for (checklist_id, area, form), (full, total) in self.inspections.items():
            items = [i for i in self.items_of.get(checklist_id, []) if item_id in (None, i)]
            if not items:
                continue
            if by is Grouping.ITEM:
                for item in items:
                    checked[str(item)] += full
                continue
            key = area if by is Grouping.AREA else form
            checked[key] += full * len(items)
            inspections[key] += total
        keys = {k for k, n in failures.items() if n > 0} | {k for k, n in checked.items() if n > 0}
        rows = [
            ProblemCount(
                key=k,
                failures=failures.get(k, 0),
                checked=checked.get(k, 0),
                inspections=checked.get(k, 0) if by is Grouping.ITEM else inspections.get(k, 0),
            )
            for k in keys
        ]
        return sorted(rows, key=lambda r: (-r.failures, -(r.rate or 0), r.key))


def problem_cube(
    session: Session,
    *,
    scope: ColumnElement[bool],
    filters: ProblemFilter,
    area_level: RegionLevel,
) -> ProblemCube:
    """The counts under ``scope`` and ``filters`` (its ``item_id`` aside: the cube holds
    every item) by item, area at ``area_level`` and business form, in three grouped
    queries read as :func:`problem_counts` reads them."""
    where = _conditions(scope, filters)
    area = PLACE[area_level]
    flying = Inspection.kind == InspectionKind.FLYING
    joined = (
        select(InspectionItemResult.item_id, area, Business.form)
        .select_from(InspectionItemResult)
        .join(Inspection, Inspection.id == InspectionItemResult.inspection_id)
        .join(Business, Business.id == Inspection.business_id)
    )
    not_passed = joined.add_columns(
        func.sum(case((InspectionItemResult.outcome == ItemOutcome.FAIL, 1), else_=0)),
        func.sum(
            case(
                ((InspectionItemResult.outcome == ItemOutcome.NOT_APPLICABLE) & ~flying, 1),
                else_=0,
            )
        ),
    ).where(_NOT_PASSED, *where)
    failures: dict[tuple[int, str, str], int] = {}
    not_applicable: dict[tuple[int, str, str], int] = {}
    group = (InspectionItemResult.item_id, area, Business.form)
    for item, place, form, failed, na in session.execute(not_passed.group_by(*group)):
        cell = (int(item), _key(place), _key(form))
        failures[cell] = int(failed or 0)
        not_applicable[cell] = int(na or 0)
    answered = joined.add_columns(func.count()).where(
        flying, InspectionItemResult.outcome != ItemOutcome.NOT_APPLICABLE, *where
    )
    flying_checked = {
        (int(item), _key(place), _key(form)): int(n)
        for item, place, form, n in session.execute(answered.group_by(*group))
    }
    counted = (
        select(
            Inspection.checklist_id,
            area,
            Business.form,
            func.sum(case((~flying, 1), else_=0)),
            func.count(),
        )
        .select_from(Inspection)
        .join(Business, Business.id == Inspection.business_id)
        .where(*where)
        .group_by(Inspection.checklist_id, area, Business.form)
    )
    inspections = {
        (int(checklist), _key(place), _key(form)): (int(full or 0), int(total))
        for checklist, place, form, full, total in session.execute(counted)
    }
    return ProblemCube(
        failures=failures,
        not_applicable=not_applicable,
        flying_checked=flying_checked,
        inspections=inspections,
        items_of=_items_of(session, {cell[0] for cell in inspections}, None),
    )


def _key(value: object) -> str:
    """Group keys as text: item ids, region codes (a missing township is ""), form values."""
    if value is None:
        return ""
    return value.value if isinstance(value, BusinessForm) else str(value)


def _items_of(
    session: Session, checklist_ids: set[int], item_id: int | None
) -> dict[int, list[int]]:
    if not checklist_ids:
        return {}
    stmt = select(ChecklistItem.checklist_id, ChecklistItem.id).where(
        ChecklistItem.checklist_id.in_(sorted(checklist_ids))
    )
    if item_id is not None:
        stmt = stmt.where(ChecklistItem.id == item_id)
    found: dict[int, list[int]] = defaultdict(list)
    for checklist_id, found_id in session.execute(stmt):
        found[int(checklist_id)].append(int(found_id))
    return found


def items_by_id(session: Session, item_ids: Sequence[int]) -> dict[int, ChecklistItem]:
    if not item_ids:
        return {}
    stmt = select(ChecklistItem).where(ChecklistItem.id.in_(list(item_ids)))
    return {item.id: item for item in session.execute(stmt).scalars()}


def failing_inspections(
    session: Session,
    *,
    scope: ColumnElement[bool],
    filters: ProblemFilter,
    item_id: int,
    offset: int,
    limit: int,
) -> tuple[list[tuple[Inspection, str, str]], int]:
    """The inspections under ``scope`` and ``filters`` that failed the item, the latest
    first, with the business's name and what the inspector noted."""
    stmt = (
        select(Inspection, Business.name, InspectionItemResult.note)
        .select_from(InspectionItemResult)
        .join(Inspection, Inspection.id == InspectionItemResult.inspection_id)
        .join(Business, Business.id == Inspection.business_id)
        .where(
            _NOT_PASSED,
            InspectionItemResult.item_id == item_id,
            InspectionItemResult.outcome == ItemOutcome.FAIL,
            *_conditions(scope, filters),
        )
    )
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(
        stmt.order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [(inspection, name, note) for inspection, name, note in rows], int(total)
