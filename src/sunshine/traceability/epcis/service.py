"""The rules of the EPCIS event repository: who captures, what is stored, who sees what.

Access (DESIGN convention 4): a business captures for itself only (``principal.business_id``);
an event is visible to the business that captured it, to the businesses it names as a
source or destination, and to the regulators whose jurisdiction holds one of those
businesses (``auth.access.business_condition`` decides which businesses a principal covers).
A business is named by a GS1 identifier it registered (PGLN as a party, SGLN as a location,
table ``epcis_business_identifiers``) or by its platform party URN
``urn:sunshine:party:{public_code}``. Names are resolved when the event is captured; an
identifier registered later does not open older events.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from sunshine.audit.service import record as audit
from sunshine.auth.access import business_condition
from sunshine.auth.principal import Principal
from sunshine.config import get_settings
from sunshine.core.errors import ConflictError, FieldProblem, ForbiddenError, NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.time import utc_now
from sunshine.traceability.epcis import repository
from sunshine.traceability.epcis.errors import EpcisValidationError, QueryParameterError
from sunshine.traceability.epcis.hashing import event_hash
from sunshine.traceability.epcis.identifiers import DL_HOST, IdentifierError, normalise_id
from sunshine.traceability.epcis.models import BusinessGs1Identifier, EpcisCapture, EpcisEvent
from sunshine.traceability.epcis.parse import ParsedEvent, parse_document, parse_event, parse_time
from sunshine.traceability.epcis.query import EventQuery, QueryProblems, read_query

CONTEXT_URL = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
BEHAVIOURS = ("rollback", "proceed")
#: Why a capture pending at an upgrade failed (written by migration 0019e).
STOPPED_BY_UPGRADE = N_(
    "the capture was waiting when the repository was upgraded; send the document again"
)
_PAGE_SALT = "sunshine.epcis-page"
_EPC_ROLES = {
    "epcList": "epc",
    "childEPCs": "child",
    "inputEPCList": "input",
    "outputEPCList": "output",
}
_QUANTITY_ROLES = {
    "quantityList": "quantity",
    "childQuantityList": "child",
    "inputQuantityList": "input",
    "outputQuantityList": "output",
}


def capturer(actor: Principal) -> int:
    """The business ``actor`` captures for; only a business's own accounts capture."""
    if not actor.is_enterprise or actor.business_id is None:
        raise ForbiddenError(N_("Only a business captures EPCIS events, and only for itself."))
    return actor.business_id


def read_json(body: bytes) -> Any:
    """The JSON of a request body, or a 400 naming where it breaks."""
    try:
        # orjson: the JSON of a bulk capture is read several times faster than by json.
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            problem = FieldProblem("/", N_("the body is not UTF-8 text"))
            raise EpcisValidationError([problem]) from None
        problem = FieldProblem(
            "/",
            N_("the body is not valid JSON: {reason} at line {line}, column {column}"),
            params={"reason": exc.msg, "line": exc.lineno, "column": exc.colno},
        )
    raise EpcisValidationError([problem])


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a bulk document is read or stored.

    A document of thousands of events is a tree of some 100,000 dicts and lists, alive until
    the capture ends: allocating it runs the collector's full passes again and again, each
    walking every object of the process, which cost about a third of the capture's time
    (bench/epcis_capture.py). The tree holds no cycles, so nothing is lost by waiting:
    reference counting still frees everything, and the collector runs again afterwards. Only
    the thread that paused it enables it again, and only if it was enabled before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# storing ----------------------------------------------------------------------------------


