"""A neighbouring county's inspector and a neighbouring business see nothing of others.

Every list and detail endpoint and page of the registry is exercised here.
"""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import api_token, login
from sunshine.registry.models import Business

HTML = {"accept": "text/html"}


def _business(session: Session, business_id: int) -> Business:
    business = session.get(Business, business_id)
    assert business is not None
    return business


def _table(html: str) -> str:
    return html.split('id="business-table"')[1].split("</table>", maxsplit=1)[0]


@pytest.fixture
def store_a(demo: Demo, session: Session) -> Business:
    return _business(session, demo.account("owner_a")["business_id"])


def test_api_list_is_limited_to_the_callers_county(client: TestClient, demo: Demo) -> None:
    headers = api_token(client, "inspector_b")
    body = client.get("/api/v1/businesses", params={"per_page": 200}, headers=headers).json()
    assert body["total"] > 0
    assert {b["county_code"] for b in body["items"]} == {demo.counties[1]}


def test_api_detail_of_another_county_is_404(client: TestClient, store_a: Business) -> None:
    headers = api_token(client, "inspector_b")
    response = client.get(f"/api/v1/businesses/{store_a.id}", headers=headers)
    assert response.status_code == 404
    assert store_a.name not in response.text
    staff = client.get(f"/api/v1/businesses/{store_a.id}/staff", headers=headers)
    assert staff.status_code == 404


@pytest.mark.parametrize("username", ["owner_a2", "owner_b", "citizen"])
def test_api_neighbouring_business_and_public_get_nothing(
    client: TestClient, store_a: Business, username: str
) -> None:
    headers = api_token(client, username)
    listing = client.get("/api/v1/businesses", params={"per_page": 200}, headers=headers).json()
    assert store_a.id not in {b["id"] for b in listing["items"]}
    assert client.get(f"/api/v1/businesses/{store_a.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/businesses/{store_a.id}/staff", headers=headers).status_code == 404


def test_owner_sees_exactly_their_store(client: TestClient, store_a: Business) -> None:
    headers = api_token(client, "owner_a")
    listing = client.get("/api/v1/businesses", headers=headers).json()
    assert [b["id"] for b in listing["items"]] == [store_a.id]


def test_chain_hq_sees_its_outlets_only(client: TestClient, demo: Demo, session: Session) -> None:
    hq_id = demo.account("chain_hq")["business_id"]
    headers = api_token(client, "chain_hq")
    items = client.get("/api/v1/businesses", params={"per_page": 200}, headers=headers).json()[
        "items"
    ]
    assert len(items) > 1
    assert all(b["id"] == hq_id or b["chain_hq_id"] == hq_id for b in items)


def test_station_chief_sees_only_their_township(client: TestClient) -> None:
    headers = api_token(client, "chief_a")
    me = client.get("/api/v1/me", headers=headers).json()
    items = client.get("/api/v1/businesses", params={"per_page": 200}, headers=headers).json()[
        "items"
    ]
    assert items
    assert {b["township_code"] for b in items} == {me["jurisdiction_code"]}


@pytest.mark.parametrize("path", ["/gov/businesses/{id}", "/gov/businesses/{id}/edit"])
def test_gov_detail_pages_of_another_county_are_404(
    client: TestClient, store_a: Business, path: str
) -> None:
    login(client, "inspector_b")
    response = client.get(path.format(id=store_a.id), headers=HTML)
    assert response.status_code == 404
    assert store_a.name not in response.text
    assert store_a.licence_number not in response.text


def test_gov_list_search_and_export_hide_other_counties(
    client: TestClient, store_a: Business
) -> None:
    login(client, "inspector_b")
    listing = client.get("/gov/businesses", params={"q": store_a.name}, headers=HTML)
    assert listing.status_code == 200
    assert store_a.name not in _table(listing.text)
    by_code = client.get("/gov/businesses", params={"q": store_a.uscc}, headers=HTML)
    assert 'id="business-table"' in by_code.text
    assert "/gov/businesses/" not in _table(by_code.text)
    export = client.get("/gov/businesses/export.xlsx", params={"q": store_a.name})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    assert sheet.max_row == 1  # headers only
    expiring = client.get("/gov/expiring", headers=HTML)
    assert store_a.name not in expiring.text


def test_gov_list_filtering_by_another_countys_region_finds_nothing(
    client: TestClient, demo: Demo
) -> None:
    login(client, "inspector_b")
    page = client.get("/gov/businesses", params={"region": demo.counties[0]}, headers=HTML)
    assert page.status_code == 200
    assert 'id="result-count"' in page.text
    assert "/gov/businesses/" not in _table(page.text)


def test_dashboard_counts_only_the_jurisdiction(
    client: TestClient, demo: Demo, session: Session
) -> None:
    from sqlalchemy import func, select

    expected = session.execute(
        select(func.count()).select_from(Business).where(Business.county_code == demo.counties[1])
    ).scalar_one()
    login(client, "inspector_b")
    page = client.get("/gov/", headers=HTML).text
    assert f'id="stat-total">{expected}<' in page


def test_regulator_cannot_register_outside_jurisdiction(
    client: TestClient, demo: Demo, store_a: Business
) -> None:
    headers = api_token(client, "inspector_b")
    body = {
        "name": "越界测试餐馆",
        "uscc": "91510104MA6C5XXX3X",
        "form": "restaurant",
        "licence_number": "JY25101040099999",
        "licence_issue_date": "2025-01-01",
        "licence_expiry_date": "2030-01-01",
        "address": "四川省成都市锦江区测试路1号",
        "region_code": demo.counties[0],
        "contact_name": "张三",
        "contact_phone": "13800000000",
        "food_safety_manager": "李四",
    }
    import random

    from sunshine.core.identifiers import make_uscc

    body["uscc"] = make_uscc(rng=random.Random(1), region_code=demo.counties[0])
    response = client.post("/api/v1/businesses", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert any(e["field"] == "region_code" for e in response.json()["errors"]), response.text
