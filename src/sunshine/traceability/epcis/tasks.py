"""The capture job: stores a document's checked events after ``POST /epcis/capture``."""

from __future__ import annotations

import logging

from sunshine.core.db import unit_of_work
from sunshine.core.jobs import enqueue, job
from sunshine.traceability.epcis import service

log = logging.getLogger(__name__)

CAPTURE = "epcis.capture"


def enqueue_capture(capture_id: str) -> None:
    """Queue :func:`capture`; call only after the capture row is committed."""
    enqueue(CAPTURE, capture_id)


@job(CAPTURE)
def capture(capture_id: str) -> None:
    """Store every event of the capture in one transaction (all or nothing); an unexpected
    failure leaves the capture ``failed`` with nothing stored."""
    try:
        with unit_of_work() as session:
            service.run_capture(session=session, capture_id=capture_id)
    except Exception:
        log.exception("EPCIS capture %s stopped on an unexpected error", capture_id)
        with unit_of_work() as session:
            service.fail_capture(session=session, capture_id=capture_id)