def _index_rows(
    event: dict[str, Any],
) -> tuple[
    list[tuple[str, str]],
    list[tuple[str, str, float | None, str | None]],
    list[tuple[str, str]],
    list[tuple[str, str, str]],
]:
    """The identifiers, quantities, business transactions and parties an event names, each
    once (the index tables' keys). Plain loops: this runs for every event of a bulk capture."""
    epcs: list[tuple[str, str]] = []
    for key, role in _EPC_ROLES.items():
        if key in event:
            epcs += [(role, v) for v in event[key]]
    if "parentID" in event:
        epcs.append(("parent", event["parentID"]))
    quantities: list[tuple[str, str, float | None, str | None]] = []
    for key, role in _QUANTITY_ROLES.items():
        if key in event:
            quantities += [
                (role, q["epcClass"], q.get("quantity"), q.get("uom")) for q in event[key]
            ]
    transactions: list[tuple[str, str]] = []
    if "bizTransactionList" in event:
        transactions = [
            (t.get("type", ""), t["bizTransaction"]) for t in event["bizTransactionList"]
        ]
    parties: list[tuple[str, str, str]] = []
    if "sourceList" in event:
        parties = [("source", p["type"], p["source"]) for p in event["sourceList"]]
    if "destinationList" in event:
        parties += [("destination", p["type"], p["destination"]) for p in event["destinationList"]]
    return _once(epcs), quantities, _once(transactions), _once(parties)


def _once(rows: list[Any]) -> list[Any]:
    return list(dict.fromkeys(rows)) if len(rows) > 1 else rows


def stage(
    session: Session, *, business_id: int, events: list[ParsedEvent]
) -> list[repository.StagedEvent]:
    """Each valid event in the form it is stored: its columns, its JSON, its index rows and
    the businesses that may see it (names resolved now: see the module's docstring)."""
    indexes = [_index_rows(e.event) for e in events]
    owners = repository.owners_of(session, {v for i in indexes for _, _, v in i[3]})
    staged: list[repository.StagedEvent] = []
    for parsed, (epcs, quantities, transactions, parties) in zip(events, indexes, strict=True):
        event = parsed.event
        digest = parsed.hash or event_hash(event, parsed.namespaces)
        moment = parsed.event_time or parse_time(event["eventTime"])
        assert moment is not None  # checked by parse_event
        viewers = {business_id}
        for _, _, party in parties:
            owner = owners.get(party)
            if owner is not None:
                viewers.add(owner)
        read_point = event.get("readPoint")
        biz_location = event.get("bizLocation")
        staged.append(
            repository.StagedEvent(
                digest,
                event.get("eventID", digest),
                event["type"],
                moment.isoformat(),  # UTC: parse_time's
                event["eventTimeZoneOffset"],
                event.get("action"),
                event.get("bizStep"),
                event.get("disposition"),
                read_point["id"] if read_point else None,
                biz_location["id"] if biz_location else None,
                orjson.dumps(event).decode(),
                epcs,
                quantities,
                transactions,
                parties,
                sorted(viewers),
            )
        )
    return staged


def store(
    session: Session,
    *,
    business_id: int,
    events: list[repository.StagedEvent],
    capture_id: str | None,
) -> tuple[list[repository.StagedEvent], int]:
    """Store the events not stored before, each once; returns them and how many were
    already known (the event hash decides: CBV 2.0 section 8.9)."""
    known = repository.known_hashes(session, [e.event_hash for e in events])
    fresh: list[repository.StagedEvent] = []
    for event in events:
        if event.event_hash not in known:
            known.add(event.event_hash)
            fresh.append(event)
    repository.insert_events(
        session, fresh, business_id=business_id, capture_id=capture_id, record_time=utc_now()
    )
    return fresh, len(events) - len(fresh)


@dataclass
class Captured:
    event_id: str
    event_hash: str


def capture_event(*, session: Session, actor: Principal, body: bytes) -> Captured:
    """``POST /epcis/events``: one event, stored now; a known event is a conflict."""
    business_id = capturer(actor)
    parsed, problems = parse_event(read_json(body))
    if parsed is None:
        raise EpcisValidationError(problems)
    staged = stage(session, business_id=business_id, events=[parsed])
    fresh, _ = store(session, business_id=business_id, events=staged, capture_id=None)
    if not fresh:
        raise ConflictError(
            N_("This event has been captured already (event hash {hash})."),
            hash=staged[0].event_hash,
        )
    event = fresh[0]
    audit(
        session=session,
        actor=actor,
        action="epcis.capture_event",
        entity_type="epcis_event",
        # The hash's hex digest: the audit's entity id holds 64 characters.
        entity_id=event.event_hash.split(";", 1)[1][:64],
        after={"event_id": event.event_id, "hash": event.event_hash, "type": event.event_type},
    )
    return Captured(event_id=event.event_id, event_hash=event.event_hash)


