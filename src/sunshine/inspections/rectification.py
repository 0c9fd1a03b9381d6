"""Rectification orders (责令整改): issued with an inspection, answered by the business,
reviewed by the regulator, and filed as an enforcement case (立案) when unresolved.

* An inspection whose result is 基本符合 or 不符合 gives the business a written order to put
  each failed item right by the inspection's deadline (``rectify_by``): SAMR Order 49 art. 33
  ¶1 (限期整改, 书面提出整改要求和时限, 经营者按期整改并报告). A key item failed is a
  serious finding (art. 32: 依法调查处理) that may be filed at once.
* The business's owner or manager answers item by item with what was done and photos or
  PDFs (:func:`answer_order`).
* The regulator reviews the answer on paper (书面审查, :func:`review_answer`): accepted, the
  order is closed; sent back with a reason (and perhaps a new deadline), the business
  answers again. A follow-up inspection (复查) recorded through the inspection service
  closes the business's unresolved orders when compliant; when not, they stay open, marked
  so, and may be filed (the listener :func:`_inspection_recorded`).
* An order unresolved after its deadline, one a follow-up found not rectified, or a serious
  one is filed as an enforcement case (:func:`file_case`) by the head of the office
  (penalty procedure art. 18: 由市场监督管理部门负责人决定是否立案), who confirms the four
  conditions of art. 19. The case's 90-day decision clock (``case.decide``) runs from filing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.cases import repository as cases_repo
from sunshine.cases import service as cases
from sunshine.cases.enums import CaseKind
from sunshine.cases.models import Case
from sunshine.core import evidence
from sunshine.core.cache import invalidate_after_commit
from sunshine.core.errors import (
    ConflictError,
    FieldProblem,
    ForbiddenError,
    NotFoundError,
    ValidationFailed,
)
from sunshine.core.evidence_models import EvidenceFile, EvidenceKind
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import today_local, utc_now
from sunshine.inspections import hooks
from sunshine.inspections import rectification_messages as messages
from sunshine.inspections import rectification_repository as repo
from sunshine.inspections import repository as inspections_repo
from sunshine.inspections.enums import InspectionKind, InspectionResult
from sunshine.inspections.models import ChecklistItem, Inspection
from sunshine.inspections.rectification_access import order_condition
from sunshine.inspections.rectification_enums import (
    UNRESOLVED,
    AnswerOutcome,
    ClosedBy,
    OrderEventKind,
    OrderState,
    PublicStatus,
)
from sunshine.inspections.rectification_models import (
    RectificationAnswer,
    RectificationAnswerItem,
    RectificationEvent,
    RectificationOrder,
    RectificationOrderItem,
)
from sunshine.registry.models import Business
from sunshine.registry.public import changes_by_date, store_cache_keys
from sunshine.registry.service import get_business

#: ``owner_type`` of the photos and PDFs of an answer's item (see ``core.evidence``).
OWNER = "rectification_item"
#: Who answers an order for the business: its owner and managers (not staff, not a chain HQ,
#: which reads its outlets' orders).
ANSWERING_ROLES = frozenset({Role.ENTERPRISE_OWNER, Role.ENTERPRISE_MANAGER})
#: Who files a case: the head of the office (penalty procedure art. 18).
FILING_ROLES = frozenset({Role.STATION_CHIEF, Role.BUREAU_LEADER, Role.ADMIN})
MAX_FILES_PER_ITEM = 5
ACTION_LIMIT = 2000
REASON_LIMIT = 2000
FACTS_LIMIT = 5000
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_KINDS = frozenset({EvidenceKind.PHOTO, EvidenceKind.DOCUMENT})

#: The conditions of filing a case (立案), 《市场监督管理行政处罚程序规定》 art. 19, verified
#: in ``../shared/regulations/complaints-and-cases.md`` §2. The officer confirms each.
FILING_CONDITIONS: dict[str, str] = {
    "evidence": N_("There is prima facie evidence of a violation"),
    "penalty_due": N_("A penalty is due under the law"),
    "jurisdiction": N_("The case is within this bureau's jurisdiction"),
    "limitation": N_("The violation is within the limitation period"),
}
FILING_SOURCE = (
    "《市场监督管理行政处罚程序规定》 art. 18–19 (../shared/regulations/complaints-and-cases.md §2)"
)

STATUS_LABELS = {
    PublicStatus.IN_PROGRESS: N_("Rectifying"),
    PublicStatus.RECTIFIED: N_("Rectified"),
    PublicStatus.OVERDUE: N_("Overdue, not rectified"),
    PublicStatus.FILED: N_("Case filed"),
}
STATE_LABELS = {
    OrderState.OPEN: N_("Waiting for the business"),
    OrderState.ANSWERED: N_("Answered, awaiting review"),
    OrderState.CLOSED: N_("Rectified"),
    OrderState.FILED: N_("Case filed"),
}
EVENT_LABELS = {
    OrderEventKind.ISSUE: N_("Rectification ordered"),
    OrderEventKind.ANSWER: N_("The business answered"),
    OrderEventKind.ACCEPT: N_("Accepted on desk review"),
    OrderEventKind.REJECT: N_("Sent back on desk review"),
    OrderEventKind.FOLLOW_UP_PASSED: N_("Follow-up inspection: rectified"),
    OrderEventKind.FOLLOW_UP_FAILED: N_("Follow-up inspection: not rectified"),
    OrderEventKind.FILE: N_("Enforcement case filed"),
}
CLOSED_BY_LABELS = {
    ClosedBy.DESK_REVIEW: N_("Desk review"),
    ClosedBy.FOLLOW_UP: N_("Follow-up inspection"),
}


# Status ------------------------------------------------------------------------------------


def public_status(order: RectificationOrder, today: date) -> PublicStatus:
    """What the store page says: 整改中, 已整改, 逾期未整改 (open past its deadline) or 已立案."""
    if order.state is OrderState.FILED:
        return PublicStatus.FILED
    if order.state is OrderState.CLOSED:
        return PublicStatus.RECTIFIED
    if order.state is OrderState.OPEN and today > order.rectify_by:
        return PublicStatus.OVERDUE
    return PublicStatus.IN_PROGRESS


@changes_by_date
def _next_overdue_day(session: Session, business_id: int, today: date) -> date | None:
    """The day the store page's 整改中 becomes 逾期未整改: after the earliest deadline of
    the business's open orders."""
    deadline = repo.next_deadline(session, business_id=business_id, today=today)
    return deadline + timedelta(days=1) if deadline else None


