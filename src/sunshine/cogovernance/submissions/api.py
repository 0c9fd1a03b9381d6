"""The intake API for integrations: ``POST /api/v1/submissions/complaints`` and
``/reports`` with an integration's API key (``X-Api-Key``; the same keys as Open311
clients, ``sunshine open311 add-client``), and ``GET /api/v1/submissions/{receipt_code}``.

A submission is answered ``202 Accepted`` with its receipt code once it is durably stored;
it is registered as a complaint or report (and, for a report, a case) within seconds.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from sunshine.api.open311 import clients
from sunshine.cogovernance.complaints.service import ComplaintForm
from sunshine.cogovernance.reports.service import ReportForm
from sunshine.cogovernance.submissions import service
from sunshine.cogovernance.submissions.committer import committer
from sunshine.cogovernance.submissions.models import IntakeOutcome
from sunshine.cogovernance.submissions.schemas import ComplaintIn, IntakeStatus, Receipt, ReportIn
from sunshine.cogovernance.submissions.service import Refused, Sender
from sunshine.core.db import reading
from sunshine.core.errors import NotFoundError, ThrottledError
from sunshine.core.i18n import N_
from sunshine.core.ratelimit import get_rate_limiter
from sunshine.portals.shared.deps import DbSession, client_ip

router = APIRouter(tags=["submissions"])

_SENDER_TTL_S = 60.0  # a disabled key stops working within a minute on every worker
_senders: dict[str, tuple[float, Sender]] = {}


def _lookup(api_key: str) -> Sender:
    with reading() as session:
        client = clients.client_for_key(session=session, api_key=api_key)
        return Sender(client_id=client.id, name=client.name, hourly_limit=client.hourly_limit)


async def api_sender(request: Request) -> Sender:
    """The integration holding the request's key (403 without a valid one)."""
    api_key = request.headers.get("x-api-key") or request.query_params.get("api_key") or ""
    cached = _senders.get(api_key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    sender = await run_in_threadpool(_lookup, api_key)  # raises ForbiddenError
    if len(_senders) > 1000:
        _senders.clear()
    _senders[api_key] = (time.monotonic() + _SENDER_TTL_S, sender)
    return sender


ApiSender = Annotated[Sender, Depends(api_sender)]


async def _accept(item: service.Incoming) -> Receipt:
    outcome = await committer().submit(item)
    if isinstance(outcome, Refused):
        raise outcome.error
    return Receipt(receipt_code=outcome.receipt_code, status="received")


@router.post("/submissions/complaints", status_code=202, response_model=Receipt)
async def submit_complaint(body: ComplaintIn, sender: ApiSender) -> Receipt:
    """File a diner's complaint about a store; it goes to the store first."""
    form = ComplaintForm(
        category=body.category,
        desired_outcome=body.desired_outcome,
        description=body.description,
        request_text=body.request_text,
        occurred_on=body.occurred_on,
        claims_damage=body.claims_damage,
        name=body.name,
        phone=body.phone,
        email=body.email,
    )
    return await _accept(
        service.check_complaint(sender=sender, form=form, store_code=body.store_code)
    )


@router.post("/submissions/reports", status_code=202, response_model=Receipt)
async def submit_report(body: ReportIn, sender: ApiSender) -> Receipt:
    """File a lead about a store or a place; anonymous unless name and phone are given."""
    form = ReportForm(
        category=body.category,
        description=body.description,
        store_code=body.store_code,
        region_code=body.region_code,
        address=body.address,
        latitude=body.latitude,
        longitude=body.longitude,
        anonymous=not (body.name or body.phone),
        insider=body.insider,
        name=body.name,
        phone=body.phone,
        email=body.email,
        id_number=body.id_number,
    )
    return await _accept(service.check_report(sender=sender, form=form))


@router.get("/submissions/{receipt_code}", response_model=IntakeStatus)
def submission_status(request: Request, session: DbSession, receipt_code: str) -> IntakeStatus:
    """Whether a submission is registered yet (then follow it on the public status page)."""
    allowed, retry = get_rate_limiter().hit(
        f"receipt:ip:{client_ip(request) or 'unknown'}", limit=30, window_s=60
    )
    if not allowed:
        raise ThrottledError(N_("Too many look-ups; wait a minute."), retry_after_s=retry)
    row = service.intake_of(session=session, receipt_code=receipt_code)
    if row is None:
        raise NotFoundError(N_("No submission has this receipt code."))
    status = {
        None: "received",
        IntakeOutcome.STORED: "registered",
        IntakeOutcome.REFUSED: "refused",
    }[row.outcome]
    return IntakeStatus(
        receipt_code=row.receipt_code,
        kind=row.kind.value,
        status=status,
        received_at=row.received_at,
        detail=row.error,
    )
