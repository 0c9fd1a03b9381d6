"""Batch recalls (批次召回): a regulator marks a lot recalled, or the platform does when a
sample of the batch fails; every business the forward trace finds to have received the lot
is a holder with a to-do (acknowledge, then report what it kept, destroyed or returned) and
a notice; the recall is a case of the case engine (kind ``recall``); the holders' public
store pages show the mark until the recall is closed.

Who: any regulator opens a recall for a lot of its jurisdiction (the trace's rule, see
``trace.py``) and sees the recalls whose case is its or that a business of its area holds;
a holder's owner and managers acknowledge and report for their own business (a chain HQ
reads its outlets' recalls).
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.cases import service as cases
from sunshine.cases import workflow
from sunshine.cases.enums import CaseAction, CaseKind
from sunshine.core.cache import invalidate_after_commit
from sunshine.core.errors import (
    ConflictError,
    FieldProblem,
    ForbiddenError,
    NotFoundError,
    ValidationFailed,
)
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import to_local, today_local, utc_now
from sunshine.registry.models import Business
from sunshine.registry.public import store_cache_keys
from sunshine.traceability import lots, trace, trace_repository
from sunshine.traceability import recall_messages as messages
from sunshine.traceability import recall_repository as repo
from sunshine.traceability.recall_enums import (
    ACKNOWLEDGE_WITHIN,
    HolderStatus,
    RecallLevel,
    RecallOrigin,
)
from sunshine.traceability.recall_models import Recall, RecallHolder

#: Who answers a recall for a holder (its to-do).
RESPONDERS = frozenset({Role.ENTERPRISE_OWNER, Role.ENTERPRISE_MANAGER})
REASON_LIMIT = 2000
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class RecallForm:
    lot: str
    reason: str
    level: str = RecallLevel.LEVEL_2.value
    scope: str = ""
    product_label: str = ""


def _check(form: RecallForm) -> tuple[str, RecallLevel]:
    problems: list[FieldProblem] = []
    lot = form.lot.strip()
    if not lot:
        problems.append(FieldProblem("lot", N_("name the lot to recall"), code="required"))
    reason = form.reason.strip()
    if not reason:
        problems.append(FieldProblem("reason", N_("say why the lot is recalled"), code="required"))
    elif len(reason) > REASON_LIMIT:
        problems.append(
            FieldProblem("reason", N_("At most {limit} characters"), params={"limit": REASON_LIMIT})
        )
    try:
        level = RecallLevel(form.level)
    except ValueError:
        problems.append(FieldProblem("level", N_("choose the recall level")))
        level = RecallLevel.LEVEL_2
    if problems:
        raise ValidationFailed(problems)
    return lot, level


def open_recall(
    *,
    session: Session,
    actor: Principal,
    form: RecallForm,
    origin: RecallOrigin = RecallOrigin.REGULATOR,
    sample_id: int | None = None,
    also_holding: frozenset[int] = frozenset(),
) -> Recall:
    """Mark a lot recalled: trace it forward from where it started, make every business
    that received it a holder, open the case, tell the holders, mark their store pages."""
    access.require_regulator(actor)
    lot_text, level = _check(form)
    lot = trace.normalise_lot(lot_text)
    if repo.open_recall_of_lot(session, lot) is not None:
        raise ConflictError(N_("This lot is already under an open recall."))
    found = trace.trace(
        session=session,
        actor=actor,
        start=trace.Start(lots=(lot,), shown=lot),
        direction=trace.Direction.FORWARD,
        depth=trace.MAX_DEPTH,
    )
    holders = _holders(found, also_holding)
    if not holders:
        raise ValidationFailed(
            [FieldProblem("lot", N_("No business is known to have received this lot."))]
        )
    parts = lots.parse_lot_id(lot)
    batch = parts.batch if parts else ""
    label = form.product_label.strip() or _product_label(session, lot, parts)
    case = cases.open_case(
        session=session,
        actor=actor,
        draft=cases.CaseDraft(
            kind=CaseKind.RECALL,
            title=f"批次召回：{label}（批次 {batch}）"[:200],
            summary=_summary(lot, form, holders, found),
            business_id=_case_business(session, actor, found, holders),
            received_on=today_local(),
        ),
    )
    now = utc_now()
    recall = Recall(
        reference=_new_reference(session, today_local()),
        case_id=case.id,
        lot=lot,
        product_label=label[:200],
        batch=batch[:60],
        level=level,
        origin=origin,
        reason=form.reason.strip(),
        scope=form.scope.strip(),
        sample_id=sample_id,
        created_by_id=actor.user_id,
        created_at=now,
        acknowledge_by=now + ACKNOWLEDGE_WITHIN[level],
    )
    repo.add(session, recall)
    rows = [
        RecallHolder(
            recall_id=recall.id,
            business_id=business_id,
            received_quantity=quantity,
            uom=uom[:8],
            tier=tier,
            status=HolderStatus.PENDING,
            note="",
        )
        for business_id, (quantity, uom, tier) in sorted(holders.items())
    ]
    repo.add(session, *rows)
    audit.record(
        session=session,
        actor=actor,
        action="recall.open",
        entity_type="recall",
        entity_id=recall.id,
        after={
            "reference": recall.reference,
            "lot": lot,
            "level": level.value,
            "origin": origin.value,
            "case_id": case.id,
            "holders": sorted(holders),
        },
    )
    messages.holders_told(session=session, recall=recall, business_ids=sorted(holders))
    _pages_changed(session, sorted(holders))
    return recall


def _holders(
    found: trace.TraceResult, also_holding: frozenset[int]
) -> dict[int, tuple[float | None, str, int]]:
    """Each business that received the lot (or what was made of it): quantity, unit, tier."""
    out: dict[int, tuple[float | None, str, int]] = {}
    for edge in found.edges:
        node = found.nodes.get(edge.destination)
        if node is None or node.business is None:
            continue
        quantity, uom, _ = out.get(node.business.id, (0.0, edge.uom, node.tier))
        out[node.business.id] = ((quantity or 0.0) + edge.quantity, uom or edge.uom, node.tier)
    for business_id in also_holding:
        out.setdefault(business_id, (None, "", 0))
    return out


def _product_label(session: Session, lot: str, parts: lots.LotParts | None) -> str:
    """The product's name from the library (by GTIN or id), else what the lot id says."""
    if parts is None:
        return lot
    name = repo.product_name(session, gtin=parts.gtin, product_id=parts.product_id)
    if name:
        return name
    if parts.gtin:
        return f"GTIN {parts.gtin}"
    return parts.product_name or f"#{parts.product_id}"


