"""The complaint ladder: the diner files from the store page, the store answers, the diner
accepts or escalates to the company head (直通企业负责人) and then to the regulator, where
the complaint becomes a case on the statutory clock. The diner follows it all with the
receipt code (or their account) and rates the handling at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import true
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth import repository as auth_repo
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.cases import service as cases
from sunshine.cases.calendar import add_workdays
from sunshine.cases.enums import CaseAction, CaseKind, CaseState
from sunshine.cases.models import Case
from sunshine.cogovernance import intake
from sunshine.cogovernance.complaints import messages
from sunshine.cogovernance.complaints import repository as repo
from sunshine.cogovernance.complaints.enums import (
    FINISHED_STATES,
    ComplaintCategory,
    ComplaintState,
    ComplaintStep,
    DesiredOutcome,
    Party,
)
from sunshine.cogovernance.complaints.models import Complaint, ComplaintEvent
from sunshine.cogovernance.complaints.policy import (
    HEAD_ANSWER,
    MERCHANT_ANSWER,
    REMINDER_WORKDAYS,
    StepLimit,
)
from sunshine.cogovernance.insurance import service as insurance
from sunshine.core import evidence
from sunshine.core.errors import (
    ConflictError,
    FieldProblem,
    ForbiddenError,
    NotFoundError,
    ThrottledError,
    ValidationFailed,
)
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.ratelimit import get_rate_limiter
from sunshine.core.time import today_local, utc_now
from sunshine.registry import repository as registry_repo
from sunshine.registry.enums import OperatingStatus
from sunshine.registry.models import Business

#: ``owner_type`` of the diner's files, and of the store's and the head's files.
OWNER = "complaint"
ANSWER_OWNER = "complaint_answer"
TEXT_LIMIT = 2000
ANSWER_LIMIT = 2000
#: Complaints one address may file per hour, and one phone number per day: enough for a
#: family's real problems, too few for a campaign against a competitor.
PER_ADDRESS_PER_HOUR = 10
PER_PHONE_PER_DAY = 5
ANSWERING_ROLES = frozenset({Role.ENTERPRISE_OWNER, Role.ENTERPRISE_MANAGER})
HEAD_ROLES = frozenset({Role.CHAIN_HQ, Role.ENTERPRISE_OWNER})


@dataclass(frozen=True, kw_only=True)
class ComplaintForm:
    """What the diner typed on the complaint form."""

    category: str
    desired_outcome: str
    description: str
    request_text: str = ""
    occurred_on: date | None = None
    claims_damage: bool = False
    name: str = ""
    phone: str = ""
    email: str = ""


def submit_complaint(
    *,
    session: Session,
    actor: Principal,
    store_code: str,
    form: ComplaintForm,
    files: Sequence[evidence.PreparedFile] = (),
    receipt_code: str | None = None,
    throttled: bool = True,
) -> Complaint:
    """File a complaint against the store ``store_code``; it goes to the store first.
    ``files`` are the diner's photos and videos, already checked (:func:`evidence.prepare`).
    A submission taken in through the intake queue brings the ``receipt_code`` it was given
    and was throttled there (``throttled=False``)."""
    business = registry_repo.get_business_by_code(session, store_code.upper())
    if business is None or business.operating_status is OperatingStatus.CLOSED:
        raise NotFoundError(N_("No such store"))
    contact = intake.clean_contact(name=form.name, phone=form.phone, email=form.email)
    category, outcome = check_form(form, contact)
    if throttled:
        _throttle(actor=actor, phone=contact.phone)
    due = add_workdays(today_local(), count=MERCHANT_ANSWER.workdays)
    complaint = Complaint(
        receipt_code=receipt_code or _new_receipt_code(session),
        business_id=business.id,
        user_id=actor.user_id if not actor.is_anonymous else None,
        category=category,
        desired_outcome=outcome,
        description=form.description.strip(),
        request_text=form.request_text.strip(),
        occurred_on=form.occurred_on,
        claims_damage=form.claims_damage,
        contact_ciphertext=intake.seal(contact),
        contact_masked=contact.masked(),
        phone_digest=intake.phone_digest(contact.phone),
        state=ComplaintState.WITH_MERCHANT,
        stage_due_on=due,
    )
    session.add(complaint)
    session.flush()
    if files:
        evidence.record(
            session=session, actor=actor, prepared=files, owner_type=OWNER, owner_id=complaint.id
        )
    _event(session, complaint, Party.DINER, ComplaintStep.SUBMIT, actor)
    _audit(session, actor, complaint, "complaint.submit", None)
    messages.complaint_received(session=session, complaint=complaint, business=business)
    messages.store_to_answer(
        session=session,
        complaint=complaint,
        users=auth_repo.business_user_ids(session, business_id=business.id, roles=ANSWERING_ROLES),
    )
    if complaint.claims_damage:
        _tell_insurer(session=session, complaint=complaint, business=business)
    return complaint


def check_form(
    form: ComplaintForm, contact: intake.Contact
) -> tuple[ComplaintCategory, DesiredOutcome]:
    """Every problem of a complaint form that needs no database (``ValidationFailed``)."""
    problems: list[FieldProblem] = []
    category = _choice(ComplaintCategory, form.category, "category", problems)
    outcome = _choice(DesiredOutcome, form.desired_outcome, "desired_outcome", problems)
    _text(form.description, "description", TEXT_LIMIT, problems, required=True)
    _text(form.request_text, "request_text", TEXT_LIMIT, problems, required=False)
    if form.occurred_on is not None and form.occurred_on > today_local():
        problems.append(FieldProblem("occurred_on", N_("The day cannot be in the future.")))
    if not contact.name:
        problems.append(FieldProblem("name", N_("Required"), code="required"))
    problems += intake.contact_problems(contact, phone_required=True)
    if problems:
        raise ValidationFailed(problems)
    assert category is not None and outcome is not None
    return category, outcome


_Choice = TypeVar("_Choice", ComplaintCategory, DesiredOutcome)


def _choice(
    enum: type[_Choice], value: str, field: str, problems: list[FieldProblem]
) -> _Choice | None:
    try:
        return enum(value)
    except ValueError:
        problems.append(FieldProblem(field, N_("Choose one of the options."), code="choice"))
        return None


def _text(
    value: str, field: str, limit: int, problems: list[FieldProblem], *, required: bool
) -> None:
    text = (value or "").strip()
    if required and not text:
        problems.append(FieldProblem(field, N_("Required"), code="required"))
    elif len(text) > limit:
        problems.append(
            FieldProblem(field, N_("At most {limit} characters"), params={"limit": limit})
        )


def _throttle(*, actor: Principal, phone: str) -> None:
    limiter = get_rate_limiter()
    checks = [(f"complaint:ip:{actor.ip or 'unknown'}", PER_ADDRESS_PER_HOUR, 3600)]
    if phone:
        checks.append((f"complaint:phone:{intake.phone_digest(phone)}", PER_PHONE_PER_DAY, 86400))
    for key, limit, window in checks:
        allowed, retry = limiter.hit(key, limit=limit, window_s=window)
        if not allowed:
            raise ThrottledError(
                N_("Too many complaints from here; try again in {minutes} minutes."),
                retry_after_s=retry,
                minutes=max(1, retry // 60),
            )


def _new_receipt_code(session: Session) -> str:
    while True:
        code = intake.new_receipt_code()
        if not repo.receipt_exists(session, code):
            return code


# --- the store and the company head answer ------------------------------------------------


@dataclass(frozen=True)
class _Answerer:
    """Who answers at one rung of the ladder, and what their answer moves the complaint to."""

    roles: frozenset[Role]
    waiting: ComplaintState
    answered: ComplaintState
    party: Party
    step: ComplaintStep
    refusal: str


_STORE = _Answerer(
    roles=ANSWERING_ROLES,
    waiting=ComplaintState.WITH_MERCHANT,
    answered=ComplaintState.MERCHANT_ANSWERED,
    party=Party.MERCHANT,
    step=ComplaintStep.ANSWER,
    refusal=N_("Only the store's owner or manager answers its complaints."),
)
_HEAD = _Answerer(
    roles=HEAD_ROLES,
    waiting=ComplaintState.WITH_HEAD,
    answered=ComplaintState.HEAD_ANSWERED,
    party=Party.HEAD,
    step=ComplaintStep.HEAD_ANSWER,
    refusal=N_("Only the company head answers an escalated complaint."),
)


def answer(
    *,
    session: Session,
    actor: Principal,
    complaint_id: int,
    text: str,
    expected_version: int,
    files: Sequence[evidence.PreparedFile] = (),
) -> Complaint:
    """The store's answer, with its evidence (once escalated, the store no longer answers)."""
    return _answer(session, actor, complaint_id, text, expected_version, files, _STORE)