def may_be_filed(order: RectificationOrder, today: date) -> bool:
    """Whether the order can become an enforcement case: unresolved, and overdue, found not
    rectified by a follow-up, or serious (a key item failed, Order 49 art. 32)."""
    if order.state not in UNRESOLVED:
        return False
    overdue = order.state is OrderState.OPEN and today > order.rectify_by
    return overdue or order.follow_up_failed or order.serious


# Issuing and following up: the inspection listener -----------------------------------------


@hooks.listen
def _inspection_recorded(session: Session, actor: Principal, inspection: Inspection) -> None:
    """A follow-up inspection settles the business's unresolved orders first; then the
    inspection's own result, if not 符合, orders rectification."""
    if inspection.kind is InspectionKind.FOLLOW_UP:
        _follow_up(session, actor, inspection)
    if inspection.result is not InspectionResult.COMPLIANT:
        issue_order(session=session, actor=actor, inspection=inspection)


def issue_order(
    *, session: Session, actor: Principal, inspection: Inspection
) -> RectificationOrder:
    """The written order of an inspection that is not 符合: its failed items and deadline."""
    if inspection.rectify_by is None:  # the inspection service requires one (see _check_result)
        raise ValidationFailed(
            [FieldProblem("rectify_by", N_("a written rectification order sets its deadline"))]
        )
    failed = inspections_repo.failed_items_of(session, [inspection.id]).get(inspection.id, [])
    today = today_local()
    order = RectificationOrder(
        reference=_new_reference(session, inspection.inspected_on),
        inspection_id=inspection.id,
        business_id=inspection.business_id,
        org_unit_id=inspection.org_unit_id,
        province_code=inspection.province_code,
        prefecture_code=inspection.prefecture_code,
        county_code=inspection.county_code,
        township_code=inspection.township_code,
        issued_on=inspection.inspected_on,
        rectify_by=inspection.rectify_by,
        serious=inspection.key_failed > 0,
        state=OrderState.OPEN,
        state_since=today,
        follow_up_failed=False,
    )
    session.add(order)
    session.flush()
    session.add_all(
        RectificationOrderItem(
            order_id=order.id,
            item_id=item.id,
            position=n,
            code=item.code,
            key=item.key,
            finding=result.note,
        )
        for n, (item, result) in enumerate(failed)
    )
    _event(session, actor, order, OrderEventKind.ISSUE, inspection_id=inspection.id)
    audit.record(
        session=session,
        actor=actor,
        action="rectification.issue",
        entity_type="rectification_order",
        entity_id=order.id,
        after={
            "reference": order.reference,
            "inspection_id": inspection.id,
            "rectify_by": order.rectify_by.isoformat(),
            "items": [item.code for item, _ in failed],
        },
    )
    messages.order_issued(session=session, order=order, problems=len(failed))
    return order


