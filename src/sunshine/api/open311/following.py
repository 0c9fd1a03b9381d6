"""Following Open311 service requests (GET requests, GET tokens) by their id: the receipt
code (回执码) the complaint or report was given when filed.

Whoever holds a receipt code sees the request's public status only: for a complaint
open/closed from its state and, once the store or the company head answered, that answer;
for a report its stage. Never a description, a place, a contact or anything of a reporter.
Look-ups go through the domain services' ``follow``, whose per-address throttle stops
guessing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from sunshine.api.open311 import clients
from sunshine.api.open311.incoming import Params
from sunshine.api.open311.services import SERVICES, Kind, Service, Translate
from sunshine.auth.principal import Principal
from sunshine.cogovernance import intake
from sunshine.cogovernance.complaints import repository as complaint_repo
from sunshine.cogovernance.complaints import service as complaints
from sunshine.cogovernance.complaints.enums import OPEN_STATES, ComplaintState
from sunshine.cogovernance.reports import service as reports
from sunshine.core.errors import FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.time import SHANGHAI, as_utc, to_local

IDS_PER_QUERY = 20


_COMPLAINT_NOTES = {
    ComplaintState.WITH_MERCHANT: N_("Waiting for the store's answer"),
    ComplaintState.MERCHANT_ANSWERED: N_("The store has answered"),
    ComplaintState.WITH_HEAD: N_("Escalated to the company head"),
    ComplaintState.HEAD_ANSWERED: N_("The company head has answered"),
    ComplaintState.WITH_REGULATOR: N_("Being handled by the regulator"),
    ComplaintState.RESOLVED: N_("Resolved: the complainant accepted the answer"),
    ComplaintState.CLOSED: N_("Closed by the regulator"),
}
_REPORT_NOTES = {
    "received": N_("Received by the responsible office"),
    "accepted": N_("Accepted for investigation"),
    "verifying": N_("Being verified"),
    "handled": N_("Handled, awaiting closure"),
    "closed": N_("Case closed"),
    "not_accepted": N_("Not accepted for investigation"),
}
_CLOSED_STAGES = frozenset({"closed", "not_accepted"})


def check_optional_key(*, session: Session, params: Params) -> None:
    """Reading needs no key, but a key that is sent must be valid (a misconfigured client
    should hear of it before it files)."""
    api_key = params.value("api_key")
    if api_key:
        clients.client_for_key(session=session, api_key=api_key)


def find(*, session: Session, actor: Principal, request_id: str, tr: Translate) -> dict[str, Any]:
    """GET requests/{id}: the public status of the request with this receipt code.

    Each look-up counts once against the per-address throttle of the domain's ``follow``
    (known complaint codes go to the complaint service, everything else to the report
    service, which throttles before it answers "not found").
    """
    code = intake.normalise_receipt_code(request_id)
    if code and complaint_repo.receipt_exists(session, code):
        return _complaint_status(
            complaints.follow(session=session, actor=actor, receipt_code=code), tr
        )
    try:
        status = reports.follow(session=session, actor=actor, receipt_code=code)
    except NotFoundError:
        raise NotFoundError(N_("No service request has the id {id}."), id=request_id) from None
    return _report_status(status, tr)


def find_many(
    *, session: Session, actor: Principal, params: Params, tr: Translate
) -> list[dict[str, Any]]:
    """GET requests: the requests named by ``service_request_id`` (unknown ids left out).

    Without ids the spec lets a server list recent requests; we answer 400 instead.
    Complaints carry private disputes and reports are confidential leads (a list by place and
    time could point a business to its reporter), so only the holder of a receipt code
    follows a request; an empty list would wrongly tell a client there are none.
    """
    text = params.value("service_request_id")
    if params.problems:
        raise ValidationFailed(list(params.problems))
    if not text:
        raise ValidationFailed(
            [
                FieldProblem(
                    "service_request_id",
                    N_(
                        "Give one or more service_request_id (receipt codes, comma-separated). "
                        "Complaints and reports are not published as lists: only the holder "
                        "of a receipt code can follow its request."
                    ),
                    code="required",
                )
            ]
        )
    ids = list(dict.fromkeys(i.strip() for i in text.split(",") if i.strip()))
    if len(ids) > IDS_PER_QUERY:
        raise ValidationFailed(
            [
                FieldProblem(
                    "service_request_id",
                    N_("At most {limit} ids per call."),
                    params={"limit": IDS_PER_QUERY},
                )
            ]
        )
    found = []
    for request_id in ids:
        try:
            found.append(find(session=session, actor=actor, request_id=request_id, tr=tr))
        except NotFoundError:
            continue
    return found


def find_token(*, session: Session, actor: Principal, token: str, tr: Translate) -> dict[str, Any]:
    """GET tokens/{token}. Every service is realtime, so POST answers with the
    service_request_id and no token; a receipt code is accepted as a token too, for clients
    that resolve whatever they were given through tokens."""
    try:
        item = find(session=session, actor=actor, request_id=token, tr=tr)
    except NotFoundError:
        raise NotFoundError(
            N_(
                "No token {token} was issued here. POST requests answers with the "
                "service_request_id at once; it also serves as a token."
            ),
            token=token,
        ) from None
    return {"service_request_id": item["service_request_id"], "token": token}


def _w3(moment: datetime) -> str:
    """A W3C date-time with its offset, in China's time."""
    return to_local(moment).isoformat(timespec="seconds")


