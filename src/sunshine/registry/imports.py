"""Bulk import of businesses (主体批量导入) and staff (从业人员批量导入) from CSV or XLSX files.

The import is all-or-nothing and runs as the job ``registry.import_file`` (``tasks.py``),
which owns every transaction; nothing here commits:

1. :func:`create_import` (the upload request) keeps the file and adds a queued ``ImportJob``.
2. :func:`begin` claims the job; :func:`read_sheet` reads the header and the rows.
3. :func:`checker_for` maps the header to columns (English keys or Chinese headings) and a
   :class:`RowChecker` validates the rows in chunks: the pydantic schemas, then the rules of
   ``create_business`` / ``add_staff`` (jurisdiction, duplicates in the database and within
   the file). Progress is written between chunks (:func:`record_progress`).
4. If any row failed, :func:`fail` keeps every problem (row as the spreadsheet numbers it,
   column, value, reason) and stores nothing. Otherwise :func:`store` creates every row through
   ``create_business`` / ``add_staff`` in one transaction (each creation audited), then audits
   a summary entry naming the created ids.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, BinaryIO, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth import repository as auth_repo
from sunshine.auth import service as auth_service
from sunshine.auth.principal import SYSTEM, Principal
from sunshine.core import crypto, exports, storage
from sunshine.core.errors import DomainError, ForbiddenError, NotFoundError, ValidationFailed
from sunshine.core.masking import mask_id_number
from sunshine.core.time import utc_now
from sunshine.regions import repository as regions_repo
from sunshine.registry import repository as repo
from sunshine.registry import service as registry
from sunshine.registry.enums import BusinessCategory, BusinessForm, BusinessScale
from sunshine.registry.models import ImportJob
from sunshine.registry.schemas import BusinessCreate, StaffCreate

# Columns: English keys or Chinese headings -------------------------------------------------

FORM_LABELS_ZH = {
    BusinessForm.RESTAURANT: "餐馆",
    BusinessForm.FAST_FOOD: "快餐店",
    BusinessForm.DRINKS: "饮品店",
    BusinessForm.SCHOOL_CANTEEN: "学校食堂",
    BusinessForm.HOSPITAL_CANTEEN: "医院食堂",
    BusinessForm.COMPANY_CANTEEN: "单位食堂",
    BusinessForm.CONSTRUCTION_CANTEEN: "建筑工地食堂",
    BusinessForm.CENTRAL_KITCHEN: "中央厨房",
    BusinessForm.GROUP_MEAL: "集体用餐配送单位",
    BusinessForm.CHAIN_OUTLET: "连锁门店",
    BusinessForm.FOOD_PRODUCER: "食品生产企业",
    BusinessForm.WHOLESALER: "食品批发企业",
    BusinessForm.MARKET_VENDOR: "集贸市场摊贩",
}
FORM_SYNONYMS_ZH = {
    "餐厅": BusinessForm.RESTAURANT,
    "饭店": BusinessForm.RESTAURANT,
    "快餐": BusinessForm.FAST_FOOD,
    "饮品": BusinessForm.DRINKS,
    "机关食堂": BusinessForm.COMPANY_CANTEEN,
    "企业食堂": BusinessForm.COMPANY_CANTEEN,
    "职工食堂": BusinessForm.COMPANY_CANTEEN,
    "工地食堂": BusinessForm.CONSTRUCTION_CANTEEN,
}
SCALE_LABELS_ZH = {
    BusinessScale.MICRO: "微型",
    BusinessScale.SMALL: "小型",
    BusinessScale.MEDIUM: "中型",
    BusinessScale.LARGE: "大型",
}
CATEGORY_LABELS_ZH = {
    BusinessCategory.CATERER: "餐饮服务",
    BusinessCategory.PRODUCER: "食品生产",
    BusinessCategory.WHOLESALER: "食品批发",
    BusinessCategory.MARKET_VENDOR: "市场摊贩",
}
YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "有"})
NO = frozenset({"否", "n", "no", "false", "0", "×", "✗", "无"})
GENDERS = {"男": "male", "女": "female", "m": "male", "f": "female"}
GENDERS.update({"male": "male", "female": "female"})
_LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")
_DATE_TEXT = re.compile(r"^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[ T]0{1,2}:00(?::00)?)?$")
_EXCEL_SERIALS = (20_000, 80_000)  # 1954..2119: a date cell that lost its date format
_LONGEST_EXACT_NUMBER = 10**15  # Excel keeps 15 significant digits


class CellError(ValueError):
    """A cell that cannot be read as its column's type."""


