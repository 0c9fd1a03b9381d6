"""Queries of the ledger's read-only views: the public store section (阳光食材), the
exports (台账, FSMA 204 spreadsheet) and the big ledger (大台账) with its risk signals."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from sunshine.ingredients.enums import KEY_CATEGORIES, SignalStatus
from sunshine.ingredients.models import LedgerLine, Supplier
from sunshine.ingredients.signal_models import LedgerSignal
from sunshine.registry.models import Business
from sunshine.sampling.enums import Conclusion, SampleStatus
from sunshine.sampling.models import Sample

CURRENT = LedgerLine.corrected_by_id.is_(None)

# The public store section -------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierRow:
    supplier: Supplier
    business: Business | None
    lines: int
    last_purchase: date


def main_suppliers(
    session: Session, *, business_id: int, since: date, limit: int
) -> list[SupplierRow]:
    """The store's suppliers by number of purchases since ``since``, most first."""
    lines = func.count(LedgerLine.id).label("lines")
    last = func.max(LedgerLine.purchase_date).label("last")
    counted = (
        select(LedgerLine.supplier_id, lines, last)
        .where(LedgerLine.business_id == business_id, LedgerLine.purchase_date >= since, CURRENT)
        .group_by(LedgerLine.supplier_id)
        .subquery()
    )
    stmt = (
        select(Supplier, Business, counted.c.lines, counted.c.last)
        .join(counted, counted.c.supplier_id == Supplier.id)
        .outerjoin(Business, Business.id == Supplier.supplier_business_id)
        .order_by(counted.c.lines.desc(), counted.c.last.desc(), Supplier.id)
        .limit(limit)
    )
    return [SupplierRow(s, b, int(n), last_on) for s, b, n, last_on in session.execute(stmt)]


def upstream_names(session: Session, suppliers: Sequence[Supplier]) -> dict[int, list[str]]:
    """The upstream suppliers' names (上一级) of each supplier record: a registered
    business's own suppliers, or the upstream record an external one names."""
    out: dict[int, list[str]] = {s.id: [] for s in suppliers}
    registered = {s.supplier_business_id: s.id for s in suppliers if s.supplier_business_id}
    if registered:
        stmt = (
            select(Supplier.business_id, func.coalesce(Business.name, Supplier.name))
            .outerjoin(Business, Business.id == Supplier.supplier_business_id)
            .where(Supplier.business_id.in_(list(registered)), Supplier.active.is_(True))
            .order_by(Supplier.id)
        )
        for buyer, name in session.execute(stmt):
            out[registered[buyer]].append(name)
    external = {s.upstream_id: s.id for s in suppliers if s.upstream_id}
    if external:
        stmt2 = (
            select(Supplier.id, func.coalesce(Business.name, Supplier.name))
            .outerjoin(Business, Business.id == Supplier.supplier_business_id)
            .where(Supplier.id.in_(list(external)))
        )
        for upstream_id, name in session.execute(stmt2):
            out[external[upstream_id]].append(name)
    return out


