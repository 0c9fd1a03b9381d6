"""Reading an uploaded CSV or XLSX file into a header row and numbered data rows."""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Sequence
from typing import Any

from sunshine.core import storage
from sunshine.core.i18n import N_
from sunshine.registry.imports.model import (
    MAX_COLUMNS,
    MAX_ROWS,
    ImportFailed,
    ImportRun,
    Problem,
    Sheet,
)


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


def is_blank(cells: Sequence[object]) -> bool:
    """Whether every cell is empty or whitespace."""
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
        reason = N_("the file could not be read as a spreadsheet ({detail})")
        raise ImportFailed([Problem(None, "", "", reason, {"detail": str(exc)})]) from exc
    numbered = [(n, cells) for n, cells in enumerate(raw, start=1) if not is_blank(cells)]
    if not numbered:
        raise ImportFailed([Problem(None, "", "", N_("the file has no header row and no data"))])
    (header_row, header), rows = numbered[0], numbered[1:]
    if not rows:
        raise ImportFailed([Problem(header_row + 1, "", "", N_("the file has no data rows"))])
    if len(rows) > MAX_ROWS:
        reason = N_("the file has more than {max_rows} rows: split it")
        raise ImportFailed([Problem(None, "", "", reason, {"max_rows": MAX_ROWS})])
    if len(header) > MAX_COLUMNS:
        header = header[:MAX_COLUMNS]
    return Sheet(header_row=header_row, header=header, rows=rows)
