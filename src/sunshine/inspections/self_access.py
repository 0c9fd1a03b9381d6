"""Who may see and do what with self-inspections (主体自查), in one place.

* See: whoever sees the business (``access.business_condition``): its owner, managers and
  staff, its chain HQ, and the regulators of its area.
* Record a self-inspection and close its to-dos: the people who work in the store (owner,
  manager, staff) of their own store. A chain HQ reads its outlets' checks but was not there.
* Choose the short daily list: the owner and managers (and a chain HQ for its outlets),
  who answer for the business's own risk list.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from sunshine.auth import access
from sunshine.auth.enums import ENTERPRISE_EDITORS, Role
from sunshine.auth.principal import Principal
from sunshine.core.errors import ForbiddenError
from sunshine.core.i18n import N_
from sunshine.inspections.self_models import SelfCheckTodo, SelfInspection
from sunshine.registry.models import Business

RECORDERS = frozenset({Role.ENTERPRISE_OWNER, Role.ENTERPRISE_MANAGER, Role.ENTERPRISE_STAFF})
CONFIGURERS = ENTERPRISE_EDITORS


def _seen_businesses(principal: Principal) -> ColumnElement[bool]:
    return access.business_condition(principal)


def self_inspection_condition(principal: Principal) -> ColumnElement[bool]:
    """Which self-inspections ``principal`` may read."""
    seen = select(Business.id).where(_seen_businesses(principal))
    return SelfInspection.business_id.in_(seen)


def todo_condition(principal: Principal) -> ColumnElement[bool]:
    """Which self-inspection to-dos ``principal`` may read."""
    seen = select(Business.id).where(_seen_businesses(principal))
    return SelfCheckTodo.business_id.in_(seen)


def may_record(principal: Principal, business_id: int) -> bool:
    return principal.role in RECORDERS and principal.business_id == business_id


def require_recorder(principal: Principal, business_id: int) -> None:
    if not may_record(principal, business_id):
        raise ForbiddenError(
            N_("Self-inspections are recorded by the owner, managers and staff of the store.")
        )


def may_configure(principal: Principal) -> bool:
    return principal.role in CONFIGURERS


def require_configurer(principal: Principal) -> None:
    if not may_configure(principal):
        raise ForbiddenError(N_("The daily self-check list is chosen by the owner or a manager."))