def head_answer(
    *,
    session: Session,
    actor: Principal,
    complaint_id: int,
    text: str,
    expected_version: int,
    files: Sequence[evidence.PreparedFile] = (),
) -> Complaint:
    """The company head's answer: the chain HQ, or the store's owner (legal representative)."""
    return _answer(session, actor, complaint_id, text, expected_version, files, _HEAD)


def _answer(
    session: Session,
    actor: Principal,
    complaint_id: int,
    text: str,
    expected_version: int,
    files: Sequence[evidence.PreparedFile],
    who: _Answerer,
) -> Complaint:
    complaint = _for_business_user(session=session, actor=actor, complaint_id=complaint_id)
    answering_for = complaint.head_business_id if who is _HEAD else complaint.business_id
    if actor.role not in who.roles or answering_for != actor.business_id:
        raise ForbiddenError(who.refusal)
    _expect(complaint, expected_version, {who.waiting})
    answer_text = _answer_text(text)
    if who is _HEAD:
        complaint.head_answer, complaint.head_answered_at = answer_text, utc_now()
    else:
        complaint.merchant_answer, complaint.merchant_answered_at = answer_text, utc_now()
    _answer_files(session, actor, complaint, files)
    return _moved(
        session=session,
        actor=actor,
        complaint=complaint,
        to=who.answered,
        party=who.party,
        step=who.step,
        text=answer_text,
        due=None,
    )