def _case_business(
    session: Session,
    actor: Principal,
    found: trace.TraceResult,
    holders: dict[int, tuple[float | None, str, int]],
) -> int:
    """The business the case is placed at: the earliest tier in the actor's area."""
    ordered = sorted(
        (n.tier, n.business.id) for n in found.nodes.values() if n.business is not None
    ) + sorted((tier, b) for b, (_, _, tier) in holders.items())
    ids = [b for _, b in ordered]
    mine = trace_repository.businesses_in_scope(session, ids, access.business_condition(actor))
    for business_id in ids:
        if business_id in mine:
            return business_id
    raise NotFoundError(N_("Nothing in your jurisdiction matches this trace."))


def _summary(
    lot: str,
    form: RecallForm,
    holders: dict[int, tuple[float | None, str, int]],
    found: trace.TraceResult,
) -> str:
    """The case file's opening text, in Chinese like the rest of it."""
    names = {n.business.id: n.business.name for n in found.nodes.values() if n.business}
    lines = [
        f"召回批次：{lot}",
        f"召回原因：{form.reason.strip()}",
        f"召回范围：{form.scope.strip() or '全部收货主体'}",
        f"持有主体（{len(holders)}）：",
        *(
            f"- {names.get(b, b)}：{q if q is not None else '-'} {u}"
            for b, (q, u, _) in sorted(holders.items())
        ),
    ]
    return "\n".join(lines)


def _pages_changed(session: Session, business_ids: list[int]) -> None:
    """Each holder's store page shows the recall: its cached copies go after the commit."""
    for business_id in business_ids:
        code = repo.public_code_of(session, business_id)
        if code:
            invalidate_after_commit(session, *store_cache_keys(code))


def _new_reference(session: Session, day: date) -> str:
    """A reference such as ``ZH20261130-4K7Q2M`` (召回)."""
    while True:
        tail = "".join(secrets.choice(_ALPHABET) for _ in range(6))
        reference = f"ZH{day.strftime('%Y%m%d')}-{tail}"
        if not repo.reference_exists(session, reference):
            return reference


# Reading ------------------------------------------------------------------------------------


def _regulator_scope(actor: Principal) -> ColumnElement[bool]:
    return repo.regulator_condition(access.case_condition(actor), access.business_condition(actor))


def list_recalls(*, session: Session, actor: Principal, page: PageRequest) -> Page[Recall]:
    access.require_regulator(actor)
    return repo.recalls_page(session, scope=_regulator_scope(actor), page=page)


