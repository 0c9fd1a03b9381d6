"""Exports of the purchase ledger.

* The Chinese ledger (台账) of one store and period in the operating norms' layout of the
  进货查验记录表 (kitchen-and-ingredients.md §2.1: the columns of the form reproduced from the
  2018 规范's appendix, **unverified**; the fields themselves are 食品安全法 Art. 53,
  **verified**), as XLSX (two header rows, the document and goods-in checks grouped) and as
  CSV.
* An FSMA 204-style electronic sortable spreadsheet (21 CFR 1.1455(c)(3)(ii): the records
  an FDA request asks for within 24 hours; paragraph number from memory, unverified): one
  sheet per critical tracking event type with its key data elements (KDEs): receiving,
  21 CFR 1.1345(a)(1)–(8); shipping, 1.1340(a)(1)–(8) (both read in eCFR copies at
  law.lawstack.com, verified); transformation, 1.1350(a) (from memory, unverified). As XLSX
  or as CSV files, one per sheet, zipped.

What the ledger cannot fill (said in the spreadsheet's notes sheet too):
* the TLC source (1.1345(a)(7)): the ledger keeps the producer's name, not its location
  (address and phone); the column gives the name and says so;
* the reference document number (1.1345(a)(8)): the ledger records which documents were
  checked, not their numbers; the column gives the types and the platform's line number;
* shipping and transformation events: the ledger records receipts only. Their rows come
  from the modules named in :data:`EVENT_ROW_MODULES`: the shipments suppliers record
  (:mod:`sunshine.ingredients.fsma_shipping`) and the TransformationEvents central kitchens
  capture in the EPCIS repository (:mod:`sunshine.traceability.fsma_transformations`).
  Every provider keeps to what the principal may see and to the query's days and lots
  (:func:`period_bounds`, :class:`LotFilter`).

Both exports stream: lines are read by keyset pages and written row by row to a temporary
file (see :mod:`xlsx_stream`), so a million rows take seconds and little memory.
"""

from __future__ import annotations

import contextlib
import csv
import importlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, cast, type_coerce
from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.core.errors import Translate
from sunshine.core.i18n import N_
from sunshine.core.time import SHANGHAI
from sunshine.ingredients import access, rules, xlsx_stream
from sunshine.ingredients import reports_repository as repo
from sunshine.ingredients.enums import CATEGORY_LABELS, DocumentKind, TestKind
from sunshine.ingredients.models import LedgerLine
from sunshine.registry.models import Business
from sunshine.traceability.epcis.identifiers import normalise_id
from sunshine.traceability.lots import batch_of, external_supplier_code, lot_id, parse_lot_id

# The Chinese ledger (台账) ----------------------------------------------------------------------

SOURCE_LAYOUT = "kitchen-and-ingredients.md §2.1 (进货查验记录表 layout; unverified)"
DOC_COLUMNS: tuple[tuple[str, tuple[DocumentKind, ...]], ...] = (
    (N_("Licence (if any)"), (DocumentKind.LICENCE,)),
    (N_("Business licence (if any)"), (DocumentKind.BUSINESS_LICENCE,)),
    (N_("Purchase voucher"), (DocumentKind.VOUCHER,)),
    (N_("Product test report"), (DocumentKind.TEST_REPORT,)),
    (
        N_("Other proof of conformity (if any)"),
        (DocumentKind.CONFORMITY, DocumentKind.QUARANTINE, DocumentKind.IMPORT_INSPECTION),
    ),
)
#: Columns of the form, in its order; ``None`` marks the two grouped column sets.
BOOK_COLUMNS: tuple[str, ...] = (
    N_("Purchase date"),
    N_("Product name"),
    N_("Specification"),
    N_("Quantity"),
    N_("Batch number or production date"),
    N_("Shelf life or use-by date"),
    N_("Producer"),
    N_("Supplier, its address and contact"),
    *(label for label, _ in DOC_COLUMNS),
    N_("Appearance check"),
    N_("Temperature check (if needed)"),
    N_("Own or commissioned test"),
    N_("Recorded by"),
    N_("Remarks"),
)
DOCS_GROUP = N_("Documents accompanying the goods checked")
INTAKE_GROUP = N_("Goods-in check")
BOOK_FOOTER = N_(
    "The food safety manager checks this record every week and has any anomaly put right at once."
)
CHECKED = "√"