def _answer_files(
    session: Session,
    actor: Principal,
    complaint: Complaint,
    files: Sequence[evidence.PreparedFile],
) -> None:
    if files:
        evidence.record(
            session=session,
            actor=actor,
            prepared=files,
            owner_type=ANSWER_OWNER,
            owner_id=complaint.id,
        )


def _answer_text(text: str) -> str:
    problems: list[FieldProblem] = []
    _text(text, "text", ANSWER_LIMIT, problems, required=True)
    if problems:
        raise ValidationFailed(problems)
    return text.strip()


def _for_business_user(*, session: Session, actor: Principal, complaint_id: int) -> Complaint:
    complaint = repo.get_complaint(
        session, complaint_id=complaint_id, scope=access.complaint_condition(actor)
    )
    if complaint is None:
        raise NotFoundError(N_("No such complaint"))
    return complaint


# --- the diner: accept, escalate, rate --------------------------------------------------


def escalate_to_head(
    *, session: Session, actor: Principal, receipt_code: str, reason: str
) -> Complaint:
    """Take the complaint over the store's head: after an answer the diner does not accept,
    or once the store let its deadline pass."""
    complaint = _for_diner(session=session, actor=actor, receipt_code=receipt_code)
    if not _may_go_to_head(complaint):
        raise ConflictError(
            N_("The store still has until {day} to answer; you can escalate after that."),
            day=complaint.stage_due_on.isoformat() if complaint.stage_due_on else "",
        )
    business = registry_repo.get_business(session, business_id=complaint.business_id, scope=true())
    assert business is not None
    complaint.head_business_id = business.chain_hq_id or business.id
    moved = _moved(
        session=session,
        actor=actor,
        complaint=complaint,
        to=ComplaintState.WITH_HEAD,
        party=Party.DINER,
        step=ComplaintStep.ESCALATE_HEAD,
        text=_reason(reason),
        due=HEAD_ANSWER,
    )
    roles = (
        frozenset({Role.CHAIN_HQ}) if business.chain_hq_id else frozenset({Role.ENTERPRISE_OWNER})
    )
    messages.head_to_answer(
        session=session,
        complaint=complaint,
        users=auth_repo.business_user_ids(
            session, business_id=complaint.head_business_id, roles=roles
        ),
    )
    return moved


