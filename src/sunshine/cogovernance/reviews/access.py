"""Who may see and act on reviews (one place, as DESIGN convention 4 asks).

Published reviews (shown or folded) are public on the store's pages. Beyond that:

* the reviewed business sees its own reviews (a chain HQ its outlets' too), and its owner or
  manager (or the HQ) replies;
* regulators see the reviews of the businesses in their jurisdiction, fold one after a
  check, decide appeals, and may open the original photos (GPS and all), each view audited.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from sunshine.auth import access
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.core.errors import ForbiddenError
from sunshine.core.i18n import N_

REPLIERS = frozenset({Role.ENTERPRISE_OWNER, Role.ENTERPRISE_MANAGER, Role.CHAIN_HQ})


def review_scope(principal: Principal) -> ColumnElement[bool]:
    """A condition on the reviewed :class:`~sunshine.registry.models.Business`: the
    businesses whose reviews ``principal`` may list beyond the public pages."""
    return access.business_condition(principal)


def require_replier(principal: Principal) -> None:
    if principal.role not in REPLIERS:
        raise ForbiddenError(N_("Only the owner or manager of the business can reply to reviews."))


def require_moderator(principal: Principal) -> None:
    if not principal.is_regulator:
        raise ForbiddenError(N_("Only the market regulator decides on folded reviews."))


def may_review(principal: Principal, *, business_scope_hit: bool) -> None:
    """A business may not review itself (or, for a chain HQ, its outlets)."""
    if principal.is_enterprise and business_scope_hit:
        raise ForbiddenError(N_("A business cannot review itself."))
