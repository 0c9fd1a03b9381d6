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

A sub-package; every name is importable from ``sunshine.registry.imports`` as before:
:mod:`.model` (kinds, states, limits, problems), :mod:`.columns` (headings and cell reading),
:mod:`.reading` (CSV/XLSX decoding), :mod:`.checks` (row validation and duplicates),
:mod:`.run` (creating, finding and running jobs, storing) and :mod:`.report` (error reports
and the template).
"""

from sunshine.registry.imports.checks import (
    BusinessRows,
    RowChecker,
    StaffRows,
    ValidRow,
    checker_for,
)
from sunshine.registry.imports.columns import (
    BUSINESS_COLUMNS,
    CATEGORY_LABELS_ZH,
    COLUMNS,
    FORM_LABELS_ZH,
    FORM_SYNONYMS_ZH,
    GENDERS,
    NO,
    SCALE_LABELS_ZH,
    STAFF_COLUMNS,
    TEMPLATE_SUFFIX,
    YES,
    CellError,
    Column,
    convert_cell,
    heading_key,
)
from sunshine.registry.imports.model import (
    ACTIVE_STATUSES,
    MAX_COLUMNS,
    MAX_PROBLEMS,
    MAX_ROWS,
    MAX_VALUE_CHARS,
    RECENT_JOBS,
    ImportFailed,
    ImportKind,
    ImportRun,
    ImportStatus,
    Problem,
    Sheet,
)
from sunshine.registry.imports.reading import read_sheet
from sunshine.registry.imports.report import (
    REPORT_HEADINGS,
    XLSX_MEDIA_TYPE,
    error_report_csv,
    error_report_xlsx,
    error_rows,
    job_problems,
    template_xlsx,
)
from sunshine.registry.imports.run import (
    begin,
    create_import,
    fail,
    get_import,
    is_active,
    list_imports,
    mark_storing,
    percent,
    record_progress,
    store,
    succeed,
)

__all__ = [
    "ACTIVE_STATUSES",
    "BUSINESS_COLUMNS",
    "CATEGORY_LABELS_ZH",
    "COLUMNS",
    "FORM_LABELS_ZH",
    "FORM_SYNONYMS_ZH",
    "GENDERS",
    "MAX_COLUMNS",
    "MAX_PROBLEMS",
    "MAX_ROWS",
    "MAX_VALUE_CHARS",
    "NO",
    "RECENT_JOBS",
    "REPORT_HEADINGS",
    "SCALE_LABELS_ZH",
    "STAFF_COLUMNS",
    "TEMPLATE_SUFFIX",
    "XLSX_MEDIA_TYPE",
    "YES",
    "BusinessRows",
    "CellError",
    "Column",
    "ImportFailed",
    "ImportKind",
    "ImportRun",
    "ImportStatus",
    "Problem",
    "RowChecker",
    "Sheet",
    "StaffRows",
    "ValidRow",
    "begin",
    "checker_for",
    "convert_cell",
    "create_import",
    "error_report_csv",
    "error_report_xlsx",
    "error_rows",
    "fail",
    "get_import",
    "heading_key",
    "is_active",
    "job_problems",
    "list_imports",
    "mark_storing",
    "percent",
    "read_sheet",
    "record_progress",
    "store",
    "succeed",
    "template_xlsx",
]
