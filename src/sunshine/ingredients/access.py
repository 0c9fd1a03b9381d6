"""Who may see and do what with products, suppliers and ledger lines, in one place.

* See a business's ledger lines and suppliers: whoever sees the business
  (``access.business_condition``): its owner, managers and staff, its chain HQ, and the
  regulators of its area (by the line's own region codes, one indexed equality).
* Record lines, add suppliers and products: the people who work in the store (owner, manager,
  staff), for their own store. A chain HQ reads its outlets' ledgers.
* Import a file of lines: the owner and managers (the staff import page's rule).
* The platform's product library: everyone signed in reads it; administrators add to it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from sunshine.auth import access
from sunshine.auth.enums import ENTERPRISE_EDITORS, Role
from sunshine.auth.principal import Principal
from sunshine.core.errors import ForbiddenError
from sunshine.core.i18n import N_
from sunshine.ingredients.models import LedgerLine, Product, Supplier
from sunshine.regions.enums import RegionLevel
from sunshine.registry.models import Business

RECORDERS = frozenset({Role.ENTERPRISE_OWNER, Role.ENTERPRISE_MANAGER, Role.ENTERPRISE_STAFF})
IMPORTERS = ENTERPRISE_EDITORS - {Role.CHAIN_HQ}

_LINE_LEVEL_COLUMN = {
    RegionLevel.PROVINCE: LedgerLine.province_code,
    RegionLevel.PREFECTURE: LedgerLine.prefecture_code,
    RegionLevel.COUNTY: LedgerLine.county_code,
    RegionLevel.TOWNSHIP: LedgerLine.township_code,
}


def _seen_businesses(principal: Principal) -> ColumnElement[bool]:
    return access.business_condition(principal)


def line_condition(principal: Principal) -> ColumnElement[bool]:
    """Which ledger lines ``principal`` may read."""
    if principal.is_regulator:
        level, code = principal.jurisdiction_level, principal.jurisdiction_code
        if level is None or code is None:
            return false()
        return _LINE_LEVEL_COLUMN[level] == code
    if principal.is_enterprise:
        return LedgerLine.business_id.in_(select(Business.id).where(_seen_businesses(principal)))
    return false()


def supplier_condition(principal: Principal) -> ColumnElement[bool]:
    """Which supplier records ``principal`` may read."""
    if not (principal.is_enterprise or principal.is_regulator):
        return false()
    return Supplier.business_id.in_(select(Business.id).where(_seen_businesses(principal)))


def product_condition(principal: Principal) -> ColumnElement[bool]:
    """Which products ``principal`` may pick: the platform's and its businesses' own."""
    platform = Product.owner_business_id.is_(None)
    if principal.is_anonymous:
        return false()
    if principal.is_enterprise or principal.is_regulator:
        seen = select(Business.id).where(_seen_businesses(principal))
        return or_(platform, Product.owner_business_id.in_(seen))
    return platform


def may_record(principal: Principal, business_id: int) -> bool:
    return principal.role in RECORDERS and principal.business_id == business_id


def require_recorder(principal: Principal, business_id: int) -> None:
    if not may_record(principal, business_id):
        raise ForbiddenError(
            N_("The purchase ledger is kept by the owner, managers and staff of the store.")
        )


def may_import(principal: Principal) -> bool:
    return principal.role in IMPORTERS and principal.business_id is not None


def require_importer(principal: Principal) -> None:
    if not may_import(principal):
        raise ForbiddenError(N_("Ledger files are imported by the owner or a manager."))