def key_purchases(
    session: Session, *, business_id: int, offset: int, limit: int
) -> tuple[Sequence[LedgerLine], int]:
    """The store's current lines of the key categories, latest first, and how many."""
    where = (
        LedgerLine.business_id == business_id,
        CURRENT,
        LedgerLine.category.in_(sorted(KEY_CATEGORIES)),
    )
    total = session.execute(select(func.count()).where(*where)).scalar_one()
    stmt = (
        select(LedgerLine)
        .where(*where)
        .order_by(LedgerLine.purchase_date.desc(), LedgerLine.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return session.execute(stmt).scalars().all(), int(total)


def failed_samples(
    session: Session, *, business_ids: Sequence[int], batches: Sequence[str]
) -> Sequence[Sample]:
    """Completed unqualified samples of these batch numbers taken at these businesses."""
    if not business_ids or not batches:
        return []
    stmt = select(Sample).where(
        Sample.business_id.in_(sorted(set(business_ids))),
        Sample.batch_number.in_(sorted(set(batches))),
        Sample.status == SampleStatus.COMPLETED,
        Sample.conclusion == Conclusion.UNQUALIFIED,
    )
    return session.execute(stmt).scalars().all()


def buyers_of_batch(
    session: Session, *, business_ids: Sequence[int], product_name: str, batch: str
) -> Sequence[str]:
    """The public codes of stores holding current lines of the batch bought from (or at)
    these businesses: their store pages show the failed sample's mark."""
    stmt = (
        select(Business.public_code)
        .join(LedgerLine, LedgerLine.business_id == Business.id)
        .where(
            LedgerLine.batch_number == batch,
            LedgerLine.product_name == product_name,
            CURRENT,
            (LedgerLine.supplier_business_id.in_(list(business_ids)))
            | (LedgerLine.business_id.in_(list(business_ids))),
        )
        .distinct()
    )
    return session.execute(stmt).scalars().all()


# Exports ------------------------------------------------------------------------------------


def line_pages(
    session: Session,
    *,
    scope: ColumnElement[bool],
    date_from: date | None,
    date_to: date | None,
    business_id: int | None = None,
    lots: Sequence[str] = (),
    columns: Sequence[Any] = (),
    batch: int = 5000,
) -> Iterator[Sequence[Any]]:
    """Current lines in the order they were recorded, a page at a time, read by keyset
    pages on the primary key so a million lines cost a million rows read once (no growing
    OFFSET, no sort). Rows, not ORM objects (a third of the time at a million), each with
    the line's ``columns`` (every column by default) as attributes; a caller that needs a
    few should name them: reading and converting all 45 of them is most of the cost."""
    wanted = list(columns) or list(LedgerLine.__table__.columns)
    if not any(getattr(c, "key", None) == "id" for c in wanted):
        wanted.insert(0, LedgerLine.id)
    stmt = select(*wanted).where(scope, CURRENT)
    if date_from is not None:
        stmt = stmt.where(LedgerLine.purchase_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(LedgerLine.purchase_date <= date_to)
    if business_id is not None:
        stmt = stmt.where(LedgerLine.business_id == business_id)
    if lots:
        stmt = stmt.where(LedgerLine.batch_number.in_(list(lots)))
    last = 0
    while True:
        page = stmt.where(LedgerLine.id > last).order_by(LedgerLine.id).limit(batch)
        rows = session.execute(page).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def stream_lines(
    session: Session,
    *,
    scope: ColumnElement[bool],
    date_from: date | None,
    date_to: date | None,
    business_id: int | None = None,
    lots: Sequence[str] = (),
    batch: int = 5000,
) -> Iterator[Any]:
    """Every column of the current lines, one row at a time (see :func:`line_pages`). The
    spreadsheet is sortable: its reader sorts by date."""
    for page in line_pages(
        session,
        scope=scope,
        date_from=date_from,
        date_to=date_to,
        business_id=business_id,
        lots=lots,
        batch=batch,
    ):
        yield from page


@dataclass(frozen=True)
class BusinessCard:
    """What an export says of a business: its code and its location description's parts."""

    public_code: str
    business_name: str
    address: str
    phone: str


def business_cards(session: Session, ids: Sequence[int]) -> dict[int, BusinessCard]:
    if not ids:
        return {}
    stmt = select(
        Business.id, Business.public_code, Business.name, Business.address, Business.contact_phone
    ).where(Business.id.in_(sorted(set(ids))))
    return {row[0]: BusinessCard(*row[1:]) for row in session.execute(stmt)}


def businesses_by_ids(session: Session, ids: Sequence[int]) -> dict[int, Business]:
    if not ids:
        return {}
    stmt = select(Business).where(Business.id.in_(sorted(set(ids))))
    return {b.id: b for b in session.execute(stmt).scalars()}


# The big ledger -----------------------------------------------------------------------------


def aggregate(
    session: Session,
    *,
    scope: ColumnElement[bool],
    key: Any,  # a column of LedgerLine
    date_from: date,
    date_to: date,
    limit: int | None = None,
) -> Sequence[Any]:
    """Lines, stores and suppliers counted by ``key`` over the period, most lines first."""
    lines = func.count(LedgerLine.id).label("lines")
    stmt = (
        select(
            key.label("key"),
            lines,
            func.count(func.distinct(LedgerLine.business_id)).label("stores"),
            func.count(func.distinct(LedgerLine.supplier_id)).label("suppliers"),
        )
        .where(
            scope,
            CURRENT,
            LedgerLine.purchase_date >= date_from,
            LedgerLine.purchase_date <= date_to,
        )
        .group_by(key)
        .order_by(lines.desc(), key)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.execute(stmt).all())


def lines_where(
    session: Session, *, scope: ColumnElement[bool], condition: ColumnElement[bool], since: date
) -> Sequence[LedgerLine]:
    """Current lines since ``since`` matching an anomaly rule's condition."""
    stmt = (
        select(LedgerLine)
        .where(scope, CURRENT, LedgerLine.purchase_date >= since, condition)
        .order_by(LedgerLine.id)
    )
    return session.execute(stmt).scalars().all()


def batch_spread(
    session: Session, *, scope: ColumnElement[bool], since: date, min_stores: int
) -> Sequence[Any]:
    """Product and batch pairs bought by at least ``min_stores`` stores since ``since``."""
    stores = func.count(func.distinct(LedgerLine.business_id))
    stmt = (
        select(
            LedgerLine.product_name,
            LedgerLine.batch_number,
            stores.label("stores"),
            func.min(LedgerLine.id).label("first_line"),
        )
        .where(scope, CURRENT, LedgerLine.purchase_date >= since, LedgerLine.batch_number != "")
        .where(LedgerLine.batch_number.is_not(None))
        .group_by(LedgerLine.product_name, LedgerLine.batch_number)
        .having(stores >= min_stores)
    )
    return list(session.execute(stmt).all())


def received_by_lot(session: Session, *, scope: ColumnElement[bool], since: date) -> Sequence[Any]:
    """Quantity received per supplier, product, batch and unit since ``since``."""
    stmt = (
        select(
            LedgerLine.supplier_business_id,
            LedgerLine.product_id,
            LedgerLine.batch_number,
            LedgerLine.unit,
            func.sum(LedgerLine.quantity).label("received"),
            func.min(LedgerLine.id).label("first_line"),
        )
        .where(
            scope,
            CURRENT,
            LedgerLine.purchase_date >= since,
            LedgerLine.supplier_business_id.is_not(None),
            LedgerLine.product_id.is_not(None),
            LedgerLine.batch_number.is_not(None),
        )
        .group_by(
            LedgerLine.supplier_business_id,
            LedgerLine.product_id,
            LedgerLine.batch_number,
            LedgerLine.unit,
        )
    )
    return list(session.execute(stmt).all())


def lines_of_batch(
    session: Session, *, scope: ColumnElement[bool], product_name: str, batch: str, since: date
) -> Sequence[LedgerLine]:
    stmt = (
        select(LedgerLine)
        .where(
            scope,
            CURRENT,
            LedgerLine.purchase_date >= since,
            LedgerLine.product_name == product_name,
            LedgerLine.batch_number == batch,
        )
        .order_by(LedgerLine.id)
    )
    return session.execute(stmt).scalars().all()


def existing_fingerprints(session: Session, fingerprints: Sequence[str]) -> set[str]:
    if not fingerprints:
        return set()
    found: set[str] = set()
    unique = sorted(set(fingerprints))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        stmt = select(LedgerSignal.fingerprint).where(LedgerSignal.fingerprint.in_(chunk))
        found.update(session.execute(stmt).scalars())
    return found


def page_signals(
    session: Session,
    *,
    scope: ColumnElement[bool],
    status: SignalStatus | None,
    rule: str | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[LedgerSignal], int]:
    stmt = select(LedgerSignal).where(scope)
    if status is not None:
        stmt = stmt.where(LedgerSignal.status == status)
    if rule:
        stmt = stmt.where(LedgerSignal.rule == rule)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = (
        session.execute(
            stmt.order_by(LedgerSignal.found_at.desc(), LedgerSignal.id.desc())
            .offset(offset)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    return rows, int(total)


def get_signal(
    session: Session, *, signal_id: int, scope: ColumnElement[bool]
) -> LedgerSignal | None:
    stmt = select(LedgerSignal).where(LedgerSignal.id == signal_id, scope)
    return session.execute(stmt).scalar_one_or_none()


def signal_counts(session: Session, *, scope: ColumnElement[bool]) -> dict[str, int]:
    stmt = (
        select(LedgerSignal.rule, func.count())
        .where(scope, LedgerSignal.status == SignalStatus.OPEN)
        .group_by(LedgerSignal.rule)
    )
    return {str(rule.value): int(n) for rule, n in session.execute(stmt)}


def supplier_businesses(session: Session, ids: Sequence[int]) -> dict[int, Business]:
    return businesses_by_ids(session, ids)


def decimal_or_zero(value: Any) -> Decimal:
    return Decimal(value) if value is not None else Decimal(0)
