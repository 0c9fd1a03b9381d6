"""The streaming XLSX writer: what a spreadsheet program reads back is what was written."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from sunshine.ingredients import xlsx_stream


def _book(sheets: list[xlsx_stream.Sheet]) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    xlsx_stream.write(buffer, sheets)
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))


def test_values_read_back_as_written() -> None:
    row = [
        "  leading",
        "trailing ",
        "two\nlines",
        "a & b <c> d",
        "",
        None,
        7,
        2.5,
        Decimal("3.250"),
        True,
        "中文 text",
        "bell\x07gone",
        "same",
        "same",  # a repeated text reuses its cell
    ]
    book = _book([xlsx_stream.Sheet("Data", [["h"] * len(row)], [row, row])])
    rows = list(book["Data"].values)
    expected = (
        "  leading",
        "trailing ",
        "two\nlines",
        "a & b <c> d",
        None,
        None,
        7,
        2.5,
        3.25,
        True,
        "中文 text",
        "bellgone",
        "same",
        "same",
    )
    assert rows[1] == expected and rows[2] == expected
    sheet = book["Data"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:N3"


def test_a_long_sheet_continues_on_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_stream, "MAX_ROWS", 4)
    rows = [[f"row {n}", n] for n in range(7)]
    buffer = io.BytesIO()
    written = xlsx_stream.write(buffer, [xlsx_stream.Sheet("Receiving", [["what", "n"]], rows)])
    assert written == 7
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["Receiving", "Receiving (2)", "Receiving (3)"]
    back = [r for name in book.sheetnames for r in list(book[name].values)[1:]]
    assert back == [(f"row {n}", n) for n in range(7)]
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as z:
        assert z.testzip() is None
