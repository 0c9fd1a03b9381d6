"""Filing a whistleblower report, following it by receipt code, and keeping the reporter's
identity secret (食品安全法 Art. 115; O20 Art. 33: never disclosed to the reported business
or to anyone not handling the report).

Every report opens a case at once, routed by the store's or the place's region. Who may see
the reporter is decided here, not by case visibility: only the handlers of that case (its
assignee and the heads of the responsible office), each view recorded on the case timeline
and in the audit trail.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.principal import ANONYMOUS, Principal
from sunshine.cases import service as cases
from sunshine.cases.enums import CaseAction, CaseKind, CaseState
from sunshine.cases.models import Case
from sunshine.cogovernance import intake
from sunshine.cogovernance.reports import messages
from sunshine.cogovernance.reports import repository as repo
from sunshine.cogovernance.reports.enums import ProfileStatus, ReportCategory, WhistleblowerGroup
from sunshine.cogovernance.reports.models import Report
from sunshine.core import crypto, evidence
from sunshine.core.errors import (
    FieldProblem,
    ForbiddenError,
    NotFoundError,
    ThrottledError,
    ValidationFailed,
)
from sunshine.core.i18n import N_
from sunshine.core.identifiers import validate_id_number
from sunshine.core.ratelimit import get_rate_limiter
from sunshine.core.time import today_local
from sunshine.registry import repository as registry_repo
from sunshine.registry.enums import OperatingStatus

OWNER = "report"  # ``owner_type`` of a report's evidence files
TEXT_LIMIT = 5000
#: Reports one address may file per hour (a whistleblower with much to say files one report
#: with many photos; dozens an hour from one address are a campaign, not leads).
PER_ADDRESS_PER_HOUR = 10


@dataclass(frozen=True, kw_only=True)
class ReportForm:
    category: str
    description: str
    store_code: str = ""
    region_code: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    anonymous: bool = True
    insider: bool = False
    name: str = ""
    phone: str = ""
    email: str = ""
    id_number: str = ""


@dataclass(frozen=True)
class Identity:
    """Who the reporter is (decrypted only for a case handler)."""

    name: str = ""
    phone: str = ""
    email: str = ""
    id_number: str = ""


def submit_report(
    *,
    session: Session,
    actor: Principal,
    form: ReportForm,
    files: Sequence[evidence.PreparedFile] = (),
    receipt_code: str | None = None,
    throttled: bool = True,
) -> Report:
    """File a report; its case is opened at once for the responsible office. ``files`` are
    photos and short videos already checked and hashed (:func:`evidence.prepare`). A
    submission taken in through the intake queue brings the ``receipt_code`` it was given
    and was throttled there (``throttled=False``)."""
    category, business_id, identity = _checked(session, actor, form)
    if throttled:
        _throttle(actor)
    group = _verified_group(session, actor)
    report = Report(
        receipt_code=receipt_code or _new_receipt_code(session),
        category=category,
        description=form.description.strip(),
        business_id=business_id,
        region_code=form.region_code or None if business_id is None else None,
        address=form.address.strip() or None,
        latitude=form.latitude,
        longitude=form.longitude,
        anonymous=form.anonymous,
        user_id=None if form.anonymous or actor.is_anonymous else actor.user_id,
        identity_ciphertext=None if identity is None else _seal(identity),
        group=group,
        insider=form.insider,
    )
    case = cases.receive_submission(session=session, draft=_case_draft(report, group is not None))
    report.case_id = case.id
    session.add(report)
    session.flush()
    if files:
        evidence.record(
            session=session,
            actor=ANONYMOUS if form.anonymous else actor,
            prepared=files,
            owner_type=OWNER,
            owner_id=report.id,
        )
    audit.record(
        session=session,
        # An anonymous report's audit entry keeps neither the account nor the address.
        actor=ANONYMOUS if form.anonymous else actor,
        action="report.submit",
        entity_type="report",
        entity_id=report.id,
        after={
            "receipt_code": report.receipt_code,
            "case_id": case.id,
            "anonymous": report.anonymous,
            "priority": case.priority,
        },
    )
    if identity is not None and identity.phone:
        messages.report_received(session=session, report=report, phone=identity.phone)
    return report


def _checked(
    session: Session, actor: Principal, form: ReportForm
) -> tuple[ReportCategory, int | None, Identity | None]:
    checked = check_form(form)
    business_id = None
    if form.store_code.strip():
        business_id = _open_store(session, form.store_code)
        if business_id is None:
            checked.problems.append(FieldProblem("store_code", N_("No such store")))
    if checked.problems:
        raise ValidationFailed(checked.problems)
    return checked.category, business_id, checked.identity


@dataclass
class CheckedReport:
    """A report form checked without the database (the store is looked up separately)."""

    category: ReportCategory
    identity: Identity | None
    problems: list[FieldProblem]


def check_form(form: ReportForm) -> CheckedReport:
    """Every problem of a report form that needs no database: text, place, identity."""
    problems: list[FieldProblem] = []
    try:
        category = ReportCategory(form.category)
    except ValueError:
        category = ReportCategory.OTHER
        problems.append(FieldProblem("category", N_("Choose one of the options."), code="choice"))
    text = form.description.strip()
    if not text:
        problems.append(FieldProblem("description", N_("Required"), code="required"))
    elif len(text) > TEXT_LIMIT:
        problems.append(
            FieldProblem(
                "description", N_("At most {limit} characters"), params={"limit": TEXT_LIMIT}
            )
        )
    _place_problems(form, problems)
    identity = None if form.anonymous else _identity(form, problems)
    return CheckedReport(category=category, identity=identity, problems=problems)


def _open_store(session: Session, store_code: str) -> int | None:
    business = registry_repo.get_business_by_code(session, store_code.strip().upper())
    if business is None or business.operating_status is OperatingStatus.CLOSED:
        return None
    return business.id


def _place_problems(form: ReportForm, problems: list[FieldProblem]) -> None:
    """The store named, or else the region (and address) where it happens."""
    if not form.store_code.strip():
        if not form.region_code:
            problems.append(
                FieldProblem("region_code", N_("Choose the store, or the area where it happens."))
            )
        elif not form.address.strip():
            problems.append(FieldProblem("address", N_("Give the address where it happens.")))
    if len(form.address) > 200:
        problems.append(
            FieldProblem("address", N_("At most {limit} characters"), params={"limit": 200})
        )
    for field, value, bound in (
        ("latitude", form.latitude, 90),
        ("longitude", form.longitude, 180),
    ):
        if value is not None and not -bound <= value <= bound:
            problems.append(FieldProblem(field, N_("Not a valid coordinate.")))


def _identity(form: ReportForm, problems: list[FieldProblem]) -> Identity:
    contact = intake.clean_contact(name=form.name, phone=form.phone, email=form.email)
    if not contact.name:
        problems.append(FieldProblem("name", N_("Required"), code="required"))
    problems += intake.contact_problems(contact, phone_required=True)
    id_number = form.id_number.strip().upper()
    if id_number:
        try:
            id_number = validate_id_number(id_number)
        except ValueError:
            problems.append(FieldProblem("id_number", N_("Not a valid resident ID number.")))
    return Identity(
        name=contact.name, phone=contact.phone, email=contact.email, id_number=id_number
    )


def _throttle(actor: Principal) -> None:
    allowed, retry = get_rate_limiter().hit(
        f"report:ip:{actor.ip or 'unknown'}", limit=PER_ADDRESS_PER_HOUR, window_s=3600
    )
    if not allowed:
        raise ThrottledError(
            N_("Too many reports from here; try again in {minutes} minutes."),
            retry_after_s=retry,
            minutes=max(1, retry // 60),
        )


def _verified_group(session: Session, actor: Principal) -> WhistleblowerGroup | None:
    if actor.user_id is None:
        return None
    profile = repo.profile_of(session, actor.user_id)
    if profile is None or profile.status is not ProfileStatus.VERIFIED:
        return None
    return profile.group


def _case_draft(report: Report, priority: bool) -> cases.CaseDraft:
    """The case file: the lead as reported, with no word of who reported it."""
    first_line = report.description.splitlines()[0][:80]
    place = "" if report.business_id else f"\nAddress: {report.address or '-'}"
    return cases.CaseDraft(
        kind=CaseKind.REPORT,
        title=first_line,
        summary=f"[{report.category.value}] {report.description}{place}",
        business_id=report.business_id,
        region_code=report.region_code,
        received_on=today_local(),
        priority=1 if priority else 0,
    )


def _new_receipt_code(session: Session) -> str:
    while True:
        code = intake.new_receipt_code()
        if not repo.receipt_exists(session, code):
            return code


def _seal(identity: Identity) -> str:
    return crypto.encrypt(json.dumps(asdict(identity), ensure_ascii=False))


# --- following a report ----------------------------------------------------------------


@dataclass(frozen=True)
class ReportStatus:
    """What the receipt code's holder sees: the stage, never the handlers' notes."""

    report: Report
    stage: str  # received | verifying | handled | closed | not_accepted
    updated_on: str


_STAGES = {
    CaseState.RECEIVED: "received",
    CaseState.ACCEPTED: "accepted",
    CaseState.ASSIGNED: "accepted",
    CaseState.VERIFYING: "verifying",
    CaseState.HANDLED: "handled",
    CaseState.REVIEWED: "handled",
    CaseState.CLOSED: "closed",
    CaseState.REJECTED: "not_accepted",
}


def follow(*, session: Session, actor: Principal, receipt_code: str) -> ReportStatus:
    allowed, retry = get_rate_limiter().hit(
        f"receipt:ip:{actor.ip or 'unknown'}", limit=30, window_s=60
    )
    if not allowed:
        raise ThrottledError(N_("Too many look-ups; wait a minute."), retry_after_s=retry)
    report = repo.by_receipt(session, intake.normalise_receipt_code(receipt_code))
    if report is None:
        raise NotFoundError(N_("No report has this receipt code."))
    case = session.get(Case, report.case_id)
    assert case is not None
    return ReportStatus(
        report=report, stage=_STAGES[case.state], updated_on=case.state_since.isoformat()
    )


def my_reports(*, session: Session, actor: Principal) -> list[Report]:
    access.require_signed_in(actor)
    assert actor.user_id is not None
    return list(repo.reports_of_user(session, actor.user_id, limit=100))


# --- confidentiality -------------------------------------------------------------------


def report_of_case(*, session: Session, actor: Principal, case_id: int) -> Report | None:
    """The report behind a case the actor may see (without the reporter)."""
    case = cases.get_case(session=session, actor=actor, case_id=case_id)
    return repo.by_case(session, case.id)


def reveal_reporter(*, session: Session, actor: Principal, case_id: int) -> Identity:
    """The reporter's identity, for a handler of the case; the view is recorded."""
    case = cases.get_case(session=session, actor=actor, case_id=case_id)
    report = repo.by_case(session, case.id)
    if report is None:
        raise NotFoundError(N_("This case has no report."))
    if not cases.is_handler(actor=actor, case=case):
        raise ForbiddenError(N_("Only the handlers of this case may see who reported it."))
    if report.identity_ciphertext is None:
        raise NotFoundError(N_("The report was made anonymously."))
    identity = Identity(**json.loads(crypto.decrypt(report.identity_ciphertext)))
    cases.record_sensitive_view(session=session, actor=actor, case=case, what="reporter")
    audit.record(
        session=session,
        actor=actor,
        action="report.view_identity",
        entity_type="report",
        entity_id=report.id,
        after={"case_id": case.id},
    )
    return identity


