"""The ledger pages of both portals and the ledger API, through HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from ledger_helpers import day, photo_upload, suppliers
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from helpers import api_token, csrf_of
from sunshine.ingredients.models import LedgerLine

Opener = Callable[[str], TestClient]


def _setup(db: sessionmaker[Session]) -> tuple[int, int]:
    with db() as session:
        registered, external = suppliers(session)
        session.commit()
        return registered.id, external.id


def _form(supplier_id: int, **changes: str) -> dict[str, str]:
    values = {
        "purchase_date": day(0).isoformat(),
        "product_name": "大白菜",
        "category": "vegetables",
        "specification": "散装",
        "quantity": "30",
        "unit": "kg",
        "production_date": day(0).isoformat(),
        "no_shelf_life": "1",
        "supplier_id": str(supplier_id),
        "doc_voucher": "1",
        "appearance_ok": "yes",
        "recorder_name": "员工甲",
    }
    values.update(changes)
    return values


def test_staff_record_a_line_with_a_photo_and_see_it_in_the_list(
    db: sessionmaker[Session], new_client: Opener
) -> None:
    _, external = _setup(db)
    staff = new_client("staff_a")
    page = staff.get("/biz/ledger/new")
    assert page.status_code == 200 and 'id="ledger-form"' in page.text
    token = csrf_of(staff, "/biz/ledger/new")
    from ledger_helpers import photo_upload

    photo = photo_upload()
    response = staff.post(
        "/biz/ledger/new",
        data={**_form(external), "csrf_token": token},
        files={"file_voucher": ("invoice.jpg", photo.source, "image/jpeg")},
    )
    assert response.status_code == 303, response.text[:2000]
    detail = staff.get(response.headers["location"])
    assert "大白菜" in detail.text and "invoice.jpg" in detail.text
    listed = staff.get("/biz/ledger?category=vegetables")
    assert "大白菜" in listed.text
    exported = staff.get("/biz/ledger/export.csv")
    assert exported.status_code == 200 and "大白菜" in exported.content.decode("utf-8-sig")


def test_a_bad_form_names_each_field_and_stores_nothing(
    db: sessionmaker[Session], new_client: Opener
) -> None:
    _, external = _setup(db)
    staff = new_client("staff_a")
    token = csrf_of(staff, "/biz/ledger/new")
    bad = _form(
        external,
        purchase_date=day(2).isoformat(),
        quantity="-3",
        production_date="",
        no_shelf_life="",
        csrf_token=token,
    )
    response = staff.post("/biz/ledger/new", data=bad)
    assert response.status_code == 422
    assert 'data-field="quantity"' in response.text
    response = staff.post("/biz/ledger/new", data={**bad, "quantity": "3"})
    assert response.status_code == 422
    for field in ("purchase_date", "batch_number", "expiry_date"):
        assert f'data-field="{field}"' in response.text, field
    assert "大白菜" not in staff.get("/biz/ledger").text


def test_the_neighbour_and_the_other_county_see_none_of_store_a_s_lines(
    db: sessionmaker[Session], new_client: Opener
) -> None:
    _, external = _setup(db)
    staff = new_client("staff_a")
    token = csrf_of(staff, "/biz/ledger/new")
    created = staff.post("/biz/ledger/new", data={**_form(external), "csrf_token": token})
    path = created.headers["location"].split("?")[0]
    line_id = path.rsplit("/", 1)[1]
    owner_b = new_client("owner_b")
    assert "大白菜" not in owner_b.get("/biz/ledger").text
    assert owner_b.get(path).status_code == 404
    assert owner_b.get(f"/biz/ledger/{line_id}/correct").status_code == 404
    inspector_b = new_client("inspector_b")
    assert "大白菜" not in inspector_b.get("/gov/ledger").text
    assert inspector_b.get(f"/gov/ledger/{line_id}").status_code == 404
    inspector_a = new_client("inspector_a")
    assert "大白菜" in inspector_a.get("/gov/ledger").text
    assert inspector_a.get(f"/gov/ledger/{line_id}").status_code == 200


def test_correcting_through_the_portal(db: sessionmaker[Session], new_client: Opener) -> None:
    _, external = _setup(db)
    staff = new_client("staff_a")
    token = csrf_of(staff, "/biz/ledger/new")
    created = staff.post("/biz/ledger/new", data={**_form(external), "csrf_token": token})
    line_id = created.headers["location"].split("?")[0].rsplit("/", 1)[1]
    form = staff.get(f"/biz/ledger/{line_id}/correct")
    assert form.status_code == 200 and 'value="大白菜"' in form.text
    missing_reason = staff.post(
        f"/biz/ledger/{line_id}/correct",
        data={**_form(external, quantity="33"), "csrf_token": token},
    )
    assert missing_reason.status_code == 422 and 'data-field="reason"' in missing_reason.text
    done = staff.post(
        f"/biz/ledger/{line_id}/correct",
        data={**_form(external, quantity="33"), "reason": "称重有误", "csrf_token": token},
    )
    assert done.status_code == 303
    new_page = staff.get(done.headers["location"])
    assert "称重有误" in new_page.text and "33 kg" in new_page.text
    old_page = staff.get(f"/biz/ledger/{line_id}")
    assert 'id="corrected-note"' in old_page.text and 'id="correct-line"' not in old_page.text


def test_suppliers_and_products_pages(db: sessionmaker[Session], new_client: Opener) -> None:
    _setup(db)
    staff = new_client("staff_a")
    token = csrf_of(staff, "/biz/ledger/suppliers")
    assert "青石桥蔬菜批发摊" in staff.get("/biz/ledger/suppliers").text
    bad = staff.post(
        "/biz/ledger/suppliers/external",
        data={
            "name": "",
            "address": "",
            "contact_name": "",
            "contact_phone": "1",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 422 and 'data-field="contact_phone"' in bad.text
    added = staff.post(
        "/biz/ledger/products",
        data={
            "name": "金龙鱼大豆油",
            "category": "grain_oil",
            "specification": "5L",
            "gtin": "6901234567892",
            "shelf_life_days": "540",
            "csrf_token": token,
        },
    )
    assert added.status_code == 303
    found = staff.get("/biz/ledger/products/lookup?gtin=6901234567892")
    assert found.status_code == 200 and found.json()["name"] == "金龙鱼大豆油"
    assert staff.get("/biz/ledger/products/lookup?gtin=6901234567893").status_code == 422
    assert staff.get("/biz/ledger/products/lookup?gtin=6920152400777").status_code == 404


def _api_body(supplier_id: int, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "purchase_date": day(0).isoformat(),
        "product_name": "鲜鸡蛋",
        "category": "eggs",
        "specification": "30枚/板",
        "quantity": "10",
        "unit": "板",
        "production_date": day(-1).isoformat(),
        "shelf_life_days": 30,
        "supplier_id": supplier_id,
        "documents": ["voucher", "conformity"],
        "appearance_ok": True,
        "recorder_name": "API",
    }
    body.update(changes)
    return body


def test_the_api_creates_lists_details_and_corrects(
    db: sessionmaker[Session], client: TestClient
) -> None:
    registered, _ = _setup(db)
    headers = api_token(client, "manager_a")
    created = client.post("/api/v1/ledger-lines", json=_api_body(registered), headers=headers)
    assert created.status_code == 201, created.text
    line = created.json()
    assert line["supplier_business_id"] is not None and line["flags"] == []
    listed = client.get("/api/v1/ledger-lines?category=eggs", headers=headers).json()
    assert [x["id"] for x in listed["items"]] == [line["id"]]
    fixed = client.post(
        f"/api/v1/ledger-lines/{line['id']}/corrections",
        json={"reason": "数量错误", "line": _api_body(registered, quantity="12")},
        headers=headers,
    )
    assert fixed.status_code == 201 and fixed.json()["corrects_id"] == line["id"]
    again = client.post(
        f"/api/v1/ledger-lines/{line['id']}/corrections",
        json={"reason": "再次", "line": _api_body(registered)},
        headers=headers,
    )
    assert again.status_code == 409
    old = client.get(f"/api/v1/ledger-lines/{line['id']}", headers=headers).json()
    assert old["corrected_by_id"] == fixed.json()["id"]
    assert old["versions"] == [line["id"], fixed.json()["id"]]
    other = api_token(client, "owner_b")
    assert client.get(f"/api/v1/ledger-lines/{line['id']}", headers=other).status_code == 404
    assert client.get("/api/v1/ledger-lines", headers=other).json()["total"] == 0 or all(
        x["business_id"] != line["business_id"]
        for x in client.get("/api/v1/ledger-lines", headers=other).json()["items"]
    )
    assert client.get("/api/v1/ledger-lines").status_code == 401


def test_the_api_refuses_bad_lines_with_problem_details(
    db: sessionmaker[Session], client: TestClient
) -> None:
    registered, _ = _setup(db)
    headers = api_token(client, "staff_a")
    response = client.post(
        "/api/v1/ledger-lines",
        json=_api_body(
            registered,
            production_date=day(0).isoformat(),
            shelf_life_days=None,
            expiry_date=day(-3).isoformat(),
        ),
        headers=headers,
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert {e["field"] for e in response.json()["errors"]} == {"expiry_date"}
    typed = client.post(
        "/api/v1/ledger-lines", json=_api_body(registered, category="fruit"), headers=headers
    )
    assert typed.status_code == 422 and typed.json()["errors"][0]["field"] == "category"
    malformed = client.post(
        "/api/v1/ledger-lines",
        content=b"{not json",
        headers={**headers, "content-type": "application/json"},
    )
    assert malformed.status_code == 422
    regulator = api_token(client, "inspector_a")
    assert (
        client.post(
            "/api/v1/ledger-lines", json=_api_body(registered), headers=regulator
        ).status_code
        == 403
    )


def test_the_api_records_a_line_with_its_documents_files(
    db: sessionmaker[Session], client: TestClient
) -> None:
    registered, _ = _setup(db)
    headers = api_token(client, "manager_a")
    photo = photo_upload("invoice.jpg").source.read()
    sent = client.post(
        "/api/v1/ledger-lines/with-documents",
        data={"line": json.dumps(_api_body(registered, documents=["voucher", "conformity"]))},
        files=[("file_voucher", ("invoice.jpg", photo, "image/jpeg"))],
        headers=headers,
    )
    assert sent.status_code == 201, sent.text
    line = sent.json()
    assert (
        list(line["document_files"]) == ["voucher"] and len(line["document_files"]["voucher"]) == 1
    )
    with db() as session:
        stored = session.get(LedgerLine, line["id"])
        assert stored is not None and stored.document_files == line["document_files"]
    # Bad input: nothing stored, a specific problem each time.
    with db() as session:
        before = session.scalar(select(func.count()).select_from(LedgerLine))
    missing = client.post("/api/v1/ledger-lines/with-documents", data={"x": "1"}, headers=headers)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "line"
    broken = client.post(
        "/api/v1/ledger-lines/with-documents", data={"line": "{not json"}, headers=headers
    )
    assert broken.status_code == 422 and "JSON" in broken.json()["errors"][0]["message"]
    fake = client.post(
        "/api/v1/ledger-lines/with-documents",
        data={"line": json.dumps(_api_body(registered, documents=["voucher"]))},
        files=[("file_voucher", ("invoice.jpg", b"MZ not an image at all", "image/jpeg"))],
        headers=headers,
    )
    assert fake.status_code in (415, 422), fake.text
    invalid = client.post(
        "/api/v1/ledger-lines/with-documents",
        data={"line": json.dumps(_api_body(registered, category="fruit"))},
        files=[("file_voucher", ("invoice.jpg", photo, "image/jpeg"))],
        headers=headers,
    )
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "category"
    with db() as session:
        assert session.scalar(select(func.count()).select_from(LedgerLine)) == before
    # Another business's token sees nothing of it.
    other = api_token(client, "owner_b")
    assert client.get(f"/api/v1/ledger-lines/{line['id']}", headers=other).status_code == 404
