"""Who may see and change which kitchen cameras and alerts (DESIGN convention 4, for this
resource): regulators those of businesses in their jurisdiction; a business its own (a chain
HQ its outlets' too); nobody else. The public sees only published live pictures, by token."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import ColumnElement, false, select

from sunshine.auth import access
from sunshine.auth.enums import ENTERPRISE_EDITORS, Role
from sunshine.auth.principal import SYSTEM, Principal
from sunshine.core.errors import ForbiddenError
from sunshine.core.i18n import N_
from sunshine.kitchen.alert_models import KitchenAlert
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.registry.models import Business

#: The vision workers act as the system, under their own name in the audit trail.
VISION = replace(SYSTEM, username="vision", display_name="vision worker")
#: Who answers an alert for the business: its owner and managers (as for rectification).
ANSWERING_ROLES = frozenset({Role.ENTERPRISE_OWNER, Role.ENTERPRISE_MANAGER})


def _businesses(principal: Principal) -> ColumnElement[bool] | None:
    if not (principal.is_regulator or principal.is_enterprise):
        return None
    return access.business_condition(principal)


def camera_condition(principal: Principal) -> ColumnElement[bool]:
    """The cameras ``principal`` may see, as a condition on ``KitchenCamera``."""
    scope = _businesses(principal)
    if scope is None:
        return false()
    return KitchenCamera.business_id.in_(select(Business.id).where(scope))


def alert_condition(principal: Principal) -> ColumnElement[bool]:
    """The alerts ``principal`` may see, as a condition on ``KitchenAlert``."""
    scope = _businesses(principal)
    if scope is None:
        return false()
    return KitchenAlert.business_id.in_(select(Business.id).where(scope))


def require_camera_editor(principal: Principal) -> None:
    """Regulators (in their jurisdiction) and a business's owner, managers or chain HQ."""
    if not (principal.is_regulator or principal.role in ENTERPRISE_EDITORS):
        raise ForbiddenError(N_("Your role may not change kitchen cameras."))


def require_answering(principal: Principal) -> None:
    if principal.role not in ANSWERING_ROLES:
        raise ForbiddenError(N_("The owner or a manager of the business answers alerts."))
