"""Every query of products, suppliers and ledger lines."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, func, literal, or_, select
from sqlalchemy.orm import Session, load_only

from sunshine.ingredients.enums import ProductCategory
from sunshine.ingredients.models import LedgerLine, Product, Supplier
from sunshine.registry.enums import BusinessCategory
from sunshine.registry.models import Business, ImportJob

# Products -----------------------------------------------------------------------------------


def get_product(session: Session, *, product_id: int, scope: ColumnElement[bool]) -> Product | None:
    return session.execute(
        select(Product).where(Product.id == product_id, scope)
    ).scalar_one_or_none()


def products_by_gtin(
    session: Session, *, gtin: str, scope: ColumnElement[bool]
) -> Sequence[Product]:
    """Products with ``gtin`` the reader may pick, the business's own first."""
    stmt = (
        select(Product)
        .where(Product.gtin == gtin, scope)
        .order_by(Product.owner_business_id.is_(None), Product.id)
    )
    return session.execute(stmt).scalars().all()


def find_products(
    session: Session,
    *,
    scope: ColumnElement[bool],
    q: str | None = None,
    category: ProductCategory | None = None,
    limit: int = 200,
) -> Sequence[Product]:
    stmt = select(Product).where(scope)
    if q:
        stmt = stmt.where(or_(Product.name.like(f"%{q.strip()}%"), Product.gtin == q.strip()))
    if category is not None:
        stmt = stmt.where(Product.category == category)
    stmt = stmt.order_by(Product.category, Product.name, Product.id).limit(limit)
    return session.execute(stmt).scalars().all()


def recent_product_ids(session: Session, *, business_id: int, limit: int) -> list[int]:
    """The products the business bought most recently, newest first (the phone form's top)."""
    last = func.max(LedgerLine.id)
    stmt = (
        select(LedgerLine.product_id)
        .where(LedgerLine.business_id == business_id, LedgerLine.product_id.is_not(None))
        .group_by(LedgerLine.product_id)
        .order_by(last.desc())
        .limit(limit)
    )
    return [pid for pid in session.execute(stmt).scalars() if pid is not None]


def products_by_ids(session: Session, ids: Sequence[int]) -> dict[int, Product]:
    if not ids:
        return {}
    rows = session.execute(select(Product).where(Product.id.in_(list(ids)))).scalars()
    return {p.id: p for p in rows}


def same_product(
    session: Session, *, owner_business_id: int | None, name: str, specification: str
) -> Product | None:
    stmt = select(Product).where(
        Product.owner_business_id.is_(None)
        if owner_business_id is None
        else Product.owner_business_id == owner_business_id,
        Product.name == name,
        Product.specification == specification,
    )
    return session.execute(stmt.limit(1)).scalar_one_or_none()


# Suppliers ----------------------------------------------------------------------------------


def suppliers_of(
    session: Session, *, business_id: int
) -> Sequence[tuple[Supplier, Business | None]]:
    """A business's supplier records with the registry business of each registered one."""
    stmt = (
        select(Supplier, Business)
        .outerjoin(Business, Business.id == Supplier.supplier_business_id)
        .where(Supplier.business_id == business_id, Supplier.active.is_(True))
        .order_by(func.coalesce(Business.name, Supplier.name), Supplier.id)
    )
    return [(s, b) for s, b in session.execute(stmt)]


def get_supplier(
    session: Session, *, supplier_id: int, scope: ColumnElement[bool]
) -> tuple[Supplier, Business | None] | None:
    stmt = (
        select(Supplier, Business)
        .outerjoin(Business, Business.id == Supplier.supplier_business_id)
        .where(Supplier.id == supplier_id, scope)
    )
    row = session.execute(stmt).one_or_none()
    return (row[0], row[1]) if row is not None else None


def registered_supplier(
    session: Session, *, business_id: int, supplier_business_id: int
) -> Supplier | None:
    stmt = select(Supplier).where(
        Supplier.business_id == business_id, Supplier.supplier_business_id == supplier_business_id
    )
    return session.execute(stmt).scalar_one_or_none()


def external_supplier_named(session: Session, *, business_id: int, name: str) -> Supplier | None:
    stmt = select(Supplier).where(
        Supplier.business_id == business_id,
        Supplier.supplier_business_id.is_(None),
        Supplier.name == name,
    )
    return session.execute(stmt.limit(1)).scalar_one_or_none()


def recent_supplier_ids(session: Session, *, business_id: int, limit: int) -> list[int]:
    last = func.max(LedgerLine.id)
    stmt = (
        select(LedgerLine.supplier_id)
        .where(LedgerLine.business_id == business_id)
        .group_by(LedgerLine.supplier_id)
        .order_by(last.desc())
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())


def supplier_businesses(session: Session, *, q: str | None, limit: int = 50) -> Sequence[Business]:
    """Registry businesses that supply food (producers, wholesalers, market vendors)."""
    stmt = select(Business).where(Business.category != BusinessCategory.CATERER)
    if q:
        text = q.strip()
        stmt = stmt.where(
            or_(
                Business.name.like(f"%{text}%"),
                Business.licence_number == text.upper(),
                Business.uscc == text.upper(),
            )
        )
    return session.execute(stmt.order_by(Business.name, Business.id).limit(limit)).scalars().all()


def get_supplier_business(session: Session, business_id: int) -> Business | None:
    stmt = select(Business).where(
        Business.id == business_id, Business.category != BusinessCategory.CATERER
    )
    return session.execute(stmt).scalar_one_or_none()


