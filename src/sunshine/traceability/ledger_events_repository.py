"""Every query of the ledger ↔ EPCIS bridge."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from sunshine.ingredients.models import LedgerLine
from sunshine.registry.models import Business
from sunshine.traceability.epcis.models import EpcisEvent
from sunshine.traceability.ledger_event_models import LedgerLineEvent


def public_codes(session: Session, business_ids: set[int]) -> dict[int, str]:
    if not business_ids:
        return {}
    rows = session.execute(
        select(Business.id, Business.public_code).where(Business.id.in_(business_ids))
    )
    return {business_id: code for business_id, code in rows}


def link_of(session: Session, line_id: int, role: str) -> LedgerLineEvent | None:
    return session.get(LedgerLineEvent, (line_id, role))


def links_of(session: Session, line_id: int) -> Sequence[LedgerLineEvent]:
    return session.scalars(
        select(LedgerLineEvent).where(LedgerLineEvent.ledger_line_id == line_id)
    ).all()


def links_of_lines(session: Session, line_ids: Sequence[int]) -> Sequence[LedgerLineEvent]:
    if not line_ids:
        return []
    return session.scalars(
        select(LedgerLineEvent).where(LedgerLineEvent.ledger_line_id.in_(list(line_ids)))
    ).all()


def add_link(session: Session, link: LedgerLineEvent) -> None:
    session.add(link)
    session.flush()


def event_by_hash(session: Session, digest: str) -> EpcisEvent | None:
    return session.scalars(select(EpcisEvent).where(EpcisEvent.event_hash == digest)).first()


def line(session: Session, line_id: int) -> LedgerLine | None:
    return session.get(LedgerLine, line_id)


def lines_without_event(session: Session, *, after: int, limit: int) -> Sequence[LedgerLine]:
    """Lines in id order after ``after`` with no receiving event linked."""
    linked = exists(
        select(LedgerLineEvent.ledger_line_id).where(
            LedgerLineEvent.ledger_line_id == LedgerLine.id, LedgerLineEvent.role == "receiving"
        )
    )
    return session.scalars(
        select(LedgerLine)
        .where(LedgerLine.id > after, ~linked)
        .order_by(LedgerLine.id)
        .limit(limit)
    ).all()
