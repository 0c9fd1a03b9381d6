"""Penalty decisions (行政处罚决定) on enforcement cases, and the penalty types as data.

The types are those of 《中华人民共和国行政处罚法》 (2021 revision) art. 9, items (一)–(五);
item (六), "other penalties set by laws and administrative regulations", has no fixed list and
is left out. Source: the article's text as quoted in two independent public copies found in
the code index (a legal-QA dataset and a conversation test fixture), which agree word for
word; the official NPC text was not read, so the list is marked ``press`` (unverified
against the official publication). 行政拘留 is on the list but a market regulator cannot
impose it: restricting personal freedom is for the public security organs (行政处罚法
art. 18 ¶3 of the 2021 revision; the article number is from secondary sources,
unverified), so a decision naming it is refused.

A decision is published on the store page (行政处罚信息公示): its number, types, amounts, legal
basis and date; never the facts as written (they may name people) nor its documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.cases.models import Case
from sunshine.core import evidence
from sunshine.core.cache import invalidate_after_commit
from sunshine.core.errors import FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.evidence_models import EvidenceKind
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import today_local
from sunshine.inspections import rectification_repository as repo
from sunshine.inspections.rectification_models import PenaltyDecision
from sunshine.registry.models import Business
from sunshine.registry.public import store_cache_keys

#: ``owner_type`` of a decision's documents (the decision, the proof of service, receipts).
OWNER = "penalty_decision"
DOCUMENTS = evidence.EvidenceRules(
    kinds=frozenset({EvidenceKind.DOCUMENT}), max_files=5, field="documents"
)
MAX_AMOUNT = Decimal("100000000000")  # a typo guard: far above any food-safety fine
TEXT_LIMIT = 5000


@dataclass(frozen=True)
class PenaltyType:
    """One kind of administrative penalty (行政处罚的种类)."""

    code: str
    name_zh: str
    label: str  # English msgid
    item: str  # the item of art. 9 that lists it
    amount: str | None = None  # the amount field this type needs
    by_market_regulator: bool = True


PENALTY_SOURCE = {
    "regulation": "《中华人民共和国行政处罚法》（2021年修订）",
    "article": "第九条",
    "status": "press",
    "note": (
        "Text of art. 9 as quoted in two independent public copies (code index); the "
        "official NPC publication was not read."
    ),
}

PENALTY_TYPES: tuple[PenaltyType, ...] = (
    PenaltyType("warning", "警告", N_("Warning"), "（一）"),
    PenaltyType("criticism", "通报批评", N_("Public criticism"), "（一）"),
    PenaltyType("fine", "罚款", N_("Fine"), "（二）", amount="fine_yuan"),
    PenaltyType(
        "confiscate_income",
        "没收违法所得",
        N_("Confiscation of illegal income"),
        "（二）",
        amount="confiscated_income_yuan",
    ),
    PenaltyType(
        "confiscate_property",
        "没收非法财物",
        N_("Confiscation of illegal property"),
        "（二）",
        amount="confiscated_property",
    ),
    PenaltyType("suspend_licence", "暂扣许可证件", N_("Suspension of the licence"), "（三）"),
    PenaltyType(
        "lower_qualification", "降低资质等级", N_("Lowering of the qualification grade"), "（三）"
    ),
    PenaltyType("revoke_licence", "吊销许可证件", N_("Revocation of the licence"), "（三）"),
    PenaltyType(
        "restrict_operation",
        "限制开展生产经营活动",
        N_("Restriction of production and business activities"),
        "（四）",
    ),
    PenaltyType(
        "suspend_operation", "责令停产停业", N_("Order to suspend production or business"), "（四）"
    ),
    PenaltyType("close", "责令关闭", N_("Order to close"), "（四）"),
    PenaltyType("restrict_practice", "限制从业", N_("Restriction from practice"), "（四）"),
    PenaltyType(
        "detention",
        "行政拘留",
        N_("Administrative detention"),
        "（五）",
        by_market_regulator=False,
    ),
)
TYPES = {t.code: t for t in PENALTY_TYPES}

#: How the penalty form names its fields in error lists (msgids).
FIELD_LABELS = {
    "number": N_("Decision number"),
    "penalty_types": N_("Penalty types"),
    "fine_yuan": N_("Fine (yuan)"),
    "confiscated_income_yuan": N_("Illegal income confiscated (yuan)"),
    "confiscated_property": N_("Illegal property confiscated"),
    "violation": N_("Violation found"),
    "violated_law": N_("Law violated"),
    "violated_article": N_("Article violated"),
    "penalty_law": N_("Law of the penalty"),
    "penalty_article": N_("Article of the penalty"),
    "decided_on": N_("Decided on"),
    "served_on": N_("Served on"),
    "executed_on": N_("Executed or paid on"),
    "documents": N_("Documents (PDF)"),
}


@dataclass(frozen=True)
class PenaltyForm:
    """A penalty decision as the officer types it (amounts and dates as text)."""

    number: str
    penalty_types: Sequence[str]
    violation: str
    violated_law: str
    violated_article: str
    penalty_law: str
    penalty_article: str
    decided_on: str
    served_on: str = ""
    executed_on: str = ""
    fine_yuan: str = ""
    confiscated_income_yuan: str = ""
    confiscated_property: str = ""
    documents: Sequence[evidence.Upload] = ()


def record_penalty(
    *, session: Session, actor: Principal, case_id: int, form: PenaltyForm
) -> PenaltyDecision:
    """Record a penalty decision on an enforcement case the actor may see; refused whole,
    each problem named by its field, before any document is read."""
    access.require_regulator(actor)
    case = enforcement_case(session=session, actor=actor, case_id=case_id)
    problems: list[FieldProblem] = []
    values = _checked(session, form, problems)
    if problems:
        raise ValidationFailed(problems)
    documents = evidence.prepare(session=session, uploads=form.documents, rules=DOCUMENTS)
    decision = PenaltyDecision(
        case_id=case.id,
        business_id=case.business_id,
        recorded_by_id=actor.user_id,
        **values,
    )
    session.add(decision)
    session.flush()
    evidence.record(
        session=session, actor=actor, prepared=documents, owner_type=OWNER, owner_id=decision.id
    )
    audit.record(
        session=session,
        actor=actor,
        action="penalty.record",
        entity_type="penalty_decision",
        entity_id=decision.id,
        after={
            "case_id": case.id,
            "number": decision.number,
            "types": decision.penalty_types,
            "fine_yuan": str(decision.fine_yuan) if decision.fine_yuan is not None else None,
            "decided_on": decision.decided_on.isoformat(),
        },
    )
    business = session.get(Business, case.business_id) if case.business_id else None
    if business is not None:  # published on the store page: its cached copies go
        invalidate_after_commit(session, *store_cache_keys(business.public_code))
    return decision


def _checked(
    session: Session, form: PenaltyForm, problems: list[FieldProblem]
) -> dict[str, object]:
    number = _text(form.number, "number", 60, problems)
    if number and repo.penalty_number_exists(session, number):
        problems.append(FieldProblem("number", N_("this decision number is already recorded")))
    chosen = _types(form.penalty_types, problems)
    fine = _amount(form.fine_yuan, "fine_yuan", needed="fine" in chosen, problems=problems)
    income = _amount(
        form.confiscated_income_yuan,
        "confiscated_income_yuan",
        needed="confiscate_income" in chosen,
        problems=problems,
    )
    goods = form.confiscated_property.strip()
    if "confiscate_property" in chosen and not goods:
        problems.append(
            FieldProblem("confiscated_property", N_("say what illegal property is confiscated"))
        )
    elif goods and "confiscate_property" not in chosen:
        problems.append(
            FieldProblem(
                "confiscated_property",
                N_("choose the penalty type this amount or item belongs to"),
            )
        )
    decided = _day(form.decided_on, "decided_on", problems, required=True)
    served = _day(form.served_on, "served_on", problems)
    executed = _day(form.executed_on, "executed_on", problems)
    if decided and served and served < decided:
        problems.append(
            FieldProblem("served_on", N_("a decision is served on or after the day it is made"))
        )
    if executed and not served and not form.served_on.strip():
        problems.append(
            FieldProblem("executed_on", N_("a decision is executed after it is served"))
        )
    if executed and served and executed < served:
        problems.append(
            FieldProblem("executed_on", N_("a decision is executed after it is served"))
        )
    return {
        "number": number,
        "penalty_types": chosen,
        "fine_yuan": fine,
        "confiscated_income_yuan": income,
        "confiscated_property": goods,
        "violation": _text(form.violation, "violation", TEXT_LIMIT, problems),
        "violated_law": _text(form.violated_law, "violated_law", 200, problems),
        "violated_article": _text(form.violated_article, "violated_article", 60, problems),
        "penalty_law": _text(form.penalty_law, "penalty_law", 200, problems),
        "penalty_article": _text(form.penalty_article, "penalty_article", 60, problems),
        "decided_on": decided,
        "served_on": served,
        "executed_on": executed,
    }


def _text(value: str, field: str, limit: int, problems: list[FieldProblem]) -> str:
    text = (value or "").strip()
    if not text:
        problems.append(FieldProblem(field, N_("Required"), code="required"))
    elif len(text) > limit:
        problems.append(
            FieldProblem(field, N_("At most {limit} characters"), params={"limit": limit})
        )
    return text


def _types(codes: Sequence[str], problems: list[FieldProblem]) -> list[str]:
    chosen = list(dict.fromkeys(c for c in codes if c))
    if not chosen:
        problems.append(FieldProblem("penalty_types", N_("choose at least one penalty type")))
    for code in chosen:
        kind = TYPES.get(code)
        if kind is None:
            problems.append(
                FieldProblem(
                    "penalty_types", N_("'{value}' is not a valid choice"), params={"value": code}
                )
            )
        elif not kind.by_market_regulator:
            problems.append(
                FieldProblem(
                    "penalty_types",
                    N_(
                        "administrative detention is decided by the public security organs, "
                        "not by a market regulator; transfer the case to them"
                    ),
                )
            )
    return [c for c in chosen if c in TYPES]


def _amount(
    value: str, field: str, *, needed: bool, problems: list[FieldProblem]
) -> Decimal | None:
    text = (value or "").replace(",", "").replace("，", "").strip()
    if not text:
        if needed:
            problems.append(FieldProblem(field, N_("give the amount in yuan"), code="required"))
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        problems.append(FieldProblem(field, N_("an amount in yuan, e.g. 5000 or 5000.50")))
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        problems.append(FieldProblem(field, N_("an amount in yuan, e.g. 5000 or 5000.50")))
        return None
    if amount < 0:
        problems.append(FieldProblem(field, N_("an amount cannot be negative")))
        return None
    if amount > MAX_AMOUNT:
        problems.append(FieldProblem(field, N_("the amount is implausibly large")))
        return None
    if not needed:
        problems.append(
            FieldProblem(field, N_("choose the penalty type this amount or item belongs to"))
        )
        return None
    if amount == 0:
        problems.append(FieldProblem(field, N_("a fine or confiscation is more than zero")))
        return None
    return amount.quantize(Decimal("0.01"))


def _day(
    value: str, field: str, problems: list[FieldProblem], *, required: bool = False
) -> date | None:
    text = (value or "").strip()
    if not text:
        if required:
            problems.append(FieldProblem(field, N_("Required"), code="required"))
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems.append(
            FieldProblem(field, N_("'{value}' is not a date (YYYY-MM-DD)"), params={"value": text})
        )
        return None
    if day > today_local():
        problems.append(FieldProblem(field, N_("the day cannot be in the future")))
        return None
    return day


# Reading -----------------------------------------------------------------------------------


def enforcement_case(*, session: Session, actor: Principal, case_id: int) -> Case:
    """An enforcement case the actor may see (404 otherwise)."""
    access.require_regulator(actor)
    case = repo.get_enforcement_case(session, case_id=case_id, scope=access.case_condition(actor))
    if case is None:
        raise NotFoundError(N_("No such case"))
    return case


def list_enforcement_cases(
    *, session: Session, actor: Principal, page: PageRequest
) -> Page[tuple[Case, str | None, int]]:
    access.require_regulator(actor)
    rows, total = repo.page_enforcement_cases(
        session, scope=access.case_condition(actor), offset=page.offset, limit=page.per_page
    )
    return Page(items=rows, total=total, request=page)


def penalties_of(*, session: Session, actor: Principal, case_id: int) -> list[PenaltyDecision]:
    enforcement_case(session=session, actor=actor, case_id=case_id)
    return list(repo.penalties_of_case(session, case_id))


def evidence_access(session: Session, actor: Principal, penalty_id: int) -> evidence.Access:
    """A decision's documents: for the regulators who see its case."""
    if not actor.is_regulator:
        return evidence.Access.NONE
    found = repo.penalty_with_case(
        session, penalty_id=penalty_id, scope=access.case_condition(actor)
    )
    return evidence.Access.NONE if found is None else evidence.Access.ORIGINAL


@dataclass(frozen=True)
class PublicPenalty:
    """A decision as published: no facts as written, no documents, no names."""

    number: str
    decided_on: date
    types: list[str]  # Chinese names, as the decision words them
    fine_yuan: Decimal | None
    confiscated_income_yuan: Decimal | None
    violated: str
    basis: str


def public_penalties(session: Session, business_id: int, limit: int = 10) -> list[PublicPenalty]:
    return [
        PublicPenalty(
            number=d.number,
            decided_on=d.decided_on,
            types=[TYPES[c].name_zh for c in d.penalty_types if c in TYPES],
            fine_yuan=d.fine_yuan,
            confiscated_income_yuan=d.confiscated_income_yuan,
            violated=f"{d.violated_law}{d.violated_article}",
            basis=f"{d.penalty_law}{d.penalty_article}",
        )
        for d in repo.public_penalties(session, business_id, limit)
    ]
