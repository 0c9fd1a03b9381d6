"""Validation and normalisation of EPCIS 2.0 JSON/JSON-LD documents and events.

Every problem names its place as a JSON pointer (RFC 6901: ``/epcisBody/eventList/2/action``)
with a message template and its parameters; all problems of a document are collected before
anything is refused, so a sender sees every fault at once.

The result of a valid event is its normalised JSON: CBV values bare, identifiers as canonical
GS1 Digital Links (:mod:`.identifiers`), ``recordTime`` dropped (the repository sets it),
and an ``@context`` holding the namespaces its user extensions use, so that the event read
back alone is still JSON-LD that means what was captured. Everything else, extensions
included, is kept as sent. Required fields and types follow EPCIS 2.0 sections 7.3-7.4 and
its JSON schema, with the corpus decisions of the package docstring.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sunshine.core.errors import FieldProblem
from sunshine.core.i18n import N_
from sunshine.traceability.epcis import vocabulary as voc
from sunshine.traceability.epcis.identifiers import IdentifierError, normalise_id

#: Prefixes the EPCIS 2.0 standard context defines (ref.gs1.org/standards/epcis/epcis-context).
STANDARD_PREFIXES: dict[str, str] = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": "https://ref.gs1.org/cbv/",
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": "https://gs1.org/voc/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}

#: Lengths of the indexed columns (models.py): longer values are refused, not truncated.
MAX_URI = 512
MAX_VOCABULARY = 255

_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})$"
)
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HEX = re.compile(r"^(?:[0-9a-fA-F]{2})*$")


@dataclass
class Problems:
    """Problems found so far, each at a JSON pointer."""

    items: list[FieldProblem] = field(default_factory=list)

    def add(self, pointer: str, message: str, **params: str | int) -> None:
        self.items.append(FieldProblem(pointer or "/", message, params=dict(params)))

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass
class ParsedEvent:
    """One valid event, normalised, with where it was in the document."""

    index: int
    event: dict[str, Any]
    namespaces: dict[str, str]
    #: Its event hash, once computed (a capture hashes its events when it accepts them).
    hash: str = ""
    #: Its event time in UTC, once read (the fast path reads it for the hash).
    event_time: datetime | None = None


@dataclass
class ParsedDocument:
    """A document's valid events and the problems of the others (by event index)."""

    events: list[ParsedEvent]
    document_problems: list[FieldProblem]
    event_problems: dict[int, list[FieldProblem]]

    @property
    def problems(self) -> list[FieldProblem]:
        out = list(self.document_problems)
        for index in sorted(self.event_problems):
            out.extend(self.event_problems[index])
        return out


def parse_time(value: str) -> datetime | None:
    """An ISO 8601 date-time with its offset (``Z`` or ``±hh:mm``), as aware UTC; else None."""
    match = _TIME.match(value)
    if not match:
        return None
    offset = match[8]
    delta = timedelta(0) if offset == "Z" else _offset_delta(offset)
    if delta is None:
        return None
    try:
        if value.isascii():
            # The shape and the offset are checked: datetime's own ISO reader (in C) builds
            # it alike, rejecting impossible dates and truncating a fraction to microseconds.
            return datetime.fromisoformat(value).astimezone(UTC)
        # Digits of another script, which fromisoformat does not read.
        year, month, day, hour, minute, second, fraction, _ = match.groups()
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=UTC,
        )
        return moment - delta
    except (ValueError, OverflowError):  # no such date, or none in UTC (year 1 at +14:00)
        return None


#: A TransformationEvent needs at least one of these.
TRANSFORMATION_PARTS = (
    "inputEPCList",
    "inputQuantityList",
    "outputEPCList",
    "outputQuantityList",
    "transformationID",
)

#: Offsets seen so far (a document repeats one or two); bounded like the other memos.
_OFFSETS: dict[str, timedelta | None] = {}


def _offset_delta(value: str) -> timedelta | None:
    try:
        return _OFFSETS[value]
    except KeyError:
        pass
    delta = _read_offset(value)
    if len(_OFFSETS) < 1_000:
        _OFFSETS[value] = delta
    return delta


