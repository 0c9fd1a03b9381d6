"""A captured document's rows as stored (COPY on PostgreSQL, INSERT elsewhere): every column
of the event and of its index rows holds the normalised value, whatever characters it has
(backslashes, tabs and line breaks are COPY's delimiters and escapes), NULL where a field is
absent."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from epcis_helpers import business_of, document
from sqlalchemy import select
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
    expected = [json.loads(e.document) for e in repository.staged_events(session, capture.id)]
    assert len(expected) == 2
    done = service.run_capture(session=session, capture_id=capture.id)
    assert done is not None and done.stored_count == 2
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
