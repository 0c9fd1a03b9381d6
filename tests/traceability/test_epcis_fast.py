"""The fast path of bulk capture against the detailed checker: every event it accepts comes
out exactly as the detailed checker makes it (the normalised JSON, key order included, its
namespaces and its event hash), every faulty event is left to the detailed checker, and a
document's events and problems are those the detailed checker gives each event."""

from __future__ import annotations

import json
from copy import deepcopy
from datetime import UTC, datetime
from typing import Any

import pytest
from epcis_helpers import CORPUS

from sunshine.core.errors import FieldProblem
from sunshine.traceability.epcis.fast import FastPath, _hash_time
from sunshine.traceability.epcis.hashing import event_hash
from sunshine.traceability.epcis.parse import (
    Problems,
    _Checker,
    _event_list,
    namespaces_of,
    parse_document,
    parse_event,
)

NAMESPACES = {"example": "https://ns.example.com/epcis/", "fsma": "https://ns.example.com/fsma/"}


def _plain(**fields: Any) -> dict[str, Any]:
    """A receiving ObjectEvent of a bulk capture: a lot, parties, a transaction, ILMD."""
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": "2026-01-01T08:00:05+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [],
        "action": "OBSERVE",
        "bizStep": "receiving",
        "disposition": "in_progress",
        "quantityList": [
            {
                "epcClass": "https://id.gs1.org/01/06900000000011/10/L000000005",
                "quantity": 37,
                "uom": "KGM",
            }
        ],
        "sourceList": [{"type": "owning_party", "source": "urn:sunshine:party:K7Q2M4XP9R"}],
        "destinationList": [
            {"type": "owning_party", "destination": "urn:sunshine:party:A1B2C3D4E5"}
        ],
        "bizTransactionList": [{"type": "inv", "bizTransaction": "urn:sunshine:inv:000000005"}],
        "ilmd": {"cbvmda:itemExpirationDate": "2026-06-30"},
    }
    event.update(fields)
    return event


