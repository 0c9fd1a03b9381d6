"""Every query of batch recalls (批次召回)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import ColumnElement, exists, func, or_, select, union_all
from sqlalchemy.orm import Session

from sunshine.cases.models import Case
from sunshine.core.pagination import Page, PageRequest
from sunshine.ingredients.models import Product
from sunshine.registry.models import Business
from sunshine.traceability.epcis.models import EpcisEvent, EpcisEventEpc, EpcisEventQuantity
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


def recall_for_update(session: Session, recall_id: int) -> Recall | None:
    return session.get(Recall, recall_id, with_for_update=True)


def recall_of_case(session: Session, case_id: int) -> Recall | None:
    return session.scalars(select(Recall).where(Recall.case_id == case_id)).first()


def case_of(session: Session, case_id: int, scope: ColumnElement[bool]) -> Case | None:
    """The recall's case, if the regulator's view of cases holds it."""
    return session.scalars(select(Case).where(Case.id == case_id, scope)).first()


def holder_business_ids(session: Session, recall_id: int) -> list[int]:
    return list(
        session.scalars(
            select(RecallHolder.business_id)
            .where(RecallHolder.recall_id == recall_id)
            .order_by(RecallHolder.business_id)
        )
    )


def pending_holders(session: Session, recall_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                RecallHolder.recall_id == recall_id, RecallHolder.status == HolderStatus.PENDING
            )
        )
        or 0
    )


# The store page's marks -------------------------------------------------------------------

#: Identifiers per ``IN`` list: within SQLite's bound-parameter limit.
CHUNK = 1000


def public_codes(session: Session, business_ids: Collection[int]) -> dict[int, str]:
    if not business_ids:
        return {}
    rows = session.execute(
        select(Business.id, Business.public_code).where(Business.id.in_(sorted(business_ids)))
    )
    return {business_id: code for business_id, code in rows}


def made_of(session: Session, outputs: Collection[str]) -> list[tuple[str, str]]:
    """``(output, input)`` of TransformationEvents that made one of ``outputs`` (lot
    classes or instances) of an input: what a central kitchen's dish was made of."""
    out: list[tuple[str, str]] = []
    ordered = sorted(outputs)
    for at in range(0, len(ordered), CHUNK):
        part = ordered[at : at + CHUNK]
        made = union_all(
            select(
                EpcisEventQuantity.event_pk.label("pk"), EpcisEventQuantity.epc_class.label("v")
            ).where(EpcisEventQuantity.epc_class.in_(part), EpcisEventQuantity.role == "output"),
            select(EpcisEventEpc.event_pk.label("pk"), EpcisEventEpc.epc.label("v")).where(
                EpcisEventEpc.epc.in_(part), EpcisEventEpc.role == "output"
            ),
        ).subquery()
        used = union_all(
            select(
                EpcisEventQuantity.event_pk.label("pk"), EpcisEventQuantity.epc_class.label("v")
            ).where(EpcisEventQuantity.role == "input"),
            select(EpcisEventEpc.event_pk.label("pk"), EpcisEventEpc.epc.label("v")).where(
                EpcisEventEpc.role == "input"
            ),
        ).subquery()
        rows = session.execute(
            select(made.c.v, used.c.v)
            .join(EpcisEvent, EpcisEvent.id == made.c.pk)
            .join(used, used.c.pk == made.c.pk)
            .where(EpcisEvent.event_type == "TransformationEvent")
            .distinct()
        )
        out += [(output, used_lot) for output, used_lot in rows]
    return out


def open_recalls_of(session: Session, lots: Collection[str]) -> list[Recall]:
    """Open recalls of any of ``lots``, oldest first."""
    found: list[Recall] = []
    ordered = sorted(lots)
    for at in range(0, len(ordered), CHUNK):
        found += session.scalars(
            select(Recall).where(
                Recall.lot.in_(ordered[at : at + CHUNK]), Recall.closed_at.is_(None)
            )
        )
    return sorted(found, key=lambda r: (r.created_at, r.id))
