"""The JSON API: OpenAPI, filters, pagination, validation problems (RFC 7807)."""

from __future__ import annotations

import random

from fastapi.testclient import TestClient

from conftest import Demo
from helpers import api_token, profile_body
from sunshine.core.identifiers import make_uscc


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/businesses" in spec["paths"]
    assert "/api/v1/auth/token" in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_health(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["schema"]


def test_list_requires_a_token(client: TestClient) -> None:
    response = client.get("/api/v1/businesses")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_pagination_and_filters(client: TestClient, demo: Demo) -> None:
    headers = api_token(client, "leader")
    first = client.get("/api/v1/businesses", params={"per_page": 5}, headers=headers).json()
    second = client.get(
        "/api/v1/businesses", params={"per_page": 5, "page": 2}, headers=headers
    ).json()
    assert first["total"] >= 60 - 1
    assert len(first["items"]) == 5
    assert not {b["id"] for b in first["items"]} & {b["id"] for b in second["items"]}
    names = [b["name"] for b in first["items"]]
    assert names == sorted(names)
    county = client.get(
        "/api/v1/businesses", params={"region": demo.counties[0], "per_page": 200}, headers=headers
    ).json()
    assert county["total"] >= 3
    assert {b["county_code"] for b in county["items"]} == {demo.counties[0]}
    expiring = client.get(
        "/api/v1/businesses", params={"licence_state": "expired", "per_page": 200}, headers=headers
    ).json()
    assert all(b["licence_effective_status"] == "expired" for b in expiring["items"])


def test_bad_filter_values_are_rejected(client: TestClient) -> None:
    headers = api_token(client, "leader")
    response = client.get("/api/v1/businesses", params={"form": "spaceship"}, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "form"


def _new_business(demo: Demo) -> dict[str, object]:
    return {
        "name": "测试新开餐馆",
        "uscc": make_uscc(rng=random.Random(5), region_code="510104"),
        "form": "restaurant",
        "licence_number": "JY25101040012345",
        "licence_issue_date": "2025-03-01",
        "licence_expiry_date": "2030-02-28",
        "address": "四川省成都市锦江区春熙路1号",
        "region_code": demo.counties[0],
        "contact_name": "王五",
        "contact_phone": "13912345678",
        "food_safety_manager": "赵六",
        "licence_scope": ["热食类食品制售"],
    }


def test_create_business_and_audit(client: TestClient, demo: Demo) -> None:
    headers = api_token(client, "inspector_a")
    response = client.post("/api/v1/businesses", json=_new_business(demo), headers=headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert len(created["public_code"]) == 10
    assert created["county_code"] == demo.counties[0]
    audit = client.get(
        "/gov/audit",
        params={"action": "business.create"},
        headers={"accept": "text/html", **api_token(client, "admin")},
    )
    assert created["name"] in audit.text


def test_invalid_identifiers_are_each_named(client: TestClient, demo: Demo) -> None:
    headers = api_token(client, "inspector_a")
    body = _new_business(demo)
    body.update(
        uscc="91350100M000100Y4Z",
        licence_number="JX123",
        licence_expiry_date="2024-01-01",
        contact_phone="12345",
    )
    response = client.post("/api/v1/businesses", json=body, headers=headers)
    assert response.status_code == 422
    problems = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "should be 3, got Z" in problems["uscc"]
    assert "licence_number" in problems
    assert "contact_phone" in problems


def test_duplicate_credit_code_is_a_specific_error(client: TestClient, demo: Demo) -> None:
    headers = api_token(client, "inspector_a")
    existing = client.get("/api/v1/businesses", headers=headers).json()["items"][0]
    body = _new_business(demo)
    body["uscc"] = existing["uscc"]
    response = client.post("/api/v1/businesses", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "uscc"
    assert "already registered" in response.json()["errors"][0]["message"]


def test_public_store_json(client: TestClient, demo: Demo) -> None:
    headers = api_token(client, "owner_a")
    mine = client.get("/api/v1/businesses", headers=headers).json()["items"][0]
    body = client.get(f"/api/v1/public/stores/{mine['public_code']}").json()
    assert body["name"] == mine["name"]
    assert "contact_phone" not in body


def test_enterprise_cannot_move_its_business_to_another_county(
    client: TestClient, demo: Demo
) -> None:
    headers = api_token(client, "owner_a")
    mine = client.get("/api/v1/businesses", headers=headers).json()["items"][0]
    body = profile_body(mine)
    body["region_code"] = demo.counties[1]
    response = client.put(f"/api/v1/businesses/{mine['id']}", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "region_code"
    body["region_code"] = mine["township_code"] or mine["county_code"]
    body["contact_phone"] = "13511112222"
    ok = client.put(f"/api/v1/businesses/{mine['id']}", json=body, headers=headers)
    assert ok.status_code == 200, ok.text
    assert ok.json()["contact_phone"] == "13511112222"