def capture_document(
    *, session: Session, actor: Principal, body: bytes, behaviour: str
) -> EpcisCapture:
    """``POST /epcis/capture``: check the whole document now and keep its events for the
    capture job. With ``rollback`` (the default) one bad event refuses the document; with
    ``proceed`` the bad events are listed on the capture and the others stored."""
    business_id = capturer(actor)
    if behaviour not in BEHAVIOURS:
        raise EpcisValidationError(
            [
                FieldProblem(
                    "GS1-Capture-Error-Behaviour",
                    N_("the capture error behaviour is rollback or proceed"),
                )
            ]
        )
    with _collector_paused():
        return _capture_document(
            session=session, actor=actor, business_id=business_id, body=body, behaviour=behaviour
        )


def _capture_document(
    *, session: Session, actor: Principal, business_id: int, body: bytes, behaviour: str
) -> EpcisCapture:
    parsed = parse_document(read_json(body))
    if parsed.document_problems or (
        parsed.event_problems and (behaviour == "rollback" or not parsed.events)
    ):
        raise EpcisValidationError(parsed.problems)
    failed = [p for index in sorted(parsed.event_problems) for p in parsed.event_problems[index]]
    capture_id = str(uuid.uuid4())
    staged = stage(session, business_id=business_id, events=parsed.events)
    capture = EpcisCapture(
        id=capture_id,
        business_id=business_id,
        user_id=actor.user_id,
        status="pending",
        error_behaviour=behaviour,
        event_count=len(parsed.events) + len(parsed.event_problems),
        stored_count=0,
        duplicate_count=0,
        error_count=len(parsed.event_problems),
        errors=[p.as_dict() for p in failed],
        staged=repository.render(session, staged, business_id=business_id, capture_id=capture_id),
        created_at=utc_now(),
    )
    repository.add_capture(session, capture)
    audit(
        session=session,
        actor=actor,
        action="epcis.capture",
        entity_type="epcis_capture",
        entity_id=capture.id,
        after={"events": capture.event_count, "errors": capture.error_count},
    )
    return capture


def run_capture(*, session: Session, capture_id: str) -> EpcisCapture | None:
    """Store a pending capture's events (the job ``epcis.capture``)."""
    with _collector_paused():
        return _run_capture(session=session, capture_id=capture_id)


def _run_capture(*, session: Session, capture_id: str) -> EpcisCapture | None:
    capture = repository.capture_for_update(session, capture_id)
    if capture is None or capture.status != "pending":
        return capture
    staged = repository.staged_text(session, capture.id) or ""
    if repository.is_rendered(staged):
        stored, duplicates = repository.store_rendered(session, staged, record_time=utc_now())
    else:
        fresh, duplicates = store(
            session,
            business_id=capture.business_id,
            events=repository.unpack(staged) if staged else [],
            capture_id=capture.id,
        )
        stored = len(fresh)
    capture.stored_count = stored
    capture.duplicate_count = duplicates
    capture.status = "succeeded" if capture.error_count == 0 else "partial"
    capture.staged = None
    capture.finished_at = utc_now()
    return capture


def fail_capture(*, session: Session, capture_id: str) -> None:
    """Mark a capture failed after an unexpected error (nothing of it was stored)."""
    capture = repository.capture_for_update(session, capture_id)
    if capture is not None and capture.status == "pending":
        capture.status = "failed"
        capture.staged = None
        capture.errors = [
            *capture.errors,
            {"field": "/", "message": N_("the capture stopped on an unexpected error")},
        ]
        capture.finished_at = utc_now()


def capture_status(*, session: Session, actor: Principal, capture_id: str) -> EpcisCapture:
    """A capture job, for the business that captured (and the regulators over it)."""
    capture = repository.capture(session, capture_id)
    if capture is None or not _covers(session, actor, capture.business_id):
        raise NotFoundError(N_("No such capture job."))
    return capture