def _may_go_to_head(complaint: Complaint) -> bool:
    if complaint.state is ComplaintState.MERCHANT_ANSWERED:
        return True
    return complaint.state is ComplaintState.WITH_MERCHANT and _past_due(complaint)


def escalate_to_regulator(
    *, session: Session, actor: Principal, receipt_code: str, reason: str
) -> Complaint:
    """Hand the complaint to the regulator: it becomes a case on the statutory clock (the
    diner may always do so; going through the store and its head first is usually faster)."""
    complaint = _for_diner(session=session, actor=actor, receipt_code=receipt_code)
    if complaint.state in FINISHED_STATES or complaint.state is ComplaintState.WITH_REGULATOR:
        raise ConflictError(N_("This complaint can no longer be escalated."))
    why = _reason(reason)
    case = cases.receive_submission(session=session, draft=_case_draft(session, complaint, why))
    complaint.case_id = case.id
    moved = _moved(
        session=session,
        actor=actor,
        complaint=complaint,
        to=ComplaintState.WITH_REGULATOR,
        party=Party.DINER,
        step=ComplaintStep.ESCALATE_REGULATOR,
        text=why,
        due=None,
    )
    messages.now_with_regulator(session=session, complaint=complaint, case=case)
    return moved


def _case_draft(session: Session, complaint: Complaint, why: str) -> cases.CaseDraft:
    """The case file's summary: the dispute as filed, the answers given, why it came here.
    The diner's contact is not copied: handlers reveal it from the complaint (audited)."""
    parts = [
        f"[{complaint.category.value}] {complaint.description}",
        f"Request ({complaint.desired_outcome.value}): {complaint.request_text or '-'}",
        f"Store's answer: {complaint.merchant_answer or '(none)'}",
        f"Head's answer: {complaint.head_answer or '(none)'}",
        f"Why escalated: {why}",
        f"Complaint No. {complaint.id}",
    ]
    title = complaint.description.strip().splitlines()[0][:80]
    return cases.CaseDraft(
        kind=CaseKind.COMPLAINT,
        title=title,
        summary="\n".join(parts),
        business_id=complaint.business_id,
        received_on=today_local(),
    )


def accept_answer(*, session: Session, actor: Principal, receipt_code: str) -> Complaint:
    """The diner is satisfied with the answer they got: the complaint is resolved."""
    complaint = _for_diner(session=session, actor=actor, receipt_code=receipt_code)
    if complaint.state not in (ComplaintState.MERCHANT_ANSWERED, ComplaintState.HEAD_ANSWERED):
        raise ConflictError(N_("There is no answer to accept yet."))
    complaint.finished_at = utc_now()
    return _moved(
        session=session,
        actor=actor,
        complaint=complaint,
        to=ComplaintState.RESOLVED,
        party=Party.DINER,
        step=ComplaintStep.ACCEPT,
        text=None,
        due=None,
    )


