"""Taking in complaints and reports from integrations, and registering them.

Accepting is cheap and batched so a province's hotline relays and apps can send thousands a
minute: each submission is checked completely without the database (the same checks as the
forms), then a batch is written in one transaction (one look-up of the stores named, one of
the regions, one multi-row insert), and only then does each sender get its receipt code.
A job registers the accepted submissions as complaints and reports through the same services
the forms use, in batches, each submission in its own savepoint. Because everything was
checked at intake, registration fails only when the world changed in between (the store
closed); the submission is then kept as refused with the reason, which its receipt code
shows.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.cogovernance import intake
from sunshine.cogovernance.complaints import service as complaints
from sunshine.cogovernance.complaints.service import ComplaintForm
from sunshine.cogovernance.reports import service as reports
from sunshine.cogovernance.reports.service import ReportForm
from sunshine.cogovernance.submissions import repository as repo
from sunshine.cogovernance.submissions.models import (
    IntakeOutcome,
    SubmissionIntake,
    SubmissionKind,
)
from sunshine.core import crypto
from sunshine.core.errors import DomainError, FieldProblem, ThrottledError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.ratelimit import get_rate_limiter
from sunshine.core.time import utc_now

log = logging.getLogger(__name__)

PROCESS_BATCH = 200


@dataclass(frozen=True)
class Sender:
    """The integration that sent a submission, and what it may send per hour."""

    client_id: int
    name: str
    hourly_limit: int

    @property
    def channel(self) -> str:
        return f"api:{self.name}"[:64]


@dataclass(frozen=True)
class Incoming:
    """A submission checked without the database, waiting for its batch."""

    kind: SubmissionKind
    sender: Sender
    store_code: str  # "" when a report names a place instead
    region_code: str  # a report's place when no store is named
    form: ComplaintForm | ReportForm


@dataclass(frozen=True)
class Accepted:
    receipt_code: str


@dataclass(frozen=True)
class Refused:
    error: DomainError


def check_complaint(*, sender: Sender, form: ComplaintForm, store_code: str) -> Incoming:
    """A complaint as sent, checked like the form's (``ValidationFailed`` lists every field)."""
    contact = intake.clean_contact(name=form.name, phone=form.phone, email=form.email)
    complaints.check_form(form, contact)
    if not store_code.strip():
        raise ValidationFailed([FieldProblem("store_code", N_("Required"), code="required")])
    return Incoming(
        kind=SubmissionKind.COMPLAINT,
        sender=sender,
        store_code=store_code.strip().upper(),
        region_code="",
        form=form,
    )


def check_report(*, sender: Sender, form: ReportForm) -> Incoming:
    checked = reports.check_form(form)
    if checked.problems:
        raise ValidationFailed(checked.problems)
    return Incoming(
        kind=SubmissionKind.REPORT,
        sender=sender,
        store_code=form.store_code.strip().upper(),
        region_code="" if form.store_code.strip() else form.region_code,
        form=form,
    )


def accept_batch(*, session: Session, items: Sequence[Incoming]) -> list[Accepted | Refused]:
    """Write a batch of checked submissions; each gets a receipt code or the reason it was
    refused (an unknown or closed store, an unknown region), in the order given."""
    stores = repo.open_stores(session, {i.store_code for i in items if i.store_code})
    regions = repo.known_regions(session, {i.region_code for i in items if i.region_code})
    allowance = _allowances(items)
    outcomes: list[Accepted | Refused] = []
    rows: list[dict[str, Any]] = []
    received = utc_now()
    for item in items:
        refusal = _place_refusal(item, stores, regions) or _over_allowance(item, allowance)
        if refusal is not None:
            outcomes.append(Refused(refusal))
            continue
        code = intake.new_receipt_code()  # 60 random bits: the unique index is the backstop
        rows.append(
            {
                "receipt_code": code,
                "kind": item.kind,
                "channel": item.sender.channel,
                "business_id": stores.get(item.store_code),
                "payload_ciphertext": crypto.encrypt(_payload(item)),
                "received_at": received,
            }
        )
        outcomes.append(Accepted(code))
    repo.add_many(session, rows)
    return outcomes


