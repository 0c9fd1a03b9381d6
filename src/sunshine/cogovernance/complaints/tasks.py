"""The complaint ladder's scheduler: reminders before the store's deadline, notice to the
diner once it has passed (they may then escalate)."""

from __future__ import annotations

from sunshine.cogovernance.complaints import service
from sunshine.core import jobs
from sunshine.core.db import unit_of_work


@jobs.periodic_job("complaints.sweep_deadlines", minute="7", hour="*")
def sweep_deadlines() -> dict[str, int]:
    """Hourly: the deadlines are days, so an hour's delay in a reminder costs nothing."""
    with unit_of_work() as session:
        result = service.sweep_deadlines(session=session)
    return {"reminded": result.reminded, "overdue": result.overdue}
