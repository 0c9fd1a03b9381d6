"""Training records (培训记录): seen and added by the business and its regulators only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import csrf_of, login
from sunshine.audit.models import AuditEntry
from sunshine.registry.models import Staff, TrainingRecord

HTML = {"accept": "text/html"}


def _a_staff_member(session: Session, demo: Demo) -> Staff:
    staff = (
        session.execute(
            select(Staff)
            .where(
                Staff.business_id == demo.account("owner_a")["business_id"], Staff.active.is_(True)
            )
            .order_by(Staff.id)
        )
        .scalars()
        .first()
    )
    assert staff is not None
    return staff


def test_owner_records_a_training(client: TestClient, session: Session, demo: Demo) -> None:
    staff = _a_staff_member(session, demo)
    login(client, "owner_a")
    path = f"/biz/staff/{staff.id}/training"
    page = client.get(path, headers=HTML)
    assert page.status_code == 200
    assert staff.name in page.text
    response = client.post(
        path,
        headers=HTML,
        data={
            "csrf_token": csrf_of(client, path),
            "taken_date": "2026-03-15",
            "topic": "食品安全法规与操作规范",
            "hours": "8",
            "provider": "锦江区市场监管局",
        },
    )
    assert response.status_code == 303, response.text[:800]
    assert "食品安全法规与操作规范" in client.get(path, headers=HTML).text
    record = session.execute(
        select(TrainingRecord).where(
            TrainingRecord.staff_id == staff.id, TrainingRecord.topic == "食品安全法规与操作规范"
        )
    ).scalar_one()
    assert record.hours == 8
    assert session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "training.create", AuditEntry.entity_id == str(record.id)
        )
    ).scalar_one()


def test_bad_training_is_refused_whole(client: TestClient, session: Session, demo: Demo) -> None:
    staff = _a_staff_member(session, demo)
    before = session.execute(
        select(TrainingRecord.id).where(TrainingRecord.staff_id == staff.id)
    ).all()
    login(client, "owner_a")
    path = f"/biz/staff/{staff.id}/training"
    response = client.post(
        path,
        headers=HTML,
        data={
            "csrf_token": csrf_of(client, path),
            "taken_date": "2099-01-01",
            "topic": "x",
            "hours": "0",
            "provider": "某机构",
        },
    )
    assert response.status_code == 422
    for field in ("taken_date", "topic", "hours"):
        assert f"{field}" in response.text
    assert (
        session.execute(select(TrainingRecord.id).where(TrainingRecord.staff_id == staff.id)).all()
        == before
    )


def test_neighbours_see_nothing(client: TestClient, session: Session, demo: Demo) -> None:
    staff = _a_staff_member(session, demo)
    for username, portal in (("owner_a2", "biz"), ("owner_b", "biz"), ("inspector_b", "gov")):
        client.cookies.clear()
        login(client, username)
        response = client.get(f"/{portal}/staff/{staff.id}/training", headers=HTML)
        assert response.status_code == 404, username
        assert staff.name not in response.text


def test_staff_role_reads_but_cannot_add(client: TestClient, session: Session, demo: Demo) -> None:
    staff = _a_staff_member(session, demo)
    login(client, "staff_a")
    path = f"/biz/staff/{staff.id}/training"
    page = client.get(path, headers=HTML)
    assert page.status_code == 200
    assert 'id="training-form"' not in page.text
    denied = client.post(
        path,
        headers=HTML,
        data={
            "csrf_token": csrf_of(client, path),
            "taken_date": "2026-03-15",
            "topic": "规范操作",
            "hours": "2",
            "provider": "企业内训",
        },
    )
    assert denied.status_code == 403


def test_county_inspector_sees_the_record(client: TestClient, session: Session, demo: Demo) -> None:
    staff = _a_staff_member(session, demo)
    login(client, "inspector_a")
    page = client.get(f"/gov/staff/{staff.id}/training", headers=HTML)
    assert page.status_code == 200
    assert 'id="training-table"' in page.text
