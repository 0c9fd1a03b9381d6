"""Importing finished samples from a CSV file: every row checked, all or nothing.

One row per test item; the rows of one sample share its sampling-form number
(``sampling_number``, 抽样单编号) and repeat, or leave blank, the sample's own columns.
Headers are the English names below or their Chinese names. Every sample of the file is
checked by the same rules as the entry form (:func:`sunshine.sampling.service.check_sample`)
before any is stored; one problem anywhere refuses the whole file, and each problem names
its row (the header is row 1) and column. Failed samples open their disposal cases as
entered ones do.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core import storage
from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.sampling import service
from sunshine.sampling.forms import ItemForm, ReportForm, SampleForm
from sunshine.sampling.models import Sample

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

#: Sample columns (the same on every row of a sample) and item columns, with their
#: Chinese header names.
SAMPLE_COLUMNS = {
    "sampling_number": "抽样单编号",
    "business": "被抽样单位",
    "product_name": "样品名称",
    "category": "食品类别",
    "batch_number": "批号",
    "production_date": "生产日期",
    "sampled_at": "抽样时间",
    "sampling_place": "抽样地点",
    "sampling_agency": "抽样单位",
    "samplers": "抽样人员",
    "lab_name": "检验机构",
    "report_number": "报告编号",
    "report_date": "报告日期",
}
ITEM_COLUMNS = {
    "item_name": "检验项目",
    "standard": "判定依据",
    "method": "检验方法",
    "comparator": "判定方式",
    "limit": "标准值",
    "unit": "单位",
    "result": "检验结果",
    "result_unit": "结果单位",
    "verdict": "单项判定",
}
COLUMNS = {**SAMPLE_COLUMNS, **ITEM_COLUMNS}
REQUIRED = ("sampling_number", "business", "product_name", "item_name", "result")
_ALIASES = {**{k: k for k in COLUMNS}, **{zh: k for k, zh in COLUMNS.items()}}
# Where a service problem on ``items[n].field`` sits in the file: the item's column.
_ITEM_FIELD = {"name": "item_name"}
_ITEM_PATH = re.compile(r"^items\[(\d+)\]\.(\w+)$")


@dataclass(frozen=True)
class _Group:
    number: str
    rows: list[tuple[int, dict[str, str]]]  # (row number, cells by column)


def template_csv() -> str:
    """The header row of an import file, with the Chinese column names."""
    out = io.StringIO()
    csv.writer(out).writerow(list(COLUMNS.values()))
    return out.getvalue()


def import_samples(*, session: Session, actor: Principal, data: bytes) -> list[Sample]:
    """Store every sample of the CSV ``data``, or none (``ValidationFailed`` naming every
    problem with its row and column)."""
    access.require_regulator(actor)
    rows = _read(data)
    groups = _groups(rows)
    problems: list[FieldProblem] = []
    checked = []
    numbers = [g.number for g in groups]
    for number in sorted({n for n in numbers if numbers.count(n) > 1}):
        first = next(g for g in groups if g.number == number)
        problems.append(
            FieldProblem(
                "sampling_number",
                N_("sampling form {number} appears in rows that are not together"),
                first.rows[0][0],
                "duplicate",
                {"number": number},
            )
        )
    for group in groups:
        form, own = _form(group)
        problems.extend(own)
        result = service.check_sample(session=session, actor=actor, form=form)
        problems.extend(_located(p, group) for p in result.check.problems)
        checked.append((form, result))
    if problems:
        raise ValidationFailed(sorted(problems, key=lambda p: (p.row or 0, p.field)))
    return [
        service.store_checked(session=session, actor=actor, form=form, checked=result)
        for form, result in checked
    ]


def _read(data: bytes) -> list[tuple[int, dict[str, str]]]:
    if len(data) > MAX_BYTES:
        raise ValidationFailed(
            [FieldProblem("file", N_("the file is larger than {limit}"), params={"limit": "2 MB"})]
        )
    encoding = storage.csv_encoding(data)
    if encoding is None:
        raise ValidationFailed(
            [FieldProblem("file", N_("the file is not a CSV text file (UTF-8 or GB18030)"))]
        )
    text = data.decode(encoding).lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    raw = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not raw:
        raise ValidationFailed([FieldProblem("file", N_("the file has no header row and no data"))])
    header = [_ALIASES.get(cell.strip()) or cell.strip() for cell in raw[0]]
    problems = [
        FieldProblem(name, N_("the file has no column {column}"), 1, "missing", {"column": name})
        for name in REQUIRED
        if name not in header
    ]
    unknown = [h for h in header if h and h not in COLUMNS]
    problems.extend(
        FieldProblem(h, N_("unknown column {column}"), 1, "unknown_column", {"column": h})
        for h in unknown
    )
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    problems.extend(
        FieldProblem(h, N_("the column {column} appears twice"), 1, "duplicate", {"column": h})
        for h in duplicated
    )
    if problems:
        raise ValidationFailed(problems)
    rows = []
    for number, cells in enumerate(raw[1:], start=2):
        if all(not c.strip() for c in cells):
            continue
        rows.append(
            (
                number,
                {
                    h: (cells[i].strip() if i < len(cells) else "")
                    for i, h in enumerate(header)
                    if h
                },
            )
        )
    if not rows:
        raise ValidationFailed([FieldProblem("file", N_("the file has no data rows"), 2)])
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(
            [
                FieldProblem(
                    "file",
                    N_("the file has more than {max_rows} rows: split it"),
                    params={"max_rows": MAX_ROWS},
                )
            ]
        )
    return rows


def _groups(rows: Sequence[tuple[int, dict[str, str]]]) -> list[_Group]:
    """Consecutive rows of one sampling-form number are one sample (a row without a number
    joins no sample and is reported)."""
    groups: list[_Group] = []
    for number, cells in rows:
        key = cells.get("sampling_number", "")
        if groups and groups[-1].number == key and key:
            groups[-1].rows.append((number, cells))
        else:
            groups.append(_Group(key, [(number, cells)]))
    return groups


def _form(group: _Group) -> tuple[SampleForm, list[FieldProblem]]:
    """The sample of a group of rows; its columns must agree from row to row."""
    problems: list[FieldProblem] = []
    first_row, first = group.rows[0]
    values = {c: first.get(c, "") for c in SAMPLE_COLUMNS}
    if not group.number:
        problems.append(FieldProblem("sampling_number", N_("Required"), first_row, "required"))
    for row, cells in group.rows[1:]:
        for column in SAMPLE_COLUMNS:
            value = cells.get(column, "")
            if value and value != values[column]:
                problems.append(
                    FieldProblem(
                        column,
                        N_("differs from row {row} of the same sample ({value})"),
                        row,
                        "inconsistent",
                        {"row": first_row, "value": values[column]},
                    )
                )
    items = [
        ItemForm(
            name=cells.get("item_name", ""),
            standard=cells.get("standard", ""),
            comparator=cells.get("comparator", ""),
            limit=cells.get("limit", ""),
            unit=cells.get("unit", ""),
            method=cells.get("method", ""),
            result=cells.get("result", ""),
            result_unit=cells.get("result_unit", ""),
            verdict=cells.get("verdict", ""),
        )
        for _, cells in group.rows
    ]
    for (row, _cells), item in zip(group.rows, items, strict=True):
        if not item.has_result:
            problems.append(FieldProblem("result", N_("Required"), row, "required"))
    form = SampleForm(
        business=values["business"],
        product_name=values["product_name"],
        category=values["category"],
        batch_number=values["batch_number"],
        production_date=values["production_date"],
        sampled_at=values["sampled_at"],
        sampling_place=values["sampling_place"],
        sampling_agency=values["sampling_agency"],
        samplers=values["samplers"],
        sampling_number=group.number,
        items=items,
        report=ReportForm(
            lab_name=values["lab_name"],
            report_number=values["report_number"],
            report_date=values["report_date"],
        ),
    )
    return form, problems


def _located(problem: FieldProblem, group: _Group) -> FieldProblem:
    """A problem of the form, placed at its row and column of the file."""
    match = _ITEM_PATH.match(problem.field)
    if match:
        index, name = int(match.group(1)), match.group(2)
        row = group.rows[index][0] if index < len(group.rows) else group.rows[0][0]
        column = _ITEM_FIELD.get(name, name)
    else:
        row, column = group.rows[0][0], problem.field
        if column == "items":
            column = "item_name"
    return FieldProblem(column, problem.message, row, problem.code, dict(problem.params))
