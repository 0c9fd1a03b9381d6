"""Every query of the EPCIS event repository."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import orjson
from psycopg.errors import UniqueViolation
from sqlalchemy import (
    ColumnElement,
    Text,
    and_,
    any_,
    bindparam,
    exists,
    func,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from sunshine.registry.models import Business
from sunshine.traceability.epcis.models import (
    BusinessGs1Identifier,
    EpcisCapture,
    EpcisEvent,
    EpcisEventBizTransaction,
    EpcisEventEpc,
    EpcisEventParty,
    EpcisEventQuantity,
    EpcisEventViewer,
)
from sunshine.traceability.epcis.query import CLASS_MATCHES, EPC_MATCHES, EventQuery

PARTY_PREFIX = "urn:sunshine:party:"
#: Rows per INSERT statement: large enough to amortise round trips, small enough for
#: SQLite's limit of 32,766 bound parameters with the widest table (11 columns).
CHUNK = 2000


class StagedEvent(NamedTuple):
    """An event in the form it is stored: its columns and index rows, computed when the
    capture is accepted (``service.stage``) and kept until the capture job stores it, so the
    job has only rows to write: as COPY text on PostgreSQL (``render``), as a plain list
    elsewhere (``pack``).

    ``event_time`` is ISO 8601 in UTC; ``document`` is the normalised event as JSON text;
    the index lists hold no repeats (each table's primary key). Read back by ``unpack``,
    each index row is a list rather than a tuple: both unpack alike."""

    event_hash: str
    event_id: str
    event_type: str
    event_time: str
    event_time_zone_offset: str
    action: str | None
    biz_step: str | None
    disposition: str | None
    read_point: str | None
    biz_location: str | None
    document: str
    epcs: list[tuple[str, str]]
    quantities: list[tuple[str, str, float | None, str | None]]
    biz_transactions: list[tuple[str, str]]
    parties: list[tuple[str, str, str]]
    viewers: list[int]


def _chunks(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


#: The hashes among ``:hashes`` (separated by spaces, which no event hash holds) already
#: stored, on PostgreSQL: one text parameter instead of thousands of bound values or an
#: array adapted element by element (a bulk capture asks about every event).
_KNOWN_PG = select(EpcisEvent.event_hash).where(
    EpcisEvent.event_hash == any_(func.string_to_array(bindparam("hashes", type_=Text), " "))
)


def known_hashes(session: Session, hashes: Sequence[str]) -> set[str]:
    if not hashes:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        return set(session.scalars(_KNOWN_PG, {"hashes": " ".join(hashes)}))
    found: set[str] = set()
    for start in range(0, len(hashes), CHUNK):
        part = hashes[start : start + CHUNK]
        found.update(
            session.scalars(select(EpcisEvent.event_hash).where(EpcisEvent.event_hash.in_(part)))
        )
    return found


def owners_of(session: Session, identifiers: set[str]) -> dict[str, int]:
    """Which business owns each identifier (GS1 identifiers and platform party URNs)."""
    owners: dict[str, int] = {}
    codes = {i[len(PARTY_PREFIX) :]: i for i in identifiers if i.startswith(PARTY_PREFIX)}
    if codes:
        rows = session.execute(
            select(Business.public_code, Business.id).where(Business.public_code.in_(codes))
        )
        owners.update({codes[code]: business_id for code, business_id in rows})
    others = [i for i in identifiers if not i.startswith(PARTY_PREFIX)]
    if others:
        rows = session.execute(
            select(BusinessGs1Identifier.identifier, BusinessGs1Identifier.business_id).where(
                BusinessGs1Identifier.identifier.in_(others)
            )
        )
        owners.update({identifier: business_id for identifier, business_id in rows})
    return owners


#: The columns of ``epcis_events`` as COPY writes them: the key, the staged event's
#: columns, then those the same for every event of a capture (``_copy_sections``).
_EVENT_COLUMNS = (
    "id",
    "event_hash",
    "event_id",
    "event_type",
    "event_time",
    "event_time_zone_offset",
    "action",
    "biz_step",
    "disposition",
    "read_point",
    "biz_location",
    "document",
    "business_id",
    "capture_id",
    "record_time",
)
#: The index tables as COPY writes them.
_INDEX_TABLES = (
    "epcis_event_epcs (event_pk, role, epc)",
    "epcis_event_quantities (event_pk, role, epc_class, quantity, uom)",
    "epcis_event_biz_transactions (event_pk, type, biz_transaction)",
    "epcis_event_parties (event_pk, direction, type, value)",
    "epcis_event_viewers (event_pk, business_id)",
)


def insert_events(
    session: Session,
    events: Sequence[StagedEvent],
    *,
    business_id: int,
    capture_id: str | None,
    record_time: datetime,
) -> None:
    """Store new events (none stored before) and their index rows: with PostgreSQL's COPY
    (bulk capture is the hot path: a document of thousands of events), elsewhere with
    multi-row INSERTs."""
    if not events:
        return
    if session.get_bind().dialect.name == "postgresql":
        _copy_events(session, events, business_id, capture_id, record_time)
        return
    for start in range(0, len(events), CHUNK):
        _insert_events(session, events[start : start + CHUNK], business_id, capture_id, record_time)


def _insert_events(
    session: Session,
    events: Sequence[StagedEvent],
    business_id: int,
    capture_id: str | None,
    record_time: datetime,
) -> None:
    rows = [
        {
            "event_hash": e.event_hash,
            "event_id": e.event_id,
            "event_type": e.event_type,
            "event_time": datetime.fromisoformat(e.event_time),
            "event_time_zone_offset": e.event_time_zone_offset,
            "record_time": record_time,
            "action": e.action,
            "biz_step": e.biz_step,
            "disposition": e.disposition,
            "read_point": e.read_point,
            "biz_location": e.biz_location,
            "document": orjson.loads(e.document),
            "business_id": business_id,
            "capture_id": capture_id,
        }
        for e in events
    ]
    keys = session.scalars(
        insert(EpcisEvent).returning(EpcisEvent.id, sort_by_parameter_order=True), rows
    )
    epcs, quantities, transactions, parties, viewers = [], [], [], [], []
    for pk, e in zip(keys, events, strict=True):
        epcs += [{"event_pk": pk, "role": r, "epc": v} for r, v in e.epcs]
        quantities += [
            {"event_pk": pk, "role": r, "epc_class": c, "quantity": q, "uom": u}
            for r, c, q, u in e.quantities
        ]
        transactions += [
            {"event_pk": pk, "type": t, "biz_transaction": v} for t, v in e.biz_transactions
        ]
        parties += [
            {"event_pk": pk, "direction": d, "type": t, "value": v} for d, t, v in e.parties
        ]
        viewers += [{"event_pk": pk, "business_id": b} for b in e.viewers]
    for table, values in (
        (EpcisEventEpc, epcs),
        (EpcisEventQuantity, quantities),
        (EpcisEventBizTransaction, transactions),
        (EpcisEventParty, parties),
        (EpcisEventViewer, viewers),
    ):
        for chunk in _chunks(values):
            session.execute(insert(table), chunk)


def _copy_value(value: Any) -> str:
    """A value in COPY's text format, as psycopg's text dumpers write it: NULL as ``\\N``;
    backslash, tab, newline and carriage return escaped (PostgreSQL COPY, "Text Format");
    numbers as ``str`` writes them."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    return str(value)


def _copy_line(values: list[Any]) -> str:
    """One row in COPY's text format. Most rows need no escaping (identifiers and vocabulary
    hold no white space, and JSON text no raw control characters), so the row is joined as
    it is and escaped value by value only when it holds a character to escape."""
    nulls = values.count(None)
    plain = ["\\N" if v is None else v for v in values] if nulls else values
    try:
        line = "\t".join(plain)
    except TypeError:  # a number: written as str writes it, by _copy_value
        line = ""
    if (
        line
        and line.count("\t") == len(plain) - 1
        and line.count("\\") == nulls
        and "\n" not in line
        and "\r" not in line
    ):
        return line + "\n"
    return "\t".join([_copy_value(v) for v in values]) + "\n"


#: Keys of ``epcis_events`` per ``nextval`` on PostgreSQL: the step of its sequence
#: (migration 0020e), so that a capture reserves its keys a block at a time.
KEY_BLOCK = 1000
#: ``count`` keys as blocks: the sequence's step (read, so that any step keys rightly) and
#: the first key of each block, ascending.
_RESERVE = text(
    "SELECT s.seqincrement, string_agg(b.k::text, ' ' ORDER BY b.k) FROM pg_sequence s, "
    "LATERAL (SELECT nextval(s.seqrelid) AS k FROM generate_series(1, "
    "ceil(CAST(:n AS numeric) / s.seqincrement)::int)) AS b "
    "WHERE s.seqrelid = CAST(pg_get_serial_sequence('epcis_events', 'id') AS regclass) "
    "GROUP BY s.seqincrement"
)


def _reserve_keys(session: Session, count: int) -> list[str]:
    """``count`` new keys of ``epcis_events``, ascending, as text (the events' keys are
    taken first so that their index rows can name them)."""
    step, firsts = session.execute(_RESERVE, {"n": count}).one()
    keys = [str(key) for first in firsts.split(" ") for key in range(int(first), int(first) + step)]
    return keys[:count]


def _copy_sections(
    events: Sequence[StagedEvent],
    keys: Sequence[str],
    business_id: int,
    capture_id: str | None,
    recorded: str,
) -> list[str]:
    """The COPY text of the events (``_EVENT_COLUMNS``, the record time written as
    ``recorded``) and of each index table (``_INDEX_TABLES``), the events keyed by ``keys``.

    Written as text built here: a bulk capture writes eight rows or so per event, and
    psycopg's per-row adaptation was a good part of the capture's time. The values are those
    psycopg would write (``_copy_value``)."""
    # The columns after the document are the same for every event of the call.
    tail = "\t" + "\t".join([str(business_id), _copy_value(capture_id), recorded])
    pairs = list(zip(keys, events, strict=True))
    return [
        _copy_rows([(key, *e[:11]) for key, e in pairs], tail=tail),
        _copy_rows([(key, *row) for key, e in pairs for row in e.epcs]),
        _copy_rows(
            [
                (key, r, c, None if q is None else str(q), u)
                for key, e in pairs
                for r, c, q, u in e.quantities
            ]
        ),
        _copy_rows([(key, *row) for key, e in pairs for row in e.biz_transactions]),
        _copy_rows([(key, *row) for key, e in pairs for row in e.parties]),
        "".join([f"{key}\t{b}\n" for key, e in pairs for b in e.viewers]),
    ]


def _copy_rows(rows: Sequence[tuple[str | None, ...]], tail: str = "") -> str:
    """Rows of one table (text values, None for NULL; each line ending with ``tail``, COPY
    text already) in COPY's text format, joined as they are and checked at once: they need
    no escaping when the text holds exactly the tabs, backslashes and line feeds of the
    separators, the NULLs and the tails (identifiers rarely hold any). Otherwise written row
    by row, each escaped as it needs."""
    if not rows:
        return ""
    nulls = 0
    lines = []
    for row in rows:
        if None in row:
            nulls += row.count(None)
            lines.append("\t".join(["\\N" if v is None else v for v in row]))
        else:
            lines.append("\t".join(row))  # type: ignore[arg-type]  # no None in it
    end = tail + "\n"
    data = end.join(lines) + end
    count = len(rows)
    if (
        data.count("\t") == count * (len(rows[0]) - 1 + tail.count("\t"))
        and data.count("\n") == count
        and data.count("\\") == nulls + count * tail.count("\\")
        and "\r" not in data
    ):
        return data
    return "".join([_copy_line(list(row))[:-1] + end for row in rows])


def _copy_events(
    session: Session,
    events: Sequence[StagedEvent],
    business_id: int,
    capture_id: str | None,
    record_time: datetime,
) -> None:
    """COPY the events and their index rows in the session's transaction."""
    keys = _reserve_keys(session, len(events))
    sections = _copy_sections(events, keys, business_id, capture_id, record_time.isoformat())
    _copy_all(session, sections)


def _copy_all(session: Session, sections: Sequence[str]) -> None:
    """Write ``_copy_sections``' text to the events and the index tables."""
    connection = session.connection().connection.driver_connection
    assert connection is not None
    targets = (f"epcis_events ({', '.join(_EVENT_COLUMNS)})", *_INDEX_TABLES)
    with connection.cursor() as cursor:
        for target, data in zip(targets, sections, strict=True):
            if data:
                with cursor.copy(f"COPY {target} FROM STDIN") as copy:
                    copy.write(data)


# A capture's staged events ------------------------------------------------------------------

#: The first line of a capture staged as COPY text (``render``), with the number of events
#: the capture staged, repeats included.
_RENDERED = "copy 1 "
#: The record time of a rendered event row (its last field), written when the job stores
#: it: the moment it is stored, not the moment the capture was accepted (a client polling
#: ``GE_recordTime`` must not miss an event stored later with an earlier time). No value
#: renders as this field: ``_copy_value`` escapes every backslash, so an escaped field
#: begins ``\\``, ``\t``, ``\n`` or ``\r``, or is ``\N``.
_RECORDED = "\\R"


def render(
    session: Session,
    events: list[StagedEvent],
    *,
    business_id: int,
    capture_id: str,
) -> str:
    """Staged events as a capture keeps them until its job runs (``staged_text``).

    On PostgreSQL, as the COPY text its job writes (the bulk capture's hot path: the job has
    nothing to build): the header, the length of each table's text, the event hashes, then
    the text of the events and of each index table, the events keyed already (keys reserved
    now, so the index rows can name them) and each event once. Elsewhere, as ``pack``."""
    if session.get_bind().dialect.name != "postgresql":
        return pack(events)
    first: dict[str, StagedEvent] = {}
    for event in events:
        first.setdefault(event.event_hash, event)
    unique = list(first.values())
    keys = _reserve_keys(session, len(unique)) if unique else []
    sections = _copy_sections(unique, keys, business_id, capture_id, _RECORDED)
    return (
        f"{_RENDERED}{len(events)}\n"
        + " ".join(str(len(section)) for section in sections)
        + "\n"
        + " ".join(e.event_hash for e in unique)
        + "\n"
        + "".join(sections)
    )


def pack(events: list[StagedEvent]) -> str:
    """Staged events as one JSON array of arrays, read back by ``unpack`` with orjson in a
    few microseconds per event (a capture's staged form on SQLite)."""
    return orjson.dumps(events, default=tuple).decode()


def unpack(staged: str) -> list[StagedEvent]:
    return [StagedEvent(*values) for values in orjson.loads(staged)]


def is_rendered(staged: str) -> bool:
    return staged.startswith(_RENDERED)


def store_rendered(session: Session, staged: str, *, record_time: datetime) -> tuple[int, int]:
    """Store a capture staged by ``render``: the events not stored before and their index
    rows. Returns how many were stored and how many were repeats (in the document or of
    events stored before; the event hash decides)."""
    head, lengths, hashes, body = staged.split("\n", 3)
    total = int(head[len(_RENDERED) :])
    sections = []
    start = 0
    for length in lengths.split(" "):
        sections.append(body[start : start + int(length)])
        start += int(length)
    unique = hashes.split(" ") if hashes else []
    sections[0] = sections[0].replace(f"\t{_RECORDED}\n", f"\t{record_time.isoformat()}\n")
    # Events already stored are the exception (a document sent again): the unique hash
    # finds them as the rows are written, and only then are they looked up and left out.
    try:
        with session.begin_nested():
            _copy_all(session, sections)
        return len(unique), total - len(unique)
    except UniqueViolation:
        known = known_hashes(session, unique)
    _copy_all(session, _without(sections, known))
    stored = len(unique) - len(known)
    return stored, total - stored


def _without(sections: list[str], hashes: set[str]) -> list[str]:
    """Rendered sections without the events of ``hashes`` and their index rows (a document
    sent again: rare, so plain line filtering). Rows are split at line feeds only: COPY text
    escapes them, while other line breaks (vertical tab, U+2028) may stand in a value."""
    dropped = set()
    for line in sections[0].split("\n"):
        key, _, rest = line.partition("\t")
        if rest.partition("\t")[0] in hashes:
            dropped.add(key)
    kept = []
    for section in sections:
        lines = [
            line for line in section.split("\n")[:-1] if line.partition("\t")[0] not in dropped
        ]
        kept.append("".join(line + "\n" for line in lines))
    return kept


def visible(scope: ColumnElement[bool]) -> ColumnElement[bool]:
    """Events a principal may see: one of their businesses (``scope`` over ``Business``)
    captured the event or is named in it."""
    return exists(
        select(EpcisEventViewer.event_pk).where(
            EpcisEventViewer.event_pk == EpcisEvent.id,
            EpcisEventViewer.business_id.in_(select(Business.id).where(scope)),
        )
    )


def _has_epc(roles: tuple[str, ...], values: list[str]) -> ColumnElement[bool]:
    return exists(
        select(EpcisEventEpc.event_pk).where(
            EpcisEventEpc.event_pk == EpcisEvent.id,
            EpcisEventEpc.epc.in_(values),
            EpcisEventEpc.role.in_(roles),
        )
    )


def _has_class(roles: tuple[str, ...], values: list[str]) -> ColumnElement[bool]:
    return exists(
        select(EpcisEventQuantity.event_pk).where(
            EpcisEventQuantity.event_pk == EpcisEvent.id,
            EpcisEventQuantity.epc_class.in_(values),
            EpcisEventQuantity.role.in_(roles),
        )
    )


_QUANTITY_OPS = {
    "EQ_quantity": lambda c, v: c == v,
    "GT_quantity": lambda c, v: c > v,
    "GE_quantity": lambda c, v: c >= v,
    "LT_quantity": lambda c, v: c < v,
    "LE_quantity": lambda c, v: c <= v,
}


def conditions(q: EventQuery) -> list[ColumnElement[bool]]:
    """The SQL conditions of a checked query."""
    out: list[ColumnElement[bool]] = []
    if q.event_types:
        out.append(EpcisEvent.event_type.in_(q.event_types))
    columns = {"eventTime": EpcisEvent.event_time, "recordTime": EpcisEvent.record_time}
    for name, moment in q.times.items():
        column = columns[name[3:]]
        out.append(column >= moment if name.startswith("GE_") else column < moment)
    columns_in: list[tuple[list[str], Any]] = [
        (q.actions, EpcisEvent.action),
        (q.biz_steps, EpcisEvent.biz_step),
        (q.dispositions, EpcisEvent.disposition),
        (q.read_points, EpcisEvent.read_point),
        (q.biz_locations, EpcisEvent.biz_location),
    ]
    for values, attribute in columns_in:
        if values:
            out.append(attribute.in_(values))
    if q.event_ids:
        out.append(
            or_(EpcisEvent.event_id.in_(q.event_ids), EpcisEvent.event_hash.in_(q.event_ids))
        )
    for name, values in q.epcs.items():
        out.append(_has_epc(EPC_MATCHES[name], values))
    for name, values in q.classes.items():
        out.append(_has_class(CLASS_MATCHES[name], values))
    if q.quantities:
        bounds = [_QUANTITY_OPS[n](EpcisEventQuantity.quantity, v) for n, v in q.quantities.items()]
        out.append(
            exists(
                select(EpcisEventQuantity.event_pk).where(
                    EpcisEventQuantity.event_pk == EpcisEvent.id, *bounds
                )
            )
        )
    for kind, values in q.biz_transactions.items():
        out.append(
            exists(
                select(EpcisEventBizTransaction.event_pk).where(
                    EpcisEventBizTransaction.event_pk == EpcisEvent.id,
                    EpcisEventBizTransaction.type == kind,
                    EpcisEventBizTransaction.biz_transaction.in_(values),
                )
            )
        )
    for direction, wanted in (("source", q.sources), ("destination", q.destinations)):
        for kind, values in wanted.items():
            out.append(
                exists(
                    select(EpcisEventParty.event_pk).where(
                        EpcisEventParty.event_pk == EpcisEvent.id,
                        EpcisEventParty.direction == direction,
                        EpcisEventParty.type == kind,
                        EpcisEventParty.value.in_(values),
                    )
                )
            )
    return out


def events_page(
    session: Session,
    *,
    q: EventQuery,
    scope: ColumnElement[bool],
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[EpcisEvent]:
    """One page in the query's order, continuing after ``(sort value, id)``."""
    column = EpcisEvent.event_time if q.order_by == "eventTime" else EpcisEvent.record_time
    statement = select(EpcisEvent).where(visible(scope), *conditions(q))
    if after is not None:
        value, pk = after
        if q.descending:
            statement = statement.where(
                or_(column < value, and_(column == value, EpcisEvent.id < pk))
            )
        else:
            statement = statement.where(
                or_(column > value, and_(column == value, EpcisEvent.id > pk))
            )
    order = (column.desc(), EpcisEvent.id.desc()) if q.descending else (column, EpcisEvent.id)
    return list(session.scalars(statement.order_by(*order).limit(limit)))


def event_by_id(session: Session, event_id: str, scope: ColumnElement[bool]) -> EpcisEvent | None:
    """An event by its eventID (or its hash), if the principal may see it."""
    return session.scalars(
        select(EpcisEvent)
        .where(
            or_(EpcisEvent.event_id == event_id, EpcisEvent.event_hash == event_id),
            visible(scope),
        )
        .order_by(EpcisEvent.id)
        .limit(1)
    ).first()


def add_capture(session: Session, capture: EpcisCapture) -> None:
    session.add(capture)
    session.flush()


def capture(session: Session, capture_id: str) -> EpcisCapture | None:
    return session.get(EpcisCapture, capture_id)


def staged_text(session: Session, capture_id: str) -> str | None:
    """A pending capture's staged events (read alone: the capture's row leaves them out)."""
    return session.scalar(select(EpcisCapture.staged).where(EpcisCapture.id == capture_id))


def capture_for_update(session: Session, capture_id: str) -> EpcisCapture | None:
    return session.get(EpcisCapture, capture_id, with_for_update=True)


def business_in_scope(session: Session, business_id: int, scope: ColumnElement[bool]) -> bool:
    found = session.scalar(select(Business.id).where(Business.id == business_id, scope))
    return found is not None


def add_identifier(session: Session, identifier: BusinessGs1Identifier) -> None:
    session.add(identifier)
    session.flush()