# Ledger lines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineFilter:
    """Filters of the ledger lists; every field optional."""

    date_from: date | None = None
    date_to: date | None = None
    category: ProductCategory | None = None
    supplier_id: int | None = None
    product: str | None = None  # name (part) or GTIN
    business_id: int | None = None
    include_corrected: bool = False


def _filtered(scope: ColumnElement[bool], filters: LineFilter) -> Select[LedgerLine]:
    stmt = select(LedgerLine).where(scope)
    if not filters.include_corrected:
        stmt = stmt.where(LedgerLine.corrected_by_id.is_(None))
    if filters.date_from is not None:
        stmt = stmt.where(LedgerLine.purchase_date >= filters.date_from)
    if filters.date_to is not None:
        stmt = stmt.where(LedgerLine.purchase_date <= filters.date_to)
    if filters.category is not None:
        stmt = stmt.where(LedgerLine.category == filters.category)
    if filters.supplier_id is not None:
        stmt = stmt.where(LedgerLine.supplier_id == filters.supplier_id)
    if filters.business_id is not None:
        stmt = stmt.where(LedgerLine.business_id == filters.business_id)
    if filters.product:
        text = filters.product.strip()
        stmt = stmt.where(
            or_(LedgerLine.product_name.like(f"%{text}%"), LedgerLine.gtin == text.zfill(14))
        )
    return stmt


#: The columns a list page shows and its flags read (``service.flags_of``).
BRIEF_COLUMNS = (
    LedgerLine.id,
    LedgerLine.business_id,
    LedgerLine.purchase_date,
    LedgerLine.product_name,
    LedgerLine.specification,
    LedgerLine.category,
    LedgerLine.quantity,
    LedgerLine.unit,
    LedgerLine.batch_number,
    LedgerLine.production_date,
    LedgerLine.expiry_date,
    LedgerLine.supplier_name,
    LedgerLine.supplier_licence_state,
    LedgerLine.documents,
    LedgerLine.appearance_ok,
)


def page_lines(
    session: Session,
    *,
    scope: ColumnElement[bool],
    filters: LineFilter,
    offset: int,
    limit: int,
    count_cap: int | None = None,
    brief: bool = False,
) -> tuple[Sequence[LedgerLine], int]:
    """One page of lines, latest purchase first, and the number of matches (counting stops
    at ``count_cap`` + 1 when given). ``brief`` loads only what a list page shows and
    flags (:data:`BRIEF_COLUMNS`): a quarter of the line's columns."""
    stmt = _filtered(scope, filters)
    counted = stmt.with_only_columns(literal(1))
    if count_cap is not None:
        counted = counted.limit(count_cap + 1)
    total = session.execute(select(func.count()).select_from(counted.subquery())).scalar_one()
    ordered = stmt.order_by(LedgerLine.purchase_date.desc(), LedgerLine.id.desc())
    if brief:
        # raiseload: a template that reads another column fails its tests, not N+1 queries.
        ordered = ordered.options(load_only(*BRIEF_COLUMNS, raiseload=True))
    rows = session.execute(ordered.offset(offset).limit(limit)).scalars().all()
    return rows, total


def iter_lines(
    session: Session, *, scope: ColumnElement[bool], filters: LineFilter, batch: int = 1000
) -> Iterator[LedgerLine]:
    """Every matching line in list order (exports), read by keyset pages."""
    stmt = _filtered(scope, filters).order_by(LedgerLine.purchase_date.desc(), LedgerLine.id.desc())
    offset = 0
    while True:
        chunk = session.execute(stmt.offset(offset).limit(batch)).scalars().all()
        if not chunk:
            return
        yield from chunk
        offset += batch


def get_line(session: Session, *, line_id: int, scope: ColumnElement[bool]) -> LedgerLine | None:
    return session.execute(
        select(LedgerLine).where(LedgerLine.id == line_id, scope)
    ).scalar_one_or_none()


def versions_of(session: Session, line: LedgerLine) -> Sequence[LedgerLine]:
    """The line's chain of corrections (older and newer versions), oldest first."""
    ids: set[int] = {line.id}
    frontier = [line]
    while frontier:
        linked = {
            i
            for x in frontier
            for i in (x.corrects_id, x.corrected_by_id)
            if i is not None and i not in ids
        }
        if not linked:
            break
        ids |= linked
        frontier = list(
            session.execute(select(LedgerLine).where(LedgerLine.id.in_(linked))).scalars()
        )
    stmt = select(LedgerLine).where(LedgerLine.id.in_(ids)).order_by(LedgerLine.id)
    return session.execute(stmt).scalars().all()


# Import jobs of ledger files (the registry's ImportJob table, kind "ledger") ---------------


def ledger_import_scope(business_id: int | None) -> ColumnElement[bool]:
    from sqlalchemy import and_, false

    if business_id is None:
        return false()
    return and_(ImportJob.kind == "ledger", ImportJob.business_id == business_id)


def get_import_job(session: Session, *, token: str, scope: ColumnElement[bool]) -> ImportJob | None:
    stmt = select(ImportJob).where(ImportJob.token == token, scope)
    return session.execute(stmt).scalar_one_or_none()


def recent_import_jobs(
    session: Session, *, scope: ColumnElement[bool], limit: int
) -> Sequence[ImportJob]:
    stmt = select(ImportJob).where(scope).order_by(ImportJob.id.desc()).limit(limit)
    return session.execute(stmt).scalars().all()


def import_job_by_id(session: Session, job_id: int) -> ImportJob | None:
    return session.get(ImportJob, job_id)


def business_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """The names of the businesses of a page of lines (one query)."""
    if not ids:
        return {}
    stmt = select(Business.id, Business.name).where(Business.id.in_(sorted(set(ids))))
    return {row.id: row.name for row in session.execute(stmt)}