# --- the case behind the report --------------------------------------------------------


def follow_case(*, session: Session, case: Case, action: CaseAction) -> None:
    """Tell the reporter and the business what they may know as the case moves.

    A real-name reporter is told whether a case was opened (O20 Art. 31: within five working
    days of the decision; we tell at once). When verification starts, the business gets a
    notice that says nothing of who reported, when, or what exactly was reported.
    """
    report = repo.by_case(session, case.id)
    if report is None:
        return
    if action in (CaseAction.ACCEPT, CaseAction.REJECT, CaseAction.CLOSE):
        messages.reporter_told(session=session, report=report, case=case, action=action)
    if action is CaseAction.START_VERIFYING and report.business_id is not None:
        messages.business_told_of_verification(
            session=session, business_id=report.business_id, case=case
        )


def evidence_access(session: Session, actor: Principal, report_id: int) -> evidence.Access:
    """Who may fetch a report's files (:data:`sunshine.core.evidence.OWNER_POLICIES`): the
    originals (with their metadata: where and when taken, on which phone) only the handlers
    of its case; the copies without metadata the regulators who see the case; never the
    reported business nor the public."""
    report = repo.get_report(session, report_id)
    if report is None or not actor.is_regulator:
        return evidence.Access.NONE
    case = repo.visible_case(session, case_id=report.case_id, scope=access.case_condition(actor))
    if case is None:
        return evidence.Access.NONE
    if cases.is_handler(actor=actor, case=case):
        return evidence.Access.ORIGINAL
    return evidence.Access.PUBLIC


def original_viewed(session: Session, actor: Principal, report_id: int, token: str) -> None:
    """An original file of a report was opened: on the case's timeline (the audit trail has
    it already, see :func:`sunshine.core.evidence.open_original`)."""
    report = repo.get_report(session, report_id)
    case = session.get(Case, report.case_id) if report is not None else None
    if case is not None:
        cases.record_sensitive_view(
            session=session, actor=actor, case=case, what=f"original evidence {token}"
        )