def rate_handling(
    *, session: Session, actor: Principal, receipt_code: str, rating: int, comment: str
) -> Complaint:
    """The diner rates how the complaint was handled (once, at the end)."""
    complaint = _for_diner(session=session, actor=actor, receipt_code=receipt_code)
    if complaint.state not in FINISHED_STATES:
        raise ConflictError(N_("You can rate the handling once the complaint is finished."))
    if complaint.rating is not None:
        raise ConflictError(N_("You have already rated this complaint."))
    problems: list[FieldProblem] = []
    if rating not in range(1, 6):
        problems.append(FieldProblem("rating", N_("Choose 1 to 5 stars.")))
    _text(comment, "comment", 500, problems, required=False)
    if problems:
        raise ValidationFailed(problems)
    complaint.rating = rating
    complaint.rating_comment = comment.strip() or None
    session.flush()
    _event(session, complaint, Party.DINER, ComplaintStep.RATE, actor, text=f"{rating}/5")
    _audit(session, actor, complaint, "complaint.rate", complaint.state)
    return complaint


def _for_diner(*, session: Session, actor: Principal, receipt_code: str) -> Complaint:
    """The receipt code is the diner's key; a signed-in diner may also use their own."""
    complaint = repo.by_receipt(session, intake.normalise_receipt_code(receipt_code))
    if complaint is None:
        raise NotFoundError(N_("No complaint has this receipt code."))
    return complaint


def _reason(reason: str) -> str:
    problems: list[FieldProblem] = []
    _text(reason, "reason", 1000, problems, required=True)
    if problems:
        raise ValidationFailed(problems)
    return reason.strip()


def _past_due(complaint: Complaint) -> bool:
    return complaint.stage_due_on is not None and complaint.stage_due_on < today_local()


# --- following a complaint -----------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintView:
    """A complaint as its diner follows it: no one else's data, the case's public steps."""

    complaint: Complaint
    store_name: str
    events: list[ComplaintEvent]
    may_escalate_to_head: bool
    may_escalate_to_regulator: bool
    may_accept: bool
    may_rate: bool


def follow(*, session: Session, actor: Principal, receipt_code: str) -> ComplaintView:
    """What the receipt code's holder sees (lookups are throttled against guessing)."""
    allowed, retry = get_rate_limiter().hit(
        f"receipt:ip:{actor.ip or 'unknown'}", limit=30, window_s=60
    )
    if not allowed:
        raise ThrottledError(N_("Too many look-ups; wait a minute."), retry_after_s=retry)
    complaint = _for_diner(session=session, actor=actor, receipt_code=receipt_code)
    return _view(session, complaint)


def _view(session: Session, complaint: Complaint) -> ComplaintView:
    business = registry_repo.get_business(session, business_id=complaint.business_id, scope=true())
    state = complaint.state
    return ComplaintView(
        complaint=complaint,
        store_name=business.name if business else "",
        events=list(repo.events_of(session, complaint.id)),
        may_escalate_to_head=_may_go_to_head(complaint),
        may_escalate_to_regulator=state not in FINISHED_STATES
        and state is not ComplaintState.WITH_REGULATOR,
        may_accept=state in (ComplaintState.MERCHANT_ANSWERED, ComplaintState.HEAD_ANSWERED),
        may_rate=state in FINISHED_STATES and complaint.rating is None,
    )


def my_complaints(*, session: Session, actor: Principal) -> list[Complaint]:
    """A signed-in diner's own complaints, newest first."""
    access.require_signed_in(actor)
    assert actor.user_id is not None
    return list(repo.complaints_of_user(session, actor.user_id, limit=100))


def list_for_business(
    *,
    session: Session,
    actor: Principal,
    states: frozenset[ComplaintState] | None,
    page: PageRequest,
) -> Page[Complaint]:
    """The enterprise inbox (and a regulator's read-only view) of complaints."""
    rows, total = repo.page_complaints(
        session,
        scope=access.complaint_condition(actor),
        states=states,
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=list(rows), total=total, request=page)