@dataclass(frozen=True)
class Period:
    date_from: date | None
    date_to: date | None


def _batch_text(line: LedgerLine) -> str:
    parts = [
        line.batch_number or "",
        line.production_date.isoformat() if line.production_date else "",
    ]
    return " / ".join(p for p in parts if p)


def _shelf_text(line: LedgerLine, translate: Translate) -> str:
    if line.no_shelf_life:
        return translate(N_("No stated shelf life"))
    parts = []
    if line.shelf_life_days:
        parts.append(translate(N_("{n} days")).format(n=line.shelf_life_days))
    if line.expiry_date:
        parts.append(line.expiry_date.isoformat())
    return " / ".join(parts)


def _qty(line: LedgerLine) -> str:
    return f"{line.quantity.normalize():f} {line.unit}"


def book_row(line: LedgerLine, translate: Translate) -> list[Any]:
    """One line as a row of the 进货查验记录表."""
    docs = set(line.documents)
    test = ""
    if line.test_kind is not TestKind.NONE:
        test = translate(
            N_("Own test") if line.test_kind is TestKind.OWN else N_("Commissioned test")
        )
        test += f": {line.test_result}"
    remarks = line.remarks
    if line.corrects_id:
        note = translate(N_("Corrects line {line}: {reason}")).format(
            line=line.corrects_id, reason=line.correction_reason
        )
        remarks = f"{remarks} {note}".strip()
    return [
        line.purchase_date.isoformat(),
        line.product_name,
        line.specification,
        _qty(line),
        _batch_text(line),
        _shelf_text(line, translate),
        line.producer_name,
        "；".join(
            p for p in (line.supplier_name, line.supplier_address, line.supplier_contact) if p
        ),
        *(CHECKED if docs & {k.value for k in kinds} else "" for _, kinds in DOC_COLUMNS),
        translate(N_("Acceptable")) if line.appearance_ok else line.appearance_note,
        "" if line.temperature_c is None else f"{line.temperature_c:g} °C",
        test,
        line.recorder_name,
        remarks,
    ]


def _book_title(business: Business, period: Period, translate: Translate) -> str:
    span = " – ".join(d.isoformat() if d else "…" for d in (period.date_from, period.date_to))
    return f"{business.name} · {translate(N_('Purchase inspection record'))} · {span}"


def book_lines(
    *, session: Session, actor: Principal, business: Business, period: Period
) -> Iterator[LedgerLine]:
    """The store's current lines of the period, in purchase order (scoped to ``actor``;
    one store's period is a few thousand lines, sorted here)."""
    lines = repo.stream_lines(
        session,
        scope=access.line_condition(actor),
        date_from=period.date_from,
        date_to=period.date_to,
        business_id=business.id,
    )
    return iter(sorted(lines, key=lambda line: (line.purchase_date, line.id)))


def book_xlsx(
    *,
    session: Session,
    actor: Principal,
    business: Business,
    period: Period,
    translate: Translate,
) -> str:
    """The 台账 as an XLSX file (a temporary path the caller removes)."""
    columns = [translate(c) for c in BOOK_COLUMNS]
    first_doc = 8
    docs_end = first_doc + len(DOC_COLUMNS) - 1
    group = [""] * len(columns)
    group[0] = _book_title(business, period, translate)
    group[first_doc] = translate(DOCS_GROUP)
    group[docs_end + 1] = translate(INTAKE_GROUP)
    lines = book_lines(session=session, actor=actor, business=business, period=period)
    rows: Iterator[list[Any]] = (book_row(line, translate) for line in lines)

    def with_footer() -> Iterator[list[Any]]:
        yield from rows
        yield []
        yield [translate(BOOK_FOOTER)]

    col = xlsx_stream._col
    sheet = xlsx_stream.Sheet(
        name=translate(N_("Purchase inspection record")),
        headers=[group, columns],
        rows=with_footer(),
        widths=[12, 18, 12, 10, 16, 16, 18, 30, 8, 8, 8, 8, 10, 12, 10, 16, 10, 20],
        merges=[
            f"A1:{col(first_doc - 1)}1",
            f"{col(first_doc)}1:{col(docs_end)}1",
            f"{col(docs_end + 1)}1:{col(docs_end + 2)}1",
        ],
    )
    return _to_temp(lambda f: xlsx_stream.write(f, [sheet]), ".xlsx")