def _lookup(labels: Mapping[Any, str], synonyms: Mapping[str, Any] | None = None) -> dict[str, str]:
    table = {str(value): str(value) for value in labels}
    table.update({label: str(value) for value, label in labels.items()})
    table.update({label: str(value) for label, value in (synonyms or {}).items()})
    return table


@dataclass(frozen=True)
class Column:
    """One column of an import file: its key, its Chinese heading, how to read its cells."""

    key: str
    heading: str
    required: bool = False
    kind: str = "text"  # text | code | date | enum | bool | gender | list
    hint: str = ""  # English msgid for the template's notes
    aliases: tuple[str, ...] = ()
    choices: Mapping[str, str] = field(default_factory=dict)  # cell text -> value (enums)

    @property
    def choice_text(self) -> str:
        """The Chinese label of each choice (synonyms are accepted but not listed)."""
        labels: dict[str, str] = {}
        for text, value in self.choices.items():
            if not text.isascii():
                labels.setdefault(value, text)
        return "、".join(labels.values())


BUSINESS_COLUMNS = (
    Column("name", "名称", True, hint="Registered name of the business"),
    Column("uscc", "统一社会信用代码", True, "code", "18-character unified social credit code"),
    Column(
        "licence_number",
        "许可证编号",
        True,
        "code",
        "Food licence number: JY or SC followed by 14 digits",
        ("license_number",),
    ),
    Column(
        "form",
        "业态",
        True,
        "enum",
        "Business form, one of:",
        choices=_lookup(FORM_LABELS_ZH, FORM_SYNONYMS_ZH),
    ),
    Column(
        "region_code", "行政区划代码", True, "code", "County (6 digits) or township (9 digits) code"
    ),
    Column("address", "地址", True, hint="Street address"),
    Column(
        "licence_issue_date",
        "发证日期",
        True,
        "date",
        "Date as YYYY-MM-DD or YYYY/MM/DD",
        ("license_issue_date",),
    ),
    Column(
        "licence_expiry_date",
        "有效期至",
        True,
        "date",
        "Date as YYYY-MM-DD or YYYY/MM/DD",
        ("license_expiry_date",),
    ),
    Column("contact_name", "联系人", True, hint="Contact person"),
    Column("contact_phone", "联系电话", True, "code", "Mobile or landline number"),
    Column("food_safety_manager", "食品安全管理员", True, hint="Food-safety manager"),
    Column(
        "licence_scope",
        "经营项目",
        False,
        "list",
        "Licensed activities, separated by 、",
        ("license_scope",),
    ),
    Column("scale", "规模", False, "enum", "Scale, one of:", choices=_lookup(SCALE_LABELS_ZH)),
    Column(
        "category",
        "类别",
        False,
        "enum",
        "Category, one of:",
        choices=_lookup(CATEGORY_LABELS_ZH),
    ),
)
STAFF_COLUMNS = (
    Column("name", "姓名", True, hint="Full name"),
    Column("position", "岗位", True, hint="Position, e.g. 厨师"),
    Column(
        "id_number",
        "身份证号",
        True,
        "code",
        "18-character resident ID number, entered as text",
        ("身份证号码", "公民身份号码"),
    ),
    Column("gender", "性别", False, "gender", "男 or 女"),
    Column("phone", "手机号", False, "code", "Mobile number", ("手机号码", "联系电话")),
    Column(
        "direct_contact",
        "直接接触入口食品",
        False,
        "bool",
        "Handles ready-to-eat food: 是 or 否 (blank means 是)",
    ),
    Column("health_cert_number", "健康证编号", False, "code", "Health certificate number"),
    Column(
        "health_cert_issue_date",
        "健康证发证日期",
        False,
        "date",
        "Date as YYYY-MM-DD or YYYY/MM/DD",
    ),
    Column(
        "health_cert_expiry_date",
        "健康证有效期至",
        False,
        "date",
        "Date as YYYY-MM-DD or YYYY/MM/DD",
    ),
)
#: Headings shown in the template (with the hint of what a yes/no column takes).
TEMPLATE_SUFFIX = {"direct_contact": "(是/否)"}