def complaint_for_business(
    *, session: Session, actor: Principal, complaint_id: int
) -> tuple[Complaint, list[ComplaintEvent]]:
    complaint = _for_business_user(session=session, actor=actor, complaint_id=complaint_id)
    return complaint, list(repo.events_of(session, complaint.id))


def reveal_complainant(*, session: Session, actor: Principal, case_id: int) -> intake.Contact:
    """The diner's contact, for a handler of the case the complaint became (to mediate);
    the view goes on the case timeline and into the audit trail."""
    case = cases.get_case(session=session, actor=actor, case_id=case_id)
    complaint = repo.by_case(session, case.id)
    if complaint is None:
        raise NotFoundError(N_("This case has no complaint."))
    if not cases.is_handler(actor=actor, case=case):
        raise ForbiddenError(
            N_("Only the handlers of this case may see the complainant's contact.")
        )
    cases.record_sensitive_view(session=session, actor=actor, case=case, what="complainant")
    audit.record(
        session=session,
        actor=actor,
        action="complaint.view_contact",
        entity_type="complaint",
        entity_id=complaint.id,
        after={"case_id": case.id},
    )
    return intake.unseal(complaint.contact_ciphertext)


def original_viewed(session: Session, actor: Principal, complaint_id: int, token: str) -> None:
    """An original file of a complaint was opened: on its case's timeline, if it has one."""
    complaint = session.get(Complaint, complaint_id)
    case = session.get(Case, complaint.case_id) if complaint and complaint.case_id else None
    if case is not None:
        cases.record_sensitive_view(
            session=session, actor=actor, case=case, what=f"original evidence {token}"
        )


# --- the case behind the complaint ---------------------------------------------------------


#: Case steps the diner is told about; only a rejection or closure says why (the other
#: reasons are the handlers' working notes).
_PUBLIC_CASE_STEPS = {
    CaseAction.ACCEPT: False,
    CaseAction.REJECT: True,
    CaseAction.START_VERIFYING: False,
    CaseAction.HANDLE: False,
    CaseAction.CLOSE: True,
    CaseAction.REOPEN: False,
}


def follow_case(*, session: Session, case: Case, action: CaseAction, reason: str | None) -> None:
    """Mirror a step of the regulator's case on the complaint (called by the case listener)."""
    complaint = repo.by_case(session, case.id)
    if complaint is None or action not in _PUBLIC_CASE_STEPS:
        return
    finished = case.state in (CaseState.CLOSED, CaseState.REJECTED)
    complaint.state = ComplaintState.CLOSED if finished else ComplaintState.WITH_REGULATOR
    complaint.finished_at = utc_now() if finished else None
    session.flush()
    said = reason if _PUBLIC_CASE_STEPS[action] and reason else None
    step = ComplaintStep.CLOSE if finished else ComplaintStep.CASE_UPDATE
    _event(session, complaint, Party.REGULATOR, step, None, text=_case_step_text(action, said))
    messages.case_moved(session=session, complaint=complaint, action=action.value)


def _case_step_text(action: CaseAction, reason: str | None) -> str:
    return f"{action.value}: {reason}" if reason else action.value


# --- the scheduler ----------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    reminded: int
    overdue: int


def sweep_deadlines(*, session: Session, today: date | None = None) -> SweepResult:
    """Remind stores before their answer is due; tell diners when it is overdue (they may
    then escalate). Each once per due date."""
    today = today or today_local()
    reminded = overdue = 0
    for complaint in repo.awaiting_answer_by(session, add_workdays(today, count=REMINDER_WORKDAYS)):
        due = complaint.stage_due_on
        if due is not None and due < today and complaint.overdue_for_due_on != due:
            complaint.overdue_for_due_on = due
            _event(session, complaint, Party.SYSTEM, ComplaintStep.OVERDUE, None, text=str(due))
            messages.answer_overdue(session=session, complaint=complaint)
            overdue += 1
        elif due is not None and due >= today and complaint.reminded_for_due_on != due:
            complaint.reminded_for_due_on = due
            messages.answer_due_soon(
                session=session, complaint=complaint, users=_answering(session, complaint)
            )
            reminded += 1
    session.flush()
    return SweepResult(reminded=reminded, overdue=overdue)


