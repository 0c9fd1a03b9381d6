"""Malformed Open311 requests: each gets the spec's error array naming the GeoReport field at
fault, with the right HTTP status, and nothing at all is stored."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import store_of_station
from sunshine.api.open311 import clients
from sunshine.audit.models import AuditEntry
from sunshine.auth.principal import SYSTEM
from sunshine.cases.models import Case
from sunshine.cogovernance.complaints.models import Complaint, ComplaintEvent
from sunshine.cogovernance.reports.models import Report
from sunshine.notifications.models import Notification
from sunshine.registry.models import Business

URL = "/open311/v2/requests.json?locale=en"  # English errors: the tests read them
_TABLES = (Complaint, ComplaintEvent, Report, Case, AuditEntry, Notification)


@pytest.fixture
def api_key(session: Session) -> str:
    issued = clients.add_client(session=session, actor=SYSTEM, name="12345 relay")
    session.commit()
    return issued.api_key


@pytest.fixture
def store(session: Session) -> Business:
    return store_of_station(session, "chief_a")


def _counts(session: Session) -> list[int]:
    return [
        int(session.execute(select(func.count()).select_from(table)).scalar_one())
        for table in _TABLES
    ]


def _complaint(api_key: str, store: Business) -> dict[str, Any]:
    return {
        "api_key": api_key,
        "service_code": "complaint.hygiene",
        "attribute[store_code]": store.public_code,
        "attribute[desired_outcome]": "rectification",
        "description": "餐具上有明显油污。",
        "first_name": "丽",
        "last_name": "李",
        "phone": "13700001234",
    }


def _report(api_key: str, store: Business) -> dict[str, Any]:
    return {
        "api_key": api_key,
        "service_code": "report.hygiene",
        "description": "后厨有老鼠出没。",
    }


def _changed(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    body = dict(base)
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def _refused(
    client: TestClient, session: Session, body: Any, status: int, field: str, **kwargs: Any
) -> list[str]:
    before = _counts(session)
    response = (
        client.post(URL, data=body, **kwargs) if body is not None else client.post(URL, **kwargs)
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    errors = response.json()
    assert errors and all(e["code"] == status for e in errors)
    descriptions = [e["description"] for e in errors]
    assert any(d.startswith(field) for d in descriptions), descriptions
    assert _counts(session) == before  # nothing partial stored
    return descriptions


COMPLAINT_CASES = [
    ("missing service_code", {"service_code": None}, 400, "service_code:"),
    ("unknown service", {"service_code": "complaint.gossip"}, 404, "There is no service"),
    (
        "service twice",
        {"service_code": ["complaint.hygiene", "complaint.price"]},
        400,
        "service_code: Given more than once",
    ),
    ("no outcome", {"attribute[desired_outcome]": None}, 400, "attribute[desired_outcome]:"),
    ("bad outcome", {"attribute[desired_outcome]": "revenge"}, 400, "attribute[desired_outcome]:"),
    (
        "two outcomes",
        {"attribute[desired_outcome]": ["refund", "apology"]},
        400,
        "attribute[desired_outcome]:",
    ),
    ("unknown attribute", {"attribute[colour]": "red"}, 400, "attribute[colour]:"),
    ("a note is no input", {"attribute[contact_note]": "hi"}, 400, "attribute[contact_note]:"),
    ("lat not a number", {"lat": "north", "long": "104.06"}, 400, "lat:"),
    ("lat without long", {"lat": "30.65"}, 400, "long:"),
    ("bad email", {"email": "not-an-email"}, 400, "email:"),
    ("bad phone", {"phone": "12345"}, 400, "phone:"),
    ("no phone", {"phone": None}, 400, "phone:"),
    ("no name", {"first_name": None, "last_name": None}, 400, "first_name/last_name:"),
    ("unknown store", {"attribute[store_code]": "NOSUCHSTORE"}, 400, "attribute[store_code]:"),
    (
        "unknown store as address_id",
        {"attribute[store_code]": None, "address_id": "NOSUCHSTORE"},
        400,
        "address_id:",
    ),
    ("no store at all", {"attribute[store_code]": None}, 400, "attribute[store_code]:"),
    ("two store codes", {"address_id": "ZZZZZZZZZZ"}, 400, "address_id:"),
    ("description too long", {"description": "长" * 2001}, 400, "description:"),
    ("no description", {"description": None}, 400, "description:"),
    ("not a date", {"attribute[occurred_on]": "yesterday"}, 400, "attribute[occurred_on]:"),
    ("a future date", {"attribute[occurred_on]": "2999-01-01"}, 400, "attribute[occurred_on]:"),
    ("not a web address", {"media_url": "javascript:alert(1)"}, 400, "media_url:"),
    ("an overlong device", {"device_id": "d" * 201}, 400, "device_id:"),
]


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [c[1:] for c in COMPLAINT_CASES],
    ids=[c[0] for c in COMPLAINT_CASES],
)
def test_a_malformed_complaint_is_refused_whole(
    client: TestClient,
    session: Session,
    api_key: str,
    store: Business,
    changes: dict[str, Any],
    status: int,
    field: str,
) -> None:
    _refused(client, session, _changed(_complaint(api_key, store), changes), status, field)


REPORT_CASES = [
    ("neither store nor region", {}, "attribute[region_code]:"),
    (
        "unknown region",
        {"attribute[region_code]": "999999", "address_string": "某路1号"},
        "attribute[region_code]:",
    ),
    ("region without address", {"attribute[region_code]": "510104"}, "address_string:"),
    (
        "latitude out of range",
        {
            "attribute[region_code]": "510104",
            "address_string": "某路1号",
            "lat": "95",
            "long": "104.06",
        },
        "lat:",
    ),
    (
        "real name without phone",
        {"attribute[region_code]": "510104", "address_string": "某路1号", "first_name": "敏"},
        "phone:",
    ),
    ("bad insider value", {"attribute[insider]": "maybe"}, "attribute[insider]:"),
]


@pytest.mark.parametrize(
    ("changes", "field"), [c[1:] for c in REPORT_CASES], ids=[c[0] for c in REPORT_CASES]
)
def test_a_malformed_report_is_refused_whole(
    client: TestClient,
    session: Session,
    api_key: str,
    store: Business,
    changes: dict[str, Any],
    field: str,
) -> None:
    _refused(client, session, _changed(_report(api_key, store), changes), 400, field)


def test_every_problem_is_listed_at_once(
    client: TestClient, session: Session, api_key: str, store: Business
) -> None:
    ours = _changed(
        _complaint(api_key, store),
        {"lat": "x", "long": "y", "attribute[colour]": "red", "media_url": "ftp://x"},
    )
    described = _refused(client, session, ours, 400, "lat:")
    assert {d.split(":")[0] for d in described} == {"lat", "long", "attribute[colour]", "media_url"}
    domain = _changed(_complaint(api_key, store), {"email": "bad", "phone": "123"})
    described = _refused(client, session, domain, 400, "phone:")
    assert {d.split(":")[0] for d in described} == {"email", "phone"}


def test_filing_needs_a_valid_active_key(
    client: TestClient, session: Session, api_key: str, store: Business
) -> None:
    body = _complaint(api_key, store)
    _refused(client, session, _changed(body, {"api_key": None}), 403, "An api_key")
    _refused(client, session, _changed(body, {"api_key": ""}), 403, "An api_key")
    _refused(client, session, _changed(body, {"api_key": "not-a-key"}), 403, "The api_key")
    clients.disable_client(session=session, actor=SYSTEM, name="12345 relay")
    session.commit()
    _refused(client, session, body, 403, "The api_key")


def test_a_body_that_cannot_be_read_is_refused(client: TestClient, session: Session) -> None:
    headers = {"content-type": "application/json"}
    _refused(client, session, None, 400, "body:", content=b"{oops", headers=headers)
    _refused(client, session, None, 400, "body:", content=b"[1, 2]", headers=headers)
    _refused(client, session, None, 400, "body:", content=b"\xff\xfe", headers=headers)
    _refused(client, session, None, 400, "body:", files={"media": ("a.jpg", b"\xff\xd8")})
    _refused(client, session, None, 400, "body:", content=b"a" * (65 * 1024), headers=headers)


def test_errors_in_xml_follow_the_spec(
    client: TestClient, session: Session, store: Business
) -> None:
    response = client.post("/open311/v2/requests.xml", data={"service_code": "complaint.hygiene"})
    assert response.status_code == 403
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)  # noqa: S314 - our own server's answer
    assert root.tag == "errors"
    assert root.findtext("error/code") == "403"
    assert "api_key" in (root.findtext("error/description") or "")


def test_a_failure_after_the_domain_flushed_leaves_nothing_behind(
    client: TestClient,
    session: Session,
    api_key: str,
    store: Business,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The route answers an error array instead of raising, so it must roll back itself:
    here the report and its case are flushed before the (simulated) late refusal."""
    from sunshine.api.open311 import filing
    from sunshine.core.errors import FieldProblem, ValidationFailed

    real = filing.reports.submit_report

    def refuse_late(**kwargs: Any) -> Any:
        real(**kwargs)
        raise ValidationFailed([FieldProblem("summary", "Too late")])

    monkeypatch.setattr(filing.reports, "submit_report", refuse_late)
    body = _changed(_report(api_key, store), {"attribute[store_code]": store.public_code})
    described = _refused(client, session, body, 400, "description: Too late")
    assert described == ["description: Too late"]
