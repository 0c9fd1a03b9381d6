"""What the public sees of a store's ingredients (阳光食材): its main suppliers with their
licence status and upstream suppliers (上一级), its recent purchases of the key categories
with batch and use-by date, and safety marks on those batches.

Nothing personal: no recorder, no contact person or phone, no price (the ledger keeps no
price anyway), no quantity. Suppliers are businesses; their licence numbers are public.

Safety marks come from *mark providers*: this module provides "a sample of this batch
failed" (samples taken at the store or at its supplier, matched by product name and batch
number); the recall capability adds "this batch is under recall" by naming its module in
:data:`MARK_MODULES` whose import calls :func:`mark_provider`. A provider that marks a
batch must drop the store pages concerned (``invalidate_batch_holders``) when its mark
appears or goes, since the store page is cached.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from sunshine.core.cache import invalidate_after_commit
from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import today_local
from sunshine.ingredients import hooks, rules
from sunshine.ingredients import reports_repository as repo
from sunshine.ingredients.enums import LicenceState, ProductCategory
from sunshine.ingredients.models import LedgerLine
from sunshine.registry import repository as registry_repo
from sunshine.registry.enums import BusinessCategory
from sunshine.registry.public import changes_by_date, store_cache_keys
from sunshine.registry.service.businesses import invalidate_store_page
from sunshine.sampling import hooks as sampling_hooks
from sunshine.sampling.models import Sample

#: The window of "main suppliers" (by purchases over the last 90 days).
MAIN_SUPPLIER_DAYS = 90
MAIN_SUPPLIERS_SHOWN = 5
ON_STORE_PAGE = 8
STORE_PAGE = PageRequest(1, ON_STORE_PAGE)

LICENCE_LABELS = {
    LicenceState.VALID: N_("Licence valid"),
    LicenceState.EXPIRED: N_("Licence expired"),
    LicenceState.SUSPENDED: N_("Licence suspended"),
    LicenceState.REVOKED: N_("Licence revoked"),
    LicenceState.NONE: N_("No licence recorded"),
}


@dataclass(frozen=True)
class SafetyMark:
    """A mark on a purchased batch: ``kind`` a short key ("failed_sampling", "recall"),
    ``label`` an English msgid with ``params``, ``href`` where the public reads more."""

    kind: str
    label: str
    params: dict[str, str] = field(default_factory=dict)
    href: str | None = None


#: ``(session, lines) -> {line id: marks}``: the marks a provider puts on these lines.
MarkProvider = Callable[[Session, Sequence[LedgerLine]], dict[int, list[SafetyMark]]]
_providers: list[MarkProvider] = []
#: Modules whose import registers a mark provider (the recall capability adds its own).
MARK_MODULES: tuple[str, ...] = ("sunshine.traceability.recall_marks",)


def mark_provider(provider: MarkProvider) -> MarkProvider:
    """Register ``provider`` (usable as a decorator); registering it twice keeps one."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def forget_mark_provider(provider: MarkProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def marks_of(session: Session, lines: Sequence[LedgerLine]) -> dict[int, list[SafetyMark]]:
    """Every provider's marks on ``lines``, by line id."""
    for module in MARK_MODULES:
        importlib.import_module(module)  # cached by Python after the first time
    out: dict[int, list[SafetyMark]] = {line.id: [] for line in lines}
    if not lines:
        return out
    for provider in list(_providers):
        for line_id, marks in provider(session, lines).items():
            out.setdefault(line_id, []).extend(marks)
    return out


@mark_provider
def failed_sampling_marks(
    session: Session, lines: Sequence[LedgerLine]
) -> dict[int, list[SafetyMark]]:
    """A completed unqualified sample of the same product name and batch number, taken at
    the store itself or at the supplier that delivered the line."""
    batched = [line for line in lines if line.batch_number]
    businesses = {line.business_id for line in batched} | {
        line.supplier_business_id for line in batched if line.supplier_business_id
    }
    samples = repo.failed_samples(
        session,
        business_ids=sorted(businesses),
        batches=[line.batch_number for line in batched if line.batch_number],
    )
    by_key: dict[tuple[int | None, str, str | None], Sample] = {
        (s.business_id, s.product_name, s.batch_number): s for s in samples
    }
    out: dict[int, list[SafetyMark]] = {}
    for line in batched:
        for holder in (line.business_id, line.supplier_business_id):
            sample = by_key.get((holder, line.product_name, line.batch_number))
            if sample is not None:
                out.setdefault(line.id, []).append(
                    SafetyMark(
                        kind="failed_sampling",
                        label=N_("A sample of this batch failed its test on {day}"),
                        params={"day": sample.sampled_on.isoformat()},
                    )
                )
                break
    return out


@dataclass(frozen=True)
class PublicSupplier:
    name: str
    licence_number: str | None
    licence_state: LicenceState
    upstream: list[str]
    purchases: int
    public_code: str | None  # a registered caterer-side link is not offered: suppliers only