def _follow_up(session: Session, actor: Principal, inspection: Inspection) -> None:
    """A follow-up inspection (复查) of the business: compliant, it closes every unresolved
    order; not, they stay open, marked as found not rectified (so they may be filed)."""
    passed = inspection.result is InspectionResult.COMPLIANT
    for order in repo.unresolved_orders_of_business(session, inspection.business_id):
        before = _snapshot(order)
        order.follow_up_inspection_id = inspection.id
        if passed:
            _move(order, OrderState.CLOSED)
            order.closed_by = ClosedBy.FOLLOW_UP
            kind = OrderEventKind.FOLLOW_UP_PASSED
        else:
            order.follow_up_failed = True
            _move(order, OrderState.OPEN)
            kind = OrderEventKind.FOLLOW_UP_FAILED
        _settle_pending_answer(session, actor, order, accepted=passed, reason="")
        session.flush()
        _event(session, actor, order, kind, inspection_id=inspection.id)
        audit.record(
            session=session,
            actor=actor,
            action=f"rectification.{kind.value}",
            entity_type="rectification_order",
            entity_id=order.id,
            before=before,
            after=_snapshot(order),
        )


# The business's answer ---------------------------------------------------------------------


@dataclass(frozen=True)
class ItemAnswerForm:
    """What the business did about one item of the order, with its photos or PDFs."""

    order_item_id: int
    action: str
    uploads: Sequence[evidence.Upload] = ()


@dataclass(frozen=True)
class AnswerForm:
    expected_version: int
    items: Sequence[ItemAnswerForm]
    note: str = ""


