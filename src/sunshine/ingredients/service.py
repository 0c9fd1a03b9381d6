"""Recording the purchase ledger (进货查验记录) and correcting it.

A line is refused whole, every problem named by its field, when a field the law requires
is missing (食品安全法 Art. 53: name, specification, quantity, production date or batch, shelf
life, purchase date, supplier with address and contact), when dates contradict each other
(a use-by date before the production date, a production date after the purchase, a purchase
in the future) or when the supplier is not one of the store's. Nothing is stored then.

A stored line is never changed or deleted; a correction is a new line that names the line it
declares wrong and why (an EPCIS error declaration, through :mod:`hooks`). What the rules
only flag (a supplier's licence expired on the purchase date, goods past their use-by date
on receipt, documents a key category should carry) is stored as it happened and shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth.principal import Principal
from sunshine.core import evidence
from sunshine.core.errors import (
    ConflictError,
    FieldProblem,
    NotFoundError,
    ProblemList,
    ValidationFailed,
)
from sunshine.core.evidence_models import EvidenceFile, EvidenceKind
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import to_local, utc_now
from sunshine.ingredients import access, catalog, hooks, rules
from sunshine.ingredients import repository as repo
from sunshine.ingredients.enums import (
    KEY_CATEGORIES,
    DocumentKind,
    LicenceState,
    ProductCategory,
    TestKind,
)
from sunshine.ingredients.models import LedgerLine, Product, Supplier
from sunshine.ingredients.schemas import LedgerLineIn
from sunshine.registry.models import Business
from sunshine.registry.service import get_business

OWNER = "ledger_line"
MAX_FILES = 20
FILES = evidence.EvidenceRules(
    kinds=frozenset({EvidenceKind.DOCUMENT, EvidenceKind.PHOTO}), max_files=MAX_FILES, field="files"
)
REQUIRED = N_("This field is required")
FLAG_LABELS = {
    "licence_expired": N_("The supplier's licence had expired on the purchase date"),
    "licence_suspended": N_("The supplier's licence was suspended on the purchase date"),
    "licence_revoked": N_("The supplier's licence was revoked on the purchase date"),
    "expired_on_receipt": N_("The goods were past their use-by date when received"),
    "missing_documents": N_("Documents expected for this key category were not checked"),
    "appearance": N_("The goods' appearance was not acceptable"),
}


@dataclass(frozen=True)
class DocumentFile:
    """A photo or PDF of one checked document (an invoice, a licence, a test report)."""

    kind: DocumentKind
    upload: evidence.Upload


@dataclass
class Checked:
    """A line's input once the rules found nothing wrong: the values to store."""

    data: LedgerLineIn
    business: Business
    supplier: catalog.SupplierView
    product: Product | None
    product_name: str
    category: ProductCategory
    specification: str
    gtin: str | None
    shelf_life_days: int | None
    expiry: date | None
    producer_name: str
    documents: list[DocumentKind] = field(default_factory=list)


# Checking -----------------------------------------------------------------------------------


def _product(
    session: Session, actor: Principal, data: LedgerLineIn, check: ProblemList
) -> Product | None:
    if data.product_id is None:
        return None
    found = repo.get_product(
        session, product_id=data.product_id, scope=access.product_condition(actor)
    )
    if found is None:
        check.add("product_id", N_("no such product in the library"))
    return found


def _product_of_gtin(session: Session, actor: Principal, data: LedgerLineIn) -> Product | None:
    """A typed (or scanned) barcode picks its product when none was chosen, so the form
    works without scripts."""
    if data.product_id is not None or not data.gtin:
        return None
    try:
        gtin = rules.normalise_gtin(data.gtin)
    except ValueError:
        return None  # named by the GTIN check below
    found = repo.products_by_gtin(session, gtin=gtin, scope=access.product_condition(actor))
    return found[0] if found else None


def _supplier(
    session: Session, business: Business, data: LedgerLineIn, check: ProblemList
) -> catalog.SupplierView | None:
    found = repo.get_supplier(
        session,
        supplier_id=data.supplier_id,
        scope=(Supplier.business_id == business.id) & Supplier.active.is_(True),
    )
    if found is None:
        check.add("supplier_id", N_("not one of this store's suppliers"))
        return None
    view = catalog.supplier_view(*found)
    if not view.address or not view.contact:
        check.add(
            "supplier_id",
            N_("the supplier's address and contact are missing: complete the supplier's record"),
        )
    return view


