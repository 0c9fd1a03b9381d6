"""Government portal: the complaint or report behind a case, and the whistleblower registry.

* ``/gov/cases/{id}/submission``: what the public filed (text, place, evidence with its
  SHA-256): the copies without metadata for every regulator who sees the case, the
  originals (GPS and all) for its handlers only. For a report: "Show reporter identity"
  (a POST, handlers only; each view goes on the case timeline and in the audit trail) and
  the reward panel (assess with the facts, approve, record payouts).
* ``/gov/whistleblowers``: an administrator verifies or revokes registrations.

Who sees and does what is decided by the case, report and reward services; a case outside
the regulator's jurisdiction is a 404, as on the case page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from sunshine.auth import repository as auth_repo
from sunshine.auth.principal import Principal
from sunshine.cases import service as cases
from sunshine.cases.enums import CaseState
from sunshine.cases.models import Case
from sunshine.cogovernance import rewards
from sunshine.cogovernance.complaints import repository as complaints_repo
from sunshine.cogovernance.complaints import service as complaints
from sunshine.cogovernance.complaints.models import Complaint
from sunshine.cogovernance.intake import Contact
from sunshine.cogovernance.reports import payouts, profiles
from sunshine.cogovernance.reports import service as reports
from sunshine.cogovernance.reports.enums import ProfileStatus, RewardStatus
from sunshine.cogovernance.reports.models import Report, RewardDecision, RewardPayout
from sunshine.core import evidence
from sunshine.core.errors import (
    ConflictError,
    FieldProblem,
    ForbiddenError,
    NotFoundError,
    ValidationFailed,
)
from sunshine.core.evidence_models import EvidenceFile
from sunshine.core.i18n import N_
from sunshine.portals.government.cases_routes import case_label
from sunshine.portals.public.submissions_routes import LABELS
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Regulator, check_csrf
from sunshine.portals.shared.templating import render, translator
from sunshine.regions import service as regions_service
from sunshine.registry import service as registry

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]

LEVEL_LABELS = {
    rewards.RewardLevel.FIRST: N_(
        "Level 1: detailed facts and direct evidence, fully matching; especially serious"
    ),
    rewards.RewardLevel.SECOND: N_("Level 2: facts and direct evidence, fully matching"),
    rewards.RewardLevel.THIRD: N_("Level 3: basic facts and related evidence, broadly matching"),
}
#: The facts of :class:`rewards.ReportFacts`, as the handler ticks them.
FACT_LABELS = {
    "natural_person": N_("The reporter is a natural person"),
    "regulator_staff": N_("The reporter works for a regulator or has a duty to report"),
    "infringed_party": N_("The reporter is the infringed party, its agent or an interested party"),
    "violator": N_("The reporter is the violator"),
    "insider": N_("The reporter is an insider of the violating business"),
    "paid_to_report": N_("Another business paid the reporter to report"),
    "in_scope": N_("A major violation within the rewarded scope"),
    "already_known": N_("The regulator already knew of it"),
    "substantiated_and_closed": N_("Found true, and the case is closed"),
}
REWARD_STATUS_LABELS = {
    RewardStatus.NOT_ELIGIBLE: N_("Not eligible"),
    RewardStatus.CALCULATED: N_("Calculated, waiting for approval"),
    RewardStatus.APPROVED: N_("Approved, to be paid"),
    RewardStatus.PAID: N_("Paid"),
}
GOV_FIELD_LABELS = {
    "level": N_("Level"),
    "fines_and_confiscations": N_("Fines and confiscations (yuan)"),
    "insider_rate": N_("Insider rate"),
    "finance_cosigned_by": N_("Finance bureau co-signature"),
    "finance_cosigned_on": N_("Co-signed on"),
    "amount": N_("Amount (yuan)"),
    "paid_on": N_("Paid on"),
    "method": N_("Method"),
    "reference": N_("Voucher or transfer number"),
    "note": N_("Credential checked"),
    "decision": N_("Decision"),
}


@dataclass(frozen=True)
class Submission:
    """The complaint or the report behind a case, with what the page shows of it."""

    case: Case
    complaint: Complaint | None
    report: Report | None
    files: list[EvidenceFile]
    handler: bool
    store_name: str | None
    place: list[str]


def _submission(session: Session, actor: Principal, case_id: int) -> Submission:
    case = cases.get_case(session=session, actor=actor, case_id=case_id)  # 404 outside
    report = reports.report_of_case(session=session, actor=actor, case_id=case.id)
    # The case's visibility is settled above; the complaint service has no regulator-side
    # look-up by case, so its repository is read directly for the (already visible) case.
    complaint = None if report is not None else complaints_repo.by_case(session, case.id)
    if report is None and complaint is None:
        raise NotFoundError(N_("This case did not come from a complaint or a report."))
    owner_type, owner_id = (
        (reports.OWNER, report.id) if report is not None else (complaints.OWNER, complaint.id)  # type: ignore[union-attr]
    )
    files = evidence.files_of(session, owner_type=owner_type, owner_ids=[owner_id])
    return Submission(
        case=case,
        complaint=complaint,
        report=report,
        files=files.get(owner_id, []),
        handler=cases.is_handler(actor=actor, case=case),
        store_name=_store_name(session, actor, case.business_id),
        place=regions_service.region_names(
            session=session, codes=[case.prefecture_code, case.county_code, case.township_code]
        ),
    )


def _store_name(session: Session, actor: Principal, business_id: int | None) -> str | None:
    if business_id is None:
        return None
    try:
        return registry.get_business(session=session, actor=actor, business_id=business_id).name
    except NotFoundError:  # a case transferred here about a business outside the jurisdiction
        return None


def _page(
    request: Request,
    session: Session,
    actor: Principal,
    case_id: int,
    *,
    identity: reports.Identity | None = None,
    complainant: Contact | None = None,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    alert: str | None = None,
    reward_notice: str | None = None,
    status_code: int = 200,
) -> Response:
    sub = _submission(session, actor, case_id)
    decision: RewardDecision | None = None
    paid: list[RewardPayout] = []
    if sub.report is not None:
        decision, paid = payouts.reward_file(session=session, actor=actor, case_id=case_id)
    context = {
        **LABELS,
        "field_labels": {**LABELS["field_labels"], **GOV_FIELD_LABELS},
        "sub": sub,
        "case_label": case_label,
        "case": sub.case,
        "identity": identity,
        "complainant": complainant,
        "decision": decision,
        "payouts": paid,
        "paid_total": sum((p.amount for p in paid), Decimal(0)),
        "reward": _reward_actions(actor, sub, decision),
        "level_labels": LEVEL_LABELS,
        "levels": list(rewards.RewardLevel),
        "fact_labels": FACT_LABELS,
        "facts": _facts_shown(values if form == "assess" else None, decision, sub.report),
        "reward_status_labels": REWARD_STATUS_LABELS,
        "cap": rewards.CAP,
        "cosign_from": rewards.FINANCE_COSIGN_FROM,
        "form": form,
        "values": values or {},
        "errors": errors or [],
        "alert": alert,
        "reward_notice": reward_notice,
    }
    return render(request, "gov/case_submission.html", context, status_code=status_code)


@dataclass(frozen=True)
class RewardActions:
    assess: bool
    approve: bool
    pay: bool


def _reward_actions(
    actor: Principal, sub: Submission, decision: RewardDecision | None
) -> RewardActions:
    """Which reward forms to offer (the payout service checks each again on submit)."""
    status = decision.status if decision is not None else None
    open_to_change = status in (None, RewardStatus.CALCULATED, RewardStatus.NOT_ELIGIBLE)
    return RewardActions(
        assess=sub.handler and sub.case.state is CaseState.CLOSED and open_to_change,
        approve=actor.role in payouts.APPROVERS and status is RewardStatus.CALCULATED,
        pay=sub.handler and status is RewardStatus.APPROVED,
    )


def _facts_shown(
    values: dict[str, Any] | None, decision: RewardDecision | None, report: Report | None
) -> dict[str, bool]:
    """The ticks of the facts form: as just sent, else as last assessed, else the defaults
    (with what the report itself says of an insider)."""
    if values is not None:
        return {name: bool(values.get(name)) for name in FACT_LABELS}
    if decision is not None:
        return {name: bool(decision.facts.get(name)) for name in FACT_LABELS}
    defaults = rewards.ReportFacts(
        natural_person=True,
        insider=bool(report and report.insider),
        # Left for the handler to tick: a closed case is not necessarily a true report.
        substantiated_and_closed=False,
    )
    return {f.name: bool(getattr(defaults, f.name)) for f in fields(defaults)}


@router.get("/cases/{case_id}/submission")
def submission(
    request: Request, session: DbSession, principal: Regulator, case_id: int
) -> Response:
    notice = None
    if request.query_params.get("done"):
        notice = translator(request)("Saved. The step is on the case timeline.")
    return _page(request, session, principal, case_id, reward_notice=notice)


@router.post("/cases/{case_id}/submission/reporter", dependencies=Csrf)
def reveal_reporter(
    request: Request, session: DbSession, principal: Regulator, case_id: int
) -> Response:
    """The reporter's identity, shown once in the answer to this POST (never in a URL)."""
    return _revealed(request, session, principal, case_id, "identity", reports.reveal_reporter)