def book_csv(
    *,
    session: Session,
    actor: Principal,
    business: Business,
    period: Period,
    translate: Translate,
) -> bytes:
    """The 台账 as CSV (UTF-8 with a byte-order mark, for Excel): one store's period is a
    few thousand lines, so it is built in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_book_title(business, period, translate)])
    writer.writerow(
        [
            translate(c)
            if i < 8 or i >= 8 + len(DOC_COLUMNS)
            else f"{translate(DOCS_GROUP)}: {translate(c)}"
            for i, c in enumerate(BOOK_COLUMNS)
        ]
    )
    for line in book_lines(session=session, actor=actor, business=business, period=period):
        writer.writerow(book_row(line, translate))
    writer.writerow([])
    writer.writerow([translate(BOOK_FOOTER)])
    return buffer.getvalue().encode("utf-8-sig")


# The FSMA 204 electronic sortable spreadsheet --------------------------------------------------

FSMA_SOURCES = {
    "receiving": "21 CFR 1.1345(a)(1)-(8) (verified in an eCFR copy)",
    "shipping": "21 CFR 1.1340(a)(1)-(8) (verified in an eCFR copy)",
    "transformation": "21 CFR 1.1350(a) (from memory; unverified)",
}


@dataclass(frozen=True)
class KdeColumn:
    heading: str  # English: the FDA reads the spreadsheet in English
    cfr: str  # the paragraph that asks for it; "" for context the rule does not require


RECEIVING_COLUMNS: tuple[KdeColumn, ...] = (
    KdeColumn("Traceability Lot Code (TLC)", "1.1345(a)(1)"),
    KdeColumn("Quantity", "1.1345(a)(2)"),
    KdeColumn("Unit of Measure", "1.1345(a)(2)"),
    KdeColumn("Product Description", "1.1345(a)(3)"),
    KdeColumn("Immediate Previous Source Location Description", "1.1345(a)(4)"),
    KdeColumn("Receiving Location Description", "1.1345(a)(5)"),
    KdeColumn("Date Received", "1.1345(a)(6)"),
    KdeColumn("TLC Source Location Description or TLC Source Reference", "1.1345(a)(7)"),
    KdeColumn("Reference Document Type", "1.1345(a)(8)"),
    KdeColumn("Reference Document Number", "1.1345(a)(8)"),
    KdeColumn("Product GTIN", ""),
    KdeColumn("Batch / Lot Number", ""),
    KdeColumn("Expiry Date", ""),
    KdeColumn("Category", ""),
)
SHIPPING_COLUMNS: tuple[KdeColumn, ...] = (
    KdeColumn("Traceability Lot Code (TLC)", "1.1340(a)(1)"),
    KdeColumn("Quantity", "1.1340(a)(2)"),
    KdeColumn("Unit of Measure", "1.1340(a)(2)"),
    KdeColumn("Product Description", "1.1340(a)(3)"),
    KdeColumn("Immediate Subsequent Recipient Location Description", "1.1340(a)(4)"),
    KdeColumn("Shipped From Location Description", "1.1340(a)(5)"),
    KdeColumn("Date Shipped", "1.1340(a)(6)"),
    KdeColumn("TLC Source Location Description or TLC Source Reference", "1.1340(a)(7)"),
    KdeColumn("Reference Document Type", "1.1340(a)(8)"),
    KdeColumn("Reference Document Number", "1.1340(a)(8)"),
    KdeColumn("Product GTIN", ""),
    KdeColumn("Batch / Lot Number", ""),
    KdeColumn("Expiry Date", ""),
    KdeColumn("Category", ""),
    KdeColumn("Receipt by the Recipient", ""),
)
TRANSFORMATION_COLUMNS: tuple[KdeColumn, ...] = (
    KdeColumn("Input Traceability Lot Code", "1.1350(a)(1)"),
    KdeColumn("Input Product Description", "1.1350(a)(1)"),
    KdeColumn("Input Quantity", "1.1350(a)(1)"),
    KdeColumn("Input Unit of Measure", "1.1350(a)(1)"),
    KdeColumn("New Traceability Lot Code", "1.1350(a)(2)"),
    KdeColumn("Transformation Location Description (TLC Source)", "1.1350(a)(2)"),
    KdeColumn("Date Transformation Completed", "1.1350(a)(2)"),
    KdeColumn("New Product Description", "1.1350(a)(2)"),
    KdeColumn("New Quantity", "1.1350(a)(2)"),
    KdeColumn("New Unit of Measure", "1.1350(a)(2)"),
    KdeColumn("Reference Document Type", "1.1350(a)(2)"),
    KdeColumn("Reference Document Number", "1.1350(a)(2)"),
)
UNFILLED_NOTES = (
    "TLC Source (1.1345(a)(7)): the purchase ledger keeps the producer's name only, not its "
    "address and phone; the column gives the name.",
    "Reference Document Number (1.1345(a)(8)): the ledger records which documents were "
    "checked, not their numbers; the column gives the platform's ledger line number.",
    "Shipping (1.1340) rows are the shipments suppliers recorded on the platform (线上下单); "
    "a supplier's shipments recorded elsewhere and captured only as EPCIS events are not "
    "listed. TLC Source gives the producer's name where the supplier recorded one; the "
    "Reference Document Number is the supplier's delivery note number, or the platform's "
    "shipment number where it gave none.",
    "Transformation (1.1350) rows are the TransformationEvents central kitchens captured in "
    "the platform's EPCIS repository, one row per input lot and new lot; events withdrawn by "
    "an error declaration are left out. Product descriptions come from the platform's "
    "product library or the lot code itself.",
    "Transformation KDEs follow 21 CFR 1.1350(a) as recalled, not checked against the text.",
)


@dataclass(frozen=True)
class FsmaQuery:
    date_from: date | None
    date_to: date | None
    lots: tuple[str, ...] = ()  # batch numbers or traceability lot codes


def period_bounds(query: FsmaQuery) -> tuple[datetime | None, datetime | None]:
    """The query's local days as a half-open UTC interval, for events stamped with a time
    (a shipment's departure, a transformation's end)."""
    start = datetime.combine(query.date_from, time.min, SHANGHAI) if query.date_from else None
    end = (
        datetime.combine(query.date_to + timedelta(days=1), time.min, SHANGHAI)
        if query.date_to
        else None
    )
    return start, end


@dataclass(frozen=True)
class LotFilter:
    """The query's lots: lot codes (matched exactly, as given and as the repository writes
    them) and bare batch numbers (matched on the batch); empty: every lot."""

    ids: frozenset[str]
    batches: frozenset[str]

    @classmethod
    def of(cls, values: Sequence[str]) -> LotFilter:
        ids: set[str] = set()
        batches: set[str] = set()
        for value in values:
            if ":" not in value:
                batches.add(value)
                continue
            ids.add(value)
            if parse_lot_id(value) is None:
                batches.add(value)  # a batch number with a colon in it
            # One the repository cannot read is matched as given only.
            with contextlib.suppress(ValueError):
                ids.add(normalise_id(value))
        return cls(frozenset(ids), frozenset(batches))

    def __bool__(self) -> bool:
        return bool(self.ids or self.batches)

    def matches(self, tlc: str, batch: str | None) -> bool:
        return not self or tlc in self.ids or (batch or "") in self.batches


#: ``(session, actor, query) -> rows`` of the shipping or transformation sheet, in the
#: columns above; registered by the modules of :data:`EVENT_ROW_MODULES`.
EventRows = Callable[[Session, Principal, FsmaQuery], Iterator[Sequence[Any]]]
EVENT_ROW_MODULES: tuple[str, ...] = (
    "sunshine.ingredients.fsma_shipping",
    "sunshine.traceability.fsma_transformations",
)
_event_rows: dict[str, list[EventRows]] = {"shipping": [], "transformation": []}


def event_rows(kind: str) -> Callable[[EventRows], EventRows]:
    """Register a source of ``kind`` ("shipping" or "transformation") rows."""

    def register(provider: EventRows) -> EventRows:
        if provider not in _event_rows[kind]:
            _event_rows[kind].append(provider)
        return provider

    return register


def _provided(kind: str, session: Session, actor: Principal, query: FsmaQuery) -> Iterator[Any]:
    for module in EVENT_ROW_MODULES:
        importlib.import_module(module)
    for provider in list(_event_rows[kind]):
        yield from provider(session, actor, query)


def location(name: str, address: str, phone: str) -> str:
    """A location description (21 CFR 1.1310: business name, phone number, address)."""
    return "; ".join(p for p in (name, address, phone) if p)


def tlc_of(line: Any, supplier_code: str | None) -> str:
    """The line's lot as the platform names it (traceability.lots), or the bare batch
    where the line has neither batch nor production date to make one."""
    return _tlc(
        supplier_code,
        line.supplier_id,
        line.gtin,
        line.product_id,
        line.product_name,
        line.batch_number,
        line.production_date,
    )


def _tlc(
    supplier_code: str | None,
    supplier_id: int,
    gtin: str | None,
    product_id: int | None,
    product_name: str,
    batch_number: str | None,
    production_date: date | None,
) -> str:
    batch = batch_of(batch_number=batch_number, production_date=production_date)
    if batch is None:
        return ""
    return lot_id(
        gtin=gtin,
        supplier_code=supplier_code or external_supplier_code(supplier_id),
        product_id=product_id,
        batch=batch,
        product_name=product_name,
    )


#: The columns the receiving sheet reads, in the order :func:`receiving_rows` unpacks them
#: (not all 45 of a line: converting the rest was a third of a million-row export).
#: ``documents`` comes as its JSON text: few distinct sets repeat over millions of lines,
#: so each is decoded once (:class:`_ReceivingCache`).
RECEIVING_READS: tuple[Any, ...] = (
    LedgerLine.id,
    LedgerLine.business_id,
    LedgerLine.supplier_business_id,
    LedgerLine.supplier_id,
    LedgerLine.gtin,
    LedgerLine.product_id,
    LedgerLine.product_name,
    LedgerLine.specification,
    # The stored value, not the enum (a labels lookup by value needs no conversion per row).
    type_coerce(LedgerLine.category, String).label("category"),
    LedgerLine.quantity,
    LedgerLine.unit,
    LedgerLine.batch_number,
    LedgerLine.production_date,
    LedgerLine.expiry_date,
    LedgerLine.purchase_date,
    LedgerLine.producer_name,
    LedgerLine.supplier_name,
    LedgerLine.supplier_address,
    LedgerLine.supplier_contact,
    cast(LedgerLine.documents, String).label("documents"),
)
_CATEGORY_BY_VALUE = {category.value: label for category, label in CATEGORY_LABELS.items()}
#: Entries per memo of :class:`_ReceivingCache` before it starts afresh (memory stays flat
#: whatever the export's size; a province's stores and suppliers fit).
MEMO_LIMIT = 200_000


class _ReceivingCache:
    """What repeats from line to line, worked out once: a lot's code, a business's location
    and code, a supplier's location, a product's description, a day, a set of documents."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cards: dict[int, repo.BusinessCard | None] = {}
        self.tlcs: dict[tuple[Any, ...], str] = {}
        self.places: dict[int, str] = {}
        self.products: dict[tuple[str, str], str] = {}
        self.suppliers: dict[tuple[str, str, str], str] = {}
        self.producers: dict[str, str] = {}
        self.days: dict[date, str] = {}
        self.docs: dict[str, str] = {}

    def load(self, page: Sequence[Any]) -> None:
        """Read the stores and suppliers of a page of lines not met yet, in one query."""
        for memo in (self.tlcs, self.products, self.suppliers, self.producers, self.days):
            if len(memo) > MEMO_LIMIT:
                memo.clear()
        if len(self.cards) > MEMO_LIMIT:
            self.cards.clear()
            self.places.clear()
        # By position: a row's attribute access costs twenty times its index.
        missing = {line[1] for line in page} | {line[2] for line in page if line[2]}
        missing -= self.cards.keys()
        if missing:
            found = repo.business_cards(self.session, sorted(missing))
            self.cards.update({i: found.get(i) for i in missing})

    def tlc(
        self,
        supplier_business_id: int | None,
        supplier_id: int,
        gtin: str | None,
        product_id: int | None,
        product_name: str,
        batch_number: str | None,
        production_date: date | None,
    ) -> str:
        # A registered supplier's lots are named by its code, whichever store's record of
        # it the line names; an external supplier's by that record. A production date
        # stands for a missing batch.
        key = (
            supplier_business_id,
            None if supplier_business_id else supplier_id,
            gtin,
            product_id,
            product_name,
            batch_number or production_date,
        )
        found = self.tlcs.get(key)
        if found is None:
            card = self.cards.get(supplier_business_id or 0)
            found = self.tlcs[key] = _tlc(
                card.public_code if card else None,
                supplier_id,
                gtin,
                product_id,
                product_name,
                batch_number,
                production_date,
            )
        return found

    def place(self, business_id: int) -> str:
        found = self.places.get(business_id)
        if found is None:
            card = self.cards.get(business_id)
            found = location(card.business_name, card.address, card.phone) if card else ""
            self.places[business_id] = found
        return found

    def product(self, name: str, specification: str) -> str:
        key = (name, specification)
        found = self.products.get(key)
        if found is None:
            found = self.products[key] = f"{name} {specification}".strip()
        return found

    def supplier(self, name: str, address: str, contact: str) -> str:
        key = (name, address, contact)
        found = self.suppliers.get(key)
        if found is None:
            found = self.suppliers[key] = location(name, address, contact)
        return found

    def producer(self, name: str) -> str:
        found = self.producers.get(name)
        if found is None:
            found = f"Producer: {name} (location not recorded)" if name else ""
            self.producers[name] = found
        return found

    def day(self, value: date | None) -> str:
        if value is None:
            return ""
        found = self.days.get(value)
        if found is None:
            found = self.days[value] = value.isoformat()
        return found

    def documents(self, raw: str | None) -> str:
        found = self.docs.get(raw or "")
        if found is None:
            kinds = json.loads(raw) if raw else []
            labels = [rules.DOCUMENT_LABELS[DocumentKind(d)] for d in kinds]
            found = self.docs[raw or ""] = ", ".join(labels) or "Purchase ledger line"
        return found


