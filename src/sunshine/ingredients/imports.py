"""Importing purchase-ledger lines (进货查验记录) from a CSV or XLSX file, all or nothing.

The registry's import machinery is reused: the ``ImportJob`` table (kind ``ledger``), the
file reading (:func:`read_sheet`), the column headings (English keys or Chinese headings),
the row checker's header mapping and cell conversion, the progress and failure bookkeeping
and the error reports. What is the ledger's own: its columns, the rules of each row (those of
``service.check_line``: the same as the phone form and the API), and the storing, every line
through ``service.record_line`` in one transaction (each audited). The job is
``ingredients.import_ledger`` (``tasks.py``).
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, BinaryIO

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth.principal import Principal
from sunshine.core import storage
from sunshine.core.errors import DomainError, FieldProblem, NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.time import today_local
from sunshine.ingredients import access, catalog, rules, service
from sunshine.ingredients import repository as repo
from sunshine.ingredients.enums import CATEGORY_LABELS_ZH, CATEGORY_SYNONYMS_ZH
from sunshine.ingredients.schemas import LedgerLineIn
from sunshine.registry.imports import (
    RECENT_JOBS,
    Column,
    ImportFailed,
    ImportKind,
    ImportRun,
    ImportStatus,
    Problem,
    RowChecker,
    Sheet,
    ValidRow,
    succeed,
)
from sunshine.registry.imports.columns import _lookup
from sunshine.registry.models import ImportJob
from sunshine.registry.service import enterprise_business

_DATE = "Date as YYYY-MM-DD or YYYY/MM/DD"
DOCUMENT_CHOICES = {rule.label_zh: rule.kind.value for rule in rules.DOCUMENTS} | {
    rule.kind.value: rule.kind.value for rule in rules.DOCUMENTS
}
LEDGER_COLUMNS = (
    Column("purchase_date", "进货日期", True, "date", _DATE),
    Column("product_name", "产品名称", True, hint="Ingredient product name"),
    Column(
        "category",
        "品类",
        True,
        "enum",
        "Ingredient category, one of:",
        choices=_lookup(CATEGORY_LABELS_ZH, CATEGORY_SYNONYMS_ZH),
    ),
    Column("specification", "规格", True, hint="Specification, e.g. 500g/袋"),
    Column("quantity", "数量", True, "code", "Quantity (a number)"),
    Column("unit", "单位", True, hint="Unit, e.g. kg, 箱"),
    Column("batch_number", "生产批号", False, "code", "Batch number (or the production date)"),
    Column("production_date", "生产日期", False, "date", _DATE),
    Column("shelf_life_days", "保质期(天)", False, "code", "Shelf life in days", ("保质期",)),
    Column("expiry_date", "保质期至", False, "date", _DATE, ("到期日期",)),
    Column(
        "no_shelf_life", "无明确保质期", False, "bool", "是 for goods without a stated shelf life"
    ),
    Column("gtin", "商品条码", False, "code", "Barcode (GTIN), 8 to 14 digits"),
    Column("producer_name", "生产者", False, hint="Producer of the goods"),
    Column(
        "supplier",
        "供货者",
        True,
        hint="Supplier: its name or licence number as on your supplier list",
        aliases=("供货者名称", "供应商"),
    ),
    Column("documents", "查验证明", False, "list", "Documents checked, separated by 、 :"),
    Column("appearance_ok", "外观合格", True, "bool", "Appearance acceptable: 是 or 否"),
    Column("appearance_note", "外观问题", False, hint="What was wrong with the appearance"),
    Column("temperature_c", "温度(℃)", False, "code", "Temperature on receipt (°C)", ("温度",)),
    Column("test_result", "自检或委检情况", False, hint="Result of an own test, if any"),
    Column("recorder_name", "记录人", True, hint="Recorded by"),
    Column("remarks", "备注", False, hint="Remarks"),
)
_FIELD_COLUMN = {"supplier_id": "supplier", "product_id": "product_name"}


class LedgerRow(BaseModel):
    """A row's cells as read; turned into a :class:`LedgerLineIn` once the supplier and the
    documents are resolved."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    purchase_date: date
    product_name: str
    category: str
    specification: str
    quantity: Annotated[Decimal, Field(gt=0, lt=10**9, decimal_places=3)]
    unit: str
    batch_number: str | None = None
    production_date: date | None = None
    shelf_life_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    expiry_date: date | None = None
    no_shelf_life: bool = False
    gtin: str | None = None
    producer_name: str | None = None
    supplier: str
    documents: list[str] = []
    appearance_ok: bool
    appearance_note: str = ""
    temperature_c: Annotated[float, Field(ge=-60, le=100)] | None = None
    test_result: str = ""
    recorder_name: str
    remarks: str = ""