@router.post("/cases/{case_id}/submission/complainant", dependencies=Csrf)
def reveal_complainant(
    request: Request, session: DbSession, principal: Regulator, case_id: int
) -> Response:
    """The diner's contact, for mediation; shown once in the answer to this POST."""
    return _revealed(
        request, session, principal, case_id, "complainant", complaints.reveal_complainant
    )


def _revealed(
    request: Request,
    session: Session,
    principal: Principal,
    case_id: int,
    shown_as: str,
    reveal: Callable[..., Any],
) -> Response:
    """The page with one revealed piece of personal data (the service records the view),
    never cached; a refusal shows why, with nothing revealed."""
    try:
        revealed = reveal(session=session, actor=principal, case_id=case_id)
    except ForbiddenError as exc:
        return _page(
            request,
            session,
            principal,
            case_id,
            alert=exc.render(translator(request)),
            status_code=403,
        )
    response = _page(request, session, principal, case_id, **{shown_as: revealed})
    response.headers["Cache-Control"] = "no-store"
    return response


def _done(case_id: int) -> Response:
    return RedirectResponse(f"/gov/cases/{case_id}/submission?done=1#reward", status_code=303)


def _reward_step(
    request: Request,
    session: Session,
    principal: Principal,
    case_id: int,
    form: str,
    values: dict[str, Any],
    step: Any,
) -> Response:
    try:
        step()
    except ValidationFailed as exc:
        return _page(
            request,
            session,
            principal,
            case_id,
            form=form,
            values=values,
            errors=exc.problems,
            status_code=422,
        )
    except (ConflictError, ForbiddenError) as exc:
        return _page(
            request,
            session,
            principal,
            case_id,
            form=form,
            values=values,
            alert=exc.render(translator(request)),
            status_code=exc.status,
        )
    return _done(case_id)


