"""Who may see which rectification orders (DESIGN convention 4, for this resource): regulators
the orders of businesses in their jurisdiction; a business its own (a chain HQ its outlets'
too); the public only the status the store page shows (see ``inspections.public``)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select

from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.inspections.rectification_models import RectificationOrder
from sunshine.regions.enums import RegionLevel
from sunshine.registry.models import Business

_PLACE = {
    RegionLevel.PROVINCE: RectificationOrder.province_code,
    RegionLevel.PREFECTURE: RectificationOrder.prefecture_code,
    RegionLevel.COUNTY: RectificationOrder.county_code,
    RegionLevel.TOWNSHIP: RectificationOrder.township_code,
}


def order_condition(principal: Principal) -> ColumnElement[bool]:
    """The orders ``principal`` may see, as a condition on ``RectificationOrder``."""
    if principal.is_regulator:
        level, code = principal.jurisdiction_level, principal.jurisdiction_code
        if level is None or code is None:
            return false()
        return _PLACE[level] == code
    if principal.is_enterprise:
        seen = select(Business.id).where(access.business_condition(principal))
        return RectificationOrder.business_id.in_(seen)
    return false()
