"""Every query of rectification orders, enforcement cases and penalty decisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from sunshine.cases.enums import CaseKind
from sunshine.cases.models import Case
from sunshine.inspections.models import ChecklistItem, Inspection
from sunshine.inspections.rectification_enums import UNRESOLVED, OrderState
from sunshine.inspections.rectification_models import (
    PenaltyDecision,
    RectificationAnswer,
    RectificationAnswerItem,
    RectificationEvent,
    RectificationOrder,
    RectificationOrderItem,
)
from sunshine.registry.models import Business


def order_reference_exists(session: Session, reference: str) -> bool:
    stmt = select(RectificationOrder.id).where(RectificationOrder.reference == reference)
    return session.execute(stmt).first() is not None


def order_of_inspection(session: Session, inspection_id: int) -> RectificationOrder | None:
    stmt = select(RectificationOrder).where(RectificationOrder.inspection_id == inspection_id)
    return session.execute(stmt).scalar_one_or_none()


def get_order(
    session: Session, *, order_id: int, scope: ColumnElement[bool]
) -> RectificationOrder | None:
    stmt = select(RectificationOrder).where(RectificationOrder.id == order_id, scope)
    return session.execute(stmt).scalar_one_or_none()


def order_of_case(
    session: Session, *, case_id: int, scope: ColumnElement[bool]
) -> RectificationOrder | None:
    stmt = select(RectificationOrder).where(RectificationOrder.case_id == case_id, scope)
    return session.execute(stmt).scalars().first()


def unresolved_orders_of_business(
    session: Session, business_id: int
) -> Sequence[RectificationOrder]:
    stmt = (
        select(RectificationOrder)
        .where(
            RectificationOrder.business_id == business_id,
            RectificationOrder.state.in_(list(UNRESOLVED)),
        )
        .order_by(RectificationOrder.id)
    )
    return session.execute(stmt).scalars().all()


def items_of_order(
    session: Session, order_id: int
) -> list[tuple[RectificationOrderItem, ChecklistItem]]:
    stmt = (
        select(RectificationOrderItem, ChecklistItem)
        .join(ChecklistItem, ChecklistItem.id == RectificationOrderItem.item_id)
        .where(RectificationOrderItem.order_id == order_id)
        .order_by(RectificationOrderItem.position)
    )
    return [(row, item) for row, item in session.execute(stmt)]


def answers_of(session: Session, order_id: int) -> Sequence[RectificationAnswer]:
    stmt = select(RectificationAnswer).where(RectificationAnswer.order_id == order_id)
    return session.execute(stmt.order_by(RectificationAnswer.round)).scalars().all()


def latest_answer(session: Session, order_id: int) -> RectificationAnswer | None:
    stmt = (
        select(RectificationAnswer)
        .where(RectificationAnswer.order_id == order_id)
        .order_by(RectificationAnswer.round.desc())
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def answer_items_of(
    session: Session, answer_ids: Sequence[int]
) -> dict[int, list[RectificationAnswerItem]]:
    if not answer_ids:
        return {}
    stmt = (
        select(RectificationAnswerItem)
        .where(RectificationAnswerItem.answer_id.in_(list(answer_ids)))
        .order_by(RectificationAnswerItem.answer_id, RectificationAnswerItem.id)
    )
    found: dict[int, list[RectificationAnswerItem]] = {}
    for row in session.execute(stmt).scalars():
        found.setdefault(row.answer_id, []).append(row)
    return found


def order_of_answer_item(
    session: Session, *, answer_item_id: int, scope: ColumnElement[bool]
) -> RectificationOrder | None:
    stmt = (
        select(RectificationOrder)
        .join(RectificationAnswer, RectificationAnswer.order_id == RectificationOrder.id)
        .join(RectificationAnswerItem, RectificationAnswerItem.answer_id == RectificationAnswer.id)
        .where(RectificationAnswerItem.id == answer_item_id, scope)
    )
    return session.execute(stmt).scalar_one_or_none()


def events_of(session: Session, order_id: int) -> Sequence[RectificationEvent]:
    stmt = select(RectificationEvent).where(RectificationEvent.order_id == order_id)
    return session.execute(stmt.order_by(RectificationEvent.id)).scalars().all()


#: The tabs of the regulator's list.
TABS = ("open", "answered", "overdue", "closed", "filed")


def _tab_condition(tab: str, today: date) -> ColumnElement[bool]:
    state = RectificationOrder.state
    if tab == "open":
        return and_(state == OrderState.OPEN, RectificationOrder.rectify_by >= today)
    if tab == "answered":
        return state == OrderState.ANSWERED
    if tab == "overdue":
        return and_(state == OrderState.OPEN, RectificationOrder.rectify_by < today)
    if tab == "filed":
        return state == OrderState.FILED
    return state == OrderState.CLOSED


def page_orders(
    session: Session,
    *,
    scope: ColumnElement[bool],
    tab: str,
    today: date,
    business_id: int | None = None,
    offset: int,
    limit: int,
) -> tuple[list[tuple[RectificationOrder, str]], int]:
    """Orders under ``scope`` in a tab, the nearest deadline first (closed: the latest)."""
    conditions = [scope, _tab_condition(tab, today)]
    if business_id is not None:
        conditions.append(RectificationOrder.business_id == business_id)
    stmt = (
        select(RectificationOrder, Business.name)
        .join(Business, Business.id == RectificationOrder.business_id)
        .where(*conditions)
    )
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    if tab in ("closed", "filed"):
        order_by = (RectificationOrder.state_since.desc(), RectificationOrder.id.desc())
    else:
        order_by = (RectificationOrder.rectify_by.asc(), RectificationOrder.id.asc())
    rows = session.execute(stmt.order_by(*order_by).offset(offset).limit(limit))
    return [(order, name) for order, name in rows], int(total)


def tab_counts(session: Session, *, scope: ColumnElement[bool], today: date) -> dict[str, int]:
    """How many orders each tab holds (one query per tab; a jurisdiction has few)."""
    return {
        tab: int(
            session.execute(
                select(func.count())
                .select_from(RectificationOrder)
                .where(scope, _tab_condition(tab, today))
            ).scalar_one()
        )
        for tab in TABS
    }


def business_orders(
    session: Session, *, business_id: int, scope: ColumnElement[bool]
) -> Sequence[RectificationOrder]:
    """A business's orders, the latest first."""
    stmt = (
        select(RectificationOrder)
        .where(RectificationOrder.business_id == business_id, scope)
        .order_by(RectificationOrder.issued_on.desc(), RectificationOrder.id.desc())
    )
    return session.execute(stmt).scalars().all()