@router.post("/cases/{case_id}/submission/reward", dependencies=Csrf)
def assess_reward(
    request: Request,
    session: DbSession,
    principal: Regulator,
    case_id: int,
    values: forms.FormValues,
) -> Response:
    def step() -> None:
        facts = rewards.ReportFacts(**{name: bool(values.get(name)) for name in FACT_LABELS})
        payouts.assess(
            session=session,
            actor=principal,
            case_id=case_id,
            form=payouts.RewardForm(
                level=values.get("level") or "",
                fines_and_confiscations=values.get("fines_and_confiscations") or "",
                facts=facts,
                insider_rate=values.get("insider_rate") or "",
            ),
        )

    return _reward_step(request, session, principal, case_id, "assess", values, step)


@router.post("/cases/{case_id}/submission/reward/approve", dependencies=Csrf)
def approve_reward(
    request: Request,
    session: DbSession,
    principal: Regulator,
    case_id: int,
    values: forms.FormValues,
) -> Response:
    def step() -> None:
        problems: list[FieldProblem] = []
        cosigned_on = _day(values, "finance_cosigned_on", problems)
        if problems:
            raise ValidationFailed(problems)
        payouts.approve(
            session=session,
            actor=principal,
            case_id=case_id,
            finance_cosigned_by=values.get("finance_cosigned_by") or "",
            finance_cosigned_on=cosigned_on,
        )

    return _reward_step(request, session, principal, case_id, "approve", values, step)


