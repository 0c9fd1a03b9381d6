"""The big ledger's nightly run of its anomaly rules over every ledger (idempotent: a
finding already recorded is not recorded again)."""

from __future__ import annotations

import logging

from sunshine.auth.principal import SYSTEM
from sunshine.core.db import unit_of_work
from sunshine.core.jobs import periodic_job
from sunshine.ingredients import analytics

log = logging.getLogger(__name__)

FIND_SIGNALS = "ingredients.find_ledger_signals"


@periodic_job(FIND_SIGNALS, hour="2", minute="30")
def find_ledger_signals() -> None:
    """Every night at 02:30 local time: run the anomaly rules over every ledger."""
    with unit_of_work() as session:
        created = analytics.run_all(session=session, actor=SYSTEM)
    if created:
        log.info("ledger signals: %d new", len(created))