def _allowances(items: Sequence[Incoming]) -> dict[int, int]:
    """How many of the batch each sender may still send this hour (one count per sender
    and batch in the shared limiter, not one per submission)."""
    counts: dict[int, int] = {}
    senders: dict[int, Sender] = {}
    for item in items:
        counts[item.sender.client_id] = counts.get(item.sender.client_id, 0) + 1
        senders[item.sender.client_id] = item.sender
    limiter = get_rate_limiter()
    return {
        client_id: limiter.hit_many(
            f"submissions:client:{client_id}",
            count=count,
            limit=senders[client_id].hourly_limit,
            window_s=3600,
        )
        for client_id, count in counts.items()
    }


def _over_allowance(item: Incoming, allowance: dict[int, int]) -> DomainError | None:
    left = allowance[item.sender.client_id]
    if left <= 0:
        return ThrottledError(
            N_("This client has sent its {limit} submissions for this hour; try again later."),
            retry_after_s=3600 - int(time.time()) % 3600,
            limit=item.sender.hourly_limit,
        )
    allowance[item.sender.client_id] = left - 1
    return None


def _place_refusal(item: Incoming, stores: dict[str, int], regions: set[str]) -> DomainError | None:
    if item.store_code and item.store_code not in stores:
        return ValidationFailed([FieldProblem("store_code", N_("No such store"))])
    if not item.store_code and item.region_code not in regions:
        return ValidationFailed(
            [
                FieldProblem(
                    "region_code",
                    N_("{region_code} is not a known region code"),
                    params={"region_code": item.region_code},
                )
            ]
        )
    return None


def _payload(item: Incoming) -> str:
    fields = asdict(item.form)
    for key, value in fields.items():
        if isinstance(value, date):
            fields[key] = value.isoformat()
    return json.dumps(
        {"store_code": item.store_code, "form": fields}, ensure_ascii=False, separators=(",", ":")
    )


# --- registering ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessResult:
    stored: int
    refused: int
    remaining: bool  # a full batch was taken: there may be more


def process_pending(*, session: Session, limit: int = PROCESS_BATCH) -> ProcessResult:
    """Register up to ``limit`` accepted submissions (the caller commits)."""
    stored = refused = 0
    rows = repo.claim_pending(session, limit=limit)
    for row in rows:
        outcome, result_id, error = _register(session, row)
        repo.mark(
            session,
            intake_id=row.id,
            at=utc_now(),
            outcome=outcome,
            result_id=result_id,
            error=error,
        )
        if outcome is IntakeOutcome.STORED:
            stored += 1
        else:
            refused += 1
    return ProcessResult(stored=stored, refused=refused, remaining=len(rows) == limit)


def _register(
    session: Session, row: SubmissionIntake
) -> tuple[IntakeOutcome, int | None, str | None]:
    payload = json.loads(crypto.decrypt(row.payload_ciphertext))
    actor = _channel_principal(row.channel)
    try:
        with session.begin_nested():
            result_id = _submit(session, actor, row, payload)
    except DomainError as exc:  # the store closed since, ...: kept, with the reason
        log.info("submission %s refused at registration: %s", row.receipt_code, exc)
        return IntakeOutcome.REFUSED, None, exc.text
    return IntakeOutcome.STORED, result_id, None


def _submit(
    session: Session, actor: Principal, row: SubmissionIntake, payload: dict[str, Any]
) -> int:
    fields = payload["form"]
    if fields.get("occurred_on"):
        fields["occurred_on"] = date.fromisoformat(fields["occurred_on"])
    if row.kind is SubmissionKind.COMPLAINT:
        complaint = complaints.submit_complaint(
            session=session,
            actor=actor,
            store_code=payload["store_code"],
            form=ComplaintForm(**fields),
            receipt_code=row.receipt_code,
            throttled=False,
        )
        return complaint.id
    report = reports.submit_report(
        session=session,
        actor=actor,
        form=ReportForm(**fields),
        receipt_code=row.receipt_code,
        throttled=False,
    )
    return report.id


def _channel_principal(channel: str) -> Principal:
    """The actor recorded for what an integration sent (its name, no account)."""
    return Principal(user_id=None, username=channel, display_name=channel, role=None)


def intake_of(*, session: Session, receipt_code: str) -> SubmissionIntake | None:
    """An accepted submission by its receipt code (for the sender's status look-up)."""
    return repo.by_receipt(session, intake.normalise_receipt_code(receipt_code))