def _status(
    *,
    code: str,
    status: str,
    notes: str,
    service: Service,
    tr: Translate,
    requested: datetime,
    updated: datetime,
    expected: datetime | None,
) -> dict[str, Any]:
    # The spec's other fields are sent empty: a receipt code's holder gets the status, and
    # the description, place and media stay with the handlers (a report's text or place
    # could point to its reporter).
    return {
        "service_request_id": code,
        "status": status,
        "status_notes": notes,
        "service_name": tr(service.name),
        "service_code": service.code,
        "description": None,
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": _w3(requested),
        "updated_datetime": _w3(max(as_utc(updated), as_utc(requested))),
        "expected_datetime": _w3(expected) if expected else None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _complaint_status(view: complaints.ComplaintView, tr: Translate) -> dict[str, Any]:
    complaint = view.complaint
    state = complaint.state
    answer = {
        ComplaintState.MERCHANT_ANSWERED: complaint.merchant_answer,
        ComplaintState.HEAD_ANSWERED: complaint.head_answer,
    }.get(state)
    label = tr(_COMPLAINT_NOTES[state])
    due = complaint.stage_due_on
    return _status(
        code=complaint.receipt_code,
        status="open" if state in OPEN_STATES else "closed",
        notes=tr(N_("{state}: {answer}"), state=label, answer=answer) if answer else label,
        service=SERVICES[f"{Kind.COMPLAINT.value}.{complaint.category.value}"],
        tr=tr,
        requested=complaint.submitted_at,
        updated=view.events[-1].occurred_at if view.events else complaint.submitted_at,
        # The store (or the head) answers within the day it is due, China's time.
        expected=datetime.combine(due, time(23, 59, 59), tzinfo=SHANGHAI) if due else None,
    )


def _report_status(status: reports.ReportStatus, tr: Translate) -> dict[str, Any]:
    report = status.report
    stage_since = datetime.combine(date.fromisoformat(status.updated_on), time.min, SHANGHAI)
    return _status(
        code=report.receipt_code,
        status="closed" if status.stage in _CLOSED_STAGES else "open",
        notes=tr(_REPORT_NOTES[status.stage]),
        service=SERVICES[f"{Kind.REPORT.value}.{report.category.value}"],
        tr=tr,
        requested=report.submitted_at,
        updated=stage_since.astimezone(UTC),
        expected=None,
    )
