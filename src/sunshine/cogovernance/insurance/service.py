"""Recording businesses' food-safety liability cover and finding the cover of a store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.cogovernance import intake
from sunshine.cogovernance.insurance import repository as repo
from sunshine.cogovernance.insurance.models import InsurancePolicy
from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.time import today_local
from sunshine.registry.service import get_business
from sunshine.registry.service.businesses import invalidate_store_page

MAX_COVER = Decimal("1000000000")  # a typo guard: no catering policy covers a billion yuan


@dataclass(frozen=True, kw_only=True)
class PolicyForm:
    insurer: str
    policy_number: str
    cover_amount: str
    start_on: date | None
    end_on: date | None
    claims_email: str = ""
    claims_phone: str = ""


def record_policy(
    *, session: Session, actor: Principal, business_id: int, form: PolicyForm
) -> InsurancePolicy:
    """Record a policy of a business the actor may edit (its owner, its HQ, its regulator)."""
    access.require_business_editor(actor)
    business = get_business(session=session, actor=actor, business_id=business_id)
    amount, problems = _checked(session, form)
    if problems:
        raise ValidationFailed(problems)
    assert form.start_on is not None and form.end_on is not None and amount is not None
    contact = intake.clean_contact(name="", phone=form.claims_phone, email=form.claims_email)
    policy = InsurancePolicy(
        business_id=business.id,
        insurer=form.insurer.strip(),
        policy_number=form.policy_number.strip(),
        cover_amount=amount,
        start_on=form.start_on,
        end_on=form.end_on,
        claims_email=contact.email or None,
        claims_phone=contact.phone or None,
        recorded_by_id=actor.user_id,
    )
    session.add(policy)
    session.flush()
    invalidate_store_page(session, business.id)  # the store page shows the cover in force
    audit.record(
        session=session,
        actor=actor,
        action="insurance.record",
        entity_type="insurance_policy",
        entity_id=policy.id,
        after={
            "business_id": business.id,
            "insurer": policy.insurer,
            "policy_number": policy.policy_number,
            "cover_amount": str(policy.cover_amount),
            "start_on": policy.start_on.isoformat(),
            "end_on": policy.end_on.isoformat(),
        },
    )
    return policy


def _checked(session: Session, form: PolicyForm) -> tuple[Decimal | None, list[FieldProblem]]:
    problems: list[FieldProblem] = []
    for field, value, limit in (
        ("insurer", form.insurer, 80),
        ("policy_number", form.policy_number, 40),
    ):
        if not value.strip():
            problems.append(FieldProblem(field, N_("Required"), code="required"))
        elif len(value.strip()) > limit:
            problems.append(
                FieldProblem(field, N_("At most {limit} characters"), params={"limit": limit})
            )
    amount = _amount(form.cover_amount, problems)
    if form.start_on is None:
        problems.append(FieldProblem("start_on", N_("Required"), code="required"))
    if form.end_on is None:
        problems.append(FieldProblem("end_on", N_("Required"), code="required"))
    elif form.start_on is not None and form.end_on < form.start_on:
        problems.append(FieldProblem("end_on", N_("The cover cannot end before it starts.")))
    contact = intake.clean_contact(name="", phone=form.claims_phone, email=form.claims_email)
    problems += intake.contact_problems(contact, phone_required=False)
    if not (contact.phone or contact.email):
        problems.append(
            FieldProblem("claims_email", N_("Give the insurer's claims email or phone."))
        )
    if not problems and repo.policy_number_taken(
        session, insurer=form.insurer.strip(), policy_number=form.policy_number.strip()
    ):
        problems.append(FieldProblem("policy_number", N_("This policy is already recorded.")))
    return amount, problems


def _amount(value: str, problems: list[FieldProblem]) -> Decimal | None:
    try:
        amount = Decimal((value or "").replace(",", "").strip())
    except InvalidOperation:
        problems.append(FieldProblem("cover_amount", N_("Enter an amount in yuan.")))
        return None
    if not amount.is_finite() or amount <= 0 or amount > MAX_COVER:
        problems.append(FieldProblem("cover_amount", N_("Enter an amount in yuan.")))
        return None
    return amount.quantize(Decimal("0.01"))


def active_policy(*, session: Session, business_id: int) -> InsurancePolicy | None:
    """The cover of a store today (public: shown on the store page)."""
    return repo.active_policy(session, business_id=business_id, day=today_local())