#: Plain events the fast path takes: every field it knows, in its spellings.
ACCEPTED: list[dict[str, Any]] = [
    _plain(),
    _plain(
        epcList=["urn:epc:id:sgtin:6901234.012345.1001", "https://id.gs1.de/01/06901234123459/21/7"]
    ),
    _plain(
        quantityList=[
            {
                "epcClass": "urn:epc:class:lgtin:4012345.012345.998877",
                "quantity": 2.50,
                "uom": "KGM",
            }
        ]
    ),
    _plain(quantityList=[{"epcClass": "urn:epc:idpat:sgtin:4054739.099914.*", "quantity": 3.0}]),
    _plain(
        quantityList=[
            {"quantity": 1, "epcClass": "urn:epc:idpat:sgtin:4054739.099914.*"},
            {"epcClass": "https://id.gs1.org/01/09521141012345"},
        ]
    ),
    _plain(
        bizStep="urn:epcglobal:cbv:bizstep:shipping",
        disposition="https://ref.gs1.org/cbv/Disp-in_transit",
    ),
    _plain(bizStep="cbv:BizStep-receiving", disposition="https://example.com/disp/quarantined"),
    _plain(bizStep="https://gs1.org/voc/BizStep-receiving"),
    _plain(eventTime="2026-03-02T01:30:00.123456789Z", eventTimeZoneOffset="-05:30"),
    _plain(eventTime="2026-03-02T01:30Z", recordTime="2026-03-02T01:31:00Z"),
    _plain(eventTime="2026-03-02T23:59:59.5-14:00", eventTimeZoneOffset="+14:00"),
    _plain(eventID="urn:uuid:5f6b1e0a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"),
    _plain(
        eventID="ni:///sha-256;abc?ver=CBV2.0", readPoint={"id": "urn:epc:id:sgln:6901234.00001.0"}
    ),
    _plain(bizLocation={"id": "https://id.gs1.org/414/4012345002256/254/12"}),
    _plain(
        sourceList=[
            {
                "type": "urn:epcglobal:cbv:sdt:possessing_party",
                "source": "urn:epc:id:pgln:4012345.00225",
            },
            {"source": "urn:epc:id:sgln:4012345.00225.0", "type": "location"},
        ]
    ),
    _plain(
        sourceList=[],
        destinationList=[
            {
                "type": "https://example.com/sdt/carrier",
                "destination": "https://example.com/carrier/9",
            }
        ],
    ),
    _plain(bizTransactionList=[{"bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:1152"}]),
    _plain(
        bizTransactionList=[
            {"type": "po", "bizTransaction": "http://transaction.acme.com/po/12345678"},
            {
                "type": "urn:epcglobal:cbv:btt:desadv",
                "bizTransaction": "urn:epc:id:gdti:0614141.00001.1618034",
            },
        ]
    ),
    _plain(ilmd={}),
    _plain(
        ilmd={
            "example:lot": {"example:grade": "A", "example:count": 12},
            "fsma:harvest": "2026-01-01T00:00:00Z",
        }
    ),
    _plain(
        ilmd={
            "https://ns.example.com/x/y": "1.50",
            "rdfs:comment": "kept, not hashed",
            "example:n": 7.0,
        }
    ),
    _plain(
        **{"example:temperature": 4.5, "example:checked": True, "example:tags": ["a", "b", "10"]}
    ),
    _plain(
        **{
            "example:inspection": {
                "example:by": "urn:epc:id:pgln:4012345.00225",
                "example:at": "2026-01-01T09:00:00+08:00",
            }
        }
    ),
    _plain(**{"rdfs:comment": "a note", "https://ns.example.com/free": {"k": "v"}}),
    _plain(action="ADD", epcList=["urn:epc:id:sscc:4012345.0000000333"]),
    {
        "type": "AggregationEvent",
        "eventTime": "2026-01-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "parentID": "urn:epc:id:sscc:4012345.0000000333",
        "childEPCs": [
            "urn:epc:id:sgtin:6901234.012345.1001",
            "urn:epc:id:sgtin:6901234.012345.1002",
        ],
        "childQuantityList": [
            {"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 10, "uom": "KGM"}
        ],
        "action": "ADD",
        "bizStep": "packing",
        "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
    },
    {
        "type": "AggregationEvent",
        "eventTime": "2026-01-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "childEPCs": [],
        "action": "OBSERVE",
    },
    {
        "type": "TransactionEvent",
        "eventTime": "2026-01-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "bizTransactionList": [{"type": "po", "bizTransaction": "urn:sunshine:po:1"}],
        "parentID": "urn:epc:id:sscc:4012345.0000000333",
        "epcList": ["urn:epc:id:sgtin:6901234.012345.1001"],
        "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 1}],
        "action": "ADD",
    },
    {
        "type": "TransformationEvent",
        "eventTime": "2026-01-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "inputQuantityList": [
            {"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 10, "uom": "KGM"}
        ],
        "outputEPCList": ["urn:epc:id:sgtin:6901234.012345.1001"],
        "outputQuantityList": [
            {
                "epcClass": "https://id.gs1.org/01/06900000000011/10/OUT1",
                "quantity": 9.5,
                "uom": "KGM",
            }
        ],
        "transformationID": "urn:sunshine:transformation:1",
        "bizStep": "commissioning",
        "ilmd": {"cbvmda:bestBeforeDate": "2026-02-01"},
    },
    {
        "type": "AssociationEvent",
        "eventTime": "2026-01-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "parentID": "urn:epc:id:grai:4012345.55555.987",
        "childEPCs": ["urn:epc:id:giai:4000001.12345"],
        "action": "ADD",
        "bizLocation": {"id": "urn:epc:id:sgln:4012345.00002.0"},
    },
    # Values the fast path remembers per document, met again in another spelling or order:
    # the stored form and the hash follow each event's own.
    _plain(
        sourceList=[{"source": "urn:sunshine:party:K7Q2M4XP9R", "type": "owning_party"}],
        destinationList=[
            {
                "type": "urn:epcglobal:cbv:sdt:owning_party",
                "destination": "urn:sunshine:party:A1B2C3D4E5",
            }
        ],
        bizStep="urn:epcglobal:cbv:bizstep:receiving",
        disposition="https://ref.gs1.org/cbv/Disp-in_progress",
        action="ADD",
        eventTimeZoneOffset="-05:00",
    ),
    _plain(
        sourceList=[
            {"type": "owning_party", "source": "urn:sunshine:party:K7Q2M4XP9R"},
            {"type": "possessing_party", "source": "urn:sunshine:party:A1B2C3D4E5"},
        ],
        destinationList=[
            {"type": "owning_party", "destination": "https://id.gs1.org/417/0614141000005"}
        ],
    ),
]

#: Valid events with a structure the fast path leaves to the detailed checker.
HANDED_BACK: list[dict[str, Any]] = [
    _plain(**{"@context": [{"zz": "https://zz.example.com/"}], "zz:batch": "1"}),
    _plain(readPoint={"id": "urn:epc:id:sgln:6901234.00001.0", "example:door": "3"}),
    _plain(quantityList=[{"epcClass": "https://id.gs1.org/01/09521141012345", "example:q": 1}]),
    _plain(sourceList=[{"type": "owning_party", "source": "urn:sunshine:party:X", "example:s": 1}]),
    _plain(
        persistentDisposition={"set": ["completeness_verified"], "unset": ["completeness_inferred"]}
    ),
    _plain(
        errorDeclaration={"declarationTime": "2026-01-02T00:00:00Z", "reason": "incorrect_data"}
    ),
    _plain(certificationInfo="https://cert.example.com/1"),
]

#: Faulty events: each is refused, by the detailed checker, with its own problem.
FAULTY: list[dict[str, Any]] = [
    "not an event",  # type: ignore[list-item]
    _plain(type="ObjectEvents"),
    _plain(type=["ObjectEvent"]),
    _plain(eventTime="2026-01-01T08:00:05"),
    _plain(eventTime="2026-02-30T08:00:05Z"),
    _plain(eventTime=" 2026-01-01T08:00:05Z"),
    _plain(eventTimeZoneOffset="+15:00"),
    _plain(eventTimeZoneOffset=""),
    _plain(recordTime="yesterday"),
    _plain(action="observe"),
    _plain(bizStep="transforming"),
    _plain(bizStep="urn:epcglobal:cbv:bizstep:transforming"),
    _plain(disposition=""),
    _plain(disposition="x" * 256),
    _plain(epcList=["urn:epc:id:sgtin:0614141.107346"]),
    _plain(epcList="urn:epc:id:sgtin:6901234.012345.1001"),
    _plain(epcList=["not a uri"]),
    _plain(epcList=["https://example.com/" + "x" * 600]),
    _plain(quantityList=[{"quantity": 1}]),
    _plain(quantityList=[{"epcClass": "https://id.gs1.org/01/09521141012345", "quantity": True}]),
    _plain(quantityList=[{"epcClass": "https://id.gs1.org/01/09521141012345", "quantity": "1"}]),
    _plain(quantityList=[{"epcClass": "https://id.gs1.org/01/09521141012345", "uom": "KGM"}]),
    _plain(
        quantityList=[
            {"epcClass": "https://id.gs1.org/01/09521141012345", "quantity": 1, "uom": "kg"}
        ]
    ),
    _plain(quantityList=[{"epcClass": "urn:epc:class:lgtin:4012345.012345", "quantity": 1}]),
    _plain(quantityList={"epcClass": "https://id.gs1.org/01/09521141012345"}),
    _plain(sourceList=[{"source": "urn:sunshine:party:X"}]),
    _plain(sourceList=[{"type": "owner", "source": "urn:sunshine:party:X"}]),
    _plain(destinationList=[{"type": "owning_party", "source": "urn:sunshine:party:X"}]),
    _plain(bizTransactionList=[{"type": "inv"}]),
    _plain(bizTransactionList=[{"type": "invoice", "bizTransaction": "urn:sunshine:inv:1"}]),
    _plain(bizTransactionList=[{"bizTransaction": "inv 1"}]),
    _plain(readPoint={}),
    _plain(readPoint="urn:epc:id:sgln:6901234.00001.0"),
    _plain(ilmd={"expiry": "2026-06-30"}),
    _plain(ilmd={"zz:expiry": "2026-06-30"}),
    _plain(ilmd=[]),
    _plain(childEPCs=[]),
    _plain(**{"zz:field": 1}),
    _plain(**{"note": "no namespace"}),
    _plain(eventID="not a uri"),
    {k: v for k, v in _plain().items() if k != "action"},
    {k: v for k, v in _plain().items() if k not in ("epcList", "quantityList")},
    {
        "type": "AggregationEvent",
        "eventTime": "2026-01-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "childEPCs": [],
        "action": "ADD",
    },
    {
        "type": "TransactionEvent",
        "eventTime": "2026-01-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "bizTransactionList": [],
        "action": "ADD",
    },
    {
        "type": "TransformationEvent",
        "eventTime": "2026-01-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "bizStep": "commissioning",
    },
    {
        "type": "TransformationEvent",
        "eventTime": "2026-01-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "transformationID": "urn:sunshine:transformation:1",
        "action": "ADD",
    },
]


def _detailed(value: Any, namespaces: dict[str, str]) -> tuple[Any, list[FieldProblem]]:
    """The detailed checker alone, as a document's events met it before the fast path."""
    shared = _Checker(Problems(), namespaces)
    return parse_event(value, at="/epcisBody/eventList/0", namespaces=namespaces, shared=shared)


def _same(value: Any, namespaces: dict[str, str]) -> bool:
    """Whether the fast path, when it accepts ``value``, makes what the detailed checker
    makes; returns whether it accepted."""
    fast = FastPath(namespaces).event(deepcopy(value))
    parsed, problems = _detailed(deepcopy(value), namespaces)
    if fast is None:
        return False
    assert parsed is not None, problems
    assert json.dumps(fast.event) == json.dumps(parsed.event)  # key order included
    assert fast.namespaces == parsed.namespaces
    assert fast.hash == event_hash(parsed.event, parsed.namespaces)
    return True


@pytest.mark.parametrize("event", ACCEPTED, ids=range(len(ACCEPTED)))
def test_a_plain_event_is_normalised_and_hashed_as_the_detailed_checker_does(
    event: dict[str, Any],
) -> None:
    assert _same(event, NAMESPACES)


@pytest.mark.parametrize("event", HANDED_BACK, ids=range(len(HANDED_BACK)))
def test_other_structures_are_left_to_the_detailed_checker(event: dict[str, Any]) -> None:
    assert FastPath(NAMESPACES).event(deepcopy(event)) is None
    parsed, problems = _detailed(event, NAMESPACES)
    assert parsed is not None, problems


@pytest.mark.parametrize("event", FAULTY, ids=range(len(FAULTY)))
def test_a_faulty_event_is_left_to_the_detailed_checker(event: Any) -> None:
    assert FastPath(NAMESPACES).event(deepcopy(event)) is None
    parsed, problems = _detailed(event, NAMESPACES)
    assert parsed is None and problems


def test_a_document_gets_the_events_and_problems_of_the_detailed_checker() -> None:
    items = [*ACCEPTED, *FAULTY, *HANDED_BACK, *ACCEPTED]
    document = {
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", NAMESPACES],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-02T10:00:00+08:00",
        "epcisBody": {"eventList": deepcopy(items)},
    }
    parsed = parse_document(document)
    shared = _Checker(Problems(), NAMESPACES)
    expected_events, expected_problems = [], []
    for index, item in enumerate(deepcopy(items)):
        event, problems = parse_event(
            item, at=f"/epcisBody/eventList/{index}", namespaces=NAMESPACES, shared=shared
        )
        if event is None:
            expected_problems.extend(problems)
        else:
            expected_events.append(
                (index, json.dumps(event.event), event_hash(event.event, event.namespaces))
            )
    assert [
        (e.index, json.dumps(e.event), e.hash or event_hash(e.event, e.namespaces))
        for e in parsed.events
    ] == expected_events
    assert [(p.field, p.message, p.params) for p in parsed.problems] == [
        (p.field, p.message, p.params) for p in expected_problems
    ]


def test_the_fast_path_agrees_with_the_detailed_checker_on_the_conformance_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip("needs ../shared/datasets/epcis")
    accepted = 0
    for path in sorted(CORPUS.rglob("*.json")):
        document = json.loads(path.read_bytes())
        if not isinstance(document, dict):
            continue
        events = _event_list(document, False)[0] or _event_list(document, True)[0] or []
        namespaces = namespaces_of(document.get("@context"))
        for item in events:
            accepted += _same(item, namespaces)
    assert accepted >= 20  # the corpus's plain events take the fast path


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
        datetime(2026, 3, 2, 1, 30, 0, 250000, tzinfo=UTC),
        datetime(2026, 3, 2, 1, 30, 0, 999, tzinfo=UTC),
        datetime(2026, 3, 2, 1, 30, 59, 999999, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=UTC),
    ],
)
def test_the_hash_writes_an_event_time_in_milliseconds_as_the_hasher_does(
    moment: datetime,
) -> None:
    expected = "eventTime=" + moment.isoformat(timespec="milliseconds")[:-6] + "Z"
    assert _hash_time(moment) == expected
