"""Administrators manage offices: rename, open a station, close one without accounts."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from helpers import csrf_of, login
from sunshine.audit.models import AuditEntry
from sunshine.auth.enums import Role
from sunshine.auth.models import User
from sunshine.auth.passwords import hash_password
from sunshine.regions.enums import OrgUnitKind
from sunshine.regions.models import OrgUnit, Region

HTML = {"accept": "text/html"}


def _unit(session: Session, region_code: str) -> OrgUnit:
    return session.execute(select(OrgUnit).where(OrgUnit.region_code == region_code)).scalar_one()


def test_admin_renames_and_opens_a_station(client: TestClient, session: Session) -> None:
    login(client, "admin")
    county = _unit(session, "510104")
    token = csrf_of(client, f"/gov/org-units?under={county.id}")
    renamed = client.post(
        f"/gov/org-units/{county.id}/rename",
        data={"csrf_token": token, "name": "锦江区市场监督管理局（新）"},
        headers=HTML,
    )
    assert renamed.status_code == 303
    session.refresh(county)
    assert county.name == "锦江区市场监督管理局（新）"
    township = (
        session.execute(
            select(Region.code).where(Region.parent_code == "510104").order_by(Region.code)
        )
        .scalars()
        .first()
    )
    assert township is not None
    station = _unit(session, township)
    session.execute(update(User).where(User.org_unit_id == station.id).values(org_unit_id=None))
    session.delete(station)
    session.commit()
    created = client.post(
        "/gov/org-units/new",
        headers=HTML,
        data={
            "csrf_token": token,
            "parent_id": str(county.id),
            "name": "督院街市场监管所",
            "region_code": township,
        },
    )
    assert created.status_code == 303, created.text[:800]
    new = _unit(session, township)
    assert new.kind is OrgUnitKind.STATION
    assert new.parent_id == county.id
    actions = set(
        session.execute(
            select(AuditEntry.action).where(AuditEntry.entity_type == "org_unit")
        ).scalars()
    )
    assert {"org_unit.rename", "org_unit.create"} <= actions


def test_station_must_lie_under_the_parent(client: TestClient, session: Session) -> None:
    login(client, "admin")
    county = _unit(session, "510104")
    token = csrf_of(client, f"/gov/org-units?under={county.id}")
    response = client.post(
        "/gov/org-units/new",
        data={
            "csrf_token": token,
            "parent_id": str(county.id),
            "name": "越界所",
            "region_code": "510105",
        },
        headers=HTML,
    )
    assert response.status_code == 422
    assert "region_code" in response.text


def test_office_with_accounts_is_not_closed(client: TestClient, session: Session) -> None:
    login(client, "admin")
    county = _unit(session, "510104")  # inspector_a works here
    token = csrf_of(client, "/gov/org-units")
    response = client.post(
        f"/gov/org-units/{county.id}/active",
        data={"csrf_token": token, "active": "0"},
        headers=HTML,
    )
    assert response.status_code == 422
    session.refresh(county)
    assert county.active


def test_county_admin_cannot_touch_the_neighbours_offices(
    client: TestClient, session: Session
) -> None:
    county_a, county_b = _unit(session, "510104"), _unit(session, "510105")
    session.add(
        User(
            username="admin_a",
            display_name="区管理员",
            role=Role.ADMIN,
            password_hash=hash_password("County#Admin1"),
            org_unit_id=county_a.id,
        )
    )
    session.commit()
    login(client, "admin_a", "County#Admin1")
    token = csrf_of(client, "/gov/org-units")
    assert (
        client.get("/gov/org-units", params={"under": county_b.id}, headers=HTML).status_code == 404
    )
    rename = client.post(
        f"/gov/org-units/{county_b.id}/rename",
        data={"csrf_token": token, "name": "篡改"},
        headers=HTML,
    )
    assert rename.status_code == 404
    assert "青羊区" not in rename.text
    session.refresh(county_b)
    assert county_b.name == "青羊区市场监督管理局"


def test_non_admin_sees_no_management_forms(client: TestClient, session: Session) -> None:
    login(client, "inspector_a")
    page = client.get("/gov/org-units", headers=HTML).text
    assert 'id="rename-unit"' not in page
    county = _unit(session, "510104")
    token = csrf_of(client, "/gov/org-units")
    response = client.post(
        f"/gov/org-units/{county.id}/rename",
        data={"csrf_token": token, "name": "x" * 5},
        headers=HTML,
    )
    assert response.status_code == 403
