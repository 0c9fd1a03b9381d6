"""The government side of submissions through HTTP: the report or complaint behind a case,
original evidence and the reporter's identity for its handlers only (each view recorded),
nothing for another station, the reward panel, and the whistleblower registry."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import csrf_of, login, principal_of, store_of_station
from sunshine.audit.models import AuditEntry
from sunshine.auth.principal import ANONYMOUS
from sunshine.cases.enums import CaseState
from sunshine.cases.models import Case, CaseEvent
from sunshine.cogovernance.complaints import service as complaints
from sunshine.cogovernance.reports import profiles
from sunshine.cogovernance.reports import service as reports
from sunshine.cogovernance.reports.enums import ProfileStatus, RewardStatus
from sunshine.cogovernance.reports.models import Report, RewardDecision
from sunshine.core import evidence
from sunshine.core.time import today_local
from sunshine.portals.public.submissions_routes import REPORT_FILES
from sunshine.registry.models import Business

SENDER = replace(ANONYMOUS, ip="198.51.100.40")
SCRIPT = "<script>alert(1)</script>"


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (90, 90, 90)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def store(session: Session) -> Business:
    return store_of_station(session, "chief_a")


def file_report(session: Session, store: Business, **changes: Any) -> Report:
    files = evidence.prepare(
        session=session,
        uploads=[evidence.Upload("storeroom.jpg", io.BytesIO(photo()))],
        rules=REPORT_FILES,
    )
    form = reports.ReportForm(
        category="expired_or_spoiled",
        description=f"冷库里有过期冻肉。{SCRIPT}",
        store_code=store.public_code,
        anonymous=False,
        insider=True,
        name="赵敏",
        phone="13698765432",
    )
    report = reports.submit_report(
        session=session, actor=SENDER, form=replace(form, **changes), files=files
    )
    session.flush()
    return report


def reveals(session: Session, report: Report) -> list[int | None]:
    rows = session.execute(
        select(AuditEntry.actor_id).where(
            AuditEntry.action == "report.view_identity", AuditEntry.entity_id == str(report.id)
        )
    )
    return list(rows.scalars())


def test_the_handler_sees_the_report_its_originals_and_reveals_the_reporter(
    new_client: Callable[[str], TestClient], session: Session, store: Business
) -> None:
    report = file_report(session, store)
    chief = new_client("chief_a")  # heads the responsible station
    page = chief.get(f"/gov/cases/{report.case_id}/submission")
    assert page.status_code == 200
    assert "冷库里有过期冻肉。&lt;script&gt;" in page.text and SCRIPT not in page.text
    assert store.name in page.text and "赵敏" not in page.text  # not until revealed
    assert hashlib.sha256(photo()).hexdigest() in page.text
    token = re.findall(r"/evidence/([0-9a-f]{32})/original", page.text)[0]
    assert chief.get(f"/evidence/{token}/original").status_code == 200
    assert 'id="reveal-warning"' in page.text and 'id="reveal-reporter"' in page.text
    assert reveals(session, report) == []

    shown = chief.post(
        f"/gov/cases/{report.case_id}/submission/reporter",
        data={"csrf_token": csrf_of(chief, f"/gov/cases/{report.case_id}/submission")},
    )
    assert shown.status_code == 200 and 'id="reporter-identity"' in shown.text
    assert "赵敏" in shown.text and "13698765432" in shown.text
    assert shown.headers["cache-control"] == "no-store"
    chief_id = principal_of(session, "chief_a").user_id
    assert reveals(session, report) == [chief_id]
    views = session.execute(
        select(CaseEvent.actor_id, CaseEvent.reason)
        .where(CaseEvent.case_id == report.case_id, CaseEvent.action == "view_sensitive")
        .order_by(CaseEvent.id)
    ).all()
    # Opening the original file and revealing the reporter are both on the timeline.
    assert [(a, r) for a, r in views] == [
        (chief_id, f"original evidence {token}"),
        (chief_id, "reporter"),
    ]


def test_an_inspector_not_handling_the_case_and_another_station_get_nothing(
    new_client: Callable[[str], TestClient], session: Session, store: Business
) -> None:
    report = file_report(session, store)
    path = f"/gov/cases/{report.case_id}/submission"
    inspector = new_client("inspector_a")  # sees the county's cases, does not handle this one
    page = inspector.get(path)
    assert page.status_code == 200 and 'id="not-handler"' in page.text
    assert "/original" not in page.text and 'id="reveal-reporter"' not in page.text
    token = re.findall(r"/evidence/([0-9a-f]{32})/thumb", page.text)[0]
    assert inspector.get(f"/evidence/{token}/thumb").status_code == 200
    assert inspector.get(f"/evidence/{token}/original").status_code == 404
    refused = inspector.post(f"{path}/reporter", data={"csrf_token": csrf_of(inspector, path)})
    assert refused.status_code == 403 and "赵敏" not in refused.text

    neighbour = new_client("chief_b")
    assert neighbour.get(path).status_code == 404
    token_b = csrf_of(neighbour, "/gov/")
    assert neighbour.post(f"{path}/reporter", data={"csrf_token": token_b}).status_code == 404
    owner = new_client("owner_a")
    assert owner.get(path).status_code == 403  # not a regulator at all
    assert reveals(session, report) == []


def test_the_complaint_behind_a_case(
    new_client: Callable[[str], TestClient], session: Session, store: Business
) -> None:
    complaint = complaints.submit_complaint(
        session=session,
        actor=SENDER,
        store_code=store.public_code,
        form=complaints.ComplaintForm(
            category="spoiled_food",
            desired_outcome="compensation",
            description=f"买的卤肉已经发酸。{SCRIPT}",
            name="李雷",
            phone="13512345678",
        ),
    )
    complaints.escalate_to_regulator(
        session=session, actor=SENDER, receipt_code=complaint.receipt_code, reason="商家不理"
    )
    session.flush()
    chief = new_client("chief_a")
    page = chief.get(f"/gov/cases/{complaint.case_id}/submission")
    assert page.status_code == 200 and "买的卤肉已经发酸。&lt;script&gt;" in page.text
    assert "李* 135****5678" in page.text and "13512345678" not in page.text
    assert 'id="reporter"' not in page.text and 'id="reward"' not in page.text


def test_a_reward_is_assessed_approved_and_paid_through_the_page(
    new_client: Callable[[str], TestClient], session: Session, store: Business
) -> None:
    report = file_report(session, store)
    case = session.get(Case, report.case_id)
    assert case is not None
    path = f"/gov/cases/{case.id}/submission"
    chief = new_client("chief_a")
    assert 'id="assess-form"' not in chief.get(path).text  # the case is not closed yet
    case.state = CaseState.CLOSED  # verified, decided and closed
    session.flush()
    page = chief.get(path)
    assert (
        'id="assess-form"' in page.text
        and 'id="fact-insider" name="insider" value="1" checked' in page.text
    )
    token = csrf_of(chief, path)
    facts = {
        "natural_person": "1",
        "insider": "1",
        "in_scope": "1",
        "substantiated_and_closed": "1",
    }
    bad = chief.post(
        f"{path}/reward",
        data={"csrf_token": token, "level": "second", "fines_and_confiscations": "abc", **facts},
    )
    assert bad.status_code == 422 and 'data-field="fines_and_confiscations"' in bad.text
    done = chief.post(
        f"{path}/reward",
        data={"csrf_token": token, "level": "second", "fines_and_confiscations": "200000", **facts},
    )
    assert done.status_code == 303
    shown = chief.get(done.headers["location"])
    assert 'id="reward-steps"' in shown.text and "second level" in shown.text
    assert "¥6,000.00" in shown.text and 'data-status="calculated"' in shown.text
    assert 'id="approve-form"' not in shown.text  # the chief does not approve

    leader = new_client("leader")
    approve_page = leader.get(path)
    assert 'id="approve-form"' in approve_page.text
    approved = leader.post(f"{path}/reward/approve", data={"csrf_token": csrf_of(leader, path)})
    assert approved.status_code == 303
    early = chief.post(
        f"{path}/reward/payouts",
        data={"csrf_token": token, "amount": "7000", "paid_on": "", "method": "", "reference": ""},
    )
    assert early.status_code == 422
    assert {"amount", "paid_on", "method", "reference"} <= set(
        re.findall(r'data-field="([a-z_]+)" data-code', early.text)
    )
    paid = chief.post(
        f"{path}/reward/payouts",
        data={
            "csrf_token": token,
            "amount": "6000",
            "paid_on": today_local().isoformat(),
            "method": "银行转账",
            "reference": "ZZ20261130001",
        },
    )
    assert paid.status_code == 303
    decision = session.execute(
        select(RewardDecision).where(RewardDecision.report_id == report.id)
    ).scalar_one()
    session.refresh(decision)
    assert decision.status is RewardStatus.PAID
    assert "ZZ20261130001" in chief.get(path).text
    inspector = new_client("inspector_a")
    refused = inspector.post(
        f"{path}/reward",
        data={"csrf_token": csrf_of(inspector, path), "level": "first", **facts},
    )
    assert refused.status_code == 403


def test_the_administrator_verifies_a_whistleblower(
    new_client: Callable[[str], TestClient], session: Session
) -> None:
    profile = profiles.apply(
        session=session,
        actor=principal_of(session, "citizen"),
        group="rider",
        organisation=f"美团外卖{SCRIPT}",
    )
    session.flush()
    admin = new_client("admin")
    page = admin.get("/gov/whistleblowers")
    assert page.status_code == 200 and f'data-id="{profile.id}"' in page.text
    assert "美团外卖&lt;script&gt;" in page.text and SCRIPT not in page.text
    token = csrf_of(admin, "/gov/whistleblowers")
    missing = admin.post(
        f"/gov/whistleblowers/{profile.id}", data={"csrf_token": token, "decision": "verify"}
    )
    assert missing.status_code == 422 and 'data-field="note"' in missing.text
    done = admin.post(
        f"/gov/whistleblowers/{profile.id}",
        data={"csrf_token": token, "decision": "verify", "note": "骑手工牌 MT-889"},
    )
    assert done.status_code == 303
    session.refresh(profile)
    assert profile.status is ProfileStatus.VERIFIED and profile.note == "骑手工牌 MT-889"
    assert 'data-status="verified"' in admin.get("/gov/whistleblowers?status=verified").text
    chief = new_client("chief_a")
    assert 'id="menu-whistleblowers"' not in chief.get("/gov/").text
    assert chief.get("/gov/whistleblowers").status_code == 403


def test_a_handler_reveals_the_complainant_to_mediate_and_the_view_is_recorded(
    client: TestClient, session: Session
) -> None:
    store = store_of_station(session, "chief_a")
    complaint = complaints.submit_complaint(
        session=session,
        actor=replace(ANONYMOUS, ip="192.0.2.44"),
        store_code=store.public_code,
        form=complaints.ComplaintForm(
            category="hygiene",
            desired_outcome="rectification",
            description="后厨地面积水，有蟑螂。",
            name="孙丽",
            phone="13700001111",
        ),
    )
    complaints.escalate_to_regulator(
        session=session, actor=ANONYMOUS, receipt_code=complaint.receipt_code, reason="不理会"
    )
    session.commit()
    case_id = complaint.case_id
    login(client, "inspector_b")
    assert client.get(f"/gov/cases/{case_id}/submission").status_code == 404
    client.cookies.clear()
    login(client, "chief_a")
    page = client.get(f"/gov/cases/{case_id}/submission")
    assert "13700001111" not in page.text and "reveal-complainant" in page.text
    token = csrf_of(client, f"/gov/cases/{case_id}/submission")
    shown = client.post(f"/gov/cases/{case_id}/submission/complainant", data={"csrf_token": token})
    assert shown.status_code == 200 and "13700001111" in shown.text
    views = (
        session.execute(
            select(CaseEvent.reason).where(
                CaseEvent.case_id == case_id, CaseEvent.action == "view_sensitive"
            )
        )
        .scalars()
        .all()
    )
    assert views == ["complainant"]