def orders_of_inspections(
    session: Session, inspection_ids: Sequence[int]
) -> dict[int, RectificationOrder]:
    """The order each inspection gave, by inspection (one query)."""
    if not inspection_ids:
        return {}
    stmt = select(RectificationOrder).where(
        RectificationOrder.inspection_id.in_(list(inspection_ids))
    )
    return {order.inspection_id: order for order in session.execute(stmt).scalars()}


def inspection_reference(session: Session, inspection_id: int) -> str | None:
    stmt = select(Inspection.reference).where(Inspection.id == inspection_id)
    return session.execute(stmt).scalar_one_or_none()


# Enforcement cases and penalty decisions --------------------------------------------------


def get_enforcement_case(
    session: Session, *, case_id: int, scope: ColumnElement[bool]
) -> Case | None:
    stmt = select(Case).where(Case.id == case_id, Case.kind == CaseKind.ENFORCEMENT, scope)
    return session.execute(stmt).scalar_one_or_none()


def page_enforcement_cases(
    session: Session, *, scope: ColumnElement[bool], offset: int, limit: int
) -> tuple[list[tuple[Case, str | None, int]], int]:
    """Enforcement cases under ``scope``, the latest filed first, with the business's name
    and how many penalty decisions each holds."""
    decisions = (
        select(func.count())
        .where(PenaltyDecision.case_id == Case.id)
        .correlate(Case)
        .scalar_subquery()
    )
    where = (Case.kind == CaseKind.ENFORCEMENT, scope)
    stmt = (
        select(Case, Business.name, decisions)
        .outerjoin(Business, Business.id == Case.business_id)
        .where(*where)
        .order_by(Case.received_on.desc(), Case.id.desc())
        .offset(offset)
        .limit(limit)
    )
    total = session.execute(select(func.count()).select_from(Case).where(*where)).scalar_one()
    return [(case, name, int(count)) for case, name, count in session.execute(stmt)], int(total)


def penalties_of_case(session: Session, case_id: int) -> Sequence[PenaltyDecision]:
    stmt = select(PenaltyDecision).where(PenaltyDecision.case_id == case_id)
    return (
        session.execute(stmt.order_by(PenaltyDecision.decided_on, PenaltyDecision.id))
        .scalars()
        .all()
    )


def penalty_number_exists(session: Session, number: str) -> bool:
    stmt = select(PenaltyDecision.id).where(PenaltyDecision.number == number)
    return session.execute(stmt).first() is not None


def penalty_with_case(
    session: Session, *, penalty_id: int, scope: ColumnElement[bool]
) -> PenaltyDecision | None:
    stmt = (
        select(PenaltyDecision)
        .join(Case, Case.id == PenaltyDecision.case_id)
        .where(PenaltyDecision.id == penalty_id, scope)
    )
    return session.execute(stmt).scalar_one_or_none()


def public_penalties(session: Session, business_id: int, limit: int) -> Sequence[PenaltyDecision]:
    """A business's penalty decisions as published, the latest first."""
    stmt = (
        select(PenaltyDecision)
        .where(PenaltyDecision.business_id == business_id)
        .order_by(PenaltyDecision.decided_on.desc(), PenaltyDecision.id.desc())
        .limit(limit)
    )
    return session.execute(stmt).scalars().all()


def next_deadline(session: Session, *, business_id: int, today: date) -> date | None:
    """The earliest deadline, today or later, of the business's open orders (the day after
    it, such an order shows as 逾期未整改)."""
    stmt = select(func.min(RectificationOrder.rectify_by)).where(
        RectificationOrder.business_id == business_id,
        RectificationOrder.state == OrderState.OPEN,
        RectificationOrder.rectify_by >= today,
    )
    found: date | None = session.execute(stmt).scalar_one_or_none()
    return found