class LedgerRows(RowChecker):
    """The rules of ``service.check_line`` for every row of a ledger file."""

    schema = LedgerRow

    def __init__(self, run: ImportRun, sheet: Sheet, business_id: int) -> None:
        # RowChecker looks its columns up by the registry's kinds; the ledger has its own.
        self.run = run
        self.columns = LEDGER_COLUMNS
        self.by_key = {c.key: c for c in self.columns}
        self.problems: list[Problem] = []
        self.valid: list[ValidRow] = []
        self.processed = 0
        self.index: dict[int, Column] = {}
        self.heading: dict[str, str] = {}
        self.blank_headed: list[int] = []
        self.business_id = business_id
        self.today = today_local()
        self._map_header(sheet)

    def _suppliers(self, session: Session) -> dict[str, int]:
        views = catalog.suppliers_of(
            session=session, actor=self.run.actor, business_id=self.business_id
        )
        found: dict[str, int] = {}
        for view in views:
            found[view.name] = view.id
            if view.licence_number:
                found[view.licence_number] = view.id
        return found

    def _line(self, number: int, row: LedgerRow, suppliers: dict[str, int]) -> LedgerLineIn | None:
        problems = []
        supplier_id = suppliers.get(row.supplier) or suppliers.get(row.supplier.upper())
        if supplier_id is None:
            reason = N_("not on your supplier list: add the supplier first")
            problems.append(self.problem(number, "supplier", row.supplier, reason))
        kinds = []
        for text in row.documents:
            kind = DOCUMENT_CHOICES.get(text)
            if kind is None:
                choices = "、".join(r.label_zh for r in rules.DOCUMENTS)
                reason = N_("not one of: {choices}")
                problems.append(
                    self.problem(number, "documents", text, reason, {"choices": choices})
                )
            else:
                kinds.append(kind)
        if problems:
            self.problems.extend(problems)
            return None
        data = row.model_dump(exclude={"supplier", "documents"})
        data.update(supplier_id=supplier_id, documents=kinds)
        data["test_kind"] = "own" if row.test_result else "none"
        try:
            return LedgerLineIn.model_validate({k: v for k, v in data.items() if v is not None})
        except ValidationError as exc:
            from sunshine.core.validation import problem_from

            for error in exc.errors():
                found = problem_from(error, default="")
                key = found.field.split(".")[0]
                value = getattr(row, key, "") if key in LedgerRow.model_fields else ""
                self.problems.append(self.problem(number, key, value, found.message, found.params))
            return None

    def _check_rules(self, session: Session, parsed: list[tuple[int, Any]]) -> None:
        business = enterprise_business(session=session, actor=self.run.actor)
        suppliers = self._suppliers(session)
        for number, row in parsed:
            line = self._line(number, row, suppliers)
            if line is None:
                continue
            _checked, problems = service.check_line(
                session=session,
                actor=self.run.actor,
                business=business,
                data=line,
                today=self.today,
            )
            if problems:
                self.problems.extend(self._cell_problem(number, p, row) for p in problems)
            else:
                self.valid.append(ValidRow(number, line))

    def _cell_problem(self, number: int, problem: FieldProblem, row: LedgerRow) -> Problem:
        key = _FIELD_COLUMN.get(problem.field, problem.field)
        value = getattr(row, key, "") if key in LedgerRow.model_fields else ""
        return self.problem(
            number, key if key in self.by_key else "", value, problem.message, problem.params
        )


