"""Access decisions, one place per resource (DESIGN convention 4).

Helpers return a SQL condition the repositories add to their statements, so a list and
a detail cannot disagree about what a principal may see.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from sunshine.auth.enums import ENTERPRISE_EDITORS, Role
from sunshine.auth.principal import Principal
from sunshine.cases.models import Case
from sunshine.cogovernance.complaints.models import Complaint
from sunshine.core.db import Base
from sunshine.core.errors import ForbiddenError
from sunshine.core.i18n import N_
from sunshine.inspections.models import Inspection
from sunshine.inspections.plan_enums import DrawStatus
from sunshine.inspections.plan_models import InspectionTask, InspectorConflict, RandomDraw
from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import OrgUnit, Region
from sunshine.regions.repository import region_within
from sunshine.registry.models import Business
from sunshine.sampling.enums import SampleStatus
from sunshine.sampling.models import Sample, SamplingPlan, SamplingTask


def placed_within_jurisdiction(principal: Principal, model: type[Base]) -> ColumnElement[bool]:
    """Rows of ``model`` placed within the regulator's jurisdiction (one indexed equality on
    the code of its level: the model has ``province_code`` ... ``township_code`` columns);
    nothing for anyone else."""
    level, code = principal.jurisdiction_level, principal.jurisdiction_code
    if not principal.is_regulator or level is None or code is None:
        return false()
    column: InstrumentedAttribute[str] = getattr(model, f"{level.value}_code")
    return column == code


_LEVEL_COLUMN = {
    RegionLevel.PROVINCE: Business.province_code,
    RegionLevel.PREFECTURE: Business.prefecture_code,
    RegionLevel.COUNTY: Business.county_code,
    RegionLevel.TOWNSHIP: Business.township_code,
}


def business_condition(principal: Principal) -> ColumnElement[bool]:
    """Which businesses ``principal`` may see in the enterprise and government portals."""
    if principal.is_regulator:
        if principal.jurisdiction_code is None or principal.jurisdiction_level is None:
            return false()
        return _LEVEL_COLUMN[principal.jurisdiction_level] == principal.jurisdiction_code
    if principal.role is Role.CHAIN_HQ and principal.business_id is not None:
        return or_(
            Business.id == principal.business_id, Business.chain_hq_id == principal.business_id
        )
    if principal.is_enterprise and principal.business_id is not None:
        return Business.id == principal.business_id
    return false()


_CASE_LEVEL_COLUMN = {
    RegionLevel.PROVINCE: Case.province_code,
    RegionLevel.PREFECTURE: Case.prefecture_code,
    RegionLevel.COUNTY: Case.county_code,
    RegionLevel.TOWNSHIP: Case.township_code,
}


def case_condition(principal: Principal) -> ColumnElement[bool]:
    """Which case files ``principal`` may see: regulators, the cases placed in their
    jurisdiction and those an office inside it is responsible for (a case transferred or
    escalated from elsewhere). Businesses and the public never see a case file (a report's
    file would expose its reporter); they follow their own submissions on their own pages."""
    level, code = principal.jurisdiction_level, principal.jurisdiction_code
    if not principal.is_regulator or level is None or code is None:
        return false()
    offices = (
        select(OrgUnit.id)
        .join(Region, Region.code == OrgUnit.region_code)
        .where(region_within(level, code))
    )
    return or_(_CASE_LEVEL_COLUMN[level] == code, Case.org_unit_id.in_(offices))


def complaint_condition(principal: Principal) -> ColumnElement[bool]:
    """Which complaints ``principal`` may see: a store (its owner and managers) those about
    itself, a chain HQ those of its outlets, regulators those about businesses in their
    jurisdiction. The public follows its own complaints by receipt code, not through this."""
    if principal.is_enterprise and principal.role not in ENTERPRISE_EDITORS:
        return false()
    if not (principal.is_enterprise or principal.is_regulator):
        return false()
    about = Complaint.business_id.in_(select(Business.id).where(business_condition(principal)))
    if principal.role is Role.CHAIN_HQ and principal.business_id is not None:
        return or_(about, Complaint.head_business_id == principal.business_id)
    return about


_INSPECTION_LEVEL_COLUMN = {
    RegionLevel.PROVINCE: Inspection.province_code,
    RegionLevel.PREFECTURE: Inspection.prefecture_code,
    RegionLevel.COUNTY: Inspection.county_code,
    RegionLevel.TOWNSHIP: Inspection.township_code,
}


def inspection_condition(principal: Principal) -> ColumnElement[bool]:
    """Which inspection records ``principal`` may see: regulators those of businesses in
    their jurisdiction; a business its own (a chain HQ its outlets' too)."""
    if principal.is_regulator:
        level, code = principal.jurisdiction_level, principal.jurisdiction_code
        if level is None or code is None:
            return false()
        return _INSPECTION_LEVEL_COLUMN[level] == code
    if principal.is_enterprise:
        return Inspection.business_id.in_(select(Business.id).where(business_condition(principal)))
    return false()


def sample_condition(principal: Principal) -> ColumnElement[bool]:
    """Which samples (抽检) ``principal`` may see: regulators those taken at businesses in
    their jurisdiction; a business its own once they are taken (a chain HQ its outlets'
    too), read-only. The public sees completed results on store pages, not through this."""
    if principal.is_regulator:
        level, code = principal.jurisdiction_level, principal.jurisdiction_code
        if level is None or code is None:
            return false()
        return _place_column(Sample, level) == code
    if principal.is_enterprise:
        return Sample.business_id.in_(select(Business.id).where(business_condition(principal)))
    return false()


def published_sample_condition() -> ColumnElement[bool]:
    """The samples anyone may see the results of: those whose results are recorded."""
    return Sample.status == SampleStatus.COMPLETED


def sampling_task_condition(principal: Principal) -> ColumnElement[bool]:
    """Which sampling tasks a regulator may see: those at businesses in their jurisdiction."""
    level, code = principal.jurisdiction_level, principal.jurisdiction_code
    if not principal.is_regulator or level is None or code is None:
        return false()
    return _place_column(SamplingTask, level) == code


def sampling_plan_condition(principal: Principal) -> ColumnElement[bool]:
    """Which sampling plans a regulator may see: the plans of offices inside their
    jurisdiction and those of the offices above it (a city's plan covers its counties)."""
    level, code = principal.jurisdiction_level, principal.jurisdiction_code
    if not principal.is_regulator or level is None or code is None:
        return false()
    above = [code[:2] + "0000", code[:4] + "00", code[:6]]
    return or_(_place_column(SamplingPlan, level) == code, SamplingPlan.region_code.in_(above))


def _place_column(
    model: type[Sample] | type[SamplingTask] | type[SamplingPlan], level: RegionLevel
) -> InstrumentedAttribute[str | None]:
    column: InstrumentedAttribute[str | None] = getattr(model, f"{level.value}_code")
    return column


_TASK_LEVEL_COLUMN = {
    RegionLevel.PROVINCE: InspectionTask.province_code,
    RegionLevel.PREFECTURE: InspectionTask.prefecture_code,
    RegionLevel.COUNTY: InspectionTask.county_code,
    RegionLevel.TOWNSHIP: InspectionTask.township_code,
}
#: Who makes inspection plans and draws, assigns and cancels tasks and sees the conflicts
#: declared in the jurisdiction: station chiefs, bureau leaders and administrators.
PLANNING_ROLES = frozenset({Role.STATION_CHIEF, Role.BUREAU_LEADER, Role.ADMIN})


def task_condition(principal: Principal) -> ColumnElement[bool]:
    """Which inspection tasks ``principal`` may see and act on: regulators, the tasks of
    businesses in their jurisdiction (a station, its township's). Nobody else."""
    level, code = principal.jurisdiction_level, principal.jurisdiction_code
    if not principal.is_regulator or level is None or code is None:
        return false()
    return _TASK_LEVEL_COLUMN[level] == code


def draw_condition(principal: Principal) -> ColumnElement[bool]:
    """Which 双随机 draws ``principal`` may see in the government portal: regulators, those
    made by an office inside their jurisdiction, and the published draws of the offices
    above it (whose tasks may be theirs; published draws are public anyway)."""
    level, code = principal.jurisdiction_level, principal.jurisdiction_code
    if not principal.is_regulator or level is None or code is None:
        return false()
    here = Region.code == code
    above = or_(
        RandomDraw.region_code.in_(select(Region.province_code).where(here)),
        RandomDraw.region_code.in_(select(Region.prefecture_code).where(here)),
        RandomDraw.region_code.in_(select(Region.county_code).where(here)),
    )
    return or_(
        RandomDraw.region_code.in_(select(Region.code).where(region_within(level, code))),
        and_(RandomDraw.status == DrawStatus.PUBLISHED, above),
    )


def conflict_condition(principal: Principal) -> ColumnElement[bool]:
    """Which declared conflicts of interest ``principal`` may see: an officer their own;
    station chiefs, bureau leaders and administrators also those about businesses in their
    jurisdiction."""
    if not principal.is_regulator or principal.user_id is None:
        return false()
    own = InspectorConflict.inspector_id == principal.user_id
    if principal.role not in PLANNING_ROLES:
        return own
    seen = select(Business.id).where(business_condition(principal))
    return or_(own, InspectorConflict.business_id.in_(seen))


def require_planner(principal: Principal) -> None:
    if not principal.is_regulator or principal.role not in PLANNING_ROLES:
        raise ForbiddenError(
            N_("This action is for station chiefs, bureau leaders and administrators.")
        )


def all_cases() -> ColumnElement[bool]:
    """Every case: only for the scheduler's sweep of statutory clocks, never for a person."""
    return true()


def region_condition_allows(principal: Principal, codes: dict[RegionLevel, str | None]) -> bool:
    """Whether a business located at ``codes`` lies in the regulator's jurisdiction."""
    if not principal.is_regulator or principal.jurisdiction_level is None:
        return False
    return codes.get(principal.jurisdiction_level) == principal.jurisdiction_code


def require_regulator(principal: Principal) -> None:
    if not principal.is_regulator:
        raise ForbiddenError(N_("This action is for regulators."))


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise ForbiddenError(N_("This action is for system administrators."))


def require_signed_in(principal: Principal) -> None:
    if principal.is_anonymous:
        raise ForbiddenError(N_("Sign in first."))


def require_business_editor(principal: Principal) -> None:
    if not principal.can_edit_business:
        raise ForbiddenError(N_("Your role may not change business records."))


__all__ = [
    "business_condition",
    "complaint_condition",
    "region_condition_allows",
    "require_admin",
    "require_business_editor",
    "require_regulator",
    "require_signed_in",
    "sample_condition",
    "sampling_plan_condition",
    "sampling_task_condition",
]
