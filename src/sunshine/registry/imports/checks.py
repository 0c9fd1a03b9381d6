"""Checking rows: the schemas, then the registry rules and duplicates within the file."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from sunshine.auth import access
from sunshine.core import crypto
from sunshine.core.errors import ValidationFailed
from sunshine.core.i18n import N_, Message, ParamValue
from sunshine.core.masking import mask_id_number
from sunshine.core.validation import problem_from
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
_OUTSIDE = N_("the business would lie outside your jurisdiction")
_DUPLICATE_ROW = N_("duplicates row {row} of this file")


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
                problems.append(Problem(row, text, text, N_("unknown column")))
            elif key in self.heading:
                reason = N_("duplicates column {column}")
                problems.append(Problem(row, text, text, reason, {"column": self.heading[key]}))
            else:
                self.index[i] = self.by_key[key]
                self.heading[key] = text
        for column in self.columns:
            if column.required and column.key not in self.heading:
                reason = N_("required column is missing ({key})")
                problems.append(Problem(row, column.heading, "", reason, {"key": column.key}))
        if problems:
            raise ImportFailed(problems)

    def _column_name(self, key: str) -> str:
        return self.heading.get(key) or (self.by_key[key].heading if key in self.by_key else key)

    def problem(
        self,
        row: int,
        key: str,
        value: object,
        reason: str,
        params: Mapping[str, ParamValue] | None = None,
    ) -> Problem:
        """A problem with one cell; ``reason`` is a template filled in with ``params``."""
        text = "" if value is None else str(value)[:MAX_VALUE_CHARS]
        if key in _MASKED and text:
            text = mask_id_number(text)
        return Problem(row, self._column_name(key) if key else "", text, reason, dict(params or {}))

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
                    reason = N_("value in a column without a heading")
                    problems.append(Problem(number, "", cell_text(cell)[:MAX_VALUE_CHARS], reason))
                continue
            raw[column.key] = cell
            try:
                value = convert_cell(column, cell)
            except CellError as exc:
                problems.append(
                    self.problem(number, column.key, cell_text(cell), exc.template, exc.params)
                )
                unreadable.add(column.key)
                continue
            if value is not None:
                data[column.key] = value
        try:
            model = self.schema.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                found = problem_from(error, default="")
                key = self._field_of(found.field.split(".")[0], found.text)
                if key not in unreadable:  # else already reported by the cell conversion
                    value = raw.get(key)
                    text = cell_text(value) if value else ""
                    problems.append(self.problem(number, key, text, found.message, found.params))
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
        self.places: dict[str, registry.RegionPlacement | Message] = {}
        self.uscc_rows: dict[str, int] = {}
        self.licence_rows: dict[str, int] = {}

    def _place(self, session: Session, code: str) -> registry.RegionPlacement | Message:
        """Where ``code`` places a business, or why it cannot be used."""
        if code not in self.places:
            try:
                placement = registry.resolve_region(session, code)
            except ValidationFailed as exc:
                first = exc.problems[0]
                self.places[code] = Message(first.message, first.params)
            else:
                allowed = access.region_condition_allows(self.run.actor, placement.by_level())
                self.places[code] = placement if allowed else Message(_OUTSIDE)
        return self.places[code]

    def _check_rules(self, session: Session, parsed: list[tuple[int, Any]]) -> None:
        usccs = repo.existing_usccs(session, [d.uscc for _n, d in parsed])
        licences = repo.existing_licence_numbers(session, [d.licence_number for _n, d in parsed])
        for number, data in parsed:
            problems = []
            place = self._place(session, data.region_code)
            if isinstance(place, Message):
                problems.append(
                    self.problem(
                        number, "region_code", data.region_code, place.template, place.params
                    )
                )
            for key, value, seen, registered in (
                ("uscc", data.uscc, self.uscc_rows, usccs),
                ("licence_number", data.licence_number, self.licence_rows, licences),
            ):
                if value in registered:
                    problems.append(self.problem(number, key, value, N_("already registered")))
                elif value in seen:
                    row = {"row": seen[value]}
                    problems.append(self.problem(number, key, value, _DUPLICATE_ROW, row))
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
                reason = N_("already on the register")
                self.problems.append(self.problem(number, "id_number", data.id_number, reason))
            elif digest in self.id_rows:
                row = {"row": self.id_rows[digest]}
                self.problems.append(
                    self.problem(number, "id_number", data.id_number, _DUPLICATE_ROW, row)
                )
            else:
                self.id_rows[digest] = number
                self.valid.append(ValidRow(number, data))


def checker_for(run: ImportRun, sheet: Sheet) -> RowChecker:
    """The checker of the run's kind (raises :class:`ImportFailed` for a bad header)."""
    if run.kind is ImportKind.BUSINESSES:
        return BusinessRows(run, sheet)
    return StaffRows(run, sheet)
