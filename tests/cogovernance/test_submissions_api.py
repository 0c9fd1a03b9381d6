"""The intake API through HTTP: keys, receipts after the commit, specific errors with
nothing stored, and the status look-up."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import store_of_station
from sunshine.api.open311 import clients
from sunshine.auth.principal import SYSTEM
from sunshine.cases.models import Case
from sunshine.cogovernance.complaints.models import Complaint
from sunshine.cogovernance.reports.models import Report
from sunshine.cogovernance.submissions.models import SubmissionIntake


@pytest.fixture
def key(session: Session) -> dict[str, str]:
    issued = clients.add_client(session=session, actor=SYSTEM, name="成都12345热线")
    session.commit()
    return {"X-Api-Key": issued.api_key}


def _count(session: Session, model: type) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _complaint(store_code: str, **changes: Any) -> dict[str, Any]:
    return {
        "store_code": store_code,
        "category": "illness",
        "desired_outcome": "compensation",
        "description": "晚饭后全家腹泻，怀疑海鲜不新鲜。<script>alert(1)</script>",
        "name": "陈静",
        "phone": "13566667777",
        **changes,
    }


def test_a_key_is_required(client: TestClient, session: Session) -> None:
    store = store_of_station(session, "chief_a")
    response = client.post("/api/v1/submissions/complaints", json=_complaint(store.public_code))
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    bad = client.post(
        "/api/v1/submissions/complaints",
        json=_complaint(store.public_code),
        headers={"X-Api-Key": "not-a-key"},
    )
    assert bad.status_code == 403


def test_a_complaint_is_accepted_then_registered(
    client: TestClient, session: Session, key: dict[str, str]
) -> None:
    store = store_of_station(session, "chief_a")
    response = client.post(
        "/api/v1/submissions/complaints", json=_complaint(store.public_code), headers=key
    )
    assert response.status_code == 202, response.text
    code = response.json()["receipt_code"]
    status = client.get(f"/api/v1/submissions/{code.lower()}").json()
    assert status["status"] == "registered" and status["kind"] == "complaint"
    complaint = session.execute(
        select(Complaint).where(Complaint.receipt_code == code)
    ).scalar_one()
    assert complaint.business_id == store.id and "<script>" in complaint.description


def test_an_anonymous_report_about_a_place_opens_a_case(
    client: TestClient, session: Session, key: dict[str, str]
) -> None:
    store = store_of_station(session, "chief_a")
    cases_before = _count(session, Case)
    response = client.post(
        "/api/v1/submissions/reports",
        json={
            "category": "illegal_additives",
            "description": "夜市卤味摊疑似使用工业色素。",
            "region_code": store.township_code,
            "address": "夜市第三排",
            "latitude": 30.66,
            "longitude": 104.06,
        },
        headers=key,
    )
    assert response.status_code == 202, response.text
    report = session.execute(
        select(Report).where(Report.receipt_code == response.json()["receipt_code"])
    ).scalar_one()
    assert report.anonymous and report.identity_ciphertext is None
    assert _count(session, Case) == cases_before + 1


def test_bad_submissions_name_the_fields_and_store_nothing(
    client: TestClient, session: Session, key: dict[str, str]
) -> None:
    store = store_of_station(session, "chief_a")
    before = _count(session, SubmissionIntake)
    missing = client.post(
        "/api/v1/submissions/complaints",
        json=_complaint(store.public_code, phone="110", category="?", description=""),
        headers=key,
    )
    assert missing.status_code == 422
    fields = {p["field"] for p in missing.json()["errors"]}
    assert fields == {"phone", "category", "description"}
    unknown = client.post(
        "/api/v1/submissions/complaints", json=_complaint("ZZZZ0000"), headers=key
    )
    assert unknown.status_code == 422
    assert [p["field"] for p in unknown.json()["errors"]] == ["store_code"]
    malformed = client.post(
        "/api/v1/submissions/reports",
        content=b"{not json",
        headers={**key, "Content-Type": "application/json"},
    )
    assert malformed.status_code == 422
    assert _count(session, SubmissionIntake) == before
    assert client.get("/api/v1/submissions/AAAA-BBBB-CCCC").status_code == 404