@router.post("/cases/{case_id}/submission/reward/payouts", dependencies=Csrf)
def record_payout(
    request: Request,
    session: DbSession,
    principal: Regulator,
    case_id: int,
    values: forms.FormValues,
) -> Response:
    def step() -> None:
        problems: list[FieldProblem] = []
        paid_on = _day(values, "paid_on", problems)
        if problems:
            raise ValidationFailed(problems)
        payouts.record_payout(
            session=session,
            actor=principal,
            case_id=case_id,
            amount=values.get("amount") or "",
            paid_on=paid_on,
            method=values.get("method") or "",
            reference=values.get("reference") or "",
        )

    return _reward_step(request, session, principal, case_id, "payout", values, step)


def _day(values: dict[str, Any], field: str, problems: list[FieldProblem]) -> date | None:
    try:
        return forms.parse_date(values.get(field))
    except ValueError:
        problems.append(FieldProblem(field, N_("Enter a date.")))
        return None


# The whistleblower registry (administrators) -------------------------------------------------

STATUS_FILTERS = {
    "pending": ProfileStatus.PENDING,
    "verified": ProfileStatus.VERIFIED,
    "revoked": ProfileStatus.REVOKED,
    "all": None,
}


def _registry_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    shown = request.query_params.get("status", "pending")
    if shown not in STATUS_FILTERS:
        shown = "pending"
    rows = profiles.registrations(session=session, actor=principal, status=STATUS_FILTERS[shown])
    users = {row.user_id: auth_repo.get_user(session, row.user_id) for row in rows}
    flash = None
    if request.query_params.get("decided"):
        flash = translator(request)("The decision is recorded.")
    context = {
        **LABELS,
        "field_labels": {**LABELS["field_labels"], **GOV_FIELD_LABELS},
        "rows": rows,
        "users": users,
        "shown": shown,
        "filters": STATUS_FILTERS,
        "PENDING": ProfileStatus.PENDING,
        "VERIFIED": ProfileStatus.VERIFIED,
        "REVOKED_STATUS": ProfileStatus.REVOKED,
        "values": values or {},
        "errors": errors or [],
        "flash": flash,
    }
    return render(request, "gov/whistleblowers.html", context, status_code=status_code)


@router.get("/whistleblowers")
def whistleblowers(request: Request, session: DbSession, principal: Regulator) -> Response:
    return _registry_page(request, session, principal)


@router.post("/whistleblowers/{profile_id}", dependencies=Csrf)
def decide_whistleblower(
    request: Request,
    session: DbSession,
    principal: Regulator,
    profile_id: int,
    values: forms.FormValues,
) -> Response:
    try:
        if values.get("decision") not in ("verify", "revoke"):
            raise ValidationFailed(
                [FieldProblem("decision", N_("Choose one of the options."), code="choice")]
            )
        profiles.decide(
            session=session,
            actor=principal,
            profile_id=profile_id,
            verify=values.get("decision") == "verify",
            note=values.get("note") or "",
        )
    except ValidationFailed as exc:
        values = {**values, "profile_id": profile_id}
        return _registry_page(
            request, session, principal, values=values, errors=exc.problems, status_code=422
        )
    shown = request.query_params.get("status", "pending")
    return RedirectResponse(f"/gov/whistleblowers?status={shown}&decided=1", status_code=303)