def _normal_heading(text: str) -> str:
    value = re.sub(r"\s*[（(][^）)]*[）)]\s*$", "", text.strip())  # a trailing "(是/否)" hint
    value = value.strip().strip("*＊").strip().lower()
    return re.sub(r"[\s\-]+", "_", value)


def heading_key(text: str, columns: Sequence[Column]) -> str | None:
    """The key of the column a heading names (English key, Chinese heading or an alias)."""
    wanted = _normal_heading(text)
    for column in columns:
        names = (column.key, column.heading, *column.aliases)
        if wanted in {_normal_heading(n) for n in names}:
            return column.key
    return None


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _code(value: object) -> str:
    if isinstance(value, float) and not isinstance(value, bool):
        if not value.is_integer() or abs(value) >= _LONGEST_EXACT_NUMBER:
            raise CellError(
                "enter this as text: Excel keeps only 15 digits of a number, so it is damaged"
            )
        return str(int(value))
    return _text(value)


def _date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _EXCEL_SERIALS[0] <= value <= _EXCEL_SERIALS[1]:
            from openpyxl.utils.datetime import from_excel

            converted = from_excel(value)
            return converted.date() if isinstance(converted, datetime) else converted
        raise CellError("expected a date as YYYY-MM-DD or YYYY/MM/DD")
    match = _DATE_TEXT.match(_text(value))
    if match is None:
        raise CellError("expected a date as YYYY-MM-DD or YYYY/MM/DD")
    try:
        return date(int(match[1]), int(match[3]), int(match[4]))
    except ValueError:
        raise CellError("not a real date") from None


def convert_cell(column: Column, value: object) -> object | None:
    """A cell's value as the schema wants it; ``None`` for a blank cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if column.kind == "date":
        return _date(value)
    if column.kind == "code":
        return _code(value)
    text = _text(value)
    if column.kind == "enum":
        found = column.choices.get(text) or column.choices.get(text.lower())
        if found is None:
            raise CellError(f"not one of: {column.choice_text}")
        return found
    if column.kind == "bool":
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
        raise CellError("enter 是 or 否")
    if column.kind == "gender":
        gender = GENDERS.get(text.lower())
        if gender is None:
            raise CellError("enter 男 or 女")
        return gender
    if column.kind == "list":
        return [item.strip() for item in _LIST_SEPARATORS.split(text) if item.strip()]
    return text


MAX_ROWS = 50_000
MAX_COLUMNS = 100
MAX_PROBLEMS = 10_000
MAX_VALUE_CHARS = 200  # of a cell's value quoted in a problem
RECENT_JOBS = 20


class ImportKind(StrEnum):
    BUSINESSES = "businesses"
    STAFF = "staff"


class ImportStatus(StrEnum):
    QUEUED = "queued"
    VALIDATING = "validating"
    STORING = "storing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


ACTIVE_STATUSES = frozenset({ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.STORING})
COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    ImportKind.BUSINESSES: BUSINESS_COLUMNS,
    ImportKind.STAFF: STAFF_COLUMNS,
}


@dataclass(frozen=True)
class Problem:
    """One reason a file was refused: ``row`` as the spreadsheet shows it (header = 1)."""

    row: int | None
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


class ImportFailed(Exception):
    """The file cannot be imported; ``problems`` says why (nothing was stored)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass(frozen=True)
