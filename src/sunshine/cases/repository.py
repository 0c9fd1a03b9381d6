"""Every query of cases and their timeline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

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
