"""Government portal through HTTP: dashboard, list with filters, sorting, export, edits."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import csrf_of, login
from sunshine.audit.models import AuditEntry
from sunshine.auth.models import User
from sunshine.registry.models import Business

HTML = {"accept": "text/html"}


def _rows(html: str) -> list[str]:
    table = html.split('id="business-table"')[1].split("</table>", maxsplit=1)[0]
    return [
        chunk.split('">', 1)[1].split("</a>")[0]
        for chunk in table.split('<a href="/gov/businesses/')[1:]
    ]


def test_dashboard_shows_counts_and_charts(client: TestClient) -> None:
    login(client, "leader")
    page = client.get("/gov/", headers=HTML).text
    assert 'id="stat-total"' in page
    assert "成都市" in page
    assert "data-chart=" in page
    assert ">restaurant<" not in page  # enum values are shown by their labels
    assert ">餐馆<" in page


def test_list_sorts_and_filters(client: TestClient, demo: Demo, session: Session) -> None:
    login(client, "city_leader")
    ascending = _rows(client.get("/gov/businesses", params={"sort": "name"}, headers=HTML).text)
    descending = _rows(
        client.get("/gov/businesses", params={"sort": "name", "dir": "desc"}, headers=HTML).text
    )
    assert ascending == sorted(ascending)
    assert descending == sorted(descending, reverse=True)
    restaurants = client.get(
        "/gov/businesses", params={"form": "restaurant", "region": demo.counties[0]}, headers=HTML
    ).text
    expected = (
        session.execute(
            select(Business.name).where(
                Business.form == "restaurant", Business.county_code == demo.counties[0]
            )
        )
        .scalars()
        .all()
    )
    assert sorted(_rows(restaurants)) == sorted(expected)[:25]


def test_bad_filter_is_explained(client: TestClient) -> None:
    login(client, "city_leader")
    page = client.get("/gov/businesses", params={"licence_state": "bogus"}, headers=HTML)
    assert page.status_code == 422
    assert "licence_state" in page.text


def test_export_matches_the_filtered_list(client: TestClient, demo: Demo, session: Session) -> None:
    login(client, "city_leader")
    response = client.get(
        "/gov/businesses/export.xlsx", params={"region": demo.counties[1], "sort": "name"}
    )
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    expected = session.execute(
        select(Business.name)
        .where(Business.county_code == demo.counties[1])
        .order_by(Business.name, Business.id)
    ).scalars()
    assert names == list(expected)
    assert sheet.cell(1, 1).value in ("名称", "Name")


def test_create_business_through_the_form(client: TestClient, demo: Demo, session: Session) -> None:
    import random

    from sunshine.core.identifiers import make_uscc

    login(client, "inspector_a")
    form = {
        "csrf_token": csrf_of(client, "/gov/businesses/new"),
        "name": "表单新增小吃店",
        "uscc": make_uscc(rng=random.Random(9), region_code="510104"),
        "category": "caterer",
        "form": "fast_food",
        "scale": "micro",
        "operating_status": "operating",
        "licence_number": "JY25101040077777",
        "licence_issue_date": "2026-01-05",
        "licence_expiry_date": "2031-01-04",
        "licence_status": "valid",
        "licence_scope": "热食类食品制售、冷食类食品制售",
        "region_code": demo.counties[0],
        "address": "四川省成都市锦江区红星路二段5号",
        "latitude": "30.65",
        "longitude": "104.08",
        "contact_name": "陈七",
        "contact_phone": "13700001111",
        "food_safety_manager": "陈七",
    }
    response = client.post("/gov/businesses/new", data=form, headers=HTML)
    assert response.status_code == 303, response.text[:2000]
    created = session.execute(
        select(Business).where(Business.name == "表单新增小吃店")
    ).scalar_one()
    assert created.licence_scope == ["热食类食品制售", "冷食类食品制售"]
    detail = client.get(response.headers["location"], headers=HTML)
    assert "表单新增小吃店" in detail.text


def test_invalid_form_lists_each_problem_and_stores_nothing(
    client: TestClient, demo: Demo, session: Session
) -> None:
    login(client, "inspector_a")
    before = session.execute(select(Business.id)).all()
    form = {
        "csrf_token": csrf_of(client, "/gov/businesses/new"),
        "name": "坏数据",
        "uscc": "91350100M000100Y4Z",
        "form": "restaurant",
        "licence_number": "JY1",
        "licence_issue_date": "2026-13-01",
        "licence_expiry_date": "2025-01-01",
        "region_code": demo.counties[0],
        "address": "某地",
        "contact_name": "甲",
        "contact_phone": "123",
        "food_safety_manager": "乙",
    }
    response = client.post("/gov/businesses/new", data=form, headers=HTML)
    assert response.status_code == 422
    for field in ("uscc", "licence_number", "licence_issue_date", "contact_phone", "address"):
        assert f'data-field="{field}"' in response.text
    assert session.execute(select(Business.id)).all() == before


def test_edit_is_audited_with_before_and_after(
    client: TestClient, demo: Demo, session: Session
) -> None:
    business_id = demo.account("owner_a")["business_id"]
    login(client, "inspector_a")
    edit = client.get(f"/gov/businesses/{business_id}/edit", headers=HTML).text
    token = csrf_of(client, f"/gov/businesses/{business_id}/edit")
    business = session.get(Business, business_id)
    assert business is not None and business.name in edit
    form = {
        "csrf_token": token,
        "name": business.name + "（新址）",
        "category": business.category.value,
        "form": business.form.value,
        "scale": business.scale.value,
        "operating_status": "operating",
        "licence_number": business.licence_number,
        "licence_issue_date": business.licence_issue_date.isoformat(),
        "licence_expiry_date": business.licence_expiry_date.isoformat(),
        "licence_status": "suspended",
        "licence_scope": "\n".join(business.licence_scope),
        "region_code": business.township_code or business.county_code,
        "address": business.address,
        "contact_name": business.contact_name,
        "latitude": str(business.latitude),
        "longitude": str(business.longitude),
        "contact_phone": business.contact_phone,
        "food_safety_manager": business.food_safety_manager,
    }
    response = client.post(f"/gov/businesses/{business_id}/edit", data=form, headers=HTML)
    assert response.status_code == 303, response.text[:1500]
    entry = (
        session.execute(
            select(AuditEntry)
            .where(AuditEntry.action == "business.update")
            .order_by(AuditEntry.seq.desc())
        )
        .scalars()
        .first()
    )
    assert entry is not None
    assert entry.actor_label == "inspector_a"
    assert entry.after == {"name": business.name + "（新址）", "licence_status": "suspended"}
    assert entry.before is not None and entry.before["licence_status"] == "valid"


def test_org_unit_drill_down_stays_inside_jurisdiction(
    client: TestClient, session: Session
) -> None:
    from sunshine.regions.models import OrgUnit

    login(client, "inspector_a")
    page = client.get("/gov/org-units", headers=HTML).text
    assert "锦江区市场监督管理局" in page
    other = session.execute(select(OrgUnit).where(OrgUnit.region_code == "510105")).scalar_one()
    assert client.get("/gov/org-units", params={"under": other.id}, headers=HTML).status_code == 404


def test_admin_creates_and_deactivates_an_inspector(client: TestClient, session: Session) -> None:
    from sunshine.regions.models import OrgUnit

    login(client, "admin")
    unit = session.execute(select(OrgUnit).where(OrgUnit.region_code == "510104")).scalar_one()
    token = csrf_of(client, "/gov/users")
    weak = client.post(
        "/gov/users",
        data={
            "csrf_token": token,
            "username": "new_inspector",
            "display_name": "新检查员",
            "password": "abc",
            "role": "inspector",
            "org_unit_id": str(unit.id),
        },
        headers=HTML,
    )
    assert weak.status_code == 422
    assert "password" in weak.text
    ok = client.post(
        "/gov/users",
        data={
            "csrf_token": token,
            "username": "new_inspector",
            "display_name": "新检查员",
            "password": "Strong#Pass123",
            "role": "inspector",
            "org_unit_id": str(unit.id),
        },
        headers=HTML,
    )
    assert ok.status_code == 303
    user = session.execute(select(User).where(User.username == "new_inspector")).scalar_one()
    off = client.post(
        f"/gov/users/{user.id}/active", data={"csrf_token": token, "active": "0"}, headers=HTML
    )
    assert off.status_code == 303
    session.refresh(user)
    assert not user.is_active


def test_non_admin_cannot_manage_users(client: TestClient) -> None:
    login(client, "leader")
    assert client.get("/gov/users", headers=HTML).status_code == 403
    assert client.get("/gov/audit", headers=HTML).status_code == 403


def test_expiring_page_lists_certificates_in_scope(client: TestClient, demo: Demo) -> None:
    login(client, "inspector_a")
    page = client.get("/gov/expiring", headers=HTML).text
    assert 'id="cert-table"' in page
    assert 'id="licence-table"' in page


def test_cached_list_follows_changes(client: TestClient, demo: Demo) -> None:
    from helpers import api_token

    login(client, "inspector_a")
    before = client.get("/gov/businesses", params={"q": "缓存测试"}, headers=HTML).text
    assert "缓存测试新店" not in before
    import random

    from sunshine.core.identifiers import make_uscc

    body = {
        "name": "缓存测试新店",
        "uscc": make_uscc(rng=random.Random(77), region_code="510104"),
        "form": "restaurant",
        "licence_number": "JY25101040066666",
        "licence_issue_date": "2025-03-01",
        "licence_expiry_date": "2030-02-28",
        "address": "四川省成都市锦江区总府路2号",
        "region_code": demo.counties[0],
        "contact_name": "王五",
        "contact_phone": "13912345678",
        "food_safety_manager": "赵六",
    }
    created = client.post("/api/v1/businesses", json=body, headers=api_token(client, "inspector_a"))
    assert created.status_code == 201, created.text
    after = client.get("/gov/businesses", params={"q": "缓存测试"}, headers=HTML).text
    assert "缓存测试新店" in after


def test_expiring_exports_are_scoped(client: TestClient, demo: Demo, session: Session) -> None:
    from sunshine.registry.models import Staff

    login(client, "inspector_b")
    response = client.get("/gov/expiring/certificates.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    exported = {row[0].value for row in sheet.iter_rows(min_row=2)}
    in_county = set(
        session.execute(
            select(Business.name)
            .join(Staff, Staff.business_id == Business.id)
            .where(Business.county_code == demo.counties[1])
        ).scalars()
    )
    assert exported <= in_county
    page = client.get("/gov/expiring", headers=HTML).text
    total = int(page.split('id="cert-total">')[1].split("<")[0])
    assert sheet.max_row - 1 == total
    licences = client.get("/gov/expiring/licences.xlsx")
    assert licences.status_code == 200
