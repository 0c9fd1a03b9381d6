"""Jobs of the case engine: the sweep of statutory clocks."""

from __future__ import annotations

import logging

from sunshine.cases import service
from sunshine.core.db import unit_of_work
from sunshine.core.jobs import periodic_job

log = logging.getLogger(__name__)

SWEEP_CLOCKS = "cases.sweep_clocks"


@periodic_job(SWEEP_CLOCKS, minute="*/10")
def sweep_clocks() -> None:
    """Every ten minutes: warn about cases due soon, escalate overdue ones (one transaction;
    an escalation that meets a handler's concurrent write is retried on the next sweep)."""
    with unit_of_work() as session:
        result = service.sweep_clocks(session=session)
    if result.warned or result.escalated:
        log.info("clocks: %d warned, %d escalated", result.warned, result.escalated)
