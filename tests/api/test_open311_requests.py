"""Open311 service requests filed as complaints and reports (form-encoded and JSON), then
followed by their receipt code: the public status only, never the person behind them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import principal_of, store_of_station
from sunshine.api.open311 import clients
from sunshine.audit.models import AuditEntry
from sunshine.auth.principal import ANONYMOUS, SYSTEM
from sunshine.cases.models import Case
from sunshine.cogovernance import intake
from sunshine.cogovernance.complaints import service as complaint_service
from sunshine.cogovernance.complaints.enums import ComplaintState
from sunshine.cogovernance.complaints.models import Complaint
from sunshine.cogovernance.reports.models import Report
from sunshine.registry.models import Business

BASE = "/open311/v2"


@pytest.fixture
def api_key(session: Session) -> str:
    issued = clients.add_client(session=session, actor=SYSTEM, name="成都12345热线")
    session.commit()
    return issued.api_key


@pytest.fixture
def store(session: Session) -> Business:
    return store_of_station(session, "chief_a")


def _xml(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 - our own server's answer


def _count(session: Session, model: type) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def complaint_form(api_key: str, store: Business, **changes: str) -> dict[str, str]:
    return {
        "api_key": api_key,
        "service_code": "complaint.foreign_matter",
        "attribute[store_code]": store.public_code,
        "attribute[desired_outcome]": "refund",
        "attribute[request_text]": "退还餐费并道歉",
        "attribute[occurred_on]": "2026-11-01",
        "description": "炒饭里吃出一根头发。",
        "first_name": "小明",
        "last_name": "王",
        "phone": "13912345678",
        "email": "wxm@example.cn",
        "device_id": "call-20261129-0001",
        **changes,
    }


def _filed_id(response: Any) -> str:
    assert response.status_code == 200, response.text
    (item,) = response.json()
    assert "token" not in item  # realtime: the id itself, never a token
    return str(item["service_request_id"])


def _complaint(session: Session, receipt: str) -> Complaint:
    stmt = select(Complaint).where(Complaint.receipt_code == receipt)
    return session.execute(stmt).scalar_one()


def _report(session: Session, receipt: str) -> Report:
    return session.execute(select(Report).where(Report.receipt_code == receipt)).scalar_one()


def test_a_form_encoded_complaint_is_filed_once_for_the_store(
    client: TestClient, session: Session, api_key: str, store: Business
) -> None:
    before = _count(session, Complaint), _count(session, Case)
    response = client.post(f"{BASE}/requests.xml", data=complaint_form(api_key, store))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    root = _xml(response.content)
    assert root.tag == "service_requests"
    receipt = root.findtext("request/service_request_id") or ""
    assert root.find("request/token") is None
    assert receipt in (root.findtext("request/service_notice") or "")
    assert (_count(session, Complaint), _count(session, Case)) == (before[0] + 1, before[1])

    complaint = _complaint(session, receipt)
    assert complaint.business_id == store.id
    assert complaint.category.value == "foreign_matter"
    assert complaint.desired_outcome.value == "refund"
    assert complaint.request_text == "退还餐费并道歉"
    assert str(complaint.occurred_on) == "2026-11-01"
    assert complaint.state is ComplaintState.WITH_MERCHANT
    contact = intake.unseal(complaint.contact_ciphertext)
    assert (contact.name, contact.phone, contact.email) == (
        "王小明",
        "13912345678",
        "wxm@example.cn",
    )
    entry = session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "complaint.submit", AuditEntry.entity_id == str(complaint.id)
        )
    ).scalar_one()
    assert entry.actor_label == "open311:成都12345热线"  # which relay filed it


def test_a_json_complaint_may_name_the_store_as_address_id(
    client: TestClient, session: Session, api_key: str, store: Business
) -> None:
    body = {
        "api_key": api_key,
        "service_code": "complaint.illness",
        "address_id": store.public_code.lower(),
        "attribute": {"desired_outcome": "compensation", "claims_damage": "true"},
        "description": "晚饭后全家腹泻。",
        "last_name": "陈静",
        "phone": "135 6666 7777",
    }
    receipt = _filed_id(client.post(f"{BASE}/requests.json", json=body))
    complaint = _complaint(session, receipt)
    assert complaint.business_id == store.id and complaint.claims_damage is True
    assert intake.unseal(complaint.contact_ciphertext).name == "陈静"


def test_an_anonymous_report_about_a_store_opens_one_case(
    client: TestClient, session: Session, api_key: str, store: Business
) -> None:
    before = _count(session, Report), _count(session, Case)
    body = {
        "api_key": api_key,
        "service_code": "report.expired_or_spoiled",
        "attribute[store_code]": store.public_code,
        "description": "后厨冷库里有大量过期冻肉。",
    }
    receipt = _filed_id(client.post(f"{BASE}/requests.json", data=body))
    assert (_count(session, Report), _count(session, Case)) == (before[0] + 1, before[1] + 1)
    report = _report(session, receipt)
    assert report.anonymous and report.identity_ciphertext is None
    assert report.business_id == store.id and report.category.value == "expired_or_spoiled"
    case = session.get(Case, report.case_id)
    assert case is not None and case.business_id == store.id


def test_a_report_about_a_place_needs_its_region_and_address(
    client: TestClient, session: Session, api_key: str, demo: Demo
) -> None:
    county = demo.counties[0]
    body = {
        "api_key": api_key,
        "service_code": "report.unlicensed",
        "attribute": {"region_code": county, "insider": "false"},
        "address_string": "建设路12号旁无名烧烤摊",
        "lat": 30.6612,
        "long": 104.0823,
        "description": "夜间无证烧烤摊，生熟不分。",
    }
    receipt = _filed_id(client.post(f"{BASE}/requests.json", json=body))
    report = _report(session, receipt)
    assert report.business_id is None and report.region_code == county
    assert report.address == "建设路12号旁无名烧烤摊"
    assert (report.latitude, report.longitude) == (30.6612, 104.0823)
    case = session.get(Case, report.case_id)
    assert case is not None and case.county_code == county


def test_following_a_report_never_reveals_the_reporter(
    client: TestClient, session: Session, api_key: str, store: Business
) -> None:
    body = {
        "api_key": api_key,
        "service_code": "report.staff_health",
        "attribute[store_code]": store.public_code,
        "attribute[insider]": "true",
        "description": "后厨两名员工没有办理体检。",
        "first_name": "敏",
        "last_name": "赵",
        "phone": "13698765432",
        "email": "zhao@example.cn",
    }
    receipt = _filed_id(client.post(f"{BASE}/requests.json", data=body))
    report = _report(session, receipt)
    assert not report.anonymous and report.insider and report.identity_ciphertext

    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/requests/{receipt}.{fmt}")
        assert response.status_code == 200
        for secret in ("赵敏", "13698765432", "zhao@example.cn", "体检", store.name):
            assert secret not in response.text
    (item,) = client.get(f"{BASE}/requests/{receipt}.json", params={"locale": "en"}).json()
    assert item["service_request_id"] == receipt and item["status"] == "open"
    assert item["service_code"] == "report.staff_health"
    assert item["status_notes"] == "Received by the responsible office"
    assert item["description"] is None and item["address"] is None and item["lat"] is None
    assert item["requested_datetime"].endswith("+08:00")


def test_a_complaint_s_status_follows_its_ladder_and_is_escaped_in_xml(
    client: TestClient, session: Session, api_key: str, demo: Demo
) -> None:
    store = session.get(Business, demo.account("owner_a")["business_id"])
    assert store is not None
    receipt = _filed_id(client.post(f"{BASE}/requests.json", data=complaint_form(api_key, store)))
    (item,) = client.get(f"{BASE}/requests/{receipt}.json", params={"locale": "en"}).json()
    assert item["status"] == "open"
    assert item["status_notes"] == "Waiting for the store's answer"
    assert item["expected_datetime"].endswith("T23:59:59+08:00")

    complaint = _complaint(session, receipt)
    answer = "<b>非常抱歉</b> & 已\x0b退款"  # \x0b: a character XML cannot carry
    complaint_service.answer(
        session=session,
        actor=principal_of(session, "manager_a"),
        complaint_id=complaint.id,
        text=answer,
        expected_version=complaint.version,
    )
    session.commit()
    response = client.get(f"{BASE}/requests/{receipt.lower()}.xml", params={"locale": "en"})
    assert b"<b>" not in response.content and b"&lt;b&gt;" in response.content
    notes = _xml(response.content).findtext("request/status_notes") or ""
    assert notes == "The store has answered: <b>非常抱歉</b> & 已\ufffd退款"

    complaint_service.accept_answer(session=session, actor=ANONYMOUS, receipt_code=receipt)
    session.commit()
    (item,) = client.get(f"{BASE}/requests/{receipt}.json").json()
    assert item["status"] == "closed"


def test_requests_are_listed_only_by_their_ids(
    client: TestClient, api_key: str, store: Business
) -> None:
    first = _filed_id(client.post(f"{BASE}/requests.json", data=complaint_form(api_key, store)))
    second = _filed_id(
        client.post(
            f"{BASE}/requests.json",
            data=complaint_form(api_key, store, phone="13800001111", device_id="call-2"),
        )
    )
    listed = client.get(
        f"{BASE}/requests.json",
        params={"service_request_id": f"{first},{second},ZZZZ-ZZZZ-ZZZZ", "status": "closed"},
    )
    assert [i["service_request_id"] for i in listed.json()] == [first, second]

    unlisted = client.get(f"{BASE}/requests.xml", params={"status": "open"})
    assert unlisted.status_code == 400
    description = _xml(unlisted.content).findtext("error/description") or ""
    assert description.startswith("service_request_id:")


def test_a_receipt_code_also_serves_as_a_token(
    client: TestClient, api_key: str, store: Business
) -> None:
    receipt = _filed_id(client.post(f"{BASE}/requests.json", data=complaint_form(api_key, store)))
    (item,) = client.get(f"{BASE}/tokens/{receipt}.json").json()
    assert item == {"service_request_id": receipt, "token": receipt}
    root = _xml(client.get(f"{BASE}/tokens/{receipt}.xml").content)
    assert root.findtext("request/token") == receipt

    unknown = client.get(f"{BASE}/tokens/ABCD-EFGH-JKLM.json")
    assert unknown.status_code == 404 and unknown.json()[0]["code"] == 404
    missing = client.get(f"{BASE}/requests/ABCD-EFGH-JKLM.xml")
    assert missing.status_code == 404
    assert _xml(missing.content).findtext("error/code") == "404"


def test_a_key_sent_when_reading_must_be_valid(client: TestClient, api_key: str) -> None:
    ok = client.get(f"{BASE}/requests.json", params={"service_request_id": "X", "api_key": api_key})
    assert ok.status_code == 200 and ok.json() == []
    bad = client.get(f"{BASE}/requests.json", params={"service_request_id": "X", "api_key": "no"})
    assert bad.status_code == 403