def answer_order(
    *, session: Session, actor: Principal, order_id: int, form: AnswerForm
) -> RectificationOrder:
    """Record the business's answer (整改报告): every item with what was done and at least
    one photo or PDF. Refused whole, naming each problem; the files are read last."""
    order = _visible_order(session, actor, order_id)
    if actor.role not in ANSWERING_ROLES or actor.business_id != order.business_id:
        raise ForbiddenError(N_("The store's owner or manager answers a rectification order."))
    _expect(order, form.expected_version)
    if order.state is not OrderState.OPEN:
        raise ConflictError(N_("This order is not waiting for an answer."))
    items = [row for row, _ in repo.items_of_order(session, order.id)]
    _check_answer(items, form)
    prepared = _prepare_files(session, form)
    before = _snapshot(order)
    answer = RectificationAnswer(
        order_id=order.id,
        round=len(repo.answers_of(session, order.id)) + 1,
        note=form.note.strip(),
        submitted_by_id=actor.user_id,
        outcome=AnswerOutcome.PENDING,
        review_reason="",
    )
    session.add(answer)
    session.flush()
    by_item = {
        entry.order_item_id: (entry, files)
        for entry, files in zip(form.items, prepared, strict=True)
    }
    for item in items:
        entry, files = by_item[item.id]
        row = RectificationAnswerItem(
            answer_id=answer.id, order_item_id=item.id, action=entry.action.strip()
        )
        session.add(row)
        session.flush()
        evidence.record(
            session=session, actor=actor, prepared=files, owner_type=OWNER, owner_id=row.id
        )
    _move(order, OrderState.ANSWERED)
    _flush(session)
    _event(session, actor, order, OrderEventKind.ANSWER)
    audit.record(
        session=session,
        actor=actor,
        action="rectification.answer",
        entity_type="rectification_order",
        entity_id=order.id,
        before=before,
        after={**_snapshot(order), "answer_id": answer.id, "round": answer.round},
    )
    _published_changed(session, order)
    messages.order_answered(session=session, order=order)
    return order


def _check_answer(items: list[RectificationOrderItem], form: AnswerForm) -> None:
    problems: list[FieldProblem] = []
    wanted = {item.id: n for n, item in enumerate(items)}
    seen: set[int] = set()
    for n, entry in enumerate(form.items):
        path = f"items[{n}]"
        if entry.order_item_id not in wanted:
            problems.append(FieldProblem(f"{path}.item", N_("not an item of this order")))
            continue
        if entry.order_item_id in seen:
            problems.append(FieldProblem(f"{path}.item", N_("this item is answered twice")))
            continue
        seen.add(entry.order_item_id)
        path = f"items[{wanted[entry.order_item_id]}]"
        action = entry.action.strip()
        if not action:
            problems.append(
                FieldProblem(f"{path}.action", N_("say what was done to put this item right"))
            )
        elif len(action) > ACTION_LIMIT:
            problems.append(
                FieldProblem(
                    f"{path}.action",
                    N_("At most {limit} characters"),
                    params={"limit": ACTION_LIMIT},
                )
            )
        uploads = [u for u in entry.uploads if u.filename]
        if not uploads:
            problems.append(
                FieldProblem(f"{path}.files", N_("add at least one photo or PDF showing the fix"))
            )
        elif len(uploads) > MAX_FILES_PER_ITEM:
            problems.append(
                FieldProblem(
                    f"{path}.files",
                    N_("At most {limit} files can be sent at once"),
                    params={"limit": MAX_FILES_PER_ITEM},
                )
            )
    for item_id, n in wanted.items():
        if item_id not in seen:
            problems.append(
                FieldProblem(f"items[{n}].action", N_("say what was done to put this item right"))
            )
    if len(form.note) > REASON_LIMIT:
        problems.append(
            FieldProblem("note", N_("At most {limit} characters"), params={"limit": REASON_LIMIT})
        )
    if problems:
        raise ValidationFailed(problems)


def _prepare_files(session: Session, form: AnswerForm) -> list[list[evidence.PreparedFile]]:
    """Every item's files checked (type from the content, size), all or nothing: a file at
    fault anywhere refuses the answer, every such file named."""
    prepared: list[list[evidence.PreparedFile]] = []
    refused: list[evidence.EvidenceRejected] = []
    for n, entry in enumerate(form.items):
        rules = evidence.EvidenceRules(
            kinds=_KINDS, max_files=MAX_FILES_PER_ITEM, field=f"items[{n}].files"
        )
        try:
            prepared.append(evidence.prepare(session=session, uploads=entry.uploads, rules=rules))
        except evidence.EvidenceRejected as exc:
            refused.append(exc)
    if refused:
        first = refused[0]
        raise evidence.EvidenceRejected(
            message=first.message,
            status=first.status,
            slug=first.slug,
            params=dict(first.params),
            problems=[problem for exc in refused for problem in exc.problems],
        )
    return prepared


