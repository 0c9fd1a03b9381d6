"""Which demo account goes where: every role, in two neighbouring counties."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from sunshine.auth.enums import Role
from sunshine.regions import repository as regions_repo
from sunshine.regions.models import OrgUnit
from sunshine.registry import repository as registry_repo
from sunshine.registry.enums import BusinessCategory
from sunshine.registry.models import Business


@dataclass(frozen=True)
class PlannedAccount:
    username: str
    display_name: str
    role: Role
    region_code: str
    org_unit_id: int | None = None
    org_unit_name: str | None = None
    business_id: int | None = None
    note: str = ""


def _office(session: Session, region_code: str) -> OrgUnit:
    unit = regions_repo.org_unit_for_region(session, region_code)
    if unit is None:
        raise LookupError(f"no regulator office covers {region_code}")
    return unit


def _regulator(username: str, name: str, role: Role, unit: OrgUnit, note: str) -> PlannedAccount:
    return PlannedAccount(
        username=username,
        display_name=name,
        role=role,
        region_code=unit.region_code,
        org_unit_id=unit.id,
        org_unit_name=unit.name,
        note=note,
    )


def _enterprise(
    username: str, name: str, role: Role, business: Business, note: str
) -> PlannedAccount:
    return PlannedAccount(
        username=username,
        display_name=name,
        role=role,
        region_code=business.township_code or business.county_code,
        business_id=business.id,
        note=note,
    )


def _stores(session: Session, county: str, want: int) -> list[Business]:
    stores = list(registry_repo.first_businesses(session, county_code=county, limit=want))
    if len(stores) < want:
        stores += [
            b
            for b in registry_repo.first_businesses(
                session, county_code=county, limit=want, standalone=False
            )
            if b not in stores
        ]
    if not stores:
        raise LookupError(f"county {county} has no operating caterer for the demo accounts")
    return stores


def _supplier_business(session: Session, counties: Sequence[str]) -> Business | None:
    """The first operating wholesaler (or producer) of county A, else of its neighbour:
    the demo's supplier account."""
    for county in counties:
        for category in (BusinessCategory.WHOLESALER, BusinessCategory.PRODUCER):
            found = registry_repo.first_businesses(
                session, county_code=county, limit=1, standalone=False, category=category
            )
            if found:
                return found[0]
    return None


def plan_accounts(
    *, session: Session, province_code: str, focus: Sequence[str]
) -> list[PlannedAccount]:
    county_a, county_b = focus[0], focus[1]
    province = _office(session, province_code)
    prefecture_code = county_a[:4] + "00"
    city = _office(session, prefecture_code)
    bureau_a, bureau_b = _office(session, county_a), _office(session, county_b)
    plans = [
        _regulator("admin", "系统管理员", Role.ADMIN, province, "whole province"),
        _regulator("leader", "省局领导", Role.BUREAU_LEADER, province, "whole province"),
        _regulator("city_leader", "市局领导", Role.BUREAU_LEADER, city, "capital city"),
        _regulator("inspector_a", "检查员甲", Role.INSPECTOR, bureau_a, "county A"),
        _regulator("inspector_b", "检查员乙", Role.INSPECTOR, bureau_b, "county B"),
    ]
    for suffix, county in (("a", county_a), ("b", county_b)):
        township = registry_repo.busiest_township(session, county)
        station = _office(session, township) if township else None
        if station is not None:
            plans.append(
                _regulator(
                    f"chief_{suffix}",
                    f"所长{suffix.upper()}",
                    Role.STATION_CHIEF,
                    station,
                    f"station in county {suffix}",
                )
            )
    stores_a = _stores(session, county_a, 2)
    store_b = _stores(session, county_b, 1)[0]
    plans += [
        _enterprise("owner_a", "店主甲", Role.ENTERPRISE_OWNER, stores_a[0], "store A1"),
        _enterprise("manager_a", "店长甲", Role.ENTERPRISE_MANAGER, stores_a[0], "store A1"),
        _enterprise("staff_a", "员工甲", Role.ENTERPRISE_STAFF, stores_a[0], "store A1"),
        _enterprise(
            "owner_a2", "店主丙", Role.ENTERPRISE_OWNER, stores_a[-1], "store A2 (neighbour of A1)"
        ),
        _enterprise("owner_b", "店主乙", Role.ENTERPRISE_OWNER, store_b, "store in county B"),
    ]
    supplier = _supplier_business(session, (county_a, county_b))
    if supplier is not None:
        # A wholesaler's account: it ships to store A (see ingredients/shipments_demo.py).
        plans.append(
            _enterprise(
                "supplier_a", "供货商甲", Role.ENTERPRISE_OWNER, supplier, "supplier of store A1"
            )
        )
    hqs = registry_repo.chain_headquarters(session, 20)
    if hqs:
        # The chain with the most outlets shows the HQ view best.
        hq = max(hqs, key=lambda b: (registry_repo.count_outlets(session, b.id), -b.id))
        plans.append(_enterprise("chain_hq", "连锁总部", Role.CHAIN_HQ, hq, "chain HQ"))
    plans.append(
        PlannedAccount(
            username="citizen",
            display_name="市民",
            role=Role.PUBLIC,
            region_code=province_code,
            note="public account",
        )
    )
    return plans
