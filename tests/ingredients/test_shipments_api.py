"""Shipments through the API: a supplier ships (a shipping event), the caterer confirms in
full, in part or refuses (its ledger line and receiving event), flags, and who sees what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from shipment_helpers import bearer, caterer_of, shipment_body, supplier_business, supplier_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from sunshine.config import get_settings
from sunshine.core.time import utc_now
from sunshine.ingredients.models import LedgerLine
from sunshine.ingredients.shipments_models import Shipment
from sunshine.notifications.models import Notification
from sunshine.traceability.ledger_event_models import LedgerLineEvent

LOT = "https://id.gs1.org/01/06901234567892/10/ZJ20261120"


def _ship(client: TestClient, session: Session, **changes: Any) -> dict[str, Any]:
    store = caterer_of(session, "owner_a")
    response = client.post(
        "/api/v1/shipments",
        json=shipment_body(store.public_code, **changes),
        headers=bearer(session, supplier_user(session)),
    )
    assert response.status_code == 201, response.text
    return response.json()


def _events(client: TestClient, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    response = client.get(f"/epcis/events?{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def test_a_shipment_is_a_shipping_event_from_supplier_to_caterer(
    client: TestClient, session: Session
) -> None:
    shipped = _ship(client, session)
    assert shipped["status"] == "pending" and shipped["lot_id"] == LOT
    supplier, store = supplier_business(session), caterer_of(session, "owner_a")
    (event,) = _events(
        client, bearer(session, "owner_a"), EQ_bizStep="shipping", MATCH_epcClass=LOT
    )
    assert event["eventID"] == shipped["shipping_event_id"]
    assert (event["action"], event["disposition"]) == ("OBSERVE", "in_transit")
    assert event["sourceList"] == [
        {"type": "owning_party", "source": f"urn:sunshine:party:{supplier.public_code}"}
    ]
    assert event["destinationList"] == [
        {"type": "owning_party", "destination": f"urn:sunshine:party:{store.public_code}"}
    ]
    assert event["bizTransactionList"] == [
        {"type": "desadv", "bizTransaction": f"urn:sunshine:shipment:{shipped['id']}"}
    ]
    assert event["ilmd"]["cbvmda:lotNumber"] == "ZJ20261120"
    # The caterer's people are told.
    told = session.scalars(select(Notification).where(Notification.kind == "shipment.sent")).all()
    assert {n.link for n in told} == {f"/biz/shipments/{shipped['id']}"}
    assert _events(client, bearer(session, "owner_a2"), MATCH_epcClass=LOT) == []


def test_a_full_receipt_records_the_ledger_line_and_its_receiving_event(
    client: TestClient, session: Session
) -> None:
    shipped = _ship(client, session)
    response = client.post(
        f"/api/v1/shipments/{shipped['id']}/confirmation",
        json={"outcome": "full", "recorder_name": "李四", "temperature_c": -18},
        headers=bearer(session, "staff_a"),
    )
    assert response.status_code == 200, response.text
    answered = response.json()
    assert answered["status"] == "received" and not answered["mismatch"]
    line = session.get(LedgerLine, answered["ledger_line_id"])
    assert line is not None and line.quantity == 10 and line.batch_number == "ZJ20261120"
    assert line.supplier_business_id == supplier_business(session).id
    link = session.get(LedgerLineEvent, (line.id, "receiving"))
    assert link is not None and link.lot_id == LOT
    received = _events(client, bearer(session, supplier_user(session)), EQ_bizStep="receiving",
                       MATCH_epcClass=LOT)  # fmt: skip
    assert len(received) == 1
    assert {"type": "desadv", "bizTransaction": f"urn:sunshine:shipment:{shipped['id']}"} in (
        received[0]["bizTransactionList"]
    )
    told = session.scalars(
        select(Notification).where(Notification.kind == "shipment.confirmed")
    ).all()
    assert told
    again = client.post(
        f"/api/v1/shipments/{shipped['id']}/confirmation",
        json={"outcome": "full", "recorder_name": "李四"},
        headers=bearer(session, "staff_a"),
    )
    assert again.status_code == 409


def test_a_partial_receipt_flags_the_mismatch(client: TestClient, session: Session) -> None:
    shipped = _ship(client, session)
    url = f"/api/v1/shipments/{shipped['id']}/confirmation"
    headers = bearer(session, "owner_a")
    too_many = client.post(
        url, json={"outcome": "partial", "received_quantity": "10", "recorder_name": "李四"},
        headers=headers,
    )  # fmt: skip
    assert too_many.status_code == 422
    assert "received_quantity" in too_many.text
    response = client.post(
        url, json={"outcome": "partial", "received_quantity": "7", "recorder_name": "李四"},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "partial" and body["mismatch"] is True
    line = session.get(LedgerLine, body["ledger_line_id"])
    assert line is not None and line.quantity == 7


def test_a_refusal_needs_its_reason_and_records_no_line(
    client: TestClient, session: Session
) -> None:
    shipped = _ship(client, session)
    url = f"/api/v1/shipments/{shipped['id']}/confirmation"
    headers = bearer(session, "owner_a")
    missing = client.post(url, json={"outcome": "refused"}, headers=headers)
    assert missing.status_code == 422 and "reason" in missing.text
    response = client.post(
        url, json={"outcome": "refused", "reason": "包装破损，解冻"}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["ledger_line_id"], body["refusal_reason"]) == (
        "refused",
        None,
        "包装破损，解冻",
    )
    refused = session.scalars(
        select(Notification).where(Notification.kind == "shipment.refused")
    ).all()
    assert refused and "包装破损" in refused[0].body


def test_an_unconfirmed_shipment_is_flagged_after_the_configured_time(
    client: TestClient, session: Session
) -> None:
    hours = get_settings().shipment_confirm_hours
    assert hours == 48
    old = _ship(client, session, shipped_at=(utc_now() - timedelta(hours=hours + 1)).isoformat())
    fresh = _ship(client, session, batch_number="ZJ20261121")
    assert old["overdue"] is True and fresh["overdue"] is False
    listed = client.get("/api/v1/shipments?unconfirmed=true", headers=bearer(session, "owner_a"))
    assert [s["id"] for s in listed.json()["items"]] == [old["id"]]
    regulator = client.get(
        "/api/v1/shipments?unconfirmed=true", headers=bearer(session, "inspector_a")
    )
    assert [s["id"] for s in regulator.json()["items"]] == [old["id"]]


def test_a_neighbour_neither_sees_nor_confirms_another_stores_shipment(
    client: TestClient, session: Session
) -> None:
    shipped = _ship(client, session)
    for name in ("owner_a2", "owner_b", "inspector_b"):
        headers = bearer(session, name)
        assert client.get(f"/api/v1/shipments/{shipped['id']}", headers=headers).status_code == 404
        assert client.get("/api/v1/shipments", headers=headers).json()["total"] == 0
    answer = client.post(
        f"/api/v1/shipments/{shipped['id']}/confirmation",
        json={"outcome": "full", "recorder_name": "x"},
        headers=bearer(session, "owner_a2"),
    )
    assert answer.status_code == 404
    # The supplier sees its shipment but cannot confirm it for the caterer.
    supplier = bearer(session, supplier_user(session))
    assert client.get(f"/api/v1/shipments/{shipped['id']}", headers=supplier).status_code == 200
    own = client.post(
        f"/api/v1/shipments/{shipped['id']}/confirmation",
        json={"outcome": "full", "recorder_name": "x"},
        headers=supplier,
    )
    assert own.status_code == 403
    assert session.get(Shipment, shipped["id"]).status.value == "pending"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"caterer_code": "NOPE"}, "caterer_code"),
        ({"expiry_date": "2020-01-01"}, "expiry_date"),
        ({"batch_number": None, "production_date": None}, "batch_number"),
        ({"expiry_date": None}, "expiry_date"),
        ({"gtin": "6901234567891"}, "gtin"),
        ({"quantity": "0"}, "quantity"),
    ],
)
def test_bad_shipments_are_refused_whole_naming_the_field(
    client: TestClient, session: Session, changes: dict[str, Any], field: str
) -> None:
    store = caterer_of(session, "owner_a")
    before = session.scalars(select(Shipment)).all()
    response = client.post(
        "/api/v1/shipments",
        json={**shipment_body(store.public_code), **changes},
        headers=bearer(session, supplier_user(session)),
    )
    assert response.status_code == 422, response.text
    assert field in response.text
    assert session.scalars(select(Shipment)).all() == before


def test_a_caterer_cannot_record_a_shipment(client: TestClient, session: Session) -> None:
    neighbour = caterer_of(session, "owner_a2")
    response = client.post(
        "/api/v1/shipments",
        json=shipment_body(neighbour.public_code),
        headers=bearer(session, "owner_a"),
    )
    assert response.status_code == 403