# The regulator's desk review ---------------------------------------------------------------


@dataclass(frozen=True)
class ReviewForm:
    expected_version: int
    accept: bool
    reason: str = ""
    new_deadline: date | None = None  # when sending back: a new deadline, if the old passed


def review_answer(
    *, session: Session, actor: Principal, order_id: int, form: ReviewForm
) -> RectificationOrder:
    """Accept the business's answer (the order is closed) or send it back with a reason."""
    access.require_regulator(actor)
    order = _visible_order(session, actor, order_id)
    _expect(order, form.expected_version)
    if order.state is not OrderState.ANSWERED:
        raise ConflictError(N_("This order has no answer waiting for review."))
    reason = form.reason.strip()
    problems: list[FieldProblem] = []
    if not form.accept and not reason:
        problems.append(FieldProblem("reason", N_("say what is still wrong"), code="required"))
    if len(reason) > REASON_LIMIT:
        problems.append(
            FieldProblem("reason", N_("At most {limit} characters"), params={"limit": REASON_LIMIT})
        )
    if form.new_deadline is not None and (form.accept or form.new_deadline <= today_local()):
        problems.append(
            FieldProblem("new_deadline", N_("a new deadline comes after today, when sending back"))
        )
    if problems:
        raise ValidationFailed(problems)
    before = _snapshot(order)
    _settle_pending_answer(session, actor, order, accepted=form.accept, reason=reason)
    if form.accept:
        _move(order, OrderState.CLOSED)
        order.closed_by = ClosedBy.DESK_REVIEW
    else:
        _move(order, OrderState.OPEN)
        if form.new_deadline is not None:
            order.rectify_by = form.new_deadline
    _flush(session)
    kind = OrderEventKind.ACCEPT if form.accept else OrderEventKind.REJECT
    _event(session, actor, order, kind, reason=reason)
    audit.record(
        session=session,
        actor=actor,
        action=f"rectification.{kind.value}",
        entity_type="rectification_order",
        entity_id=order.id,
        before=before,
        after=_snapshot(order),
    )
    _published_changed(session, order)
    messages.answer_reviewed(session=session, order=order, accepted=form.accept, reason=reason)
    return order


def _settle_pending_answer(
    session: Session, actor: Principal, order: RectificationOrder, *, accepted: bool, reason: str
) -> None:
    answer = repo.latest_answer(session, order.id)
    if answer is None or answer.outcome is not AnswerOutcome.PENDING:
        return
    answer.outcome = AnswerOutcome.ACCEPTED if accepted else AnswerOutcome.REJECTED
    answer.reviewed_by_id = actor.user_id
    answer.reviewed_at = utc_now()
    answer.review_reason = reason


# Filing an enforcement case (立案) ----------------------------------------------------------


@dataclass(frozen=True)
class FilingForm:
    expected_version: int
    facts: str
    conditions: frozenset[str] = field(default_factory=frozenset)