def receiving_rows(*, session: Session, actor: Principal, query: FsmaQuery) -> Iterator[list[Any]]:
    """Every receiving CTE (a current ledger line) of the query, in the order recorded.

    What repeats from line to line is worked out once (:class:`_ReceivingCache`), only the
    columns the sheet shows are read, and each row is unpacked once (a row's attribute
    access is slow): a million rows take seconds, not minutes."""
    wanted = LotFilter.of(query.lots)
    memo = _ReceivingCache(session)
    pages = repo.line_pages(
        session,
        scope=access.line_condition(actor),
        date_from=query.date_from,
        date_to=query.date_to,
        lots=tuple(_batch_filter(query.lots)),
        columns=RECEIVING_READS,
    )
    for page in pages:
        memo.load(page)
        for (
            line_id,
            business_id,
            supplier_business_id,
            supplier_id,
            gtin,
            product_id,
            product_name,
            specification,
            category,
            quantity,
            unit,
            batch_number,
            production_date,
            expiry_date,
            purchase_date,
            producer_name,
            supplier_name,
            supplier_address,
            supplier_contact,
            documents,
        ) in page:
            tlc = memo.tlc(
                supplier_business_id,
                supplier_id,
                gtin,
                product_id,
                product_name,
                batch_number,
                production_date,
            )
            if wanted and not wanted.matches(tlc, batch_number):
                continue
            yield [
                tlc,
                quantity,
                unit,
                memo.product(product_name, specification),
                memo.supplier(supplier_name, supplier_address, supplier_contact),
                memo.place(business_id),
                memo.day(purchase_date),
                memo.producer(producer_name),
                memo.documents(documents),
                f"Ledger line {line_id}",
                gtin or "",
                batch_number or "",
                memo.day(expiry_date),
                _CATEGORY_BY_VALUE[category],
            ]