def _covers(session: Session, actor: Principal, business_id: int) -> bool:
    return repository.business_in_scope(session, business_id, business_condition(actor))


# reading ----------------------------------------------------------------------------------


def event_json(row: EpcisEvent) -> dict[str, Any]:
    """An event as answered: the normalised event with the repository's ``recordTime``."""
    document = dict(row.document)
    document["recordTime"] = row.record_time.isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    )
    return document


def query_document(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """An ``EPCISQueryDocument`` holding ``events`` (EPCIS 2.0 section 9.2)."""
    return {
        "@context": [CONTEXT_URL],
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": utc_now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": {"eventList": list(events)},
            }
        },
    }


def get_event(*, session: Session, actor: Principal, event_id: str) -> dict[str, Any]:
    row = repository.event_by_id(session, event_id, business_condition(actor))
    if row is None:
        raise NotFoundError(N_("No such event."))
    return event_json(row)


@dataclass
class Page:
    events: list[dict[str, Any]]
    next_token: str | None


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt=_PAGE_SALT)


def _resume(q: EventQuery) -> tuple[tuple[datetime, int] | None, int]:
    if q.page_token is None:
        return None, 0
    try:
        data = _serializer().loads(q.page_token)
        assert data["f"] == q.fingerprint
        return (datetime.fromisoformat(data["v"]), int(data["i"])), int(data["n"])
    except (BadSignature, AssertionError, KeyError, TypeError, ValueError):
        raise QueryParameterError(
            [FieldProblem("nextPageToken", N_("the page token is not valid for this query"))]
        ) from None


def query_events(*, session: Session, actor: Principal, params: Iterable[tuple[str, Any]]) -> Page:
    """``GET /epcis/events``: a page of the events ``actor`` may see that match."""
    try:
        q = read_query(params)
    except QueryProblems as exc:
        raise QueryParameterError(exc.problems) from None
    after, served = _resume(q)
    limit = q.per_page
    if q.event_count_limit is not None:
        limit = min(limit, q.event_count_limit - served)
    rows = (
        repository.events_page(
            session, q=q, scope=business_condition(actor), after=after, limit=limit + 1
        )
        if limit > 0
        else []
    )
    more = len(rows) > limit
    rows = rows[:limit]
    token = None
    if more and rows:
        last = rows[-1]
        value = last.event_time if q.order_by == "eventTime" else last.record_time
        token = _serializer().dumps(
            {"f": q.fingerprint, "v": value.isoformat(), "i": last.id, "n": served + len(rows)}
        )
    return Page(events=[event_json(r) for r in rows], next_token=token)


# identifiers ------------------------------------------------------------------------------


def register_identifier(*, session: Session, actor: Principal, value: str) -> BusinessGs1Identifier:
    """A business names one of its GS1 identifiers (PGLN or SGLN), so that events naming it
    as source or destination become visible to it."""
    business_id = capturer(actor)
    try:
        canonical = normalise_id(value)
    except IdentifierError as exc:
        problem = FieldProblem("identifier", exc.args[0], params={"value": value})
        raise EpcisValidationError([problem]) from None
    if canonical.startswith(f"{DL_HOST}/417/"):
        kind = "pgln"
    elif canonical.startswith(f"{DL_HOST}/414/"):
        kind = "sgln"
    else:
        raise EpcisValidationError(
            [
                FieldProblem(
                    "identifier",
                    N_("{value} is neither a party (PGLN) nor a location (SGLN)"),
                    params={"value": value},
                )
            ]
        )
    if repository.owners_of(session, {canonical}):
        raise ConflictError(N_("This identifier is registered already."))
    identifier = BusinessGs1Identifier(
        business_id=business_id, kind=kind, identifier=canonical, created_at=utc_now()
    )
    repository.add_identifier(session, identifier)
    audit(
        session=session,
        actor=actor,
        action="epcis.register_identifier",
        entity_type="epcis_business_identifier",
        entity_id=identifier.id,
        after={"business_id": business_id, "identifier": canonical, "kind": kind},
    )
    return identifier
