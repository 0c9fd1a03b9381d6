"""The enterprise side of complaints through HTTP: the inbox and its tabs, one complaint with
the diner's text and photo copies, the answer with evidence (version-checked), the company
head's answer once escalated, who sees nothing, and the insurance policies."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import csrf_of, login, principal_of
from sunshine.auth.principal import ANONYMOUS
from sunshine.cogovernance.complaints import service as complaints
from sunshine.cogovernance.complaints.enums import ComplaintState
from sunshine.cogovernance.complaints.models import Complaint
from sunshine.cogovernance.insurance.models import InsurancePolicy
from sunshine.core import evidence
from sunshine.core.evidence_models import EvidenceFile
from sunshine.core.time import today_local
from sunshine.portals.public.submissions_routes import COMPLAINT_FILES
from sunshine.registry.models import Business

DINER = replace(ANONYMOUS, ip="203.0.113.9")
SCRIPT = "<img src=x onerror=alert(1)>"


def photo(colour: tuple[int, int, int] = (10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def store(session: Session) -> Business:
    business = session.get(Business, principal_of(session, "owner_a").business_id)
    assert business is not None
    return business


def file_complaint(session: Session, store: Business, *, with_photo: bool = False) -> Complaint:
    files = []
    if with_photo:
        files = evidence.prepare(
            session=session,
            uploads=[evidence.Upload("dish.jpg", io.BytesIO(photo()))],
            rules=COMPLAINT_FILES,
        )
    complaint = complaints.submit_complaint(
        session=session,
        actor=DINER,
        store_code=store.public_code,
        form=complaints.ComplaintForm(
            category="foreign_matter",
            desired_outcome="refund",
            description=f"米饭里有一只虫子。{SCRIPT}",
            request_text="退款",
            name="王小明",
            phone="13912345678",
        ),
        files=files,
    )
    session.flush()
    return complaint


def test_the_inbox_shows_what_waits_with_its_due_date_and_the_overdue_in_red(
    client: TestClient, session: Session, store: Business
) -> None:
    fresh = file_complaint(session, store)
    late = file_complaint(session, store)
    late.stage_due_on = today_local() - timedelta(days=1)
    session.flush()
    login(client, "owner_a")
    page = client.get("/biz/complaints")
    assert page.status_code == 200 and 'id="menu-complaints"' in page.text
    rows = dict(re.findall(r'<tr data-id="(\d+)" data-state="[a-z_]+" class="([^"]*)"', page.text))
    assert rows[str(late.id)] == "table-danger" and rows[str(fresh.id)] == ""
    assert fresh.stage_due_on is not None and fresh.stage_due_on.isoformat() in page.text
    assert "&lt;img src=x" in page.text and SCRIPT not in page.text
    answered = client.get("/biz/complaints?tab=answered")
    assert f'data-id="{fresh.id}"' not in answered.text and 'id="no-complaints"' in answered.text


def test_the_store_answers_with_evidence_and_the_diner_sees_it(
    client: TestClient, session: Session, store: Business
) -> None:
    complaint = file_complaint(session, store, with_photo=True)
    login(client, "owner_a")
    page = client.get(f"/biz/complaints/{complaint.id}")
    assert page.status_code == 200
    assert "王** 139****5678" in page.text and "13912345678" not in page.text
    assert complaint.receipt_code not in page.text  # the diner's key, never the store's
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text and SCRIPT not in page.text
    token = re.findall(r"/evidence/([0-9a-f]{32})/thumb", page.text)[0]
    assert client.get(f"/evidence/{token}/thumb").status_code == 200
    assert client.get(f"/evidence/{token}/original").status_code == 404  # handlers only
    assert 'id="answer-form"' in page.text and 'name="as" value="store"' in page.text

    token_csrf = csrf_of(client, f"/biz/complaints/{complaint.id}")
    empty = client.post(
        f"/biz/complaints/{complaint.id}/answer",
        data={"csrf_token": token_csrf, "expected_version": str(complaint.version), "text": ""},
    )
    assert empty.status_code == 422 and 'data-field="text"' in empty.text
    sent = client.post(
        f"/biz/complaints/{complaint.id}/answer",
        data={
            "csrf_token": token_csrf,
            "expected_version": str(complaint.version),
            "as": "store",
            "text": "非常抱歉，已全额退款，并对后厨进行了清洁。",
        },
        files=[("files", ("refund.jpg", photo((0, 200, 0)), "image/jpeg"))],
    )
    assert sent.status_code == 303, sent.text[:1500]
    shown = client.get(sent.headers["location"])
    assert 'data-state="merchant_answered"' in shown.text and 'id="answer-form"' not in shown.text
    session.refresh(complaint)
    assert complaint.state is ComplaintState.MERCHANT_ANSWERED
    answers = session.execute(
        select(EvidenceFile).where(
            EvidenceFile.owner_type == "complaint_answer", EvidenceFile.owner_id == complaint.id
        )
    ).scalars()
    assert [f.original_name for f in answers] == ["refund.jpg"]
    followed = client.get(f"/track?code={complaint.receipt_code}")
    assert "已全额退款" in followed.text


def test_a_stale_answer_is_refused_and_the_text_is_kept(
    client: TestClient, session: Session, store: Business
) -> None:
    complaint = file_complaint(session, store)
    login(client, "owner_a")
    token = csrf_of(client, f"/biz/complaints/{complaint.id}")
    stale = client.post(
        f"/biz/complaints/{complaint.id}/answer",
        data={
            "csrf_token": token,
            "expected_version": str(complaint.version - 1),
            "as": "store",
            "text": "我们的回复草稿",
        },
    )
    assert stale.status_code == 409 and 'id="complaint-alert"' in stale.text
    assert "我们的回复草稿" in stale.text
    session.refresh(complaint)
    assert complaint.state is ComplaintState.WITH_MERCHANT and complaint.merchant_answer is None


def test_another_store_and_the_store_s_staff_see_nothing(
    new_client: Callable[[str], TestClient], session: Session, store: Business
) -> None:
    complaint = file_complaint(session, store)
    for username in ("owner_a2", "owner_b", "staff_a"):
        other = new_client(username)
        assert other.get(f"/biz/complaints/{complaint.id}").status_code == 404, username
        listed = other.get("/biz/complaints")
        assert f'data-id="{complaint.id}"' not in listed.text, username
        token = csrf_of(other, "/biz/complaints")
        answer = other.post(
            f"/biz/complaints/{complaint.id}/answer",
            data={"csrf_token": token, "expected_version": "1", "text": "试图代答"},
        )
        assert answer.status_code == 404, username
    assert new_client("citizen").get("/biz/complaints").status_code == 403


def test_the_head_answers_once_escalated(
    new_client: Callable[[str], TestClient], session: Session, store: Business
) -> None:
    """A chain outlet's complaint goes to the HQ; a standalone store's to its owner."""
    hq = principal_of(session, "chain_hq")
    outlet = session.execute(
        select(Business).where(Business.chain_hq_id == hq.business_id).limit(1)
    ).scalar_one()
    for business, username in ((outlet, "chain_hq"), (store, "owner_a")):
        complaint = file_complaint(session, business)
        complaint.stage_due_on = today_local() - timedelta(days=1)  # the store let it pass
        session.flush()
        complaints.escalate_to_head(
            session=session, actor=DINER, receipt_code=complaint.receipt_code, reason="没人回复"
        )
        session.flush()
        head = new_client(username)
        page = head.get(f"/biz/complaints/{complaint.id}")
        assert page.status_code == 200 and 'name="as" value="head"' in page.text, username
        token = csrf_of(head, f"/biz/complaints/{complaint.id}")
        sent = head.post(
            f"/biz/complaints/{complaint.id}/answer",
            data={
                "csrf_token": token,
                "expected_version": str(complaint.version),
                "as": "head",
                "text": "总部已责成门店整改并赔偿。",
            },
        )
        assert sent.status_code == 303, (username, sent.text[:1500])
        session.refresh(complaint)
        assert complaint.state is ComplaintState.HEAD_ANSWERED
        assert complaint.head_answer == "总部已责成门店整改并赔偿。"


def test_the_owner_records_a_policy_and_bad_input_is_listed(
    client: TestClient, new_client: Callable[[str], TestClient], session: Session, store: Business
) -> None:
    login(client, "owner_a")
    page = client.get("/biz/insurance")
    assert page.status_code == 200 and 'id="policy-form"' in page.text
    token = csrf_of(client, "/biz/insurance")
    today = today_local()
    bad = client.post(
        "/biz/insurance",
        data={
            "csrf_token": token,
            "insurer": "",
            "policy_number": "P-1",
            "cover_amount": "很多",
            "start_on": today.isoformat(),
            "end_on": (today - timedelta(days=1)).isoformat(),
            "claims_phone": "12345",
        },
    )
    assert bad.status_code == 422
    marked = set(re.findall(r'data-field="([a-z_]+)"', bad.text))
    assert {"insurer", "cover_amount", "end_on", "claims_phone"} <= marked
    assert 'value="P-1"' in bad.text
    saved = client.post(
        "/biz/insurance",
        data={
            "csrf_token": token,
            "insurer": "平安财险",
            "policy_number": "PA-2026-000123",
            "cover_amount": "500,000",
            "start_on": (today - timedelta(days=1)).isoformat(),
            "end_on": (today + timedelta(days=364)).isoformat(),
            "claims_email": "claims@pingan.example.cn",
        },
    )
    assert saved.status_code == 303
    listed = client.get(saved.headers["location"])
    assert "PA-2026-000123" in listed.text and 'data-active="yes"' in listed.text
    policy = session.execute(
        select(InsurancePolicy).where(InsurancePolicy.business_id == store.id)
    ).scalar_one()
    assert str(policy.cover_amount) == "500000.00"
    assert "平安财险" in client.get(f"/s/{store.public_code}").text
    staff = new_client("staff_a")
    assert 'id="policy-form"' not in staff.get("/biz/insurance").text
    refused = staff.post(
        "/biz/insurance",
        data={"csrf_token": csrf_of(staff, "/biz/insurance"), "insurer": "某保险"},
    )
    assert refused.status_code == 403