def _check_dates(check: ProblemList, data: LedgerLineIn, expiry: date | None, today: date) -> None:
    if data.purchase_date > today:
        check.add("purchase_date", N_("the purchase date is in the future"))
    if not data.batch_number and data.production_date is None:
        check.add("batch_number", N_("give the batch number or the production date"))
    if data.production_date is not None and data.production_date > data.purchase_date:
        check.add("production_date", N_("the production date is after the purchase date"))
    given = data.shelf_life_days is not None or data.expiry_date is not None
    if data.no_shelf_life and given:
        check.add(
            "no_shelf_life",
            N_("a product without a stated shelf life has no shelf life or use-by date"),
        )
    elif not data.no_shelf_life and not given:
        check.add(
            "expiry_date",
            N_("give the shelf life or the use-by date, or say it has no stated shelf life"),
        )
    if expiry is not None and data.production_date is not None and expiry < data.production_date:
        check.add("expiry_date", N_("the use-by date is before the production date"))


def _check_receipt(check: ProblemList, data: LedgerLineIn) -> None:
    if not data.appearance_ok and not data.appearance_note:
        check.add("appearance_note", N_("say what was wrong with the goods' appearance"))
    if data.test_kind is not TestKind.NONE and not data.test_result:
        check.add("test_result", N_("give the result of the test"))
    if not data.recorder_name.strip():
        check.add("recorder_name", REQUIRED)


def check_line(
    *,
    session: Session,
    actor: Principal,
    business: Business,
    data: LedgerLineIn,
    today: date,
    file_kinds: Sequence[DocumentKind] = (),
) -> tuple[Checked | None, list[FieldProblem]]:
    """Every rule of a line (the phone form, the API and each row of an import file):
    the values to store, or the problems by field."""
    check = ProblemList()
    product = _product(session, actor, data, check) or _product_of_gtin(session, actor, data)
    name = data.product_name or (product.name if product else "")
    category = data.category or (product.category if product else None)
    specification = data.specification or (product.specification if product else "")
    if not name:
        check.add("product_name", REQUIRED)
    if category is None:
        check.add("category", REQUIRED)
    if not specification:
        check.add("specification", REQUIRED)
    gtin = None
    raw_gtin = data.gtin or (product.gtin if product else None)
    if raw_gtin:
        try:
            gtin = rules.normalise_gtin(raw_gtin)
        except ValueError as exc:
            check.add("gtin", str(exc))
    shelf = data.shelf_life_days
    if shelf is None and data.expiry_date is None and not data.no_shelf_life and product:
        shelf = product.shelf_life_days
    expiry = rules.expiry_of(
        production_date=data.production_date, shelf_life_days=shelf, expiry_date=data.expiry_date
    )
    with_shelf = data.model_copy(update={"shelf_life_days": shelf})
    _check_dates(check, with_shelf, expiry, today)
    _check_receipt(check, data)
    supplier = _supplier(session, business, data, check)
    if check.problems or supplier is None or category is None:
        return None, check.problems
    documents = sorted(set(data.documents) | set(file_kinds), key=list(DocumentKind).index)
    return (
        Checked(
            data=data,
            business=business,
            supplier=supplier,
            product=product,
            product_name=name,
            category=category,
            specification=specification,
            gtin=gtin,
            shelf_life_days=shelf,
            expiry=expiry,
            producer_name=data.producer_name or (product.producer_name if product else ""),
            documents=documents,
        ),
        [],
    )


# Recording ----------------------------------------------------------------------------------


def record_line(
    *,
    session: Session,
    actor: Principal,
    business_id: int,
    data: LedgerLineIn,
    files: Sequence[DocumentFile] = (),
    now: datetime | None = None,
) -> LedgerLine:
    """Store one purchase of the actor's store (``now``: the demo records past ones)."""
    business = get_business(session=session, actor=actor, business_id=business_id)
    access.require_recorder(actor, business.id)
    return _record(session, actor, business, data, files, now, corrects=None, reason="")


