"""Registering accepted submissions: a job asked for after each accepted batch, and a
periodic run in case a request for it was lost (a worker restarted)."""

from __future__ import annotations

import logging

from sunshine.cogovernance.submissions import service
from sunshine.core import jobs
from sunshine.core.db import unit_of_work

log = logging.getLogger(__name__)

#: Batches one run registers before it hands over (re-queues itself), so other jobs get
#: their turn on the workers during a long backlog.
BATCHES_PER_RUN = 10


@jobs.job("submissions.register")
def register_pending() -> int:
    """Register accepted submissions, a batch per transaction; returns how many."""
    done = 0
    for _ in range(BATCHES_PER_RUN):
        with unit_of_work() as session:
            result = service.process_pending(session=session)
        done += result.stored + result.refused
        if not result.remaining:
            return done
    jobs.enqueue("submissions.register")
    return done


@jobs.periodic_job("submissions.register_periodic", minute="*")
def register_periodic() -> int:
    return register_pending()


def request_registration() -> None:
    try:
        jobs.enqueue("submissions.register")
    except Exception:  # the periodic run will pick them up
        log.exception("could not queue the registration of submissions")