@dataclass(frozen=True)
class PublicPurchase:
    purchase_date: date
    product_name: str
    category: ProductCategory
    specification: str
    batch_number: str | None
    production_date: date | None
    expiry_date: date | None
    supplier_name: str
    marks: list[SafetyMark]


@dataclass(frozen=True)
class StoreIngredients:
    code: str
    name: str
    suppliers: list[PublicSupplier]
    purchases: Page[PublicPurchase]
    marked: int  # purchases shown with a safety mark
    since: date


def _supplier_state(row: repo.SupplierRow, today: date) -> tuple[str | None, LicenceState]:
    """The supplier's licence as it stands today (the registry's record for a registered
    business, the buyer's record for an external one)."""
    if row.business is not None:
        b = row.business
        return b.licence_number, rules.licence_state_on(
            status=b.licence_status.value,
            expiry=b.licence_expiry_date,
            number=b.licence_number,
            on=today,
        )
    s = row.supplier
    return s.licence_number, rules.licence_state_on(
        status=None, expiry=s.licence_expiry_date, number=s.licence_number, on=today
    )


def _purchase(line: LedgerLine, marks: list[SafetyMark]) -> PublicPurchase:
    return PublicPurchase(
        purchase_date=line.purchase_date,
        product_name=line.product_name,
        category=line.category,
        specification=line.specification,
        batch_number=line.batch_number,
        production_date=line.production_date,
        expiry_date=line.expiry_date,
        supplier_name=line.supplier_name,
        marks=marks,
    )


def store_ingredients(
    *, session: Session, code: str, page: PageRequest = STORE_PAGE, today: date | None = None
) -> StoreIngredients:
    """The ingredients section of the store with this QR code (404 for unknown codes)."""
    today = today or today_local()
    row = registry_repo.public_store(session, code.strip().upper())
    if row is None or row.category is not BusinessCategory.CATERER:
        raise NotFoundError(N_("No store has this code."))
    business_id = int(row.id)
    since = today - timedelta(days=MAIN_SUPPLIER_DAYS)
    rows = repo.main_suppliers(
        session, business_id=business_id, since=since, limit=MAIN_SUPPLIERS_SHOWN
    )
    upstream = repo.upstream_names(session, [r.supplier for r in rows])
    suppliers = []
    for r in rows:
        number, state = _supplier_state(r, today)
        suppliers.append(
            PublicSupplier(
                name=r.business.name if r.business is not None else r.supplier.name,
                licence_number=number,
                licence_state=state,
                upstream=upstream.get(r.supplier.id, []),
                purchases=r.lines,
                public_code=None,
            )
        )
    lines, total = repo.key_purchases(
        session, business_id=business_id, offset=page.offset, limit=page.per_page
    )
    marks = marks_of(session, lines)
    purchases = [_purchase(line, marks.get(line.id, [])) for line in lines]
    return StoreIngredients(
        code=str(row.public_code),
        name=str(row.name),
        suppliers=suppliers,
        purchases=Page(items=purchases, total=total, request=page),
        marked=sum(1 for p in purchases if p.marks),
        since=since,
    )


# Keeping the cached store page true ---------------------------------------------------------


@hooks.listen
def drop_store_page(session: Session, actor: object, line: LedgerLine, corrected: object) -> None:
    """A recorded or corrected line changes the store's ingredients section."""
    invalidate_store_page(session, line.business_id)


def invalidate_batch_holders(
    session: Session, *, business_ids: Sequence[int], product_name: str, batch: str
) -> None:
    """Drop the cached pages of every store holding lines of the batch from (or at) these
    businesses: for a mark provider whose mark appears or goes (a failed sample, a recall)."""
    codes = repo.buyers_of_batch(
        session, business_ids=business_ids, product_name=product_name, batch=batch
    )
    keys = [key for code in codes for key in store_cache_keys(code)]
    if keys:
        invalidate_after_commit(session, *keys)


@changes_by_date
def next_supplier_licence_change(session: Session, business_id: int, today: date) -> date | None:
    """The section shows each main supplier's licence today: the page stops being true the
    day after the first shown valid licence expires, or when a supplier drops out of the
    90-day window (its last purchase + 91 days)."""
    since = today - timedelta(days=MAIN_SUPPLIER_DAYS)
    rows = repo.main_suppliers(
        session, business_id=business_id, since=since, limit=MAIN_SUPPLIERS_SHOWN
    )
    days: list[date] = []
    for r in rows:
        expiry = r.business.licence_expiry_date if r.business else r.supplier.licence_expiry_date
        if expiry is not None and expiry >= today:
            days.append(expiry + timedelta(days=1))
        days.append(r.last_purchase + timedelta(days=MAIN_SUPPLIER_DAYS + 1))
    return min(days) if days else None


@sampling_hooks.listen
def drop_batch_pages(session: Session, failed: sampling_hooks.FailedSample) -> None:
    """A failed sample marks the batch on the pages of every store that bought it (from the
    sampled business or at it): drop those cached pages."""
    sample = failed.sample
    if sample.batch_number:
        invalidate_batch_holders(
            session,
            business_ids=[sample.business_id],
            product_name=sample.product_name,
            batch=sample.batch_number,
        )
