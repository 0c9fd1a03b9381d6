"""A minimal streaming XLSX writer: sheets of inline strings and numbers, written row by
row into a zip file on disk.

Why not xlsxwriter (a dependency, used for small files): even in ``constant_memory`` mode
it spends about 70 µs a row of 14 cells on type dispatch, so a million-row FSMA export took
over a minute; writing the sheet XML directly takes about 5 µs a row (measured: 100,000
rows in 0.5 s against 7 s). The output is plain SpreadsheetML (ECMA-376): one bold header
style, inline strings (no shared-string table to hold in memory), optional merged cells,
the header rows frozen and an autofilter so the sheet is sortable. A sheet holds at most
1,048,576 rows (Excel's limit): longer data continues on a sheet named "… (2)".
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

MAX_ROWS = 1_048_576
_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Anything :func:`_esc` would change: most text has none, found by one scan.
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FLUSH = 2000
_EMPTY = "<c/>"
#: Distinct texts a sheet remembers the cell of before it starts afresh (memory stays flat).
_TEXT_MEMO = 50_000


def _esc(text: str) -> str:
    if _SPECIAL.search(text) is None:
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BAD.sub("", text) if _BAD.search(text) else text


def _col(n: int) -> str:
    name = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(65 + rem) + name
    return name


def _cell(value: Any) -> str:
    if value is None or value == "":
        return _EMPTY
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f"<c><v>{value}</v></c>"
    return _text_cell(str(value))


def _text_cell(text: str) -> str:
    """An inline string; ``xml:space="preserve"`` only where white space could be lost (at
    either end, a line break): elsewhere it changes nothing and was a fifth of the bytes."""
    if not text:
        return _EMPTY
    if text[0].isspace() or text[-1].isspace() or "\n" in text:
        return f'<c t="inlineStr"><is><t xml:space="preserve">{_esc(text)}</t></is></c>'
    return f'<c t="inlineStr"><is><t>{_esc(text)}</t></is></c>'


class _Cells:
    """:func:`_cell` for one sheet, faster where it counts: the exact type is looked at
    first (text and numbers are nearly every cell), and the cell of a text met before is
    reused (a store's location, a product, a day repeat over thousands of rows)."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}

    def __call__(self, value: Any) -> str:
        kind = type(value)
        if kind is str:
            found = self.texts.get(value)
            if found is None:
                if not value:
                    return _EMPTY
                if len(self.texts) >= _TEXT_MEMO:
                    self.texts.clear()
                found = self.texts[value] = _text_cell(value)
            return found
        if kind is int or kind is Decimal or kind is float:
            return f"<c><v>{value}</v></c>"
        return _cell(value)


@dataclass
class Sheet:
    name: str
    headers: list[list[str]]  # header rows (bold, frozen)
    rows: Iterable[Sequence[Any]]
    widths: list[int] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)  # e.g. "I1:M1"


def _sheet_names(name: str, part: int) -> str:
    base = name[:27] if part > 1 else name[:31]
    return base if part == 1 else f"{base} ({part})"


def write(target: IO[bytes] | str, sheets: Sequence[Sheet]) -> int:
    """Write the workbook to ``target`` (a path or a binary file); answers the data rows."""
    names: list[str] = []
    total = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for sheet in sheets:
            part = 1
            rows = iter(sheet.rows)
            while True:
                index = len(names) + 1
                names.append(_sheet_names(sheet.name, part))
                written, more = _write_sheet(z, f"xl/worksheets/sheet{index}.xml", sheet, rows)
                total += written
                if not more:
                    break
                part += 1
        _write_parts(z, names)
    return total


def _write_sheet(
    z: zipfile.ZipFile, path: str, sheet: Sheet, rows: Iterable[Sequence[Any]]
) -> tuple[int, bool]:
    head = len(sheet.headers)
    width = max((len(h) for h in sheet.headers), default=1)
    with z.open(path, "w", force_zip64=True) as f:
        f.write(
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        )
        if head:
            f.write(
                f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{head}" '
                f'topLeftCell="A{head + 1}" activePane="bottomLeft" state="frozen"/>'
                "</sheetView></sheetViews>".encode()
            )
        if sheet.widths:
            cols = "".join(
                f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                for i, w in enumerate(sheet.widths)
            )
            f.write(f"<cols>{cols}</cols>".encode())
        f.write(b"<sheetData>")
        for header in sheet.headers:
            cells = "".join(f'<c t="inlineStr" s="1"><is><t>{_esc(h)}</t></is></c>' for h in header)
            f.write(f"<row>{cells}</row>".encode())
        buffer: list[str] = []
        written = 0
        more = False
        limit = MAX_ROWS - head
        cell = _Cells()
        for row in rows:
            buffer.append("<row>" + "".join(map(cell, row)) + "</row>")
            written += 1
            if len(buffer) >= _FLUSH:
                f.write("".join(buffer).encode())
                buffer.clear()
            if written >= limit:
                more = True
                break
        f.write("".join(buffer).encode())
        f.write(b"</sheetData>")
        if head:
            ref = f"A{head}:{_col(width - 1)}{head + written}"
            f.write(f'<autoFilter ref="{ref}"/>'.encode())
        if sheet.merges:
            merged = "".join(f'<mergeCell ref="{m}"/>' for m in sheet.merges)
            f.write(f'<mergeCells count="{len(sheet.merges)}">{merged}</mergeCells>'.encode())
        f.write(b"</worksheet>")
    return written, more


_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)
_SHEET_CT = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFDE68A"/></patternFill></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1">'
    '<alignment wrapText="1" vertical="center"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _write_parts(z: zipfile.ZipFile, names: list[str]) -> None:
    n = range(1, len(names) + 1)
    z.writestr("[Content_Types].xml", _CT.format(sheets="".join(_SHEET_CT.format(n=i) for i in n)))
    z.writestr("_rels/.rels", _RELS)
    sheets = "".join(
        f'<sheet name="{_esc(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(names, start=1)
    )
    z.writestr(
        "xl/workbook.xml",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{sheets}</sheets></workbook>",
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in n
    )
    styles_id = len(names) + 1
    rels += (
        f'<Relationship Id="rId{styles_id}" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    )
    z.writestr(
        "xl/_rels/workbook.xml.rels",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{rels}</Relationships>",
    )
    z.writestr("xl/styles.xml", _STYLES)
