"""Yearly inspection plans (年度监督检查计划) per jurisdiction.

An office's plan lists every operating business of its jurisdiction with its risk level and
the inspections the level asks for in the year (:mod:`sunshine.inspections.plan_rules`: the
frequency table and, until dynamic risk grading exists, the static level from the business
form and scale). Progress counts the inspections recorded in ``inspections`` in the year
(routine, flying and system inspections); per business at most its required number counts
toward the plan's total, so one business inspected five times does not hide another never
visited. The board also counts the businesses due a full-coverage inspection (Order 49
art. 22: at least once every two years).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core.errors import FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import today_local, utc_now
from sunshine.inspections import plan_repository as repo
from sunshine.inspections import plan_rules as rules
from sunshine.inspections.plan_enums import RiskLevel
from sunshine.inspections.plan_models import InspectionPlan
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import LEVEL_ORDER, RegionLevel
from sunshine.regions.models import OrgUnit

__all__ = [
    "AreaTotal",
    "LevelTotal",
    "PlanBoard",
    "make_plan",
    "office_names",
    "plan_board",
    "plan_lines",
    "visible_plans",
]


def area_level(level: RegionLevel) -> RegionLevel:
    """The divisions a plan's totals are given by: one level below the plan's own (a
    township's plan, by the township itself)."""
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[min(index + 1, len(LEVEL_ORDER) - 1)]


def _check_year(year: int) -> None:
    this_year = today_local().year
    if not this_year - 1 <= year <= this_year + 1:
        raise ValidationFailed(
            [
                FieldProblem(
                    "year",
                    N_("plans are made for the years {first} to {last}"),
                    params={"first": this_year - 1, "last": this_year + 1},
                )
            ]
        )


def _office_in_scope(session: Session, actor: Principal, org_unit_id: int | None) -> OrgUnit:
    """The office a plan is for: the actor's own, or one inside the actor's jurisdiction."""
    unit_id = org_unit_id or actor.org_unit_id
    unit = regions_repo.get_org_unit(session, unit_id) if unit_id else None
    level, code = actor.jurisdiction_level, actor.jurisdiction_code
    if unit is None or level is None or code is None:
        raise NotFoundError(N_("No such office"))
    region = regions_repo.get_region(session, unit.region_code)
    inside = (
        region is not None
        and {
            RegionLevel.PROVINCE: region.province_code,
            RegionLevel.PREFECTURE: region.prefecture_code,
            RegionLevel.COUNTY: region.county_code,
            RegionLevel.TOWNSHIP: region.code,
        }[level]
        == code
    )
    if not inside or not unit.active:
        raise NotFoundError(N_("No such office"))
    return unit


def make_plan(
    *, session: Session, actor: Principal, year: int, org_unit_id: int | None = None
) -> InspectionPlan:
    """Make (or refresh) the office's plan for ``year``: every operating business of its
    jurisdiction graded now, with the inspections its level asks for."""
    access.require_planner(actor)
    _check_year(year)
    unit = _office_in_scope(session, actor, org_unit_id)
    areas = area_level(unit.region_level)
    rows: list[dict[str, object]] = []
    required = 0
    for business_id, form, scale, area in repo.operating_businesses(
        session, level=unit.region_level, code=unit.region_code, area_level=areas
    ):
        rule = rules.static_level(form, scale)
        wanted = rules.frequency(rule.level)
        required += wanted.minimum
        rows.append(
            {
                "business_id": business_id,
                "area_code": area or unit.region_code,
                "level": rule.level,
                "rule_key": rule.key,
                "required": wanted.minimum,
                "maximum": wanted.maximum,
            }
        )
    plan = repo.plan_of_office(session, org_unit_id=unit.id, year=year)
    before = None
    now = utc_now()
    if plan is None:
        plan = InspectionPlan(
            org_unit_id=unit.id,
            region_code=unit.region_code,
            region_level=unit.region_level,
            year=year,
            rules_version=rules.RULES_VERSION,
            businesses=0,
            required=0,
            created_by_id=actor.user_id,
            created_at=now,
        )
        session.add(plan)
        session.flush()
    else:
        before = audit.snapshot(plan, ("rules_version", "businesses", "required"))
    plan.rules_version = rules.RULES_VERSION
    plan.businesses = len(rows)
    plan.required = required
    plan.refreshed_at = now
    repo.replace_plan_items(session, plan.id, [{**r, "plan_id": plan.id} for r in rows])
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="plan.refresh" if before else "plan.make",
        entity_type="inspection_plan",
        entity_id=plan.id,
        before=before,
        after={
            "org_unit_id": unit.id,
            "year": year,
            "rules_version": plan.rules_version,
            "businesses": plan.businesses,
            "required": plan.required,
        },
    )
    return plan


