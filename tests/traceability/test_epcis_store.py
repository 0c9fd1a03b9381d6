"""A captured document's rows as stored (COPY on PostgreSQL, INSERT elsewhere): every column
of the event and of its index rows holds the normalised value, whatever characters it has
(backslashes, tabs and line breaks are COPY's delimiters and escapes), NULL where a field is
absent."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from epcis_helpers import business_of, document
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from sunshine.auth import service as auth_service
from sunshine.auth.models import User
from sunshine.traceability.epcis import repository, service
from sunshine.traceability.epcis.models import (
    EpcisEvent,
    EpcisEventBizTransaction,
    EpcisEventEpc,
    EpcisEventParty,
    EpcisEventQuantity,
    EpcisEventViewer,
)
from sunshine.traceability.epcis.parse import parse_document

NOTE = 'line one\nline two\ttabbed \\ back\\slash "quoted" \r end'


def _event(supplier: str, **fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": "2026-03-02T09:30:00.250+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": ["urn:epc:id:sgtin:6901234.012345.1001", "urn:epc:id:sgtin:6901234.012345.1001"],
        "action": "OBSERVE",
        "bizStep": "cbv:own\tstep\\x",
        "quantityList": [
            {
                "epcClass": "urn:epc:class:lgtin:4012345.012345.998877",
                "quantity": 2.5,
                "uom": "KGM",
            },
            {"epcClass": "https://id.gs1.org/01/09521141012345", "quantity": 3},
            {"epcClass": "https://id.gs1.org/01/09521141012345/10/a\\b"},
        ],
        "sourceList": [{"type": "owning_party", "source": f"urn:sunshine:party:{supplier}"}],
        "bizTransactionList": [{"bizTransaction": "urn:sunshine:inv:a\\b"}],
        "ilmd": {"cbvmda:lotNumber": NOTE},
    }
    event.update(fields)
    return event


def test_a_captured_event_and_its_index_rows_hold_every_value_as_normalised(
    session: Session,
) -> None:
    user = session.execute(select(User).where(User.username == "owner_a")).scalar_one()
    actor = auth_service.principal_for(session, user)
    own = business_of(session, "owner_a")
    supplier = session.scalars(
        select(type(own)).where(type(own).id != own.id).order_by(type(own).id).limit(1)
    ).one()
    events = [
        _event(supplier.public_code),
        _event(
            supplier.public_code,
            eventTime="2026-03-02T09:31:00Z",
            disposition="in_progress",
            readPoint={"id": "urn:epc:id:sgln:6901234.00001.0"},
            **{"cbvmda:note": NOTE},
        ),
    ]
    body = json.dumps(document(*events)).encode()
    capture = service.capture_document(
        session=session, actor=actor, body=body, behaviour="rollback"
    )
    parsed = parse_document(json.loads(body))
    expected = [json.loads(json.dumps(e.event)) for e in parsed.events]
    assert len(expected) == 2
    done = service.run_capture(session=session, capture_id=capture.id)
    assert done is not None and done.stored_count == 2
    accepted, finished = capture.created_at, done.finished_at
    session.expire_all()

    rows = session.scalars(
        select(EpcisEvent).where(EpcisEvent.capture_id == capture.id).order_by(EpcisEvent.id)
    ).all()
    assert [row.document for row in rows] == expected
    first, second = rows
    assert first.document["ilmd"]["cbvmda:lotNumber"] == NOTE
    assert second.document["cbvmda:note"] == NOTE
    assert [row.event_time.replace(tzinfo=UTC) for row in rows] == [
        datetime(2026, 3, 2, 1, 30, 0, 250000, tzinfo=UTC),
        datetime(2026, 3, 2, 9, 31, tzinfo=UTC),
    ]
    assert (first.biz_step, first.disposition, first.read_point, first.biz_location) == (
        "https://ref.gs1.org/cbv/own\tstep\\x",
        None,
        None,
        None,
    )
    assert (second.disposition, second.read_point) == (
        "in_progress",
        "https://id.gs1.org/414/6901234000016",
    )
    assert (first.action, first.event_time_zone_offset, first.business_id) == (
        "OBSERVE",
        "+08:00",
        own.id,
    )
    assert first.event_id == first.event_hash and first.event_hash.startswith("ni:///sha-256;")
    # Recorded when the job stored them, not when the capture was accepted.
    assert finished is not None
    for row in rows:
        assert accepted <= row.record_time.replace(tzinfo=UTC) <= finished

    pk = first.id
    epcs = session.execute(
        select(EpcisEventEpc.role, EpcisEventEpc.epc).where(EpcisEventEpc.event_pk == pk)
    ).all()
    assert epcs == [("epc", "https://id.gs1.org/01/06901234123456/21/1001")]  # stored once
    quantities = session.execute(
        select(
            EpcisEventQuantity.role,
            EpcisEventQuantity.epc_class,
            EpcisEventQuantity.quantity,
            EpcisEventQuantity.uom,
        )
        .where(EpcisEventQuantity.event_pk == pk)
        .order_by(EpcisEventQuantity.id)
    ).all()
    assert quantities == [
        ("quantity", "https://id.gs1.org/01/04012345123456/10/998877", 2.5, "KGM"),
        ("quantity", "https://id.gs1.org/01/09521141012345", 3.0, None),
        ("quantity", "https://id.gs1.org/01/09521141012345/10/a\\b", None, None),
    ]
    transactions = session.execute(
        select(EpcisEventBizTransaction.type, EpcisEventBizTransaction.biz_transaction).where(
            EpcisEventBizTransaction.event_pk == pk
        )
    ).all()
    assert transactions == [("", "urn:sunshine:inv:a\\b")]
    parties = session.execute(
        select(EpcisEventParty.direction, EpcisEventParty.type, EpcisEventParty.value).where(
            EpcisEventParty.event_pk == pk
        )
    ).all()
    assert parties == [("source", "owning_party", f"urn:sunshine:party:{supplier.public_code}")]
    viewers = session.scalars(
        select(EpcisEventViewer.business_id).where(EpcisEventViewer.event_pk == pk)
    ).all()
    assert sorted(viewers) == sorted({own.id, supplier.id})


def test_copy_rows_escape_exactly_the_values_that_need_it() -> None:
    line = repository._copy_line
    assert line(["1", "urn:a", None, "b"]) == "1\turn:a\t\\N\tb\n"
    assert line(["1", "x\ty", "back\\slash", "new\nline\r", None, 5.0]) == (
        "1\tx\\ty\tback\\\\slash\tnew\\nline\\r\t\\N\t5.0\n"
    )
    # A value that reads like COPY's NULL is text, not NULL; a NULL beside it stays one.
    assert line(["\\N", None]) == "\\\\N\t\\N\n"


@pytest.mark.parametrize(
    "rows",
    [
        [("1", "quantity", "urn:a", "2.5", "KGM"), ("2", "quantity", "urn:b", None, None)],
        [("1", "source", "owning_party", "urn:a"), ("1", "destination", "x\ty", "back\\s")],
        [("1", "inv", "new\nline\r"), ("2", "inv", "\\N")],
        [("1", "inv", "\u2028 and \x0b stay as they are")],
    ],
)
def test_rows_joined_at_once_read_as_each_row_escaped_alone(
    rows: list[tuple[str | None, ...]],
) -> None:
    expected = "".join(repository._copy_line(list(row)) for row in rows)
    assert repository._copy_rows(rows) == expected


def test_a_document_sent_again_with_new_events_stores_only_those_and_their_rows(
    session: Session,
) -> None:
    """Events already stored and events repeated in the document are left out, with every
    index row of theirs; the new ones are stored with all of theirs."""
    user = session.execute(select(User).where(User.username == "owner_a")).scalar_one()
    actor = auth_service.principal_for(session, user)
    supplier = session.scalars(
        select(type(business_of(session, "owner_a"))).order_by(text("id DESC")).limit(1)
    ).one()
    old, new = (
        _event(supplier.public_code, eventTime=f"2026-03-0{day}T09:30:00Z") for day in (3, 4)
    )

    def capture(*events: dict[str, Any]) -> Any:
        body = json.dumps(document(*events)).encode()
        accepted = service.capture_document(
            session=session, actor=actor, body=body, behaviour="rollback"
        )
        return service.run_capture(session=session, capture_id=accepted.id)

    first = capture(old)
    assert (first.stored_count, first.duplicate_count) == (1, 0)
    second = capture(old, new, new)
    assert (second.event_count, second.stored_count, second.duplicate_count) == (3, 1, 2)
    session.expire_all()

    stored = session.scalars(select(EpcisEvent.id).where(EpcisEvent.capture_id == second.id)).all()
    assert len(stored) == 1
    for table in (EpcisEventEpc, EpcisEventQuantity, EpcisEventBizTransaction, EpcisEventParty):
        owners = set(
            session.scalars(
                select(table.event_pk).where(
                    table.event_pk.in_(
                        select(EpcisEvent.id).where(
                            EpcisEvent.capture_id.in_([first.id, second.id])
                        )
                    )
                )
            )
        )
        assert len(owners) == 2, table  # one event of each capture, none twice
    counts = [
        session.scalar(
            select(func.count())
            .select_from(EpcisEventQuantity)
            .where(EpcisEventQuantity.event_pk == pk)
        )
        for pk in (
            *session.scalars(select(EpcisEvent.id).where(EpcisEvent.capture_id == first.id)),
            *stored,
        )
    ]
    assert counts == [3, 3]


def _capture_of(session: Session, *events: dict[str, Any]) -> Any:
    user = session.execute(select(User).where(User.username == "owner_a")).scalar_one()
    actor = auth_service.principal_for(session, user)
    body = json.dumps(document(*events)).encode()
    return service.capture_document(session=session, actor=actor, body=body, behaviour="rollback")


def test_a_capture_staged_by_the_previous_release_is_still_stored(session: Session) -> None:
    """A capture accepted before an upgrade keeps the JSON form of its staged rows (the form
    SQLite always uses): its job stores it all the same."""
    own = business_of(session, "owner_a")
    events = [_event(own.public_code, eventTime=f"2026-03-05T0{h}:00:00Z") for h in (1, 2)]
    accepted = _capture_of(session, *events)
    parsed = parse_document(json.loads(json.dumps(document(*events))))
    accepted.staged = repository.pack(
        service.stage(session, business_id=own.id, events=parsed.events)
    )
    session.flush()
    done = service.run_capture(session=session, capture_id=accepted.id)
    assert done is not None and (done.stored_count, done.duplicate_count) == (2, 0)
    stored = session.scalars(select(EpcisEvent.id).where(EpcisEvent.capture_id == accepted.id))
    assert len(set(stored)) == 2


def test_a_capture_keys_its_events_whatever_the_step_of_the_key_sequence(
    session: Session,
) -> None:
    """Keys are reserved a block at a time (the sequence's step, migration 0020e); another
    step, as a database restored elsewhere may have, keys the events rightly too."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite numbers rows itself")
    own = business_of(session, "owner_a")
    for step, hour in ((1, 1), (3, 2)):
        session.execute(
            text(
                "DO $$ BEGIN EXECUTE format('ALTER SEQUENCE %s INCREMENT BY "
                f"{step}', pg_get_serial_sequence('epcis_events', 'id')); END $$"
            )
        )
        events = [
            _event(own.public_code, eventTime=f"2026-03-06T0{hour}:{m:02d}:00Z") for m in range(4)
        ]
        accepted = _capture_of(session, *events)
        done = service.run_capture(session=session, capture_id=accepted.id)
        assert done is not None and done.stored_count == 4
        keys = list(
            session.scalars(
                select(EpcisEvent.id)
                .where(EpcisEvent.capture_id == accepted.id)
                .order_by(EpcisEvent.event_time)
            )
        )
        assert len(set(keys)) == 4 and keys == sorted(keys)
        rows = session.scalar(
            select(func.count())
            .select_from(EpcisEventQuantity)
            .where(EpcisEventQuantity.event_pk.in_(keys))
        )
        assert rows == 4 * 3


def test_an_event_twice_in_a_document_is_stored_as_first_sent(session: Session) -> None:
    """The event hash leaves the eventID out: the same event under two eventIDs is one event,
    stored with the first, in the document's order among the others."""
    own = business_of(session, "owner_a")
    first = _event(own.public_code, eventID="urn:uuid:6e1f0c3a-0000-4000-8000-000000000001")
    again = {**first, "eventID": "urn:uuid:6e1f0c3a-0000-4000-8000-000000000002"}
    other = _event(own.public_code, eventTime="2026-03-07T09:30:00Z")
    accepted = _capture_of(session, first, other, again)
    done = service.run_capture(session=session, capture_id=accepted.id)
    assert done is not None and (done.stored_count, done.duplicate_count) == (2, 1)
    stored = session.scalars(
        select(EpcisEvent.event_id)
        .where(EpcisEvent.capture_id == accepted.id)
        .order_by(EpcisEvent.id)
    ).all()
    assert stored[0] == first["eventID"] and len(stored) == 2
