"""Checking rows: the schemas, then the registry rules and duplicates within the file."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from sunshine.auth import access
from sunshine.core import crypto
from sunshine.core.errors import ValidationFailed
from sunshine.core.masking import mask_id_number
from sunshine.registry import repository as repo
from sunshine.registry import service as registry
from sunshine.registry.imports.columns import (
    COLUMNS,
    CellError,
    Column,
    cell_text,
    convert_cell,
    heading_key,
)
from sunshine.registry.imports.model import (
    MAX_VALUE_CHARS,
    ImportFailed,
    ImportKind,
    ImportRun,
    Problem,
    Sheet,
)
from sunshine.registry.imports.reading import is_blank
from sunshine.registry.schemas import BusinessCreate, StaffCreate

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
                if not is_blank([cell]):
                    reason = "value in a column without a heading"
                    problems.append(Problem(number, "", cell_text(cell)[:MAX_VALUE_CHARS], reason))
                continue
            raw[column.key] = cell
            try:
                value = convert_cell(column, cell)
            except CellError as exc:
                problems.append(self.problem(number, column.key, cell_text(cell), str(exc)))
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
                        self.problem(number, key, cell_text(value) if value else "", message)
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
