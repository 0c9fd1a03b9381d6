"""Every query of cases and their timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from sunshine.cases.enums import CaseKind, CaseState
from sunshine.cases.models import Case, CaseEvent, CaseExtension, CasePause
from sunshine.regions.models import OrgUnit


def get_case(session: Session, *, case_id: int, scope: ColumnElement[bool]) -> Case | None:
    return session.execute(select(Case).where(Case.id == case_id, scope)).scalar_one_or_none()


def reference_exists(session: Session, reference: str) -> bool:
    stmt = select(Case.id).where(Case.reference == reference)
    return session.execute(stmt).first() is not None


def events_of(session: Session, case_id: int) -> Sequence[CaseEvent]:
    stmt = select(CaseEvent).where(CaseEvent.case_id == case_id)
    return session.execute(stmt.order_by(CaseEvent.occurred_at, CaseEvent.id)).scalars().all()


def active_units_for_regions(session: Session, codes: Sequence[str]) -> Sequence[OrgUnit]:
    """Active org units whose jurisdiction is exactly one of these divisions."""
    stmt = select(OrgUnit).where(OrgUnit.region_code.in_(list(codes)), OrgUnit.active.is_(True))
    return session.execute(stmt.order_by(OrgUnit.id)).scalars().all()


def cases_due_by(session: Session, day: date) -> Sequence[Case]:
    """Open cases whose running clock is due on or before ``day``, soonest first."""
    stmt = select(Case).where(Case.due_on.is_not(None), Case.due_on <= day)
    return session.execute(stmt.order_by(Case.due_on, Case.id)).scalars().all()


def pauses_of(session: Session, case_id: int) -> Sequence[CasePause]:
    stmt = select(CasePause).where(CasePause.case_id == case_id)
    return session.execute(stmt.order_by(CasePause.start_on, CasePause.id)).scalars().all()


def extensions_of(session: Session, case_id: int) -> Sequence[CaseExtension]:
    stmt = select(CaseExtension).where(CaseExtension.case_id == case_id)
    return session.execute(stmt.order_by(CaseExtension.id)).scalars().all()


@dataclass(frozen=True)
class CaseQueue:
    """A workbench queue: open cases, due soon, overdue, the caller's, closed."""

    name: str = "open"
    kind: CaseKind | None = None
    state: CaseState | None = None
    assignee_id: int | None = None  # "mine"


def page_cases(
    session: Session,
    *,
    scope: ColumnElement[bool],
    queue: CaseQueue,
    today: date,
    due_soon_until: date,
    offset: int,
    limit: int,
) -> tuple[Sequence[Case], int]:
    """One page of a queue, most urgent first (due date, then oldest), and its size."""
    stmt = select(Case).where(scope, *_queue_conditions(queue, today, due_soon_until))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    order = (Case.due_on.is_(None), Case.due_on, Case.received_on, Case.id)
    rows = session.execute(stmt.order_by(*order).offset(offset).limit(limit)).scalars().all()
    return rows, int(total)


def _queue_conditions(
    queue: CaseQueue, today: date, due_soon_until: date
) -> list[ColumnElement[bool]]:
    open_states = [s for s in CaseState if s not in (CaseState.CLOSED, CaseState.REJECTED)]
    conditions: list[ColumnElement[bool]] = []
    if queue.name == "closed":
        conditions.append(Case.state.in_([CaseState.CLOSED, CaseState.REJECTED]))
    else:
        conditions.append(Case.state.in_(open_states))
    if queue.name == "overdue":
        conditions.append(Case.due_on < today)
    elif queue.name == "due_soon":
        conditions.append(and_(Case.due_on >= today, Case.due_on <= due_soon_until))
    elif queue.name == "mine":
        conditions.append(Case.assignee_id == queue.assignee_id)
    if queue.kind is not None:
        conditions.append(Case.kind == queue.kind)
    if queue.state is not None:
        conditions.append(Case.state == queue.state)
    return conditions