def _read_offset(value: str) -> timedelta | None:
    match = _OFFSET.match(value)
    if not match:
        return None
    sign, hours, minutes = match.groups()
    if int(hours) > 14 or int(minutes) > 59:
        return None
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    return -delta if sign == "-" else delta


def namespaces_of(context: Any) -> dict[str, str]:
    """The prefix definitions of a JSON-LD ``@context`` (strings name remote contexts)."""
    found: dict[str, str] = {}
    items = context if isinstance(context, list) else [context]
    for item in items:
        if isinstance(item, dict):
            for key, value in item.items():
                if isinstance(value, str) and not key.startswith("@"):
                    found[key] = value
    return found


class _Checker:
    """Walks one event, normalising it into a new dict while noting problems."""

    def __init__(self, problems: Problems, namespaces: Mapping[str, str]) -> None:
        self.problems = problems
        self.namespaces = namespaces
        self.used: set[str] = set()
        # The field checkers of each event type, built once: a document's events reuse the
        # checker of the document (see :func:`parse_document`).
        self._kinds: dict[str, tuple[dict[str, Callable[[Any, str], Any]], tuple[str, ...]]] = {}

    def restart(self) -> None:
        """Forget the problems and prefixes of the previous event."""
        self.problems = Problems()
        self.used = set()

    # values ----------------------------------------------------------------------------

    def string(self, value: Any, at: str) -> str | None:
        if isinstance(value, str) and value.strip():
            return value
        self.problems.add(at, N_("must be a non-empty string"))
        return None

    def uri(self, value: Any, at: str) -> str | None:
        text = self.string(value, at)
        if text is None:
            return None
        if not voc.is_absolute_uri(text):
            self.problems.add(at, N_("{value} is not an absolute URI"), value=text)
            return None
        if len(text) > MAX_URI:
            self.problems.add(at, N_("a URI here has at most {limit} characters"), limit=MAX_URI)
            return None
        return text

    def identifier(self, value: Any, at: str) -> str | None:
        text = self.uri(value, at)
        if text is None:
            return None
        try:
            return normalise_id(text)
        except IdentifierError as exc:
            self.problems.add(at, exc.args[0], value=text)
            return None

    def time(self, value: Any, at: str) -> str | None:
        text = self.string(value, at)
        if text is not None and parse_time(text) is None:
            self.problems.add(
                at,
                N_("{value} is not an ISO 8601 date-time with a time zone offset"),
                value=text,
            )
            return None
        return text

    def number(self, value: Any, at: str) -> float | int | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problems.add(at, N_("must be a number"))
            return None
        return value

    def vocabulary(self, vocabulary: voc.Vocabulary, value: Any, at: str) -> str | None:
        text = self.string(value, at)
        if text is None:
            return None
        if len(text) > MAX_VOCABULARY:
            self.problems.add(
                at, N_("a vocabulary value has at most {limit} characters"), limit=MAX_VOCABULARY
            )
            return None
        try:
            return voc.normalise(vocabulary, text)
        except voc.VocabularyError as exc:
            self.problems.add(at, exc.args[0], value=text, vocabulary=vocabulary.name)
            return None

    def identifiers(self, value: Any, at: str) -> list[str] | None:
        if not isinstance(value, list):
            self.problems.add(at, N_("must be a list"))
            return None
        out = [self.identifier(item, f"{at}/{i}") for i, item in enumerate(value)]
        return [x for x in out if x is not None]

    # structures ------------------------------------------------------------------------

    def extension_key(self, key: str, at: str) -> bool:
        """Whether ``key`` names a user extension (a declared ``prefix:name`` or a URI)."""
        prefix, sep, local = key.partition(":")
        if sep and local and not local.startswith("//"):
            if prefix in self.namespaces or prefix in STANDARD_PREFIXES:
                if prefix not in STANDARD_PREFIXES:
                    self.used.add(prefix)
                return True
            self.problems.add(
                f"{at}/{_escape(key)}",
                N_("the namespace prefix {prefix} is not declared in the @context"),
                prefix=prefix,
            )
            return False
        if sep and voc.is_absolute_uri(key):
            return True
        self.problems.add(
            f"{at}/{_escape(key)}",
            N_("{name} is not a field of this structure; a user extension needs a namespace"),
            name=key,
        )
        return False

    def fields(
        self,
        value: Any,
        at: str,
        known: Mapping[str, Callable[[Any, str], Any]],
        required: tuple[str, ...] = (),
    ) -> dict[str, Any] | None:
        """Check an object: every known field by its checker, the rest as extensions."""
        if not isinstance(value, dict):
            self.problems.add(at, N_("must be an object"))
            return None
        out: dict[str, Any] = {}
        for name in required:
            if name not in value:
                self.problems.add(f"{at}/{name}", N_("{name} is required"), name=name)
        for key, item in value.items():
            check = known.get(key)
            if check is not None:
                result = check(item, f"{at}/{_escape(key)}")
                if result is not None:
                    out[key] = result
            elif self.extension_key(key, at):
                self.note_prefixes(item)
                out[key] = item
        return out

    def note_prefixes(self, value: Any) -> None:
        """Remember the declared prefixes an extension's content uses in its keys."""
        if isinstance(value, dict):
            for key, item in value.items():
                prefix, sep, _ = key.partition(":")
                if sep and prefix in self.namespaces and prefix not in STANDARD_PREFIXES:
                    self.used.add(prefix)
                self.note_prefixes(item)
        elif isinstance(value, list):
            for item in value:
                self.note_prefixes(item)

    def list_of(
        self, check: Callable[[Any, str], Any], *, min_items: int = 0
    ) -> Callable[[Any, str], list[Any] | None]:
        def run(value: Any, at: str) -> list[Any] | None:
            if not isinstance(value, list):
                self.problems.add(at, N_("must be a list"))
                return None
            if len(value) < min_items:
                self.problems.add(at, N_("must have at least {count} element(s)"), count=min_items)
            out = [check(item, f"{at}/{i}") for i, item in enumerate(value)]
            return [x for x in out if x is not None]

        return run

    def location(self, value: Any, at: str) -> dict[str, Any] | None:
        return self.fields(value, at, {"id": self.identifier}, required=("id",))

    def quantity_element(self, value: Any, at: str) -> dict[str, Any] | None:
        out = self.fields(
            value,
            at,
            {"epcClass": self.identifier, "quantity": self.number, "uom": self.uom},
            required=("epcClass",),
        )
        if out is not None and "uom" in out and "quantity" not in value:
            self.problems.add(f"{at}/uom", N_("a unit of measure needs a quantity"))
        return out

    def uom(self, value: Any, at: str) -> str | None:
        text = self.string(value, at)
        if text is not None and not re.fullmatch(r"[A-Z0-9]{2,3}", text):
            self.problems.add(at, N_("{value} is not a UN/CEFACT Rec 20 unit code"), value=text)
            return None
        return text

    def biz_transaction(self, value: Any, at: str) -> dict[str, Any] | None:
        return self.fields(
            value,
            at,
            {
                "type": lambda v, a: self.vocabulary(voc.BIZ_TRANSACTION_TYPE, v, a),
                "bizTransaction": self.uri,
            },
            required=("bizTransaction",),
        )

    def source_or_destination(self, role: str) -> Callable[[Any, str], dict[str, Any] | None]:
        def run(value: Any, at: str) -> dict[str, Any] | None:
            return self.fields(
                value,
                at,
                {
                    "type": lambda v, a: self.vocabulary(voc.SOURCE_DESTINATION_TYPE, v, a),
                    role: self.identifier,
                },
                required=("type", role),
            )

        return run

    def error_declaration(self, value: Any, at: str) -> dict[str, Any] | None:
        return self.fields(
            value,
            at,
            {
                "declarationTime": self.time,
                "reason": lambda v, a: self.vocabulary(voc.ERROR_REASON, v, a),
                "correctiveEventIDs": self.list_of(self.uri),
            },
            required=("declarationTime",),
        )

    def persistent_disposition(self, value: Any, at: str) -> dict[str, Any] | None:
        def dispositions(v: Any, a: str) -> list[Any] | None:
            return self.list_of(lambda x, b: self.vocabulary(voc.DISPOSITION, x, b))(v, a)

        return self.fields(value, at, {"set": dispositions, "unset": dispositions})

    def certification_info(self, value: Any, at: str) -> Any:
        if isinstance(value, str):
            return self.uri(value, at)
        if not isinstance(value, list):
            self.problems.add(at, N_("must be a URI or a list of certificates"))
            return None
        out: list[Any] = []
        for i, item in enumerate(value):
            where = f"{at}/{i}"
            if isinstance(item, str):
                out.append(self.uri(item, where))
            elif isinstance(item, dict):
                checked = self.fields(item, where, {})
                self._certificate_dates(item, where)
                out.append(checked)
            else:
                self.problems.add(where, N_("must be a URI or a certificate object"))
        return [x for x in out if x is not None]

    def _certificate_dates(self, value: Any, at: str) -> None:
        """GS1 web vocabulary certification dates (gs1:certificationAuditDate, ...) are
        xsd:date values (GS1 Web Vocabulary, class CertificationDetails)."""
        if isinstance(value, dict):
            for key, item in value.items():
                where = f"{at}/{_escape(key)}"
                if key.startswith("gs1:") and key.endswith("Date"):
                    if not (isinstance(item, str) and _DATE.match(item[:10]) and _is_date(item)):
                        self.problems.add(where, N_("{value} is not a date"), value=str(item))
                else:
                    self._certificate_dates(item, where)

    def sensor_element(self, value: Any, at: str) -> dict[str, Any] | None:
        metadata = {
            "time": self.time,
            "startTime": self.time,
            "endTime": self.time,
            "deviceID": self.identifier,
            "deviceMetadata": self.uri,
            "rawData": self.uri,
            "dataProcessingMethod": self.uri,
            "bizRules": self.uri,
        }
        report = {
            "type": self.string,
            "exception": self.string,
            "deviceID": self.identifier,
            "deviceMetadata": self.uri,
            "rawData": self.uri,
            "dataProcessingMethod": self.uri,
            "time": self.time,
            "microorganism": self.uri,
            "chemicalSubstance": self.uri,
            "value": self.number,
            "component": self.string,
            "stringValue": self.string,
            "booleanValue": self.boolean,
            "hexBinaryValue": self.hex_binary,
            "uriValue": self.uri,
            "minValue": self.number,
            "maxValue": self.number,
            "meanValue": self.number,
            "sDev": self.number,
            "percRank": self.number,
            "percValue": self.number,
            "uom": self.uom,
            "coordinateReferenceSystem": self.uri,
            "bizRules": self.uri,
        }
        return self.fields(
            value,
            at,
            {
                "sensorMetadata": lambda v, a: self.fields(v, a, metadata),
                "sensorReport": self.list_of(lambda v, a: self.fields(v, a, report), min_items=1),
            },
            required=("sensorReport",),
        )

    def boolean(self, value: Any, at: str) -> bool | None:
        if isinstance(value, bool):
            return value
        self.problems.add(at, N_("must be true or false"))
        return None

    def hex_binary(self, value: Any, at: str) -> str | None:
        text = self.string(value, at)
        if text is not None and not _HEX.match(text):
            self.problems.add(at, N_("{value} is not hexadecimal binary"), value=text)
            return None
        return text

    def ilmd(self, value: Any, at: str) -> dict[str, Any] | None:
        return self.fields(value, at, {})

    def action(self, value: Any, at: str) -> str | None:
        if value in voc.ACTIONS:
            return str(value)
        self.problems.add(
            at, N_("{value} is not an action: ADD, OBSERVE or DELETE"), value=str(value)
        )
        return None

    def offset(self, value: Any, at: str) -> str | None:
        text = self.string(value, at)
        if text is not None and _offset_delta(text) is None:
            self.problems.add(at, N_("{value} is not a time zone offset (±hh:mm)"), value=text)
            return None
        return text

    def context(self, value: Any, at: str) -> Any:
        return value  # replaced by the used namespaces once the event is walked

    # events ----------------------------------------------------------------------------

    def event(self, value: Any, at: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problems.add(at, N_("must be an object"))
            return None
        kind = value.get("type")
        if kind not in voc.EVENT_TYPES:
            self.problems.add(
                f"{at}/type", N_("{value} is not an EPCIS event type"), value=str(kind)
            )
            return None
        fields = self._kinds.get(kind)
        if fields is None:
            fields = self._kinds[kind] = self._fields_of(kind)
        known, required = fields
        out = self.fields(value, at, known, required=required)
        if out is None:
            return None
        self._lists_required(kind, value, at)
        out.pop("recordTime", None)
        return out

    def _fields_of(self, kind: str) -> tuple[dict[str, Callable[[Any, str], Any]], tuple[str, ...]]:
        quantities = self.list_of(self.quantity_element)
        common: dict[str, Callable[[Any, str], Any]] = {
            "type": lambda v, a: v,
            "@context": self.context,
            "eventTime": self.time,
            "recordTime": self.time,
            "eventTimeZoneOffset": self.offset,
            "eventID": self.uri,
            "errorDeclaration": self.error_declaration,
            "certificationInfo": self.certification_info,
            "readPoint": self.location,
            "bizLocation": self.location,
            "bizStep": lambda v, a: self.vocabulary(voc.BIZ_STEP, v, a),
            "disposition": lambda v, a: self.vocabulary(voc.DISPOSITION, v, a),
            "persistentDisposition": self.persistent_disposition,
            "bizTransactionList": self.list_of(self.biz_transaction),
            "sourceList": self.list_of(self.source_or_destination("source")),
            "destinationList": self.list_of(self.source_or_destination("destination")),
            "sensorElementList": self.list_of(self.sensor_element),
        }
        required = ["type", "eventTime", "eventTimeZoneOffset"]
        if kind != "TransformationEvent":
            common["action"] = self.action
            required.append("action")
        if kind in ("ObjectEvent", "TransactionEvent"):
            common.update({"epcList": self.identifiers, "quantityList": quantities})
        if kind in ("AggregationEvent", "AssociationEvent", "TransactionEvent"):
            common["parentID"] = self.identifier
        if kind in ("AggregationEvent", "AssociationEvent"):
            common.update({"childEPCs": self.identifiers, "childQuantityList": quantities})
        if kind in ("ObjectEvent", "TransformationEvent"):
            common["ilmd"] = self.ilmd
        if kind == "TransformationEvent":
            common.update(
                {
                    "inputEPCList": self.identifiers,
                    "inputQuantityList": quantities,
                    "outputEPCList": self.identifiers,
                    "outputQuantityList": quantities,
                    "transformationID": self.uri,
                }
            )
        if kind == "TransactionEvent":
            common["bizTransactionList"] = self.list_of(self.biz_transaction, min_items=1)
            required.append("bizTransactionList")
        if kind == "AssociationEvent":
            required.append("parentID")
        return common, tuple(required)

    def _lists_required(self, kind: str, value: dict[str, Any], at: str) -> None:
        """Which identifier lists an event must name (EPCIS 2.0 sections 7.4.2-7.4.6)."""
        if kind == "ObjectEvent" and "epcList" not in value and "quantityList" not in value:
            self.problems.add(
                f"{at}/epcList", N_("an ObjectEvent needs an epcList or a quantityList")
            )
        if (
            kind == "AggregationEvent"
            and value.get("action") in ("ADD", "DELETE")
            and "parentID" not in value
        ):
            self.problems.add(
                f"{at}/parentID", N_("an AggregationEvent that adds or deletes needs a parentID")
            )
        if kind == "TransformationEvent" and not any(
            name in value for name in TRANSFORMATION_PARTS
        ):
            self.problems.add(
                f"{at}/inputEPCList",
                N_("a TransformationEvent needs inputs, outputs or a transformationID"),
            )


#: JSON pointer spellings of field names seen so far (the same few names in every event).
_ESCAPED: dict[str, str] = {}


def _escape(key: str) -> str:
    escaped = _ESCAPED.get(key)
    if escaped is None:
        escaped = key.replace("~", "~0").replace("/", "~1")
        if len(_ESCAPED) < 10_000:  # names are the sender's: keep the memo bounded
            _ESCAPED[key] = escaped
    return escaped


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        return False
    return True


def parse_event(
    value: Any,
    *,
    at: str = "",
    namespaces: Mapping[str, str] | None = None,
    shared: _Checker | None = None,
) -> tuple[ParsedEvent | None, list[FieldProblem]]:
    """One event (as captured alone, or inside a document with its ``namespaces``; the
    document's ``shared`` checker serves every event that declares no context of its own)."""
    if shared is not None and not (isinstance(value, dict) and "@context" in value):
        checker = shared
        checker.restart()
        declared = checker.namespaces
    else:
        declared = dict(namespaces or {})
        if isinstance(value, dict) and "@context" in value:
            declared.update(namespaces_of(value["@context"]))
        checker = _Checker(Problems(), declared)
    event = checker.event(value, at)
    problems = checker.problems
    if problems or event is None:
        return None, problems.items
    used = {prefix: declared[prefix] for prefix in sorted(checker.used)}
    event.pop("@context", None)
    if used:
        event = {"@context": [used], **event}
    return ParsedEvent(index=0, event=event, namespaces=used), []


def parse_document(value: Any, *, query: bool = False) -> ParsedDocument:
    """An ``EPCISDocument`` (or, with ``query``, an ``EPCISQueryDocument``)."""
    problems = Problems()
    expected = "EPCISQueryDocument" if query else "EPCISDocument"
    if not isinstance(value, dict):
        problems.add("", N_("an EPCIS document must be a JSON object"))
        return ParsedDocument([], problems.items, {})
    if value.get("type") != expected:
        problems.add("/type", N_("the document type must be {expected}"), expected=expected)
    if not value.get("@context"):
        problems.add("/@context", N_("a JSON-LD document needs its @context"))
    if value.get("schemaVersion") not in ("2.0", "2.0.0", "2.1"):
        problems.add("/schemaVersion", N_("the schema version must be 2.0"))
    creation = value.get("creationDate")
    if not isinstance(creation, str) or parse_time(creation) is None:
        problems.add(
            "/creationDate",
            N_("{value} is not an ISO 8601 date-time with a time zone offset"),
            value=str(creation),
        )
    events, where = _event_list(value, query)
    if events is None:
        problems.add(where, N_("the document has no event list"))
        return ParsedDocument([], problems.items, {})
    # The fast path builds on this module (its rules and ParsedEvent): imported here.
    from sunshine.traceability.epcis.fast import FastPath

    namespaces = namespaces_of(value.get("@context"))
    shared = _Checker(Problems(), namespaces)
    fast = FastPath(namespaces)
    parsed: list[ParsedEvent] = []
    failed: dict[int, list[FieldProblem]] = {}
    for index, item in enumerate(events):
        # Plain valid events take the fast path (normalised and hashed at once); any other
        # event, a faulty one above all, is walked by the detailed checker, which names
        # every problem with its pointer.
        event = fast.event(item)
        if event is not None:
            event.index = index
            parsed.append(event)
            continue
        event, event_problems = parse_event(
            item, at=f"{where}/{index}", namespaces=namespaces, shared=shared
        )
        if event is None:
            failed[index] = event_problems
        else:
            event.index = index
            parsed.append(event)
    return ParsedDocument(parsed, problems.items, failed)


def _event_list(value: dict[str, Any], query: bool) -> tuple[list[Any] | None, str]:
    body = value.get("epcisBody")
    if not isinstance(body, dict):
        return None, "/epcisBody"
    if query:
        results = body.get("queryResults")
        inner = results.get("resultsBody") if isinstance(results, dict) else None
        events = inner.get("eventList") if isinstance(inner, dict) else None
        where = "/epcisBody/queryResults/resultsBody/eventList"
    else:
        events = body.get("eventList")
        where = "/epcisBody/eventList"
    return (events if isinstance(events, list) else None), where