@dataclass(frozen=True)
class RecallView:
    recall: Recall
    holders: list[tuple[RecallHolder, Business]]

    @property
    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in HolderStatus}
        for holder, _ in self.holders:
            out[holder.status.value] += 1
        return out


def open_recall_of(*, session: Session, actor: Principal, lot: str) -> Recall | None:
    """The open recall of ``lot`` the regulator may see, if any (the trace page shows it
    instead of offering to recall the lot again)."""
    access.require_regulator(actor)
    found = repo.open_recall_of_lot(session, lot)
    if found is None:
        return None
    return repo.recall(session, found.id, _regulator_scope(actor))


def get_recall(*, session: Session, actor: Principal, recall_id: int) -> RecallView:
    """A recall with every holder's acknowledgement (regulators)."""
    access.require_regulator(actor)
    found = repo.recall(session, recall_id, _regulator_scope(actor))
    if found is None:
        raise NotFoundError(N_("No such recall."))
    return RecallView(recall=found, holders=repo.holders_of(session, found.id))


def counts_of(*, session: Session, recalls: list[Recall]) -> dict[int, dict[str, int]]:
    return repo.holder_counts(session, [r.id for r in recalls])


# Holders ------------------------------------------------------------------------------------


def _own_business_ids(session: Session, actor: Principal) -> list[int]:
    if not actor.is_enterprise or actor.business_id is None:
        raise ForbiddenError(N_("This page is for businesses."))
    return repo.business_ids(session, access.business_condition(actor))


def holdings(*, session: Session, actor: Principal) -> list[tuple[RecallHolder, Recall, Business]]:
    """The recalls the actor's businesses hold (the enterprise to-do list)."""
    return repo.holdings_of(session, _own_business_ids(session, actor))


def holding(
    *, session: Session, actor: Principal, recall_id: int
) -> tuple[RecallHolder, Recall, Business]:
    for row in holdings(session=session, actor=actor):
        if row[1].id == recall_id:
            return row
    raise NotFoundError(N_("No such recall."))


@dataclass(frozen=True)
class ResponseForm:
    kept: str = ""
    destroyed: str = ""
    returned: str = ""
    note: str = ""


def _amount(problems: list[FieldProblem], name: str, text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not math.isfinite(value) or value < 0:
        problems.append(FieldProblem(name, N_("Enter a quantity of zero or more.")))
        return None
    return value


def respond(
    *, session: Session, actor: Principal, recall_id: int, form: ResponseForm
) -> RecallHolder:
    """A holder acknowledges the recall; with quantities, it reports what it did with the
    lot (kept apart, destroyed, returned to the supplier)."""
    if actor.role not in RESPONDERS:
        raise ForbiddenError(N_("A recall is answered by the owner or a manager of the store."))
    holder, found, _ = holding(session=session, actor=actor, recall_id=recall_id)
    if holder.business_id != actor.business_id:
        raise ForbiddenError(N_("A recall is answered by the owner or a manager of the store."))
    if found.closed_at is not None:
        raise ConflictError(N_("This recall is closed."))
    problems: list[FieldProblem] = []
    amounts = {
        name: _amount(problems, name, getattr(form, name))
        for name in ("kept", "destroyed", "returned")
    }
    if len(form.note) > REASON_LIMIT:
        problems.append(
            FieldProblem("note", N_("At most {limit} characters"), params={"limit": REASON_LIMIT})
        )
    if problems:
        raise ValidationFailed(problems)
    locked = repo.holder_for_update(session, holder.id)
    assert locked is not None
    before = {"status": locked.status.value}
    now = utc_now()
    if locked.acknowledged_at is None:
        locked.acknowledged_at = now
        locked.acknowledged_by_id = actor.user_id
        locked.status = HolderStatus.ACKNOWLEDGED
    if any(v is not None for v in amounts.values()):
        locked.kept, locked.destroyed, locked.returned = (
            amounts["kept"],
            amounts["destroyed"],
            amounts["returned"],
        )
        locked.reported_at = now
        locked.status = HolderStatus.REPORTED
    locked.note = form.note.strip() or locked.note
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="recall.respond",
        entity_type="recall_holder",
        entity_id=locked.id,
        before=before,
        after={"status": locked.status.value, **amounts},
    )
    return locked


# Closing ------------------------------------------------------------------------------------

#: A regulator acting on a recall it sees but whose case is another office's.
_NOT_YOUR_CASE = N_("This recall's case is handled by another office: it closes the recall.")