def _answering(session: Session, complaint: Complaint) -> list[int]:
    """Who answers now: the company head once escalated, else the store's owner and managers."""
    if complaint.head_business_id is not None:
        return auth_repo.business_user_ids(
            session, business_id=complaint.head_business_id, roles=HEAD_ROLES
        )
    return auth_repo.business_user_ids(
        session, business_id=complaint.business_id, roles=ANSWERING_ROLES
    )


# --- shared steps ---------------------------------------------------------------------------


def _expect(complaint: Complaint, version: int, states: set[ComplaintState]) -> None:
    if complaint.version != version:
        raise ConflictError(N_("Someone else changed this complaint; reload and try again."))
    if complaint.state not in states:
        raise ConflictError(N_("This complaint is no longer waiting for this answer."))


def _moved(
    *,
    session: Session,
    actor: Principal,
    complaint: Complaint,
    to: ComplaintState,
    party: Party,
    step: ComplaintStep,
    text: str | None,
    due: StepLimit | None,
) -> Complaint:
    before = complaint.state
    complaint.state = to
    complaint.stage_due_on = add_workdays(today_local(), count=due.workdays) if due else None
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError(
            N_("Someone else changed this complaint; reload and try again.")
        ) from exc
    _event(session, complaint, party, step, actor, text=text)
    _audit(session, actor, complaint, f"complaint.{step.value}", before)
    if step in (ComplaintStep.ANSWER, ComplaintStep.HEAD_ANSWER):
        messages.answered(session=session, complaint=complaint)
    return complaint


def _event(
    session: Session,
    complaint: Complaint,
    party: Party,
    step: ComplaintStep,
    actor: Principal | None,
    *,
    text: str | None = None,
) -> None:
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            party=party,
            step=step,
            actor_id=actor.user_id if actor is not None else None,
            state=complaint.state,
            text=text,
        )
    )
    session.flush()


def _audit(
    session: Session,
    actor: Principal,
    complaint: Complaint,
    action: str,
    before: ComplaintState | None,
) -> None:
    audit.record(
        session=session,
        actor=actor,
        action=action,
        entity_type="complaint",
        entity_id=complaint.id,
        before={"state": before.value} if before else None,
        after={"state": complaint.state.value, "receipt_code": complaint.receipt_code},
    )


def _tell_insurer(*, session: Session, complaint: Complaint, business: Business) -> None:
    """A complaint claiming damage from a covered store goes to the insurer as a claim lead."""
    policy = insurance.active_policy(session=session, business_id=business.id)
    if policy is None:
        return
    messages.claim_lead(session=session, complaint=complaint, business=business, policy=policy)
    _event(
        session,
        complaint,
        Party.SYSTEM,
        ComplaintStep.INSURER_NOTIFIED,
        None,
        text=f"{policy.insurer} {policy.policy_number}",
    )


def evidence_access(session: Session, actor: Principal, complaint_id: int) -> evidence.Access:
    """Who may fetch a complaint's files (:data:`sunshine.core.evidence.OWNER_POLICIES`):
    the handlers of its case get the originals, the store, its head and the regulators who
    see the complaint get the copies without metadata, no one else anything."""
    complaint = repo.get_complaint(
        session, complaint_id=complaint_id, scope=access.complaint_condition(actor)
    )
    if complaint is None:
        return evidence.Access.NONE
    if complaint.case_id is not None and actor.is_regulator:
        case = session.get(Case, complaint.case_id)
        if case is not None and cases.is_handler(actor=actor, case=case):
            return evidence.Access.ORIGINAL
    return evidence.Access.PUBLIC
