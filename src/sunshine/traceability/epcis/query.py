"""SimpleEventQuery parameters (EPCIS 2.0 section 8.2.7.1) read from a REST query string or
a JSON query body, checked and normalised like captured values.

Lists are repeated parameters or values joined by ``|`` (EPCIS 2.0 REST binding). Every
parameter not listed here is refused by name, as the standard requires
(``QueryParameterException``); so is a value of the wrong form.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sunshine.core.errors import FieldProblem
from sunshine.core.i18n import N_
from sunshine.traceability.epcis import vocabulary as voc
from sunshine.traceability.epcis.identifiers import IdentifierError, normalise_id
from sunshine.traceability.epcis.parse import parse_time

MAX_PER_PAGE = 1000
DEFAULT_PER_PAGE = 30

#: MATCH_ parameters: which identifier roles (see models.EpcisEventEpc) each looks in.
EPC_MATCHES: dict[str, tuple[str, ...]] = {
    "MATCH_epc": ("epc", "child"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input",),
    "MATCH_outputEPC": ("output",),
    "MATCH_anyEPC": ("epc", "child", "parent", "input", "output"),
}
CLASS_MATCHES: dict[str, tuple[str, ...]] = {
    "MATCH_epcClass": ("quantity", "child"),
    "MATCH_inputEPCClass": ("input",),
    "MATCH_outputEPCClass": ("output",),
    "MATCH_anyEPCClass": ("quantity", "child", "input", "output"),
}
QUANTITY_BOUNDS = ("EQ_quantity", "GT_quantity", "GE_quantity", "LT_quantity", "LE_quantity")
TIME_BOUNDS = ("GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime")
#: Parameters of the REST binding that are not filters.
IGNORED = ("@context", "queryName")


@dataclass
class EventQuery:
    """A checked query; empty lists mean "no condition"."""

    event_types: list[str] = field(default_factory=list)
    times: dict[str, datetime] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    biz_steps: list[str] = field(default_factory=list)
    dispositions: list[str] = field(default_factory=list)
    read_points: list[str] = field(default_factory=list)
    biz_locations: list[str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)
    epcs: dict[str, list[str]] = field(default_factory=dict)
    classes: dict[str, list[str]] = field(default_factory=dict)
    quantities: dict[str, float] = field(default_factory=dict)
    biz_transactions: dict[str, list[str]] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)
    destinations: dict[str, list[str]] = field(default_factory=dict)
    order_by: str = "eventTime"
    descending: bool = True
    event_count_limit: int | None = None
    per_page: int = DEFAULT_PER_PAGE
    page_token: str | None = None
    fingerprint: str = ""


class QueryProblems(Exception):
    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("invalid query")
        self.problems = problems


def _values(raw: Any) -> list[str]:
    items: Iterable[Any] = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for item in items:
        out.extend(part for part in str(item).split("|") if part != "")
    return out


class _Reader:
    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []
        self.query = EventQuery()

    def fail(self, name: str, message: str, **params: str | int) -> None:
        self.problems.append(FieldProblem(name, message, params=dict(params)))

    def identifiers(self, name: str, values: list[str]) -> list[str]:
        out = []
        for value in values:
            try:
                out.append(normalise_id(value))
            except IdentifierError as exc:
                self.fail(name, exc.args[0], value=value)
        return out

    def vocabulary(self, name: str, vocabulary: voc.Vocabulary, values: list[str]) -> list[str]:
        out = []
        for value in values:
            try:
                out.append(voc.normalise(vocabulary, value))
            except voc.VocabularyError as exc:
                self.fail(name, exc.args[0], value=value, vocabulary=vocabulary.name)
        return out

    def integer(self, name: str, values: list[str], low: int, high: int) -> int | None:
        try:
            number = int(values[0]) if len(values) == 1 else None
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            self.fail(name, N_("must be a whole number from {low} to {high}"), low=low, high=high)
            return None
        return number

    def read(self, name: str, raw: Any) -> None:  # noqa: PLR0915 - one branch per parameter
        q = self.query
        values = _values(raw)
        if name in IGNORED:
            return
        if not values:
            self.fail(name, N_("the parameter has no value"))
        elif name == "eventType":
            for value in values:
                if value not in voc.EVENT_TYPES:
                    self.fail(name, N_("{value} is not an EPCIS event type"), value=value)
            q.event_types = values
        elif name in TIME_BOUNDS:
            moment = parse_time(values[0]) if len(values) == 1 else None
            if moment is None:
                self.fail(
                    name,
                    N_("{value} is not an ISO 8601 date-time with a time zone offset"),
                    value=values[0],
                )
            else:
                q.times[name] = moment
        elif name == "EQ_action":
            for value in values:
                if value not in voc.ACTIONS:
                    self.fail(
                        name, N_("{value} is not an action: ADD, OBSERVE or DELETE"), value=value
                    )
            q.actions = values
        elif name == "EQ_bizStep":
            q.biz_steps = self.vocabulary(name, voc.BIZ_STEP, values)
        elif name == "EQ_disposition":
            q.dispositions = self.vocabulary(name, voc.DISPOSITION, values)
        elif name == "EQ_readPoint":
            q.read_points = self.identifiers(name, values)
        elif name == "EQ_bizLocation":
            q.biz_locations = self.identifiers(name, values)
        elif name == "EQ_eventID":
            q.event_ids = values
        elif name in EPC_MATCHES:
            q.epcs[name] = self.identifiers(name, values)
        elif name in CLASS_MATCHES:
            q.classes[name] = self.identifiers(name, values)
        elif name in QUANTITY_BOUNDS:
            try:
                q.quantities[name] = float(values[0])
            except ValueError:
                self.fail(name, N_("must be a number"))
        elif name.startswith("EQ_bizTransaction_"):
            kind = self.vocabulary(name, voc.BIZ_TRANSACTION_TYPE, [name[18:]])
            if kind:
                q.biz_transactions[kind[0]] = values
        elif name.startswith(("EQ_source_", "EQ_destination_")):
            prefix = "EQ_source_" if name.startswith("EQ_source_") else "EQ_destination_"
            kind = self.vocabulary(name, voc.SOURCE_DESTINATION_TYPE, [name[len(prefix) :]])
            target = q.sources if prefix == "EQ_source_" else q.destinations
            if kind:
                target[kind[0]] = self.identifiers(name, values)
        elif name == "orderBy":
            if values[0] not in ("eventTime", "recordTime"):
                self.fail(name, N_("order by eventTime or recordTime"))
            else:
                q.order_by = values[0]
        elif name == "orderDirection":
            if values[0] not in ("ASC", "DESC"):
                self.fail(name, N_("the order direction is ASC or DESC"))
            else:
                q.descending = values[0] == "DESC"
        elif name == "eventCountLimit":
            q.event_count_limit = self.integer(name, values, 1, 10_000_000)
        elif name == "perPage":
            q.per_page = self.integer(name, values, 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE
        elif name == "nextPageToken":
            q.page_token = values[0]
        else:
            self.fail(
                name, N_("{parameter} is not a query parameter of SimpleEventQuery"), parameter=name
            )


def read_query(params: Iterable[tuple[str, Any]]) -> EventQuery:
    """A query from ``(name, value)`` pairs (a repeated name adds values)."""
    merged: dict[str, list[Any]] = {}
    for name, value in params:
        merged.setdefault(name, []).extend(value if isinstance(value, list) else [value])
    reader = _Reader()
    for name, values in merged.items():
        reader.read(name, values)
    if reader.problems:
        raise QueryProblems(reader.problems)
    filters = {k: v for k, v in merged.items() if k not in ("nextPageToken", "perPage")}
    blob = json.dumps(filters, sort_keys=True, default=str).encode()
    reader.query.fingerprint = hashlib.sha256(blob).hexdigest()[:16]
    return reader.query


def read_query_body(body: Any) -> EventQuery:
    """A query from a JSON query body (the ``Query/Queries`` form of the corpus)."""
    if not isinstance(body, dict):
        raise QueryProblems([FieldProblem("/", N_("a query must be a JSON object"))])
    return read_query(body.items())
