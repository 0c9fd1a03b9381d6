"""The hygiene rating on the public store page (face, grades, date, rule note) and on the
regulator's business page."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from hygiene_helpers import record
from sqlalchemy.orm import Session

from helpers import login, store_of_station
from sunshine.core.time import today_local
from sunshine.registry.enums import BusinessForm, BusinessScale

OFFICERS = ("inspector_a", "chief_a")


def test_the_store_page_shows_the_face_grade_and_date(client: TestClient, session: Session) -> None:
    store = store_of_station(session, "chief_a")
    store.form, store.scale = BusinessForm.RESTAURANT, BusinessScale.SMALL
    store.licence_issue_date = today_local() - timedelta(days=800)
    session.flush()
    before = client.get(f"/s/{store.public_code}")  # cached without a rating
    assert 'id="no-hygiene"' in before.text
    inspection = record(session, store, OFFICERS, failed=["4.2"], days_ago=1)
    session.commit()
    page = client.get(f"/s/{store.public_code}")  # recording dropped the cached copy
    assert page.status_code == 200
    assert 'data-grade="excellent"' in page.text
    assert 'class="hygiene-face face-excellent"' in page.text
    assert re.search(r'role="img" aria-label="[^"]*(Excellent \(big smile\)|优秀)', page.text)
    assert inspection.inspected_on.isoformat() in page.text
    assert "94.4" in page.text
    english = client.get(f"/s/{store.public_code}?lang=en")
    assert 'aria-label="Dynamic grade: Excellent (big smile)"' in english.text
    detail = client.get(f"/s/{store.public_code}/hygiene")
    assert detail.status_code == 200 and 'id="hygiene-scores"' in detail.text
    assert client.get("/s/NOSUCHCODE/hygiene").status_code == 404


def test_the_regulator_sees_the_face_on_the_business_page(
    client: TestClient, session: Session
) -> None:
    store = store_of_station(session, "chief_a")
    store.form, store.scale = BusinessForm.RESTAURANT, BusinessScale.SMALL
    store.licence_issue_date = today_local() - timedelta(days=800)
    session.flush()
    record(session, store, OFFICERS, failed=["3.1", "4.2"])
    session.commit()
    login(client, "inspector_a")
    page = client.get(f"/gov/businesses/{store.id}")
    assert page.status_code == 200
    assert 'id="business-hygiene" data-grade="none"' in page.text  # two key items failed
    login(client, "inspector_b")
    assert client.get(f"/gov/businesses/{store.id}").status_code == 404
