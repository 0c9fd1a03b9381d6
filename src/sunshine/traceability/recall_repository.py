"""Every query of batch recalls (批次召回)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from sunshine.cases.models import Case
from sunshine.core.pagination import Page, PageRequest
from sunshine.ingredients.models import Product
from sunshine.registry.models import Business
from sunshine.traceability.recall_enums import HolderStatus
from sunshine.traceability.recall_models import Recall, RecallHolder


def add(session: Session, *rows: object) -> None:
    session.add_all(rows)
    session.flush()


def reference_exists(session: Session, reference: str) -> bool:
    return session.scalar(select(Recall.id).where(Recall.reference == reference)) is not None


def open_recall_of_lot(session: Session, lot: str) -> Recall | None:
    return session.scalars(
        select(Recall).where(Recall.lot == lot, Recall.closed_at.is_(None)).limit(1)
    ).first()


def regulator_condition(
    case_scope: ColumnElement[bool], business_scope: ColumnElement[bool]
) -> ColumnElement[bool]:
    """Recalls a regulator sees: its case is theirs, or a holder is in their area."""
    return or_(
        Recall.case_id.in_(select(Case.id).where(case_scope)),
        exists(
            select(RecallHolder.id).where(
                RecallHolder.recall_id == Recall.id,
                RecallHolder.business_id.in_(select(Business.id).where(business_scope)),
            )
        ),
    )


def recalls_page(
    session: Session, *, scope: ColumnElement[bool], page: PageRequest
) -> Page[Recall]:
    total = session.scalar(select(func.count()).select_from(Recall).where(scope)) or 0
    items = session.scalars(
        select(Recall)
        .where(scope)
        .order_by(Recall.created_at.desc(), Recall.id.desc())
        .offset(page.offset)
        .limit(page.per_page)
    )
    return Page(items=list(items), total=total, request=page)


def recall(session: Session, recall_id: int, scope: ColumnElement[bool]) -> Recall | None:
    return session.scalars(select(Recall).where(Recall.id == recall_id, scope)).first()


def holders_of(session: Session, recall_id: int) -> list[tuple[RecallHolder, Business]]:
    rows = session.execute(
        select(RecallHolder, Business)
        .join(Business, Business.id == RecallHolder.business_id)
        .where(RecallHolder.recall_id == recall_id)
        .order_by(RecallHolder.tier, Business.name)
    )
    return [(h, b) for h, b in rows]


def holder_counts(session: Session, recall_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {i: {s.value: 0 for s in HolderStatus} for i in recall_ids}
    if not recall_ids:
        return out
    rows = session.execute(
        select(RecallHolder.recall_id, RecallHolder.status, func.count())
        .where(RecallHolder.recall_id.in_(recall_ids))
        .group_by(RecallHolder.recall_id, RecallHolder.status)
    )
    for recall_id, status, count in rows:
        out[recall_id][status.value] = count
    return out


def holdings_of(
    session: Session, business_ids: Sequence[int]
) -> list[tuple[RecallHolder, Recall, Business]]:
    """The recalls these businesses hold, open first, newest first."""
    rows = session.execute(
        select(RecallHolder, Recall, Business)
        .join(Recall, Recall.id == RecallHolder.recall_id)
        .join(Business, Business.id == RecallHolder.business_id)
        .where(RecallHolder.business_id.in_(business_ids))
        .order_by(Recall.closed_at.is_not(None), Recall.created_at.desc(), RecallHolder.id)
    )
    return [(h, r, b) for h, r, b in rows]


def holder_for_update(session: Session, holder_id: int) -> RecallHolder | None:
    return session.get(RecallHolder, holder_id, with_for_update=True)


def public_marks(session: Session, code: str, today: date) -> list[Recall]:
    """Open recalls a store holds (what its public page marks)."""
    del today  # a recall is shown until it is closed
    return list(
        session.scalars(
            select(Recall)
            .join(RecallHolder, RecallHolder.recall_id == Recall.id)
            .join(Business, Business.id == RecallHolder.business_id)
            .where(Business.public_code == code.strip().upper(), Recall.closed_at.is_(None))
            .order_by(Recall.created_at.desc())
            .limit(10)
        )
    )


def public_code_of(session: Session, business_id: int) -> str | None:
    return session.scalar(select(Business.public_code).where(Business.id == business_id))


def business_ids(session: Session, scope: ColumnElement[bool]) -> list[int]:
    return list(session.scalars(select(Business.id).where(scope).order_by(Business.id)))


def product_name(session: Session, *, gtin: str | None, product_id: int | None) -> str | None:
    """A library product's name by its GTIN (14 digits) or id."""
    if gtin:
        condition = Product.gtin == gtin
    elif product_id is not None:
        condition = Product.id == product_id
    else:
        return None
    return session.scalars(select(Product.name).where(condition).order_by(Product.id)).first()
