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
* shipping and transformation events: the ledger records receipts only. Rows come from
  the modules named in :data:`EVENT_ROW_MODULES` (the shipments feature registers shipping
  rows, the central kitchen feature transformations); without them the sheets carry their
  headers only.

Both exports stream: lines are read by keyset pages and written row by row to a temporary
file (see :mod:`xlsx_stream`), so a million rows take seconds and little memory.
"""

from __future__ import annotations

import csv
import importlib
import io
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.core.errors import Translate
from sunshine.core.i18n import N_
from sunshine.ingredients import access, rules, xlsx_stream
from sunshine.ingredients import reports_repository as repo
from sunshine.ingredients.enums import CATEGORY_LABELS, DocumentKind, TestKind
from sunshine.ingredients.models import LedgerLine
from sunshine.registry.models import Business

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
    "Shipping (1.1340) and transformation (1.1350) rows come from the platform's shipment "
    "and central-kitchen records where they exist; the purchase ledger records receipts only.",
    "Transformation KDEs follow 21 CFR 1.1350(a) as recalled, not checked against the text.",
)


@dataclass(frozen=True)
class FsmaQuery:
    date_from: date | None
    date_to: date | None
    lots: tuple[str, ...] = ()  # batch numbers or traceability lot codes


#: ``(session, actor, query) -> rows`` of the shipping or transformation sheet, in the
#: columns above; registered by the modules of :data:`EVENT_ROW_MODULES`.
EventRows = Callable[[Session, Principal, FsmaQuery], Iterator[Sequence[Any]]]
EVENT_ROW_MODULES: tuple[str, ...] = ()
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


def tlc_of(line: LedgerLine, supplier_code: str | None) -> str:
    """The line's lot as the platform names it (traceability.lots), or the bare batch
    where the line has neither batch nor production date to make one."""
    from sunshine.traceability.lots import batch_of, external_supplier_code, lot_id

    batch = batch_of(batch_number=line.batch_number, production_date=line.production_date)
    if batch is None:
        return ""
    code = supplier_code or external_supplier_code(line.supplier_id)
    return lot_id(
        gtin=line.gtin,
        supplier_code=code,
        product_id=line.product_id,
        batch=batch,
        product_name=line.product_name,
    )


def _matches(line: LedgerLine, tlc: str, wanted: frozenset[str]) -> bool:
    return not wanted or tlc in wanted or (line.batch_number or "") in wanted


class _Businesses:
    """Names, addresses and codes of the stores and suppliers met, read once each."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[int, Business | None] = {}

    def get(self, business_id: int | None) -> Business | None:
        if business_id is None:
            return None
        if business_id not in self.known:
            found = repo.businesses_by_ids(self.session, [business_id])
            self.known[business_id] = found.get(business_id)
            if found:
                self.session.expunge(found[business_id])
        return self.known[business_id]


def receiving_rows(*, session: Session, actor: Principal, query: FsmaQuery) -> Iterator[list[Any]]:
    """Every receiving CTE (a current ledger line) of the query, in the order recorded.

    What repeats from line to line (a lot's code, a store's or supplier's location, a set of
    documents) is worked out once: a million rows take seconds, not minutes."""
    batches = tuple(_batch_filter(query.lots))
    wanted = frozenset(query.lots)
    cache = _Businesses(session)
    tlcs: dict[tuple[Any, ...], str] = {}
    places: dict[int, str] = {}
    docs_text: dict[str, str] = {}
    lines = repo.stream_lines(
        session,
        scope=access.line_condition(actor),
        date_from=query.date_from,
        date_to=query.date_to,
        lots=batches,
    )
    for line in lines:
        key = (
            line.supplier_business_id,
            line.supplier_id,
            line.gtin,
            line.product_id,
            line.product_name,
            line.batch_number,
            line.production_date,
        )
        tlc = tlcs.get(key)
        if tlc is None:
            supplier = cache.get(line.supplier_business_id)
            tlc = tlcs[key] = tlc_of(line, supplier.public_code if supplier else None)
            if len(tlcs) > 200_000:
                tlcs.clear()
        if not _matches(line, tlc, wanted):
            continue
        place = places.get(line.business_id)
        if place is None:
            store = cache.get(line.business_id)
            place = location(store.name, store.address, store.contact_phone) if store else ""
            places[line.business_id] = place
        listed = ",".join(line.documents)
        docs = docs_text.get(listed)
        if docs is None:
            labels = [rules.DOCUMENT_LABELS[DocumentKind(d)] for d in line.documents]
            docs = docs_text[listed] = ", ".join(labels) or "Purchase ledger line"
        yield [
            tlc,
            line.quantity,
            line.unit,
            f"{line.product_name} {line.specification}".strip(),
            location(line.supplier_name, line.supplier_address, line.supplier_contact),
            place,
            line.purchase_date.isoformat(),
            f"Producer: {line.producer_name} (location not recorded)" if line.producer_name else "",
            docs,
            f"Ledger line {line.id}",
            line.gtin or "",
            line.batch_number or "",
            line.expiry_date.isoformat() if line.expiry_date else "",
            CATEGORY_LABELS[line.category],
        ]


def _batch_filter(lots: Sequence[str]) -> Iterator[str]:
    """The batch numbers to read: each given batch, and the batch inside each lot code."""
    from sunshine.traceability.lots import parse_lot_id

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
            widths=[40, 10, 8, 28, 40, 40, 12, 30, 28, 16],
        ),
        xlsx_stream.Sheet(
            "Transformation",
            headers(TRANSFORMATION_COLUMNS),
            _provided("transformation", session, actor, query),
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
