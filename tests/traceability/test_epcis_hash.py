"""The CBV 2.0 event hash against the reference implementation's test data, and the
properties that make it an identity: insensitive to spelling and order, sensitive to any
change of content."""

from __future__ import annotations

import copy
import json
from typing import Any

from sunshine.traceability.epcis.hashing import event_hash, prehash
from sunshine.traceability.epcis.parse import parse_document

# RalphTro/epcis-event-hash-generator, tests/examples/epcisDocWithSingleEvent.jsonld (commit
# 3f046a901c4f07357cdb0bf500426f7cd2c92626) with its .prehashes (commit
# 554e6aca90a08d950812ce0f06562aef5f224ac7) and .hashes (commit
# 9cf1ca182bb59e2adf656fe65fa8e29242f11523).
REFERENCE_DOCUMENT = {
    "@context": [
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        {"gs1": "https://gs1.org/voc/"},
    ],
    "id": "https://id.example.org/document1",
    "type": "EPCISDocument",
    "schemaVersion": "2.0",
    "creationDate": "2022-02-17T11:30:47.0Z",
    "epcisBody": {
        "eventList": [
            {
                "type": "ObjectEvent",
                "action": "OBSERVE",
                "bizStep": "shipping",
                "disposition": "in_transit",
                "epcList": [
                    "urn:epc:id:sgtin:0614141.107346.2017",
                    "urn:epc:id:sgtin:0614141.107346.2018",
                ],
                "eventTime": "2022-02-16T20:33:31.116000-06:00",
                "eventTimeZoneOffset": "-06:00",
                "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
                "bizTransactionList": [
                    {"type": "po", "bizTransaction": "http://transaction.acme.com/po/12345678"}
                ],
            }
        ]
    },
}
REFERENCE_PREHASH = (
    "eventType=ObjectEventeventTime=2022-02-17T02:33:31.116ZeventTimeZoneOffset=-06:00"
    "epcListepc=https://id.gs1.org/01/10614141073464/21/2017"
    "epc=https://id.gs1.org/01/10614141073464/21/2018action=OBSERVE"
    "bizStep=https://ref.gs1.org/cbv/BizStep-shipping"
    "disposition=https://ref.gs1.org/cbv/Disp-in_transit"
    "readPointid=https://id.gs1.org/414/0614141073467/254/1234"
    "bizTransactionListbizTransaction=http://transaction.acme.com/po/12345678"
    "type=https://ref.gs1.org/cbv/BTT-po"
)
REFERENCE_HASH = (
    "ni:///sha-256;3e0f2437f4cb5e8a1b832b769c0eed1bf3e1421f14061132e9800ded03f10182?ver=CBV2.0"
)


def _hash_of(document: dict[str, Any]) -> str:
    parsed = parse_document(document)
    assert parsed.problems == []
    event = parsed.events[0]
    return event_hash(event.event, event.namespaces)


def test_the_reference_example_gives_the_reference_prehash_and_hash() -> None:
    event = parse_document(REFERENCE_DOCUMENT).events[0]
    assert prehash(event.event, event.namespaces) == REFERENCE_PREHASH
    assert event_hash(event.event, event.namespaces) == REFERENCE_HASH


def test_spelling_order_and_offset_of_the_same_event_give_the_same_hash() -> None:
    other = copy.deepcopy(REFERENCE_DOCUMENT)
    event = other["epcisBody"]["eventList"][0]
    event["epcList"] = list(reversed(event["epcList"]))
    event["epcList"][0] = "https://id.gs1.org/01/10614141073464/21/2018"
    event["bizStep"] = "urn:epcglobal:cbv:bizstep:shipping"
    event["disposition"] = "https://ref.gs1.org/cbv/Disp-in_transit"
    event["eventTime"] = "2022-02-17T02:33:31.116Z"
    event["eventID"] = "urn:uuid:9d1b6a6c-0a7e-4f3c-9d55-4c1b2b7f0c11"
    shuffled = dict(reversed(list(event.items())))
    other["epcisBody"]["eventList"][0] = shuffled
    assert _hash_of(other) == REFERENCE_HASH


def test_any_change_of_content_changes_the_hash() -> None:
    changes = [
        ("action", "ADD"),
        ("bizStep", "receiving"),
        ("eventTimeZoneOffset", "+08:00"),
        ("epcList", ["urn:epc:id:sgtin:0614141.107346.2017"]),
    ]
    for name, value in changes:
        other = copy.deepcopy(REFERENCE_DOCUMENT)
        other["epcisBody"]["eventList"][0][name] = value
        assert _hash_of(other) != REFERENCE_HASH, name
    extended = json.loads(json.dumps(REFERENCE_DOCUMENT))
    extended["@context"].append({"ex": "https://ns.example.com/"})
    extended["epcisBody"]["eventList"][0]["ex:batch"] = "B-1"
    assert _hash_of(extended) != REFERENCE_HASH
