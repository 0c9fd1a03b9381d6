"""The public store page (一店一码): content, QR codes, weight, privacy."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from conftest import Demo
from sunshine.registry.models import Business, Staff

HTML = {"accept": "text/html"}


@pytest.fixture
def store(demo: Demo, session: Session) -> Business:
    business = session.get(Business, demo.account("owner_a")["business_id"])
    assert business is not None
    return business


def test_store_page_shows_the_published_facts(
    client: TestClient, store: Business, session: Session
) -> None:
    page = client.get(f"/s/{store.public_code}", headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert store.name in html
    assert store.licence_number in html
    assert store.address in html
    assert 'id="licence-status"' in html
    for section in ("risk", "inspections", "kitchen", "ingredients"):
        assert f'id="section-{section}"' in html
    staff = session.query(Staff).filter_by(business_id=store.id, active=True).all()
    assert staff
    for person in staff:
        assert person.name not in html  # names are masked
        assert person.id_number_masked not in html  # no ID numbers at all


def test_store_page_is_light_and_has_no_blocking_scripts(
    client: TestClient, store: Business
) -> None:
    page = client.get(f"/s/{store.public_code}", headers=HTML)
    assert len(page.content) < 100 * 1024
    head = page.text.split("</head>")[0]
    assert "<script" not in head
    assert page.headers["cache-control"].startswith("public")


def test_codes_are_case_insensitive_and_unknown_codes_404(
    client: TestClient, store: Business
) -> None:
    assert client.get(f"/s/{store.public_code.lower()}", headers=HTML).status_code == 200
    missing = client.get("/s/ZZZZZZZZZZ", headers=HTML)
    assert missing.status_code == 404


def test_suppliers_have_no_public_store_page(client: TestClient, session: Session) -> None:
    supplier = session.query(Business).filter(Business.category != "caterer").first()
    assert supplier is not None
    assert client.get(f"/s/{supplier.public_code}", headers=HTML).status_code == 404


def test_png_qr_code_decodes_to_the_store_url(client: TestClient, store: Business) -> None:
    response = client.get(f"/s/{store.public_code}/qr.png")
    assert response.headers["content-type"] == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert [r.text for r in decoded] == [f"http://testserver/s/{store.public_code}"]
    follow = client.get(decoded[0].text.removeprefix("http://testserver"), headers=HTML)
    assert store.name in follow.text


def test_svg_qr_code_is_valid_svg(client: TestClient, store: Business) -> None:
    response = client.get(f"/s/{store.public_code}/qr.svg")
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert re.search(r"<svg[^>]+xmlns=", response.text)


def test_public_search_finds_the_store_by_name_and_area(
    client: TestClient, store: Business
) -> None:
    by_name = client.get("/", params={"q": store.name}, headers=HTML)
    assert f"/s/{store.public_code}" in by_name.text
    by_area = client.get("/", params={"q": store.name, "region": store.county_code}, headers=HTML)
    assert f"/s/{store.public_code}" in by_area.text
    elsewhere = client.get("/", params={"q": store.name, "region": "510105"}, headers=HTML)
    assert f"/s/{store.public_code}" not in elsewhere.text


def test_english_alternative(client: TestClient, store: Business) -> None:
    page = client.get(f"/s/{store.public_code}?lang=en", headers=HTML)
    assert "Food business licence" in page.text
    assert page.headers["content-language"] == "en"
    assert "lang=en" in page.headers.get("set-cookie", "")


def test_cached_page_follows_changes(client: TestClient, store: Business) -> None:
    from helpers import api_token

    first = client.get(f"/s/{store.public_code}", headers=HTML).text
    assert "王小明" not in first
    headers = api_token(client, "owner_a")
    response = client.post(
        f"/api/v1/businesses/{store.id}/staff",
        headers=headers,
        json={
            "name": "王小明",
            "position": "厨师",
            "id_number": "11010519491231002X",
            "health_cert_number": "JK2026-0001",
            "health_cert_issue_date": "2026-06-01",
            "health_cert_expiry_date": "2027-05-31",
        },
    )
    assert response.status_code == 201, response.text
    again = client.get(f"/s/{store.public_code}", headers=HTML).text
    assert "王**" in again
    assert "2027-05-31" in again


def test_page_is_kept_until_a_state_it_shows_changes(session: Session, store: Business) -> None:
    from datetime import date, timedelta

    from sunshine.registry import public
    from sunshine.registry.enums import LicenceStatus
    from sunshine.registry.rules import next_certificate_change, next_licence_change

    today = date(2026, 11, 29)
    assert next_certificate_change(None, today) is None
    assert next_certificate_change(date(2026, 11, 1), today) is None  # already expired
    assert next_certificate_change(date(2027, 3, 1), today) == date(2027, 1, 30)  # → expiring
    assert next_certificate_change(date(2026, 12, 10), today) == date(2026, 12, 11)  # → expired
    assert next_licence_change(LicenceStatus.VALID, today, today) == today + timedelta(days=1)
    assert next_licence_change(LicenceStatus.REVOKED, date(2030, 1, 1), today) is None

    page = public.store_page(session=session, code=store.public_code, today=today)
    expected = [next_certificate_change(c.expiry_date, today) for c in page.certificates]
    expected.append(next_licence_change(store.licence_status, store.licence_expiry_date, today))
    assert page.changes_on == min(d for d in expected if d is not None)
    ttl = public.store_page_ttl(page)
    assert 0 < ttl <= 24 * 3600


def test_renaming_a_chain_refreshes_its_outlets_pages(
    client: TestClient, demo: Demo, session: Session
) -> None:
    from sqlalchemy import select

    from helpers import api_token, profile_body

    hq_id = demo.account("chain_hq")["business_id"]
    outlet = (
        session.execute(
            select(Business).where(Business.chain_hq_id == hq_id, Business.category == "caterer")
        )
        .scalars()
        .first()
    )
    assert outlet is not None, "the demo chain has outlets"
    hq = session.get(Business, hq_id)
    assert hq is not None
    assert hq.name in client.get(f"/s/{outlet.public_code}", headers=HTML).text  # now cached
    headers = api_token(client, "chain_hq")
    current = client.get(f"/api/v1/businesses/{hq_id}", headers=headers).json()
    body = profile_body(current)
    body["name"] = "阳光连锁餐饮管理有限公司"
    response = client.put(f"/api/v1/businesses/{hq_id}", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert "阳光连锁餐饮管理有限公司" in client.get(f"/s/{outlet.public_code}", headers=HTML).text