def correct_line(
    *,
    session: Session,
    actor: Principal,
    line_id: int,
    data: LedgerLineIn,
    reason: str,
    files: Sequence[DocumentFile] = (),
    now: datetime | None = None,
) -> LedgerLine:
    """Store the line as it should have been and declare ``line_id`` wrong (it stays,
    marked corrected, and lists show the new one). Only the current version is corrected."""
    old = repo.get_line(session, line_id=line_id, scope=access.line_condition(actor))
    if old is None:
        raise NotFoundError(N_("No such ledger line"))
    access.require_recorder(actor, old.business_id)
    if old.corrected_by_id is not None:
        raise ConflictError(
            N_("This line was already corrected by line {line}; correct that one instead."),
            line=old.corrected_by_id,
        )
    reason = reason.strip()
    if not reason or len(reason) > rules.MAX_NOTE:
        message = REQUIRED if not reason else N_("at most {limit} characters")
        raise ValidationFailed([FieldProblem("reason", message, params={"limit": rules.MAX_NOTE})])
    business = get_business(session=session, actor=actor, business_id=old.business_id)
    return _record(session, actor, business, data, files, now, corrects=old, reason=reason)


def _record(
    session: Session,
    actor: Principal,
    business: Business,
    data: LedgerLineIn,
    files: Sequence[DocumentFile],
    now: datetime | None,
    *,
    corrects: LedgerLine | None,
    reason: str,
) -> LedgerLine:
    recorded_at = now or utc_now()
    entered_on = to_local(recorded_at).date()
    checked, problems = check_line(
        session=session,
        actor=actor,
        business=business,
        data=data,
        today=entered_on,
        file_kinds=[f.kind for f in files],
    )
    if checked is None:
        raise ValidationFailed(problems)
    # The files last: every other problem is named before any file is read.
    prepared = evidence.prepare(session=session, uploads=[f.upload for f in files], rules=FILES)
    line = _store(session, actor, checked, recorded_at, entered_on, corrects, reason)
    _attach(session, actor, line, files, prepared, corrects)
    if corrects is not None:
        corrects.corrected_by_id = line.id
        session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="ledger_line.correct" if corrects is not None else "ledger_line.record",
        entity_type="ledger_line",
        entity_id=line.id,
        before={"line": corrects.id, "current": True} if corrects is not None else None,
        after=summary(line),
    )
    hooks.line_recorded(session=session, actor=actor, line=line, corrected=corrects)
    return line


def _store(
    session: Session,
    actor: Principal,
    c: Checked,
    recorded_at: datetime,
    entered_on: date,
    corrects: LedgerLine | None,
    reason: str,
) -> LedgerLine:
    line = new_line(actor, c, recorded_at, entered_on, corrects, reason)
    session.add(line)
    session.flush()
    return line


def new_line(
    actor: Principal,
    c: Checked,
    recorded_at: datetime,
    entered_on: date,
    corrects: LedgerLine | None = None,
    reason: str = "",
) -> LedgerLine:
    """The row of a checked line, not yet added (the batch path adds many, then flushes)."""
    data, business, supplier = c.data, c.business, c.supplier
    return LedgerLine(
        business_id=business.id,
        province_code=business.province_code,
        prefecture_code=business.prefecture_code,
        county_code=business.county_code,
        township_code=business.township_code,
        purchase_date=data.purchase_date,
        product_id=c.product.id if c.product else None,
        product_name=c.product_name,
        category=c.category,
        specification=c.specification,
        gtin=c.gtin,
        quantity=data.quantity,
        unit=data.unit,
        batch_number=data.batch_number or None,
        production_date=data.production_date,
        shelf_life_days=c.shelf_life_days,
        expiry_date=c.expiry,
        no_shelf_life=data.no_shelf_life,
        producer_name=c.producer_name,
        supplier_id=supplier.id,
        supplier_business_id=supplier.business_id,
        supplier_name=supplier.name,
        supplier_address=supplier.address,
        supplier_contact=supplier.contact,
        supplier_licence_number=supplier.licence_number,
        supplier_licence_expiry=supplier.licence_expiry,
        supplier_licence_state=supplier.licence_on(data.purchase_date),
        supplier_licence_scope=list(supplier.licence_scope),
        documents=[d.value for d in c.documents],
        document_files={},
        appearance_ok=data.appearance_ok,
        appearance_note=data.appearance_note,
        temperature_c=data.temperature_c,
        test_kind=data.test_kind,
        test_result=data.test_result if data.test_kind is not TestKind.NONE else "",
        recorder_name=data.recorder_name.strip(),
        remarks=data.remarks,
        retain_until=rules.retain_until(expiry=c.expiry, entered_on=entered_on),
        corrects_id=corrects.id if corrects is not None else None,
        correction_reason=reason,
        recorded_by_id=actor.user_id,
        recorded_at=recorded_at,
        entered_on=entered_on,
    )


