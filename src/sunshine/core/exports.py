"""Spreadsheet export (XLSX) of any list, streamed row by row with constant memory."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import xlsxwriter


def xlsx(*, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "bg_color": "#FDE68A"})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, header in enumerate(headers):
        ws.write_string(0, col, header, bold)
        ws.set_column(col, col, max(10, min(40, len(header) * 2 + 4)))
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, datetime):
                ws.write_string(r, col, value.isoformat(timespec="seconds"))
            elif isinstance(value, date):
                midnight = datetime(value.year, value.month, value.day)  # noqa: DTZ001 - a date
                ws.write_datetime(r, col, midnight, date_fmt)
            elif isinstance(value, bool):
                ws.write_boolean(r, col, value)
            elif isinstance(value, int | float):
                ws.write_number(r, col, value)
            elif value is None:
                ws.write_blank(r, col, None)
            else:
                ws.write_string(r, col, str(value))
    ws.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