class ImportRun:
    """What a job needs to know across its transactions (plain data, no ORM objects)."""

    job_id: int
    token: str
    kind: ImportKind
    stored_path: str
    actor: Principal
    business_id: int | None


@dataclass(frozen=True)
class Sheet:
    header_row: int
    header: list[object]
    rows: list[tuple[int, list[object]]]  # (row number, cells), blank rows left out


# Jobs: create, find, list ----------------------------------------------------------------


def _require_may_import(actor: Principal, kind: ImportKind) -> None:
    if actor.user_id is None:
        raise ForbiddenError("Sign in first.")
    if kind is ImportKind.BUSINESSES:
        access.require_regulator(actor)
    else:
        if not actor.is_enterprise or actor.business_id is None:
            raise ForbiddenError("Staff imports are for business accounts.")
        access.require_business_editor(actor)


def create_import(
    *, session: Session, actor: Principal, kind: ImportKind, filename: str, source: BinaryIO
) -> ImportJob:
    """Keep an uploaded file and queue its import (the caller commits, then enqueues)."""
    _require_may_import(actor, kind)
    business_id = None
    if kind is ImportKind.STAFF:
        assert actor.business_id is not None
        business_id = registry.get_business(
            session=session, actor=actor, business_id=actor.business_id
        ).id
    token = secrets.token_hex(16)
    stored = storage.save_upload(area="imports", token=token, filename=filename, source=source)
    assert actor.user_id is not None
    job = ImportJob(
        token=token,
        kind=kind.value,
        status=ImportStatus.QUEUED.value,
        filename=storage.clean_filename(filename),
        stored_path=stored.relative_path,
        created_by_id=actor.user_id,
        business_id=business_id,
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
        after={"token": token, "kind": kind.value, "filename": job.filename, "size": stored.size},
    )
    return job


def _scope(actor: Principal, kind: ImportKind) -> ColumnElement[bool]:
    return repo.import_job_scope(
        kind=kind.value,
        user_id=actor.user_id if actor.is_regulator else None,
        org_unit_id=actor.org_unit_id if actor.is_regulator else None,
        business_id=actor.business_id if actor.is_enterprise else None,
    )


def get_import(*, session: Session, actor: Principal, kind: ImportKind, token: str) -> ImportJob:
    """One import job the actor may see (404 otherwise, so its existence is not revealed)."""
    job = repo.get_import_job_in_scope(session, token=token, scope=_scope(actor, kind))
    if job is None:
        raise NotFoundError("No such import")
    return job


def list_imports(*, session: Session, actor: Principal, kind: ImportKind) -> Sequence[ImportJob]:
    """The most recent import jobs the actor may see, newest first."""
    return repo.recent_import_jobs(session, scope=_scope(actor, kind), limit=RECENT_JOBS)


def is_active(job: ImportJob) -> bool:
    return job.status in ACTIVE_STATUSES


def percent(job: ImportJob) -> int:
    if job.status in (ImportStatus.SUCCEEDED, ImportStatus.STORING):
        return 100
    if not job.total_rows:
        return 0
    return min(100, round(100 * job.processed_rows / job.total_rows))


# Running a job (called by registry/tasks.py, which commits) ---------------------------------


def _job(session: Session, job_id: int) -> ImportJob:
    job = repo.get_import_job_by_id(session, job_id)
    if job is None:
        raise LookupError(f"import job {job_id} does not exist")
    return job