def file_case(*, session: Session, actor: Principal, order_id: int, form: FilingForm) -> Case:
    """Open the enforcement case of an order (立案查处) and link the two."""
    access.require_regulator(actor)
    if actor.role not in FILING_ROLES:
        raise ForbiddenError(N_("The head of the office decides whether to file a case."))
    order = _visible_order(session, actor, order_id)
    _expect(order, form.expected_version)
    today = today_local()
    if order.state not in UNRESOLVED:
        raise ConflictError(N_("This order is already closed or filed."))
    problems: list[FieldProblem] = []
    if not may_be_filed(order, today):
        problems.append(
            FieldProblem(
                "order",
                N_(
                    "an order is filed when it is overdue, a follow-up found it not "
                    "rectified, or a key item failed"
                ),
            )
        )
    facts = form.facts.strip()
    if not facts:
        problems.append(FieldProblem("facts", N_("state the suspected violation"), code="required"))
    elif len(facts) > FACTS_LIMIT:
        problems.append(
            FieldProblem("facts", N_("At most {limit} characters"), params={"limit": FACTS_LIMIT})
        )
    for key in FILING_CONDITIONS:
        if key not in form.conditions:
            problems.append(
                FieldProblem(
                    f"conditions.{key}",
                    N_("a case is filed only when this condition is met"),
                    code="required",
                )
            )
    if problems:
        raise ValidationFailed(problems)
    business = get_business(session=session, actor=actor, business_id=order.business_id)
    case = cases.open_case(
        session=session,
        actor=actor,
        draft=cases.CaseDraft(
            kind=CaseKind.ENFORCEMENT,
            title=f"立案查处：{business.name}（整改通知 {order.reference}）"[:200],
            summary=_case_summary(session, order, facts),
            business_id=business.id,
            received_on=today,
        ),
    )
    before = _snapshot(order)
    order.case_id = case.id
    _move(order, OrderState.FILED)
    _flush(session)
    _event(session, actor, order, OrderEventKind.FILE, reason=facts, case_id=case.id)
    audit.record(
        session=session,
        actor=actor,
        action="rectification.file",
        entity_type="rectification_order",
        entity_id=order.id,
        before=before,
        after={**_snapshot(order), "case_reference": case.reference},
    )
    _published_changed(session, order)
    return case


def _case_summary(session: Session, order: RectificationOrder, facts: str) -> str:
    """The case file's opening text, in Chinese like the rest of it."""
    inspection = repo.inspection_reference(session, order.inspection_id) or "-"
    lines = [
        facts,
        "",
        f"整改通知 {order.reference}（检查记录 {inspection}，{order.issued_on.isoformat()}），"
        f"整改期限 {order.rectify_by.isoformat()}。",
    ]
    if order.follow_up_failed:
        lines.append("复查发现未整改到位。")
    lines.append("未整改项目：")
    lines += [
        f"- {row.code}{'（重点项）' if row.key else ''} {item.text_zh}"
        + (f"：{row.finding}" if row.finding else "")
        for row, item in repo.items_of_order(session, order.id)
    ]
    return "\n".join(lines)


# Reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnsweredItem:
    row: RectificationAnswerItem
    files: list[EvidenceFile]


@dataclass(frozen=True)
class AnswerView:
    answer: RectificationAnswer
    items: dict[int, AnsweredItem]  # by order item id


@dataclass(frozen=True)
class OrderFile:
    order: RectificationOrder
    business: Business
    inspection: Inspection
    items: list[tuple[RectificationOrderItem, ChecklistItem]]
    answers: list[AnswerView]
    events: list[RectificationEvent]
    case: Case | None
    status: PublicStatus
    may_file: bool


def order_file(*, session: Session, actor: Principal, order_id: int) -> OrderFile:
    """One order with its items, every answer and its files, its timeline and its case."""
    order = _visible_order(session, actor, order_id)
    inspection = session.get(Inspection, order.inspection_id)
    assert inspection is not None
    answers = list(repo.answers_of(session, order.id))
    rows = repo.answer_items_of(session, [a.id for a in answers])
    files = evidence.files_of(
        session, owner_type=OWNER, owner_ids=[r.id for found in rows.values() for r in found]
    )
    case = None
    if order.case_id is not None:
        case = cases_repo.get_case(
            session, case_id=order.case_id, scope=access.case_condition(actor)
        )
    today = today_local()
    return OrderFile(
        order=order,
        business=get_business(session=session, actor=actor, business_id=order.business_id),
        inspection=inspection,
        items=repo.items_of_order(session, order.id),
        answers=[
            AnswerView(
                answer=a,
                items={
                    r.order_item_id: AnsweredItem(r, files.get(r.id, []))
                    for r in rows.get(a.id, [])
                },
            )
            for a in answers
        ],
        events=list(repo.events_of(session, order.id)),
        case=case,
        status=public_status(order, today),
        may_file=may_be_filed(order, today),
    )