# Jobs ------------------------------------------------------------------------------------------


def create_import(
    *, session: Session, actor: Principal, filename: str, source: BinaryIO
) -> ImportJob:
    """Keep an uploaded ledger file and add its queued job (the caller commits, then enqueues)."""
    access.require_importer(actor)
    business = enterprise_business(session=session, actor=actor)
    token = secrets.token_hex(16)
    stored = storage.save_upload(area="imports", token=token, filename=filename, source=source)
    assert actor.user_id is not None
    job = ImportJob(
        token=token,
        kind=ImportKind.LEDGER.value,
        status=ImportStatus.QUEUED.value,
        filename=storage.clean_filename(filename),
        stored_path=stored.relative_path,
        created_by_id=actor.user_id,
        business_id=business.id,
        errors=[],
    )
    session.add(job)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="import.create",
        entity_type="import_job",
        entity_id=job.id,
        after={"token": token, "kind": job.kind, "filename": job.filename, "size": stored.size},
    )
    return job


def get_import(*, session: Session, actor: Principal, token: str) -> ImportJob:
    scope = repo.ledger_import_scope(actor.business_id if actor.is_enterprise else None)
    job = repo.get_import_job(session, token=token, scope=scope)
    if job is None:
        raise NotFoundError(N_("No such import"))
    return job


def list_imports(*, session: Session, actor: Principal) -> Sequence[ImportJob]:
    scope = repo.ledger_import_scope(actor.business_id if actor.is_enterprise else None)
    return repo.recent_import_jobs(session, scope=scope, limit=RECENT_JOBS)


def checker_for(run: ImportRun, sheet: Sheet) -> LedgerRows:
    if run.business_id is None:
        raise ImportFailed([Problem(None, "", "", N_("No such business"))])
    return LedgerRows(run, sheet, run.business_id)


def store(*, session: Session, run: ImportRun, rows: Sequence[ValidRow]) -> int:
    """Record every line (each audited); any problem now fails the whole import."""
    assert run.business_id is not None
    job = repo.import_job_by_id(session, run.job_id)
    assert job is not None
    ids = []
    for item in rows:
        assert isinstance(item.data, LedgerLineIn)
        try:
            line = service.record_line(
                session=session, actor=run.actor, business_id=run.business_id, data=item.data
            )
        except DomainError as exc:
            raise ImportFailed(
                [Problem(item.row, p.field, "", p.message, p.params) for p in exc.problems]
                or [Problem.of(item.row, "", "", exc.as_message())]
            ) from exc
        ids.append(line.id)
    return succeed(session=session, actor=run.actor, job=job, ids=ids, entity_type="ledger_line")


def template_xlsx(translate: Callable[[str], str]) -> bytes:
    """A blank ledger file: the Chinese headings (required ones highlighted) and notes."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    data = book.add_worksheet(translate("Data")[:31])
    notes = book.add_worksheet(translate("Notes")[:31])
    required = book.add_format({"bold": True, "bg_color": "#FDE68A"})
    optional = book.add_format({"bold": True, "bg_color": "#F3F4F6"})
    for col, column in enumerate(LEDGER_COLUMNS):
        data.write_string(0, col, column.heading, required if column.required else optional)
        data.set_column(col, col, max(12, len(column.heading) * 2 + 4))
        notes.write_string(col + 1, 0, column.heading)
        notes.write_string(col + 1, 1, column.key)
        notes.write_string(col + 1, 2, translate("Yes") if column.required else translate("No"))
        choices = column.choice_text or (
            "、".join(DOCUMENT_CHOICES) if column.key == "documents" else ""
        )
        notes.write_string(col + 1, 3, f"{translate(column.hint)} {choices}".strip())
    for col, title in enumerate(("Heading", "Key", "Required?", "What to enter")):
        notes.write_string(0, col, translate(title))
    book.close()
    return buffer.getvalue()
