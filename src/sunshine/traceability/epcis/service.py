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


def _index_rows(event: dict[str, Any]) -> dict[str, Any]:
    epcs = [(role, v) for key, role in _EPC_ROLES.items() for v in event.get(key, [])]
    if "parentID" in event:
        epcs.append(("parent", event["parentID"]))
    quantities = [
        (role, q["epcClass"], q.get("quantity"), q.get("uom"))
        for key, role in _QUANTITY_ROLES.items()
        for q in event.get(key, [])
    ]
    transactions = [
        (t.get("type", ""), t["bizTransaction"]) for t in event.get("bizTransactionList", [])
    ]
    parties = [("source", s["type"], s["source"]) for s in event.get("sourceList", [])] + [
        ("destination", d["type"], d["destination"]) for d in event.get("destinationList", [])
    ]
    return {
        "epcs": epcs,
        "quantities": quantities,
        "biz_transactions": transactions,
        "parties": parties,
    }


def prepare(
    session: Session,
    *,
    business_id: int,
    events: list[ParsedEvent],
    capture_id: str | None,
) -> tuple[list[repository.NewEvent], int]:
    """The events to store (new ones, each once) and how many were already known."""
    record_time = utc_now()
    hashed = [(e.hash or event_hash(e.event, e.namespaces), e) for e in events]
    known = repository.known_hashes(session, [h for h, _ in hashed])
    indexes = [_index_rows(e.event) for _, e in hashed]
    owners = repository.owners_of(session, {v for i in indexes for _, _, v in i["parties"]})
    fresh: list[repository.NewEvent] = []
    duplicates = 0
    for (digest, parsed), index in zip(hashed, indexes, strict=True):
        if digest in known:
            duplicates += 1
            continue
        known.add(digest)
        event = parsed.event
        moment = parse_time(event["eventTime"])
        assert moment is not None  # checked by parse_event
        viewers = {business_id} | {owners[v] for _, _, v in index["parties"] if v in owners}
        fresh.append(
            repository.NewEvent(
                row={
                    "event_id": event.get("eventID", digest),
                    "event_hash": digest,
                    "event_type": event["type"],
                    "event_time": moment,
                    "event_time_zone_offset": event["eventTimeZoneOffset"],
                    "record_time": record_time,
                    "action": event.get("action"),
                    "biz_step": event.get("bizStep"),
                    "disposition": event.get("disposition"),
                    "read_point": (event.get("readPoint") or {}).get("id"),
                    "biz_location": (event.get("bizLocation") or {}).get("id"),
                    "business_id": business_id,
                    "capture_id": capture_id,
                    "document": event,
                },
                viewers=viewers,
                **index,
            )
        )
    return fresh, duplicates


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
    fresh, _ = prepare(session, business_id=business_id, events=[parsed], capture_id=None)
    if not fresh:
        raise ConflictError(
            N_("This event has been captured already (event hash {hash})."),
            hash=event_hash(parsed.event, parsed.namespaces),
        )
    repository.insert_events(session, fresh)
    row = fresh[0].row
    audit(
        session=session,
        actor=actor,
        action="epcis.capture_event",
        entity_type="epcis_event",
        # The hash's hex digest: the audit's entity id holds 64 characters.
        entity_id=row["event_hash"].split(";", 1)[1][:64],
        after={"event_id": row["event_id"], "hash": row["event_hash"], "type": row["event_type"]},
    )
    return Captured(event_id=row["event_id"], event_hash=row["event_hash"])


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
    capture = EpcisCapture(
        id=str(uuid.uuid4()),
        business_id=business_id,
        user_id=actor.user_id,
        status="pending",
        error_behaviour=behaviour,
        event_count=len(parsed.events) + len(parsed.event_problems),
        stored_count=0,
        duplicate_count=0,
        error_count=len(parsed.event_problems),
        errors=[p.as_dict() for p in failed],
        payload=[
            {
                "event": e.event,
                "namespaces": e.namespaces,
                "hash": e.hash or event_hash(e.event, e.namespaces),
            }
            for e in parsed.events
        ],
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
    events = [
        ParsedEvent(
            index=i, event=item["event"], namespaces=item["namespaces"], hash=item.get("hash", "")
        )
        for i, item in enumerate(capture.payload or [])
    ]
    fresh, duplicates = prepare(
        session, business_id=capture.business_id, events=events, capture_id=capture.id
    )
    repository.insert_events(session, fresh)
    capture.stored_count = len(fresh)
    capture.duplicate_count = duplicates
    capture.status = "succeeded" if capture.error_count == 0 else "partial"
    capture.payload = None
    capture.finished_at = utc_now()
    return capture


def fail_capture(*, session: Session, capture_id: str) -> None:
    """Mark a capture failed after an unexpected error (nothing of it was stored)."""
    capture = repository.capture_for_update(session, capture_id)
    if capture is not None and capture.status == "pending":
        capture.status = "failed"
        capture.payload = None
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