def may_close(*, session: Session, actor: Principal, found: Recall) -> bool:
    """Whether the actor may close the recall now: it is open, its case is in the actor's
    view and the actor's role closes cases of its kind (the case engine's reviewers)."""
    if found.closed_at is not None or not actor.is_regulator:
        return False
    case = repo.case_of(session, found.case_id, access.case_condition(actor))
    if case is None:
        return False
    allowed = workflow.allowed_actions(kind=case.kind, state=case.state, role=actor.role)
    return CaseAction.CLOSE in allowed


def close_recall(*, session: Session, actor: Principal, recall_id: int, reason: str) -> Recall:
    """Close a recall (and its case): when every holder has acknowledged it, or earlier
    with a stated reason (a holder closed down, the batch proved harmless). The holders
    are told, and their store pages drop the mark."""
    access.require_regulator(actor)
    found = repo.recall(session, recall_id, _regulator_scope(actor))
    if found is None:
        raise NotFoundError(N_("No such recall."))
    case = repo.case_of(session, found.case_id, access.case_condition(actor))
    if case is None:
        raise ForbiddenError(_NOT_YOUR_CASE)
    if found.closed_at is not None:
        raise ConflictError(N_("This recall is closed."))
    if CaseAction.CLOSE not in workflow.allowed_actions(
        kind=case.kind, state=case.state, role=actor.role
    ):
        raise ForbiddenError(N_("A recall is closed by a station chief or a bureau leader."))
    locked = repo.recall_for_update(session, found.id)
    assert locked is not None
    settle(session=session, actor=actor, found=locked, reason=reason)
    # The case follows; its listener finds the recall closed already.
    cases.act(
        session=session,
        actor=actor,
        case_id=case.id,
        step=cases.Step(
            action=CaseAction.CLOSE,
            expected_version=case.version,
            reason=locked.close_reason or None,
        ),
    )
    return locked


def settle(*, session: Session, actor: Principal, found: Recall, reason: str | None) -> None:
    """Mark an open recall closed, audited; tell the holders; drop their store pages.
    Refused while a holder has not acknowledged unless ``reason`` says why (the recall page
    and the case workbench both close through here)."""
    if found.closed_at is not None:
        raise ConflictError(N_("This recall is closed."))
    text = (reason or "").strip()
    if len(text) > REASON_LIMIT:
        too_long = N_("At most {limit} characters")
        raise ValidationFailed([FieldProblem("reason", too_long, params={"limit": REASON_LIMIT})])
    pending = repo.pending_holders(session, found.id)
    if pending and not text:
        raise ValidationFailed(
            [
                FieldProblem(
                    "reason",
                    N_(
                        "Holders that have not acknowledged the recall yet: {n}. Say why it "
                        "is closed all the same."
                    ),
                    params={"n": pending},
                    code="required",
                )
            ]
        )
    found.closed_at = utc_now()
    found.closed_by_id = actor.user_id
    found.close_reason = text
    session.flush()
    holders = repo.holder_business_ids(session, found.id)
    audit.record(
        session=session,
        actor=actor,
        action="recall.close",
        entity_type="recall",
        entity_id=found.id,
        before={"closed": False},
        after={"closed": True, "reason": text, "pending_holders": pending},
    )
    messages.holders_told_closed(session=session, recall=found, business_ids=holders)
    _pages_changed(session, holders)


def reopen(*, session: Session, actor: Principal, found: Recall) -> None:
    """Open a closed recall again (its case was reopened): the marks come back."""
    if found.closed_at is None:
        return
    if repo.open_recall_of_lot(session, found.lot) is not None:
        raise ConflictError(
            N_("Another recall of this lot is open: the closed one cannot be reopened.")
        )
    before = {"closed_at": found.closed_at.isoformat(), "reason": found.close_reason}
    found.closed_at = None
    found.closed_by_id = None
    found.close_reason = ""
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="recall.reopen",
        entity_type="recall",
        entity_id=found.id,
        before=before,
        after={"closed": False},
    )
    _pages_changed(session, repo.holder_business_ids(session, found.id))


# The public store page ----------------------------------------------------------------------


@dataclass(frozen=True)
class PublicMark:
    """What a store page says of a recall: the product, the batch, the level, the day."""

    reference: str
    product_label: str
    batch: str
    level: RecallLevel
    opened_on: date


def store_marks(*, session: Session, code: str) -> list[PublicMark]:
    """Open recalls of lots this store holds (its page's 批次召回 mark)."""
    return [
        PublicMark(r.reference, r.product_label, r.batch, r.level, to_local(r.created_at).date())
        for r in repo.public_marks(session, code, today_local())
    ]