def _attach(
    session: Session,
    actor: Principal,
    line: LedgerLine,
    files: Sequence[DocumentFile],
    prepared: list[evidence.PreparedFile],
    corrects: LedgerLine | None,
) -> None:
    """Attach the files to the line by document; a correction keeps the old line's files
    of the documents it still lists and sends no new file for."""
    by_kind: dict[str, list[str]] = {}
    if prepared:
        rows = evidence.record(
            session=session, actor=actor, prepared=prepared, owner_type=OWNER, owner_id=line.id
        )
        for sent, row in zip(files, rows, strict=True):
            by_kind.setdefault(sent.kind.value, []).append(row.token)
    if corrects is not None:
        for kind, tokens in (corrects.document_files or {}).items():
            if kind in line.documents and kind not in by_kind:
                by_kind[kind] = list(tokens)
    line.document_files = by_kind
    session.flush()


def summary(line: LedgerLine) -> dict[str, object]:
    return {
        "business_id": line.business_id,
        "purchase_date": line.purchase_date.isoformat(),
        "product": line.product_name,
        "category": line.category.value,
        "quantity": f"{line.quantity} {line.unit}",
        "batch": line.batch_number,
        "supplier_id": line.supplier_id,
        "retain_until": line.retain_until.isoformat(),
        "corrects": line.corrects_id,
    }


# Reading ------------------------------------------------------------------------------------


def flags_of(line: LedgerLine) -> list[str]:
    """What the rules flag on a stored line (keys of :data:`FLAG_LABELS`)."""
    flags = []
    state = line.supplier_licence_state
    if state in (LicenceState.EXPIRED, LicenceState.SUSPENDED, LicenceState.REVOKED):
        flags.append(f"licence_{state.value}")
    if line.expiry_date is not None and line.expiry_date < line.purchase_date:
        flags.append("expired_on_receipt")
    if line.category in KEY_CATEGORIES and rules.missing_documents(
        line.category, frozenset(DocumentKind(d) for d in line.documents)
    ):
        flags.append("missing_documents")
    if not line.appearance_ok:
        flags.append("appearance")
    return flags


def list_lines(
    *,
    session: Session,
    actor: Principal,
    filters: repo.LineFilter,
    page: PageRequest,
    brief: bool = False,
) -> Page[LedgerLine]:
    """The current lines the actor may see under the filters, latest purchase first
    (``brief``: only the columns a list page shows, see ``repo.BRIEF_COLUMNS``)."""
    rows, total = repo.page_lines(
        session,
        scope=access.line_condition(actor),
        filters=filters,
        offset=page.offset,
        limit=page.per_page,
        count_cap=10_000,
        brief=brief,
    )
    return Page(items=rows, total=total, request=page, count_cap=10_000)


def iter_lines(*, session: Session, actor: Principal, filters: repo.LineFilter) -> list[LedgerLine]:
    return list(repo.iter_lines(session, scope=access.line_condition(actor), filters=filters))


@dataclass(frozen=True)
class LineFile:
    line: LedgerLine
    versions: Sequence[LedgerLine]
    files: dict[str, list[EvidenceFile]]
    flags: list[str]
    missing: list[DocumentKind]


def line_file(*, session: Session, actor: Principal, line_id: int) -> LineFile:
    """One line with its versions, its files by document and what the rules flag."""
    line = repo.get_line(session, line_id=line_id, scope=access.line_condition(actor))
    if line is None:
        raise NotFoundError(N_("No such ledger line"))
    versions = repo.versions_of(session, line)
    owners = sorted({v.id for v in versions})
    found = evidence.files_of(session, owner_type=OWNER, owner_ids=owners)
    by_token = {f.token: f for rows in found.values() for f in rows}
    files = {
        kind: [by_token[t] for t in tokens if t in by_token]
        for kind, tokens in (line.document_files or {}).items()
    }
    missing = rules.missing_documents(
        line.category, frozenset(DocumentKind(d) for d in line.documents)
    )
    return LineFile(
        line=line, versions=versions, files=files, flags=flags_of(line), missing=missing
    )


def evidence_access(session: Session, actor: Principal, owner_id: int) -> evidence.Access:
    """A line's documents (invoices, licences, test reports): the originals for whoever
    sees the line, the business that keeps them and the regulators of its area."""
    found = repo.get_line(session, line_id=owner_id, scope=access.line_condition(actor))
    return evidence.Access.ORIGINAL if found is not None else evidence.Access.NONE


def business_names(*, session: Session, lines: Sequence[LedgerLine]) -> dict[int, str]:
    return repo.business_names(session, [line.business_id for line in lines])
