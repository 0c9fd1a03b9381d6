"""Error reports of a failed import (CSV or XLSX) and the blank template to fill in."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

from sunshine.core import exports
from sunshine.core.errors import Translate
from sunshine.core.i18n import Translator
from sunshine.registry.imports.columns import COLUMNS, TEMPLATE_SUFFIX
from sunshine.registry.imports.model import ImportKind, Problem
from sunshine.registry.models import ImportJob

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_HEADINGS = ("Row", "Column", "Value", "Reason")


def job_problems(job: ImportJob, *, limit: int | None = None) -> list[Problem]:
    """The problems kept with a failed job (old rows without templates included)."""
    kept = (job.errors or [])[:limit] if limit is not None else job.errors or []
    return [Problem.from_dict(e) for e in kept if isinstance(e, dict)]


def error_rows(job: ImportJob, translate: Translate | None = None) -> list[list[object]]:
    """Row, column, value and reason of each problem, the reason in ``translate``'s language
    (English by default)."""
    translate = translate or Translator("en")
    return [[p.row, p.column, p.value, p.render(translate)] for p in job_problems(job)]


def error_report_csv(
    job: ImportJob, headings: Sequence[str], translate: Translate | None = None
) -> bytes:
    """The problems as CSV, UTF-8 with a byte-order mark so Excel shows Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows(error_rows(job, translate))
    return buffer.getvalue().encode("utf-8-sig")


def error_report_xlsx(
    job: ImportJob, headings: Sequence[str], sheet: str, translate: Translate | None = None
) -> bytes:
    return exports.xlsx(sheet=sheet, headers=list(headings), rows=error_rows(job, translate))


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
    for col, title in enumerate((_("Heading"), _("Key"), _("Required?"), _("What to enter"))):
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
