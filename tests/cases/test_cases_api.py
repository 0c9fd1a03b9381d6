"""The case API: opening, queues, detail with timeline, steps, conflicts, and scoping."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from helpers import api_token, store_of_station


def test_a_case_through_the_api(client: TestClient, session: Session) -> None:
    chief = api_token(client, "chief_a")
    store = store_of_station(session, "chief_a")
    created = client.post(
        "/api/v1/cases",
        headers=chief,
        json={
            "kind": "complaint",
            "title": "菜品变质",
            "summary": "<script>x</script>",
            "business_id": store.id,
        },
    )
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["state"] == "received" and case["timeline"][0]["action"] == "receive"
    assert case["due_limit_key"] == "complaint.accept"
    queue = client.get("/api/v1/cases", params={"queue": "open"}, headers=chief).json()
    assert case["id"] in [item["id"] for item in queue["items"]]

    accepted = client.post(
        f"/api/v1/cases/{case['id']}/actions",
        headers=chief,
        json={"action": "accept", "expected_version": case["version"]},
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state"] == "accepted"
    stale = client.post(
        f"/api/v1/cases/{case['id']}/actions",
        headers=chief,
        json={"action": "reject", "expected_version": case["version"], "reason": "重复"},
    )
    assert stale.status_code == 409
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"/api/v1/cases/{case['id']}", headers=chief).json()["state"] == "accepted"


def test_bad_input_is_refused_with_the_field(client: TestClient, session: Session) -> None:
    chief = api_token(client, "chief_a")
    store = store_of_station(session, "chief_a")
    future = client.post(
        "/api/v1/cases",
        headers=chief,
        json={
            "kind": "lead",
            "title": "t",
            "summary": "s",
            "business_id": store.id,
            "received_on": "2999-01-01",
        },
    )
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "received_on"
    unknown_kind = client.post(
        "/api/v1/cases", headers=chief, json={"kind": "rumour", "title": "t", "summary": "s"}
    )
    assert unknown_kind.status_code == 422
    created = client.post(
        "/api/v1/cases",
        headers=chief,
        json={"kind": "lead", "title": "t", "summary": "s", "business_id": store.id},
    ).json()
    no_reason = client.post(
        f"/api/v1/cases/{created['id']}/actions",
        headers=chief,
        json={"action": "reject", "expected_version": created["version"]},
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"


def test_a_neighbour_sees_nothing(client: TestClient, session: Session) -> None:
    chief = api_token(client, "chief_a")
    store = store_of_station(session, "chief_a")
    case = client.post(
        "/api/v1/cases",
        headers=chief,
        json={"kind": "report", "title": "t", "summary": "s", "business_id": store.id},
    ).json()
    neighbour = api_token(client, "inspector_b")
    assert client.get(f"/api/v1/cases/{case['id']}", headers=neighbour).status_code == 404
    listed = client.get("/api/v1/cases", headers=neighbour).json()
    assert case["id"] not in [item["id"] for item in listed["items"]]
    acted = client.post(
        f"/api/v1/cases/{case['id']}/actions",
        headers=neighbour,
        json={"action": "accept", "expected_version": case["version"]},
    )
    assert acted.status_code == 404
    owner = api_token(client, "owner_a")
    assert client.get(f"/api/v1/cases/{case['id']}", headers=owner).status_code == 404
    assert client.get("/api/v1/cases", headers=owner).status_code == 403
    assert client.get("/api/v1/cases").status_code == 401
