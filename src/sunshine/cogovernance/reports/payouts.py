"""Rewards for substantiated reports (举报奖励): the handler records the facts and the level,
the calculation (:mod:`sunshine.cogovernance.rewards`) is shown line by line and kept, the
bureau's head approves it (with the finance bureau for large awards), and each payment is
recorded until the award is paid in full. Every step is on the case timeline and audited.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.cases import service as cases
from sunshine.cases.enums import CaseState
from sunshine.cases.events import record_event
from sunshine.cases.models import Case
from sunshine.cogovernance import rewards
from sunshine.cogovernance.reports import repository as repo
from sunshine.cogovernance.reports.enums import RewardStatus
from sunshine.cogovernance.reports.models import Report, RewardDecision, RewardPayout
from sunshine.core.errors import (
    ConflictError,
    FieldProblem,
    ForbiddenError,
    NotFoundError,
    ValidationFailed,
)
from sunshine.core.i18n import N_
from sunshine.core.time import today_local, utc_now

APPROVERS = frozenset({Role.BUREAU_LEADER})


@dataclass(frozen=True, kw_only=True)
class RewardForm:
    level: str
    fines_and_confiscations: str
    facts: rewards.ReportFacts
    insider_rate: str = ""


def assess(*, session: Session, actor: Principal, case_id: int, form: RewardForm) -> RewardDecision:
    """Calculate (or recalculate, until approved) the reward of the report behind a case."""
    case, report = _handled_report(session=session, actor=actor, case_id=case_id)
    if case.state is not CaseState.CLOSED:
        raise ConflictError(N_("A reward is assessed once the case is closed."))
    level, fines, insider_rate = _checked(form)
    facts = form.facts
    calculation = rewards.calculate(
        level=level, fines_and_confiscations=fines, facts=facts, insider_rate=insider_rate
    )
    decision = repo.reward_of(session, report.id)
    if decision is not None and decision.status not in (
        RewardStatus.CALCULATED,
        RewardStatus.NOT_ELIGIBLE,
    ):
        raise ConflictError(N_("The reward is already approved; it can no longer change."))
    if decision is None:
        decision = RewardDecision(report_id=report.id)
        session.add(decision)
    decision.level = level
    decision.fines_and_confiscations = fines
    decision.facts = asdict(facts)
    decision.insider_rate = insider_rate
    decision.amount = calculation.amount
    decision.steps = list(calculation.steps)
    decision.needs_finance_cosign = calculation.needs_finance_cosign
    decision.status = (
        RewardStatus.NOT_ELIGIBLE if calculation.excluded_by else RewardStatus.CALCULATED
    )
    decision.calculated_by_id = actor.user_id or 0
    decision.calculated_at = utc_now()
    session.flush()
    _step(session, actor, case, decision, "reward_assess", f"{decision.amount} ({level.value})")
    return decision


def _checked(form: RewardForm) -> tuple[rewards.RewardLevel, Decimal, Decimal | None]:
    problems: list[FieldProblem] = []
    try:
        level = rewards.RewardLevel(form.level)
    except ValueError:
        level = rewards.RewardLevel.THIRD
        problems.append(FieldProblem("level", N_("Choose one of the options."), code="choice"))
    fines = _money(form.fines_and_confiscations, "fines_and_confiscations", problems) or Decimal(0)
    insider_rate = None
    if form.insider_rate.strip():
        insider_rate = _decimal(form.insider_rate, "insider_rate", problems)
        if insider_rate is not None and not Decimal(0) < insider_rate <= Decimal("0.5"):
            problems.append(FieldProblem("insider_rate", N_("Give a rate between 0 and 0.5.")))
    if problems:
        raise ValidationFailed(problems)
    return level, fines, insider_rate


def approve(
    *,
    session: Session,
    actor: Principal,
    case_id: int,
    finance_cosigned_by: str = "",
    finance_cosigned_on: date | None = None,
) -> RewardDecision:
    """The bureau's head approves the award; a large one names the finance bureau's
    co-signature (≥ ¥500,000)."""
    if actor.role not in APPROVERS:
        raise ForbiddenError(N_("Only the bureau's head approves a reward."))
    case, report = _visible_report(session=session, actor=actor, case_id=case_id)
    decision = repo.reward_of(session, report.id)
    if decision is None or decision.status is not RewardStatus.CALCULATED:
        raise ConflictError(N_("There is no calculated reward to approve."))
    if decision.needs_finance_cosign:
        problems = []
        if not finance_cosigned_by.strip():
            problems.append(FieldProblem("finance_cosigned_by", N_("Required"), code="required"))
        if finance_cosigned_on is None:
            problems.append(FieldProblem("finance_cosigned_on", N_("Required"), code="required"))
        if problems:
            raise ValidationFailed(problems)
        decision.finance_cosigned_by = finance_cosigned_by.strip()
        decision.finance_cosigned_on = finance_cosigned_on
    decision.status = RewardStatus.APPROVED
    decision.approved_by_id = actor.user_id
    decision.approved_at = utc_now()
    session.flush()
    _step(session, actor, case, decision, "reward_approve", str(decision.amount))
    return decision


def record_payout(
    *,
    session: Session,
    actor: Principal,
    case_id: int,
    amount: str,
    paid_on: date | None,
    method: str,
    reference: str,
) -> RewardPayout:
    """Record one payment of an approved award (the total never exceeds the award)."""
    case, report = _handled_report(session=session, actor=actor, case_id=case_id)
    decision = repo.reward_of(session, report.id)
    if decision is None or decision.status is not RewardStatus.APPROVED:
        raise ConflictError(N_("Only an approved, unpaid reward is paid."))
    problems: list[FieldProblem] = []
    money = _money(amount, "amount", problems)
    paid = sum((p.amount for p in repo.payouts_of(session, decision.id)), Decimal(0))
    if money is not None and (money <= 0 or paid + money > decision.amount):
        problems.append(
            FieldProblem(
                "amount",
                N_("At most {left} remains to be paid."),
                params={"left": str(decision.amount - paid)},
            )
        )
    if paid_on is None or paid_on > today_local():
        problems.append(
            FieldProblem("paid_on", N_("Give the day it was paid (not in the future)."))
        )
    for field, value in (("method", method), ("reference", reference)):
        if not value.strip():
            problems.append(FieldProblem(field, N_("Required"), code="required"))
    if problems:
        raise ValidationFailed(problems)
    assert money is not None and paid_on is not None
    count = len(repo.payouts_of(session, decision.id))
    payout = RewardPayout(
        decision_id=decision.id,
        amount=money,
        paid_on=paid_on,
        method=method.strip()[:24],
        reference=reference.strip()[:60],
        recorded_by_id=actor.user_id or 0,
        sequence=count + 1,
    )
    session.add(payout)
    if paid + money == decision.amount:
        decision.status = RewardStatus.PAID
    session.flush()
    _step(session, actor, case, decision, "reward_payout", f"{money} {payout.reference}")
    return payout


def reward_file(
    *, session: Session, actor: Principal, case_id: int
) -> tuple[RewardDecision | None, list[RewardPayout]]:
    """The reward and its payments, for anyone who may see the case."""
    _case, report = _visible_report(session=session, actor=actor, case_id=case_id)
    decision = repo.reward_of(session, report.id)
    payouts = list(repo.payouts_of(session, decision.id)) if decision else []
    return decision, payouts


def _visible_report(*, session: Session, actor: Principal, case_id: int) -> tuple[Case, Report]:
    case = cases.get_case(session=session, actor=actor, case_id=case_id)
    report = repo.by_case(session, case.id)
    if report is None:
        raise NotFoundError(N_("This case has no report."))
    return case, report


def _handled_report(*, session: Session, actor: Principal, case_id: int) -> tuple[Case, Report]:
    case, report = _visible_report(session=session, actor=actor, case_id=case_id)
    if not cases.is_handler(actor=actor, case=case):
        raise ForbiddenError(N_("Only the handlers of this case handle its reward."))
    return case, report


def _money(value: str, field: str, problems: list[FieldProblem]) -> Decimal | None:
    amount = _decimal(value, field, problems)
    if amount is not None and amount < 0:
        problems.append(FieldProblem(field, N_("Enter an amount in yuan.")))
        return None
    return None if amount is None else amount.quantize(Decimal("0.01"))


def _decimal(value: str, field: str, problems: list[FieldProblem]) -> Decimal | None:
    try:
        amount = Decimal((value or "").replace(",", "").strip())
    except InvalidOperation:
        problems.append(FieldProblem(field, N_("Enter a number.")))
        return None
    if not amount.is_finite():
        problems.append(FieldProblem(field, N_("Enter a number.")))
        return None
    return amount


def _step(
    session: Session,
    actor: Principal,
    case: Case,
    decision: RewardDecision,
    action: str,
    detail: str,
) -> None:
    record_event(
        session=session,
        actor=actor,
        case=case,
        action=action,
        source=case.state,
        unit=case.org_unit_id,
        reason=detail,
    )
    audit.record(
        session=session,
        actor=actor,
        action=f"report.{action}",
        entity_type="reward_decision",
        entity_id=decision.id,
        after={
            "status": decision.status.value,
            "amount": str(decision.amount),
            "level": decision.level.value,
        },
    )
