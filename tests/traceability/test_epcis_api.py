"""The /epcis REST binding: each query parameter, paging, who sees what, the size limit and
malformed input; answers are JSON-LD, errors RFC 7807."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from epcis_helpers import bearer, body, business_of, document, event_count, object_event
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sunshine.config import get_settings

PO = "urn:epcglobal:cbv:bt:6901234000016:PO-7"
SUPPLIER = "urn:epc:id:pgln:6901234.00001"


def _events(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def _capture(client: TestClient, headers: dict[str, str], *events: dict[str, Any]) -> None:
    response = client.post("/epcis/capture", content=body(document(*events)), headers=headers)
    assert response.status_code == 202, response.text
    assert client.get(response.headers["Location"], headers=headers).json()["status"] == (
        "succeeded"
    )


@pytest.fixture
def ledger(client: TestClient, session: Session) -> dict[str, str]:
    """Store A1 receives two lots and ships one; returns its headers."""
    headers = bearer(session, "owner_a")
    _capture(
        client,
        headers,
        object_event(
            bizTransactionList=[{"type": "po", "bizTransaction": PO}],
            sourceList=[{"type": "owning_party", "source": SUPPLIER}],
        ),
        object_event(
            eventTime="2026-03-03T09:30:00+08:00",
            epcList=[],
            quantityList=[
                {
                    "epcClass": "urn:epc:class:lgtin:6901234.012345.L2603",
                    "quantity": 12.5,
                    "uom": "KGM",
                }
            ],
            bizLocation={"id": "urn:epc:id:sgln:6901234.00002.0"},
        ),
        object_event(
            eventTime="2026-03-04T09:30:00+08:00",
            action="ADD",
            bizStep="shipping",
            disposition="in_transit",
            destinationList=[{"type": "possessing_party", "destination": SUPPLIER}],
        ),
    )
    return headers


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({}, 3),
        ({"eventType": "ObjectEvent"}, 3),
        ({"eventType": "AggregationEvent"}, 0),
        ({"GE_eventTime": "2026-03-03T00:00:00+08:00"}, 2),
        ({"LT_eventTime": "2026-03-03T00:00:00+08:00"}, 1),
        ({"GE_recordTime": "2000-01-01T00:00:00Z"}, 3),
        ({"LT_recordTime": "2000-01-01T00:00:00Z"}, 0),
        ({"EQ_action": "ADD"}, 1),
        ({"EQ_action": "ADD|OBSERVE"}, 3),
        ({"EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-shipping"}, 1),
        ({"EQ_disposition": "urn:epcglobal:cbv:disp:in_progress"}, 2),
        ({"EQ_readPoint": "https://id.gs1.org/414/6901234000016"}, 3),
        ({"EQ_bizLocation": "urn:epc:id:sgln:6901234.00002.0"}, 1),
        ({"MATCH_epc": "https://id.gs1.org/01/06901234123456/21/1001"}, 2),
        ({"MATCH_anyEPC": "urn:epc:id:sgtin:6901234.012345.1001"}, 2),
        ({"MATCH_epcClass": "https://id.gs1.org/01/06901234123456/10/L2603"}, 1),
        ({"MATCH_inputEPC": "urn:epc:id:sgtin:6901234.012345.1001"}, 0),
        ({"MATCH_outputEPC": "urn:epc:id:sgtin:6901234.012345.1001"}, 0),
        ({"EQ_bizTransaction_po": PO}, 1),
        ({"EQ_bizTransaction_inv": PO}, 0),
        ({"EQ_source_owning_party": "https://id.gs1.org/417/6901234000016"}, 1),
        ({"EQ_destination_possessing_party": SUPPLIER}, 1),
        ({"EQ_destination_owning_party": SUPPLIER}, 0),
        ({"GE_quantity": "10", "LT_quantity": "13"}, 1),
        ({"eventCountLimit": "2"}, 2),
    ],
)
def test_each_query_parameter(
    client: TestClient, ledger: dict[str, str], params: dict[str, str], count: int
) -> None:
    assert len(_events(client.get("/epcis/events", params=params, headers=ledger))) == count


def test_event_id_order_and_direction(client: TestClient, ledger: dict[str, str]) -> None:
    ascending = _events(
        client.get(
            "/epcis/events",
            params={"orderBy": "eventTime", "orderDirection": "ASC"},
            headers=ledger,
        )
    )
    times = [e["eventTime"] for e in ascending]
    assert times == sorted(times)
    first = client.get("/epcis/events", params={"orderDirection": "DESC"}, headers=ledger)
    assert _events(first)[0]["eventTime"] == times[-1]
    posted = client.post(
        "/epcis/events",
        content=body(object_event(eventID="urn:uuid:7d0e3c1e-0d7b-4c1e-9f65-2b8f8a3d2b10")),
        headers=ledger,
    )
    assert posted.status_code == 201
    found = client.get(
        "/epcis/events",
        params={"EQ_eventID": "urn:uuid:7d0e3c1e-0d7b-4c1e-9f65-2b8f8a3d2b10"},
        headers=ledger,
    )
    assert len(_events(found)) == 1


def test_paging_walks_every_event_once(client: TestClient, ledger: dict[str, str]) -> None:
    seen: list[str] = []
    response = client.get("/epcis/events", params={"perPage": 2}, headers=ledger)
    pages = 0
    while True:
        pages += 1
        seen += [e["eventTime"] for e in _events(response)]
        link = response.headers.get("Link")
        if link is None:
            break
        response = client.get(link[1 : link.index(">")], headers=ledger)
    assert pages == 2 and len(seen) == len(set(seen)) == 3
    forged = client.get(
        "/epcis/events", params={"perPage": 2, "nextPageToken": "forged"}, headers=ledger
    )
    assert forged.status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"GE_eventDate": "2026-01-01T00:00:00Z"},
        {"EQ_bizStep": "frying"},
        {"EQ_action": "SHIPPED"},
        {"orderDirection": "SIDEWAYS"},
        {"GE_eventTime": "not-a-date"},
        {"perPage": "0"},
        {"EQ_bizTransaction_invoice": PO},
    ],
)
def test_an_unknown_or_wrong_query_parameter_is_a_400(
    client: TestClient, ledger: dict[str, str], params: dict[str, str]
) -> None:
    response = client.get("/epcis/events", params=params, headers=ledger)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] in params


def test_access_is_the_capturer_the_named_businesses_and_their_regulators(
    client: TestClient, session: Session
) -> None:
    owner = bearer(session, "owner_a")
    store_b = business_of(session, "owner_b")
    named = object_event(
        destinationList=[
            {"type": "owning_party", "destination": f"urn:sunshine:party:{store_b.public_code}"}
        ]
    )
    unnamed = object_event(eventTime="2026-03-05T09:30:00+08:00")
    for event in (named, unnamed):
        assert client.post("/epcis/events", content=body(event), headers=owner).status_code == 201
    own = _events(client.get("/epcis/events", headers=owner))
    assert len(own) == 2
    location = client.post("/epcis/events", content=body(unnamed), headers=owner)
    assert location.status_code == 409
    hidden_id = quote(location.json()["detail"].split("event hash ")[1].rstrip(")."), safe="")

    seen = {
        name: len(_events(client.get("/epcis/events", headers=bearer(session, name))))
        for name in ("inspector_a", "owner_a2", "owner_b", "inspector_b")
    }
    assert seen == {"inspector_a": 2, "owner_a2": 0, "owner_b": 1, "inspector_b": 1}
    for name in ("owner_a2", "owner_b", "inspector_b"):
        response = client.get(f"/epcis/events/{hidden_id}", headers=bearer(session, name))
        assert response.status_code == 404, name
    assert client.get(f"/epcis/events/{hidden_id}", headers=owner).status_code == 200


def test_a_regulator_cannot_capture_and_the_anonymous_are_refused(
    client: TestClient, session: Session
) -> None:
    event = body(object_event())
    regulator = client.post("/epcis/events", content=event, headers=bearer(session, "inspector_a"))
    assert regulator.status_code == 403
    assert client.post("/epcis/events", content=event).status_code == 401
    assert client.get("/epcis/events").status_code == 401


def test_a_capture_job_is_seen_only_by_its_business(client: TestClient, session: Session) -> None:
    owner = bearer(session, "owner_a")
    response = client.post("/epcis/capture", content=body(document(object_event())), headers=owner)
    location = response.headers["Location"]
    assert client.get(location, headers=owner).status_code == 200
    assert client.get(location, headers=bearer(session, "owner_b")).status_code == 404


def test_proceed_stores_the_valid_events_and_lists_the_others(
    client: TestClient, session: Session
) -> None:
    owner = bearer(session, "owner_a")
    mixed = body(document(object_event(), object_event(action="MOVE")))
    refused = client.post("/epcis/capture", content=mixed, headers=owner)
    assert refused.status_code == 400
    assert event_count(session) == 0
    response = client.post(
        "/epcis/capture",
        content=mixed,
        headers={**owner, "GS1-Capture-Error-Behaviour": "proceed"},
    )
    assert response.status_code == 202
    job = client.get(response.headers["Location"], headers=owner).json()
    assert (job["status"], job["storedCount"], job["errorCount"]) == ("partial", 1, 1)
    assert job["errors"][0]["field"] == "/epcisBody/eventList/1/action"
    bad = client.post(
        "/epcis/capture",
        content=mixed,
        headers={**owner, "GS1-Capture-Error-Behaviour": "sometimes"},
    )
    assert bad.status_code == 400


def test_a_document_over_the_limit_is_refused(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "epcis_max_document_bytes", 2000)
    big = document(*[object_event(eventTime=f"2026-03-02T09:{m:02d}:00+08:00") for m in range(20)])
    response = client.post("/epcis/capture", content=body(big), headers=bearer(session, "owner_a"))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert event_count(session) == 0


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b'{"type": "EPCISDocument", ', "/"),
        (b"\xff\xfe", "/"),
        (b"[1, 2]", "/"),
        (
            body({**document(object_event()), "epcisBody": {"eventList": {}}}),
            "/epcisBody/eventList",
        ),
        (
            body(document(object_event(epcList="urn:epc:id:sgtin:6901234.012345.1"))),
            "/epcisBody/eventList/0/epcList",
        ),
    ],
)
def test_malformed_json_and_wrong_types_are_a_400(
    client: TestClient, session: Session, content: bytes, field: str
) -> None:
    response = client.post("/epcis/capture", content=content, headers=bearer(session, "owner_a"))
    assert response.status_code == 400, response.text
    assert field in {e["field"] for e in response.json()["errors"]}


def test_the_json_ld_context_is_served_from_the_package(client: TestClient) -> None:
    response = client.get("/epcis/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assert "bizStep" in response.json()["@context"]


def test_a_business_registers_its_gln_and_then_sees_events_naming_it(
    client: TestClient, session: Session
) -> None:
    registered = client.post(
        "/epcis/identifiers",
        json={"identifier": "urn:epc:id:pgln:6901234.00009"},
        headers=bearer(session, "owner_b"),
    )
    assert registered.status_code == 201, registered.text
    taken = client.post(
        "/epcis/identifiers",
        json={"identifier": "https://id.gs1.org/417/6901234000092"},
        headers=bearer(session, "owner_a2"),
    )
    assert taken.status_code == 409
    event = object_event(
        sourceList=[{"type": "owning_party", "source": "urn:epc:id:pgln:6901234.00009"}]
    )
    client.post("/epcis/events", content=body(event), headers=bearer(session, "owner_a"))
    assert len(_events(client.get("/epcis/events", headers=bearer(session, "owner_b")))) == 1