def list_orders(
    *, session: Session, actor: Principal, tab: str, page: PageRequest
) -> Page[tuple[RectificationOrder, str]]:
    """The orders of the regulator's jurisdiction in a tab (open, answered, overdue, closed,
    filed)."""
    access.require_regulator(actor)
    rows, total = repo.page_orders(
        session,
        scope=order_condition(actor),
        tab=tab if tab in repo.TABS else "open",
        today=today_local(),
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=rows, total=total, request=page)


def tab_counts(*, session: Session, actor: Principal) -> dict[str, int]:
    access.require_regulator(actor)
    return repo.tab_counts(session, scope=order_condition(actor), today=today_local())


def business_orders(
    *, session: Session, actor: Principal, business: Business
) -> list[RectificationOrder]:
    """A business's own orders (the enterprise portal), the latest first."""
    return list(
        repo.business_orders(session, business_id=business.id, scope=order_condition(actor))
    )


def may_answer(actor: Principal, order: RectificationOrder) -> bool:
    """Whether ``actor`` answers this order now (the service checks it again)."""
    return (
        order.state is OrderState.OPEN
        and actor.role in ANSWERING_ROLES
        and actor.business_id == order.business_id
    )


def evidence_access(session: Session, actor: Principal, answer_item_id: int) -> evidence.Access:
    """The files of an answer: the originals (PDFs have no public copy) for the regulators
    who see the order and for the business that sent them; nobody else."""
    order = repo.order_of_answer_item(
        session, answer_item_id=answer_item_id, scope=order_condition(actor)
    )
    return evidence.Access.NONE if order is None else evidence.Access.ORIGINAL


# Helpers -----------------------------------------------------------------------------------


def _visible_order(session: Session, actor: Principal, order_id: int) -> RectificationOrder:
    order = repo.get_order(session, order_id=order_id, scope=order_condition(actor))
    if order is None:
        raise NotFoundError(N_("No such rectification order"))
    return order


def _expect(order: RectificationOrder, version: int) -> None:
    if order.version != version:
        raise _moved_on()


def _moved_on() -> ConflictError:
    return ConflictError(
        N_("This order has changed since you opened it; reload it to see where it stands.")
    )


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:  # another write landed between read and write
        raise _moved_on() from exc


def _move(order: RectificationOrder, state: OrderState) -> None:
    order.state = state
    order.state_since = today_local()


def _event(
    session: Session,
    actor: Principal,
    order: RectificationOrder,
    kind: OrderEventKind,
    *,
    reason: str = "",
    inspection_id: int | None = None,
    case_id: int | None = None,
) -> None:
    session.add(
        RectificationEvent(
            order_id=order.id,
            actor_id=actor.user_id,
            kind=kind,
            reason=reason,
            inspection_id=inspection_id,
            case_id=case_id,
        )
    )
    session.flush()


def _snapshot(order: RectificationOrder) -> dict[str, object]:
    return {
        "state": order.state.value,
        "rectify_by": order.rectify_by.isoformat(),
        "case_id": order.case_id,
        "follow_up_inspection_id": order.follow_up_inspection_id,
    }


def _published_changed(session: Session, order: RectificationOrder) -> None:
    """The store page shows the order's status: its cached copies go after the commit."""
    business = session.get(Business, order.business_id)
    if business is not None:
        invalidate_after_commit(session, *store_cache_keys(business.public_code))


def _new_reference(session: Session, day: date) -> str:
    """A reference such as ``ZG20261130-4K7Q2M`` (整改)."""
    while True:
        tail = "".join(secrets.choice(_ALPHABET) for _ in range(6))
        reference = f"ZG{day.strftime('%Y%m%d')}-{tail}"
        if not repo.order_reference_exists(session, reference):
            return reference