def begin(*, session: Session, job_id: int) -> ImportRun | None:
    """Claim a queued job (``None`` when it is gone or already ran: a redelivered message)."""
    job = repo.get_import_job_by_id(session, job_id)
    if job is None or job.status != ImportStatus.QUEUED:
        return None
    user = auth_repo.get_user(session, job.created_by_id)
    if user is None or not user.is_active:
        raise ImportFailed(
            [Problem(None, "", "", "the account that started this import is no longer active")]
        )
    actor = auth_service.principal_for(session, user)
    kind = ImportKind(job.kind)
    try:
        _require_may_import(actor, kind)
        if kind is ImportKind.STAFF:
            assert job.business_id is not None
            registry.get_business(session=session, actor=actor, business_id=job.business_id)
    except DomainError as exc:
        raise ImportFailed([Problem(None, "", "", exc.message)]) from exc
    job.status = ImportStatus.VALIDATING.value
    job.processed_rows = 0
    return ImportRun(
        job_id=job.id,
        token=job.token,
        kind=kind,
        stored_path=job.stored_path,
        actor=actor,
        business_id=job.business_id,
    )


def record_progress(
    *, session: Session, job_id: int, processed: int, total: int | None = None
) -> None:
    job = _job(session, job_id)
    job.processed_rows = processed
    if total is not None:
        job.total_rows = total


def mark_storing(*, session: Session, job_id: int) -> None:
    job = _job(session, job_id)
    job.status = ImportStatus.STORING.value
    job.processed_rows = job.total_rows


