"""Who sees which risk signals (DESIGN convention 4, for this resource).

Risk signals feed the regulator's grading, like the big ledger's signals: only regulators
read them, those placed within their jurisdiction (by the signal's own region codes, one
indexed equality). Businesses and the public are refused: a business answers for the
underlying records (its alerts, its cases) on its own pages, not for the grading's inputs.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from sunshine.auth.access import placed_within_jurisdiction
from sunshine.auth.principal import Principal
from sunshine.core.errors import ForbiddenError
from sunshine.core.i18n import N_
from sunshine.risk.models import RiskSignal


def signal_condition(principal: Principal) -> ColumnElement[bool]:
    """The signals ``principal`` may read, as a condition on ``RiskSignal``."""
    return placed_within_jurisdiction(principal, RiskSignal)


def require_reader(principal: Principal) -> None:
    if not principal.is_regulator or principal.jurisdiction_level is None:
        raise ForbiddenError(N_("Risk signals are for regulators."))