def visible_plans(*, session: Session, actor: Principal, year: int) -> list[InspectionPlan]:
    """The plans of the year of the offices inside the actor's jurisdiction."""
    access.require_regulator(actor)
    level, code = actor.jurisdiction_level, actor.jurisdiction_code
    if level is None or code is None:
        return []
    return list(repo.plans_within(session, level=level, code=code, year=year))


def office_names(*, session: Session, plans: Sequence[InspectionPlan]) -> dict[int, str]:
    """Each plan's office name, by plan id."""
    from sunshine.cases import repository as cases_repo

    names = cases_repo.unit_names(session, {p.org_unit_id for p in plans})
    return {p.id: names.get(p.org_unit_id, p.region_code) for p in plans}


def _visible_plan(session: Session, actor: Principal, plan_id: int) -> InspectionPlan:
    plan = repo.get_plan(session, plan_id)
    if plan is None or plan not in visible_plans(session=session, actor=actor, year=plan.year):
        raise NotFoundError(N_("No such plan"))
    return plan


@dataclass(frozen=True)
class AreaTotal:
    code: str
    name: str
    businesses: int
    required: int
    done: int
    met: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.required) if self.required else 100


@dataclass(frozen=True)
class LevelTotal:
    level: RiskLevel
    frequency: rules.Frequency
    businesses: int
    required: int
    done: int
    met: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.required) if self.required else 100


@dataclass(frozen=True)
class PlanBoard:
    """A plan's progress: totals by area, by level and overall; the businesses due a
    full-coverage inspection; the rules it was made with."""

    plan: InspectionPlan
    office_name: str
    by_area: list[AreaTotal]
    by_level: list[LevelTotal]
    total: AreaTotal
    coverage_due: int
    cells: dict[tuple[str, RiskLevel], repo.PlanTallyRow]


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def plan_board(*, session: Session, actor: Principal, plan_id: int) -> PlanBoard:
    plan = _visible_plan(session, actor, plan_id)
    start, end = _year_bounds(plan.year)
    rows = repo.plan_tallies(
        session, plan=plan, start=start, end=end, kinds=rules.PLAN_COUNTED_KINDS
    )
    names = dict(regions_repo.get_regions(session, sorted({r.area_code for r in rows})))
    by_area: dict[str, list[repo.PlanTallyRow]] = {}
    by_level: dict[RiskLevel, list[repo.PlanTallyRow]] = {}
    for row in rows:
        by_area.setdefault(row.area_code, []).append(row)
        by_level.setdefault(row.level, []).append(row)

    def total(code: str, name: str, part: list[repo.PlanTallyRow]) -> AreaTotal:
        return AreaTotal(
            code=code,
            name=name,
            businesses=sum(r.businesses for r in part),
            required=sum(r.required for r in part),
            done=sum(r.done for r in part),
            met=sum(r.met for r in part),
        )

    areas = [
        total(code, names[code].name if code in names else code, part)
        for code, part in sorted(by_area.items())
    ]
    levels = [
        LevelTotal(
            level=level,
            frequency=rules.frequency(level),
            businesses=sum(r.businesses for r in by_level.get(level, [])),
            required=sum(r.required for r in by_level.get(level, [])),
            done=sum(r.done for r in by_level.get(level, [])),
            met=sum(r.met for r in by_level.get(level, [])),
        )
        for level in RiskLevel
    ]
    unit = regions_repo.get_org_unit(session, plan.org_unit_id)
    coverage_since = date(plan.year - rules.FULL_COVERAGE.value + 1, 1, 1)
    return PlanBoard(
        plan=plan,
        office_name=unit.name if unit else "",
        by_area=areas,
        by_level=levels,
        total=total(plan.region_code, unit.name if unit else "", rows),
        coverage_due=repo.coverage_due(
            session, plan=plan, since=coverage_since, kinds=rules.FULL_COVERAGE_KINDS
        ),
        cells={(r.area_code, r.level): r for r in rows},
    )


def plan_lines(
    *,
    session: Session,
    actor: Principal,
    plan_id: int,
    area_code: str | None,
    level: RiskLevel | None,
    behind: bool,
    page: PageRequest,
) -> Page[repo.PlanLine]:
    """The plan's businesses: how many inspections each needs and has had this year."""
    plan = _visible_plan(session, actor, plan_id)
    start, end = _year_bounds(plan.year)
    lines, total = repo.plan_lines(
        session,
        plan=plan,
        start=start,
        end=end,
        kinds=rules.PLAN_COUNTED_KINDS,
        area_code=area_code,
        level=level,
        behind=behind,
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=lines, total=total, request=page)