def fail(*, session: Session, job_id: int, actor: Principal | None, problems: list[Problem]) -> str:
    """Mark the job failed with its problems (the first :data:`MAX_PROBLEMS` are kept).

    Returns the stored file's path, for the job to delete once this is committed.
    """
    job = _job(session, job_id)
    ordered = sorted(problems, key=lambda p: (p.row is not None, p.row or 0))  # stable
    kept = [p.as_dict() for p in ordered[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        kept.append(Problem(None, "", "", f"{more} more problems are not listed").as_dict())
    job.status = ImportStatus.FAILED.value
    job.errors = kept
    job.stored_rows = 0
    job.finished_at = utc_now()
    audit.record(
        session=session,
        actor=actor or SYSTEM,
        action="import.fail",
        entity_type="import_job",
        entity_id=job.id,
        after={"token": job.token, "status": job.status, "problems": len(problems)},
    )
    return job.stored_path


# Reading the file ----------------------------------------------------------------------------


def _csv_rows(text: str) -> list[list[object]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _xlsx_rows(path: Any) -> list[list[object]]:
    import openpyxl

    rows: list[list[object]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles it does not read
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # some writers record wrong dimensions
            for cells in sheet.iter_rows(values_only=True):
                rows.append(list(cells))
                if len(rows) > MAX_ROWS + 10:
                    break
        finally:
            book.close()
    return rows


def _blank(cells: Sequence[object]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def read_sheet(run: ImportRun) -> Sheet:
    """The header (first non-blank row) and the data rows of the stored file."""
    path = storage.path_of(run.stored_path)
    try:
        if run.stored_path.endswith(".xlsx"):
            raw = _xlsx_rows(path)
        else:
            raw = _csv_rows(storage.read_csv_text(path))
    except (OSError, ValueError, KeyError, csv.Error, storage.UploadRejected) as exc:
        raise ImportFailed(
            [Problem(None, "", "", f"the file could not be read as a spreadsheet ({exc})")]
        ) from exc
    numbered = [(n, cells) for n, cells in enumerate(raw, start=1) if not _blank(cells)]
    if not numbered:
        raise ImportFailed([Problem(None, "", "", "the file has no header row and no data")])
    (header_row, header), rows = numbered[0], numbered[1:]
    if not rows:
        raise ImportFailed([Problem(header_row + 1, "", "", "the file has no data rows")])
    if len(rows) > MAX_ROWS:
        raise ImportFailed(
            [Problem(None, "", "", f"the file has more than {MAX_ROWS} rows: split it")]
        )
    if len(header) > MAX_COLUMNS:
        header = header[:MAX_COLUMNS]
    return Sheet(header_row=header_row, header=header, rows=rows)


# Checking rows -------------------------------------------------------------------------------

_MASKED = frozenset({"id_number"})


@dataclass(frozen=True)
class ValidRow:
    row: int
    data: BaseModel


class RowChecker:
    """Validates rows chunk by chunk, remembering what earlier rows of the file used."""

    schema: type[BaseModel] = BaseModel

    def __init__(self, run: ImportRun, sheet: Sheet) -> None:
        self.run = run
        self.columns = COLUMNS[run.kind]
        self.by_key = {c.key: c for c in self.columns}
        self.problems: list[Problem] = []
        self.valid: list[ValidRow] = []
        self.processed = 0
        self.index: dict[int, Column] = {}
        self.heading: dict[str, str] = {}  # key -> heading as written in the file
        self.blank_headed: list[int] = []
        self._map_header(sheet)

    def _map_header(self, sheet: Sheet) -> None:
        problems = []
        row = sheet.header_row
        for i, cell in enumerate(sheet.header):
            text = "" if cell is None else str(cell).strip()
            if not text:
                self.blank_headed.append(i)
                continue
            key = heading_key(text, self.columns)
            if key is None:
                problems.append(Problem(row, text, text, "unknown column"))
            elif key in self.heading:
                problems.append(Problem(row, text, text, f"duplicates column {self.heading[key]}"))
            else:
                self.index[i] = self.by_key[key]
                self.heading[key] = text
        for column in self.columns:
            if column.required and column.key not in self.heading:
                problems.append(
                    Problem(row, column.heading, "", f"required column is missing ({column.key})")
                )
        if problems:
            raise ImportFailed(problems)

    def _column_name(self, key: str) -> str:
        return self.heading.get(key) or (self.by_key[key].heading if key in self.by_key else key)

    def problem(self, row: int, key: str, value: object, reason: str) -> Problem:
        text = "" if value is None else str(value)[:MAX_VALUE_CHARS]
        if key in _MASKED and text:
            text = mask_id_number(text)
        return Problem(row, self._column_name(key) if key else "", text, reason)

    def _field_of(self, field: str, message: str) -> str:
        if field in self.by_key:
            return field
        found = [(m.start(), k) for k in self.by_key if (m := re.search(rf"\b{k}\b", message))]
        return min(found)[1] if found else ""

    def _parse(self, number: int, cells: Sequence[object]) -> BaseModel | None:
        data: dict[str, object] = {}
        raw: dict[str, object] = {}
        problems: list[Problem] = []
        unreadable: set[str] = set()
        for i, cell in enumerate(cells):
            column = self.index.get(i)
            if column is None:
                if not _blank([cell]):
                    reason = "value in a column without a heading"
                    problems.append(Problem(number, "", _text(cell)[:MAX_VALUE_CHARS], reason))
                continue
            raw[column.key] = cell
            try:
                value = convert_cell(column, cell)
            except CellError as exc:
                problems.append(self.problem(number, column.key, _text(cell), str(exc)))
                unreadable.add(column.key)
                continue
            if value is not None:
                data[column.key] = value
        try:
            model = self.schema.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                loc = error.get("loc", ())
                message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
                key = self._field_of(str(loc[0]) if loc else "", message)
                if key not in unreadable:  # else already reported by the cell conversion
                    value = raw.get(key)
                    problems.append(
                        self.problem(number, key, _text(value) if value else "", message)
                    )
            model = None
        if problems:
            self.problems.extend(problems)
            return None
        return model

    def check(self, *, session: Session, rows: Sequence[tuple[int, Sequence[object]]]) -> None:
        """Validate ``rows``: problems go to :attr:`problems`, good rows to :attr:`valid`."""
        parsed: list[tuple[int, Any]] = []
        for number, cells in rows:
            model = self._parse(number, cells)
            if model is not None:
                parsed.append((number, model))
        self._check_rules(session, parsed)
        self.processed += len(rows)

    def _check_rules(self, session: Session, parsed: list[tuple[int, Any]]) -> None:
        raise NotImplementedError


class BusinessRows(RowChecker):
    """Rules of ``registry.service.create_business``, for a whole file."""

    schema = BusinessCreate

    def __init__(self, run: ImportRun, sheet: Sheet) -> None:
        super().__init__(run, sheet)
        self.places: dict[str, registry.RegionPlacement | str] = {}
        self.uscc_rows: dict[str, int] = {}
        self.licence_rows: dict[str, int] = {}

    def _place(self, session: Session, code: str) -> registry.RegionPlacement | str:
        if code not in self.places:
            try:
                placement = registry.resolve_region(session, code)
            except ValidationFailed as exc:
                self.places[code] = exc.problems[0].message
            else:
                allowed = access.region_condition_allows(self.run.actor, placement.by_level())
                self.places[code] = (
                    placement if allowed else "the business would lie outside your jurisdiction"
                )
        return self.places[code]

    def _check_rules(self, session: Session, parsed: list[tuple[int, Any]]) -> None:
        usccs = repo.existing_usccs(session, [d.uscc for _n, d in parsed])
        licences = repo.existing_licence_numbers(session, [d.licence_number for _n, d in parsed])
        for number, data in parsed:
            problems = []
            place = self._place(session, data.region_code)
            if isinstance(place, str):
                problems.append(self.problem(number, "region_code", data.region_code, place))
            for key, value, seen, registered in (
                ("uscc", data.uscc, self.uscc_rows, usccs),
                ("licence_number", data.licence_number, self.licence_rows, licences),
            ):
                if value in registered:
                    problems.append(self.problem(number, key, value, "already registered"))
                elif value in seen:
                    reason = f"duplicates row {seen[value]} of this file"
                    problems.append(self.problem(number, key, value, reason))
                else:
                    seen[value] = number
            if problems:
                self.problems.extend(problems)
            else:
                self.valid.append(ValidRow(number, data))


class StaffRows(RowChecker):
    """Rules of ``registry.service.add_staff``, for a whole file."""

    schema = StaffCreate

    def __init__(self, run: ImportRun, sheet: Sheet) -> None:
        super().__init__(run, sheet)
        self.id_rows: dict[str, int] = {}

    def _check_rules(self, session: Session, parsed: list[tuple[int, Any]]) -> None:
        assert self.run.business_id is not None
        digests = {n: crypto.digest(d.id_number) for n, d in parsed}
        registered = repo.existing_staff_digests(
            session, self.run.business_id, list(digests.values())
        )
        for number, data in parsed:
            digest = digests[number]
            if digest in registered:
                self.problems.append(
                    self.problem(number, "id_number", data.id_number, "already on the register")
                )
            elif digest in self.id_rows:
                reason = f"duplicates row {self.id_rows[digest]} of this file"
                self.problems.append(self.problem(number, "id_number", data.id_number, reason))
            else:
                self.id_rows[digest] = number
                self.valid.append(ValidRow(number, data))


def checker_for(run: ImportRun, sheet: Sheet) -> RowChecker:
    """The checker of the run's kind (raises :class:`ImportFailed` for a bad header)."""
    if run.kind is ImportKind.BUSINESSES:
        return BusinessRows(run, sheet)
    return StaffRows(run, sheet)


# Storing -------------------------------------------------------------------------------------


def _store_problems(kind: ImportKind, row: int, exc: DomainError) -> list[Problem]:
    headings = {c.key: c.heading for c in COLUMNS[kind]}
    if not exc.problems:
        return [Problem(row, "", "", exc.message)]
    return [Problem(row, headings.get(p.field, p.field), "", p.message) for p in exc.problems]


M = TypeVar("M", bound=BaseModel)


def _datas(rows: Sequence[ValidRow], model: type[M]) -> list[M]:
    return [r.data for r in rows if isinstance(r.data, model)]


def _create(session: Session, run: ImportRun, data: BaseModel) -> int:
    if isinstance(data, BusinessCreate):
        return registry.create_business(session=session, actor=run.actor, data=data).id
    assert isinstance(data, StaffCreate) and run.business_id is not None
    staff = registry.add_staff(
        session=session, actor=run.actor, business_id=run.business_id, data=data
    )
    return staff.id


def store(*, session: Session, run: ImportRun, rows: Sequence[ValidRow]) -> int:
    """Create every row through the registry service (each audited); mark the job succeeded.

    The service re-checks every rule, so a row that became a duplicate since validation (a
    concurrent registration) fails the whole import rather than slipping through.
    """
    job = _job(session, run.job_id)
    ids: list[int] = []
    # Keep the rows' regions loaded: the service's lookups then hit the identity map.
    regions = regions_repo.get_regions(
        session, sorted({d.region_code for d in _datas(rows, BusinessCreate)})
    )
    # Each created row is flushed by the service; other queries need not flush again.
    with session.no_autoflush:
        for item in rows:
            try:
                ids.append(_create(session, run, item.data))
            except DomainError as exc:
                raise ImportFailed(_store_problems(run.kind, item.row, exc)) from exc
    del regions
    job.status = ImportStatus.SUCCEEDED.value
    job.processed_rows = job.total_rows
    job.stored_rows = len(ids)
    job.errors = []
    job.finished_at = utc_now()
    audit.record(
        session=session,
        actor=run.actor,
        action="import.succeed",
        entity_type="import_job",
        entity_id=job.id,
        after={
            "token": job.token,
            "kind": job.kind,
            "stored_rows": len(ids),
            "entity_type": "business" if run.kind is ImportKind.BUSINESSES else "staff",
            "created_ids": ids,
        },
    )
    return len(ids)


# Reports and the template ------------------------------------------------------------------

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_HEADINGS = ("Row", "Column", "Value", "Reason")


def error_rows(job: ImportJob) -> list[list[object]]:
    return [
        [e.get("row"), e.get("column", ""), e.get("value", ""), e.get("reason", "")]
        for e in job.errors or []
    ]


def error_report_csv(job: ImportJob, headings: Sequence[str]) -> bytes:
    """The problems as CSV, UTF-8 with a byte-order mark so Excel shows Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows(error_rows(job))
    return buffer.getvalue().encode("utf-8-sig")


def error_report_xlsx(job: ImportJob, headings: Sequence[str], sheet: str) -> bytes:
    return exports.xlsx(sheet=sheet, headers=list(headings), rows=error_rows(job))


def template_xlsx(kind: ImportKind, _: Callable[[str], str]) -> bytes:
    """A blank file to fill in: the Chinese headings, text/date formats, and a notes sheet."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    data = book.add_worksheet(_("Data")[:31])
    notes = book.add_worksheet(_("Notes")[:31])
    required = book.add_format({"bold": True, "bg_color": "#FDE68A"})
    optional = book.add_format({"bold": True, "bg_color": "#F3F4F6"})
    text = book.add_format({"num_format": "@"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    bold = book.add_format({"bold": True})
    for col, column in enumerate(COLUMNS[kind]):
        heading = column.heading + TEMPLATE_SUFFIX.get(column.key, "")
        data.write_string(0, col, heading, required if column.required else optional)
        fmt = day if column.kind == "date" else (text if column.kind in ("code", "text") else None)
        data.set_column(col, col, max(12, len(heading) * 2 + 4), fmt)
    data.freeze_panes(1, 0)
    for col, title in enumerate((_("Heading"), _("Key"), _("Required"), _("What to enter"))):
        notes.write_string(0, col, title, bold)
    for row, column in enumerate(COLUMNS[kind], start=1):
        notes.write_string(row, 0, column.heading + TEMPLATE_SUFFIX.get(column.key, ""))
        notes.write_string(row, 1, column.key)
        notes.write_string(row, 2, _("Yes") if column.required else _("No"))
        notes.write_string(row, 3, f"{_(column.hint)} {column.choice_text}".strip())
    notes.set_column(0, 1, 24)
    notes.set_column(3, 3, 80)
    book.close()
    return buffer.getvalue()