def _batch_filter(lots: Sequence[str]) -> Iterator[str]:
    """The batch numbers to read: each given batch, and the batch inside each lot code."""
    for value in lots:
        parts = parse_lot_id(value) if ":" in value else None
        yield parts.batch if parts is not None else value


def fsma_sheets(*, session: Session, actor: Principal, query: FsmaQuery) -> list[xlsx_stream.Sheet]:
    def headers(columns: Sequence[KdeColumn]) -> list[list[str]]:
        return [[c.heading for c in columns], [f"21 CFR {c.cfr}" if c.cfr else "" for c in columns]]

    return [
        xlsx_stream.Sheet(
            "Receiving",
            headers(RECEIVING_COLUMNS),
            receiving_rows(session=session, actor=actor, query=query),
            widths=[40, 10, 8, 28, 40, 40, 12, 30, 28, 16, 16, 14, 12, 14],
        ),
        xlsx_stream.Sheet(
            "Shipping",
            headers(SHIPPING_COLUMNS),
            _provided("shipping", session, actor, query),
            widths=[40, 10, 8, 28, 40, 40, 12, 30, 28, 16, 16, 14, 12, 14, 24],
        ),
        xlsx_stream.Sheet(
            "Transformation",
            headers(TRANSFORMATION_COLUMNS),
            _provided("transformation", session, actor, query),
            widths=[40, 28, 10, 8, 40, 40, 12, 28, 10, 8, 28, 30],
        ),
        xlsx_stream.Sheet(
            "Notes",
            [["Notes on this spreadsheet"]],
            [[n] for n in (*UNFILLED_NOTES, *(f"{k}: {v}" for k, v in FSMA_SOURCES.items()))],
            widths=[120],
        ),
    ]


def fsma_xlsx(*, session: Session, actor: Principal, query: FsmaQuery) -> str:
    """The spreadsheet as XLSX (a temporary path the caller removes)."""
    sheets = fsma_sheets(session=session, actor=actor, query=query)
    return _to_temp(lambda f: xlsx_stream.write(f, sheets), ".xlsx")


def fsma_zip(*, session: Session, actor: Principal, query: FsmaQuery) -> str:
    """The spreadsheet as CSV files, one per sheet, zipped (a temporary path)."""

    def build(f: Any) -> None:
        with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for sheet in fsma_sheets(session=session, actor=actor, query=query):
                with z.open(f"{sheet.name.lower()}.csv", "w", force_zip64=True) as raw:
                    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                    writer = csv.writer(text)
                    writer.writerows(sheet.headers)
                    writer.writerows(sheet.rows)
                    text.flush()
                    text.detach()

    return _to_temp(build, ".zip")


def _to_temp(build: Callable[[Any], object], suffix: str) -> str:
    fd, path = tempfile.mkstemp(prefix="sunshine-export-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            build(f)
    except BaseException:
        os.unlink(path)
        raise
    return path
