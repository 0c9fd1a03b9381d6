"""Jobs of the notifications domain: deliver a notification, retry what is due.

Each delivery runs in transactions of its own (claim, then record) with the sending in
between, outside any transaction, so a slow mail server holds no database connection and
one failing delivery cannot stop or undo another.
"""

from __future__ import annotations

import logging

from sunshine.core.db import unit_of_work
from sunshine.core.jobs import enqueue, job, periodic_job
from sunshine.core.time import utc_now
from sunshine.notifications import delivery, repository
from sunshine.notifications.enums import DeliveryStatus

log = logging.getLogger(__name__)

DELIVER = "notifications.deliver"
RETRY_DUE = "notifications.retry_due"
# Deliveries one retry run takes on; the rest wait for the next minute.
RETRY_BATCH = 200


def enqueue_delivery(notification_id: int) -> None:
    """Queue :func:`deliver`; call only after the notification is committed."""
    enqueue(DELIVER, notification_id)


@job(DELIVER)
def deliver(notification_id: int) -> None:
    """Send the due deliveries of one notification (queued when its transaction commits)."""
    with unit_of_work() as session:
        ids = repository.due_delivery_ids(
            session, now=utc_now(), limit=RETRY_BATCH, notification_id=notification_id
        )
    for delivery_id in ids:
        deliver_one(delivery_id)


@periodic_job(RETRY_DUE, minute="*")
def retry_due() -> None:
    """Every minute: attempt every delivery whose next attempt is due (retries, and any
    whose job was never queued because the queue could not be reached)."""
    with unit_of_work() as session:
        ids = repository.due_delivery_ids(session, now=utc_now(), limit=RETRY_BATCH)
    outcomes = [deliver_one(delivery_id) for delivery_id in ids]
    if ids:
        log.info(
            "notification retries: %d due, %d sent",
            len(ids),
            sum(outcome is DeliveryStatus.SENT for outcome in outcomes),
        )


def deliver_one(delivery_id: int) -> DeliveryStatus | None:
    """One attempt at one delivery; ``None`` when it was not due or another worker has it.
    Any error is logged and kept on the delivery, never raised to the caller."""
    try:
        with unit_of_work() as session:
            claimed = delivery.claim(session=session, delivery_id=delivery_id, now=utc_now())
        if claimed is None:
            return None
        outcome = delivery.send(claimed)
        with unit_of_work() as session:
            status = delivery.record(
                session=session, claimed=claimed, outcome=outcome, now=utc_now()
            )
    except Exception:
        log.exception("delivery %s could not be attempted", delivery_id)
        return None
    if status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED):
        log.warning(
            "delivery %s attempt %d: %s (%s)", delivery_id, claimed.attempt, status, outcome.error
        )
    elif status is DeliveryStatus.SKIPPED:
        log.info("delivery %s skipped: %s", delivery_id, outcome.error)
    return status
