"""What the government dashboard shows of the ingredients (阳光食材): the open risk signals
of the big ledger and the open batch recalls of the regulator's jurisdiction, so a regulator
(and a newcomer to the demo) finds them from the home page."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.core.pagination import PageRequest
from sunshine.ingredients import analytics
from sunshine.ingredients import signals_repository as repo
from sunshine.traceability import recall
from sunshine.traceability.recall_models import Recall

#: The latest recalls looked at for open ones, and how many open ones are named.
RECENT_RECALLS = 20
RECALLS_SHOWN = 3


@dataclass(frozen=True)
class IngredientAlerts:
    open_signals: int
    open_recalls: list[Recall] = field(default_factory=list)


def alerts(*, session: Session, actor: Principal) -> IngredientAlerts:
    """The open signals and the latest open recalls the regulator ``actor`` may see."""
    signals = repo.open_signals(session, scope=analytics.signal_condition(actor))
    latest = recall.list_recalls(session=session, actor=actor, page=PageRequest(1, RECENT_RECALLS))
    still_open = [r for r in latest.items if r.closed_at is None][:RECALLS_SHOWN]
    return IngredientAlerts(open_signals=signals, open_recalls=still_open)
