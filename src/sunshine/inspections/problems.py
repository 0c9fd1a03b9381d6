"""Problems by checklist item (问题分析): which items fail most in the regulator's
jurisdiction over a period, by area (one level below the jurisdiction, or below the area
chosen) and by business form, and the inspections that failed one item. The counts are
grouped in SQL (see :mod:`sunshine.inspections.problems_repository`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import today_local
from sunshine.inspections import problems_repository as repo
from sunshine.inspections.models import ChecklistItem, Inspection
from sunshine.inspections.problems_repository import Grouping, ProblemCount, ProblemFilter
from sunshine.regions import service as regions_service
from sunshine.regions.enums import RegionLevel

_BELOW = {
    RegionLevel.PROVINCE: RegionLevel.PREFECTURE,
    RegionLevel.PREFECTURE: RegionLevel.COUNTY,
    RegionLevel.COUNTY: RegionLevel.TOWNSHIP,
    RegionLevel.TOWNSHIP: RegionLevel.TOWNSHIP,
}


def this_year(today: date | None = None) -> tuple[date, date]:
    """The default period: 1 January of this year to today."""
    today = today or today_local()
    return date(today.year, 1, 1), today


@dataclass(frozen=True)
class ItemProblems:
    item: ChecklistItem
    count: ProblemCount


@dataclass(frozen=True)
class NamedCount:
    name: str
    count: ProblemCount


@dataclass(frozen=True)
class ProblemReport:
    filters: ProblemFilter
    area_level: RegionLevel
    items: list[ItemProblems]
    by_area: list[NamedCount]
    by_form: list[NamedCount]
    item: ChecklistItem | None  # the item the breakdowns are narrowed to, if one

    @property
    def inspections(self) -> int:
        return sum(row.count.inspections for row in self.by_form)

    @property
    def failures(self) -> int:
        return sum(row.count.failures for row in self.by_form)


def problem_report(*, session: Session, actor: Principal, filters: ProblemFilter) -> ProblemReport:
    """The counts of the actor's jurisdiction under ``filters``."""
    access.require_regulator(actor)
    scope = access.inspection_condition(actor)
    item = _item(session, filters.item_id)
    level = _BELOW[
        filters.area[0] if filters.area else actor.jurisdiction_level or RegionLevel.TOWNSHIP
    ]
    # One read of the period's results serves the three tables (each narrowed to the
    # item chosen, if one, except the table of items).
    cube = repo.problem_cube(session, scope=scope, filters=filters, area_level=level)
    counts = cube.counts(Grouping.ITEM)
    known = repo.items_by_id(session, [int(c.key) for c in counts])
    items = [ItemProblems(known[int(c.key)], c) for c in counts if int(c.key) in known]
    areas = cube.counts(Grouping.AREA, item_id=filters.item_id)
    names = {c.key: _name(session, c.key) for c in areas}
    forms = cube.counts(Grouping.FORM, item_id=filters.item_id)
    return ProblemReport(
        filters=filters,
        area_level=level,
        items=items,
        by_area=[NamedCount(names[c.key], c) for c in areas],
        by_form=[NamedCount(c.key, c) for c in forms],
        item=item,
    )


def failing_inspections(
    *, session: Session, actor: Principal, filters: ProblemFilter, item_id: int, page: PageRequest
) -> tuple[ChecklistItem, Page[tuple[Inspection, str, str]]]:
    """The inspections of the actor's jurisdiction that failed the item, the latest first."""
    access.require_regulator(actor)
    item = _item(session, item_id)
    assert item is not None
    rows, total = repo.failing_inspections(
        session,
        scope=access.inspection_condition(actor),
        filters=filters,
        item_id=item_id,
        offset=page.offset,
        limit=page.per_page,
    )
    return item, Page(items=rows, total=total, request=page)


def _item(session: Session, item_id: int | None) -> ChecklistItem | None:
    if item_id is None:
        return None
    item = repo.items_by_id(session, [item_id]).get(item_id)
    if item is None:
        raise NotFoundError(N_("No such checklist item"))
    return item


def _name(session: Session, code: str) -> str:
    found = regions_service.region_names(session=session, codes=[code]) if code else []
    return found[0] if found else ""
