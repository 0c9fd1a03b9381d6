"""Access decisions, one place per resource (DESIGN convention 4).

Helpers return a SQL condition the repositories add to their statements, so a list and
a detail cannot disagree about what a principal may see.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from sunshine.auth.enums import ENTERPRISE_EDITORS, Role
from sunshine.auth.principal import Principal
from sunshine.cases.models import Case
from sunshine.cogovernance.complaints.models import Complaint
from sunshine.core.errors import ForbiddenError
from sunshine.core.i18n import N_
from sunshine.inspections.models import Inspection
from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import OrgUnit, Region
from sunshine.regions.repository import region_within
from sunshine.registry.models import Business

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
]
