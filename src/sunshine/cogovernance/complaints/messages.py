"""What the diner, the store, its head and the insurer are told as a complaint moves.

Only the diner's own messages carry the receipt code: it is the diner's key to the
complaint (accept, escalate, rate), so the store, its head and the insurer get the
complaint's number instead.

The diner is reached in their inbox when they filed from an account, otherwise by SMS (and
email when given) at the contact they left. Messages are sent after the transaction commits
(:func:`sunshine.notifications.service.notify`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from sunshine.cases.models import Case
from sunshine.cogovernance import intake
from sunshine.cogovernance.complaints.models import Complaint
from sunshine.cogovernance.insurance.models import InsurancePolicy
from sunshine.core.i18n import N_, Message, ParamValue
from sunshine.notifications.enums import Channel
from sunshine.notifications.kinds import MessageKind, register_kind
from sunshine.notifications.service import Contact, Recipient, notify
from sunshine.registry.models import Business

_EVERYWHERE = (Channel.EMAIL, Channel.SMS)

RECEIVED = register_kind(
    "complaint.received",
    subject=N_("Complaint received: {code}"),
    body=N_(
        "Your complaint about {store} has gone to the store, which answers by {due}. "
        "Follow it with receipt code {code}."
    ),
    channels=_EVERYWHERE,
)
TO_ANSWER = register_kind(
    "complaint.to_answer",
    subject=N_("New complaint No. {number}"),
    body=N_("A diner complains about {store}. Answer by {due} in the enterprise portal."),
    channels=_EVERYWHERE,
)
HEAD_TO_ANSWER = register_kind(
    "complaint.head_to_answer",
    subject=N_("Complaint No. {number} escalated to you"),
    body=N_(
        "A diner was not satisfied with {store} and escalated the complaint to the company "
        "head. Answer by {due}."
    ),
    channels=_EVERYWHERE,
)
ANSWERED = register_kind(
    "complaint.answered",
    subject=N_("Your complaint {code} has an answer"),
    body=N_("{store} answered your complaint. Accept it, or escalate if you are not satisfied."),
    channels=_EVERYWHERE,
)
DUE_SOON = register_kind(
    "complaint.answer_due_soon",
    subject=N_("Complaint No. {number}: answer due {due}"),
    body=N_("The complaint about {store} is still waiting for your answer."),
    channels=_EVERYWHERE,
)
OVERDUE = register_kind(
    "complaint.answer_overdue",
    subject=N_("Complaint {code}: no answer in time"),
    body=N_("{store} did not answer by {due}. You may now escalate your complaint."),
    channels=_EVERYWHERE,
)
WITH_REGULATOR = register_kind(
    "complaint.with_regulator",
    subject=N_("Complaint {code} is with the regulator"),
    body=N_("The market supervision office opened case {reference} for your complaint."),
    channels=_EVERYWHERE,
)
CASE_MOVED = register_kind(
    "complaint.case_moved",
    subject=N_("Complaint {code}: the regulator took a step"),
    body=N_("Step: {step}. See the details with your receipt code."),
    channels=_EVERYWHERE,
)
CLAIM_LEAD = register_kind(
    "complaint.claim_lead",
    subject=N_("Claim lead under policy {policy}"),
    body=N_(
        "A diner claims damage from {store}, insured under policy {policy}. Complaint "
        "No. {number}: {description} Contact (forwarded with the diner's consent): {contact}."
    ),
    channels=_EVERYWHERE,
)


def _diner(complaint: Complaint) -> list[Recipient]:
    if complaint.user_id is not None:
        return [complaint.user_id]
    contact = intake.unseal(complaint.contact_ciphertext)
    if not (contact.phone or contact.email):
        return []
    return [Contact(email=contact.email or None, phone=contact.phone or None)]


def _follow_link(complaint: Complaint) -> str:
    return f"/track?code={complaint.receipt_code}"


def _due(complaint: Complaint) -> str:
    return complaint.stage_due_on.isoformat() if complaint.stage_due_on else "-"


def _to_diner(
    session: Session,
    kind: MessageKind,
    complaint: Complaint,
    params: dict[str, ParamValue],
    case_id: int | None = None,
) -> None:
    """A message to the diner: the only kind that carries the receipt code (their key)."""
    notify(
        session=session,
        kind=kind.key,
        recipients=_diner(complaint),
        params={"code": complaint.receipt_code, **params},
        link=_follow_link(complaint),
        case_id=case_id,
    )


def _to_store(
    session: Session, kind: MessageKind, complaint: Complaint, users: Sequence[int]
) -> None:
    """A message to the store or its head: the complaint's number, never the receipt code."""
    notify(
        session=session,
        kind=kind.key,
        recipients=users,
        params={
            "number": complaint.id,
            "store": _store(session, complaint),
            "due": _due(complaint),
        },
        link=f"/biz/complaints/{complaint.id}",
    )


def complaint_received(*, session: Session, complaint: Complaint, business: Business) -> None:
    _to_diner(session, RECEIVED, complaint, {"store": business.name, "due": _due(complaint)})


def store_to_answer(*, session: Session, complaint: Complaint, users: Sequence[int]) -> None:
    _to_store(session, TO_ANSWER, complaint, users)


def head_to_answer(*, session: Session, complaint: Complaint, users: Sequence[int]) -> None:
    _to_store(session, HEAD_TO_ANSWER, complaint, users)


def answered(*, session: Session, complaint: Complaint) -> None:
    _to_diner(session, ANSWERED, complaint, {"store": _store(session, complaint)})


def answer_due_soon(*, session: Session, complaint: Complaint, users: Sequence[int]) -> None:
    _to_store(session, DUE_SOON, complaint, users)


def answer_overdue(*, session: Session, complaint: Complaint) -> None:
    _to_diner(
        session, OVERDUE, complaint, {"store": _store(session, complaint), "due": _due(complaint)}
    )


def now_with_regulator(*, session: Session, complaint: Complaint, case: Case) -> None:
    _to_diner(session, WITH_REGULATOR, complaint, {"reference": case.reference}, case.id)


#: How the regulator's steps read to the diner.
CASE_STEPS = {
    "accept": N_("accepted by the regulator"),
    "reject": N_("not accepted by the regulator"),
    "start_verifying": N_("being verified"),
    "handle": N_("handled"),
    "close": N_("closed"),
    "reopen": N_("reopened"),
}


def case_moved(*, session: Session, complaint: Complaint, action: str) -> None:
    step = Message(CASE_STEPS.get(action, action))
    _to_diner(session, CASE_MOVED, complaint, {"step": step}, complaint.case_id)


def claim_lead(
    *, session: Session, complaint: Complaint, business: Business, policy: InsurancePolicy
) -> None:
    """The insurer's claims desk gets the lead (the diner consented when claiming damage)."""
    contact = intake.unseal(complaint.contact_ciphertext)
    notify(
        session=session,
        kind=CLAIM_LEAD.key,
        recipients=[Contact(email=policy.claims_email, phone=policy.claims_phone)],
        params={
            "policy": policy.policy_number,
            "store": business.name,
            "number": complaint.id,
            "description": complaint.description[:300],
            "contact": " ".join(p for p in (contact.name, contact.phone, contact.email) if p),
        },
    )


def _store(session: Session, complaint: Complaint) -> str:
    business = session.get(Business, complaint.business_id)
    return business.name if business is not None else ""
