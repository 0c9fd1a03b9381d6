"""Complaints and reports through the public pages, as a diner and a whistleblower send them
from a phone: the forms with their files, every kind of bad input (nothing stored), following
by receipt code with the diner's steps, the citizen's own pages, and the store page's buttons
and insurance cover."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import csrf_of, login, principal_of, store_of_station
from sunshine.cases.enums import CaseKind, CaseState
from sunshine.cases.models import Case
from sunshine.cogovernance import intake
from sunshine.cogovernance.complaints.enums import ComplaintState
from sunshine.cogovernance.complaints.models import Complaint
from sunshine.cogovernance.insurance import service as insurance
from sunshine.cogovernance.reports.enums import ProfileStatus
from sunshine.cogovernance.reports.models import Report, WhistleblowerProfile
from sunshine.cogovernance.reviews import antiabuse
from sunshine.core import evidence, storage
from sunshine.core.evidence_models import EvidenceFile
from sunshine.core.time import today_local
from sunshine.portals.public.submissions_routes import stamp_key
from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import Region
from sunshine.registry.models import Business

SCRIPT = "<script>alert('x')</script>"
DESCRIPTION = "炒饭里吃出一根头发，服务员说不可能。"


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def count(session: Session, model: type[Any]) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def evidence_folders() -> set[str]:
    folder = storage.root() / evidence.AREA
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def receipt_of(html: str) -> str:
    match = re.search(r'id="receipt-code"[^>]*>([^<]+)<', html)
    assert match, html[:3000]
    return match.group(1).strip()


def field_errors(html: str) -> set[str]:
    """The fields the page marks as wrong (next to each field)."""
    return set(
        re.findall(
            r'class="invalid-feedback d-block field-error" id="[^"]+" data-field="([^"]+)"', html
        )
    )


@pytest.fixture
def store(session: Session) -> Business:
    business = session.get(Business, principal_of(session, "owner_a").business_id)
    assert business is not None
    return business


@pytest.fixture
def other_client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as c:
        yield c


def complaint_fields(client: TestClient, code: str, **changes: Any) -> dict[str, Any]:
    """What the complaint form sends, with a stamp from a minute ago (a person's pace)."""
    fields: dict[str, Any] = {
        "csrf_token": csrf_of(client, f"/s/{code}/complain"),
        "form_stamp": antiabuse.issue_stamp(stamp_key("complaint", code), now=time.time() - 60),
        "category": "foreign_matter",
        "description": DESCRIPTION,
        "desired_outcome": "refund",
        "request_text": "退还餐费并道歉",
        "occurred_on": today_local().isoformat(),
        "name": "王小明",
        "phone": "13912345678",
        "email": "",
        antiabuse.HONEYPOT_FIELD: "",
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def post_complaint(
    client: TestClient, code: str, files: list[Any] | None = None, **changes: Any
) -> Any:
    data = complaint_fields(client, code, **changes)
    return client.post(f"/s/{code}/complain", data=data, files=files)


def report_fields(client: TestClient, **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "csrf_token": csrf_of(client, "/report"),
        "form_stamp": antiabuse.issue_stamp(stamp_key("report"), now=time.time() - 60),
        "category": "hygiene",
        "description": "后厨老鼠乱窜，食材直接放在地上。",
        "place": "store",
        "store_code": "",
        "identity": "anonymous",
        antiabuse.HONEYPOT_FIELD: "",
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


# The complaint form -------------------------------------------------------------------------


def test_a_diner_complains_with_a_photo_and_gets_a_receipt_code(
    client: TestClient, session: Session, store: Business
) -> None:
    form = client.get(f"/s/{store.public_code}/complain")
    assert form.status_code == 200 and store.name in form.text
    assert 'name="homepage"' in form.text and 'name="form_stamp"' in form.text
    done = post_complaint(
        client,
        store.public_code,
        files=[("files", ("IMG_0001.JPG", photo(), "image/jpeg"))],
        claims_damage="1",
    )
    assert done.status_code == 201, done.text[:2000]
    code = receipt_of(done.text)
    assert f'href="/track?code={code}"' in done.text and 'id="copy-receipt"' in done.text
    complaint = session.execute(
        select(Complaint).where(Complaint.receipt_code == code)
    ).scalar_one()
    assert complaint.business_id == store.id and complaint.state is ComplaintState.WITH_MERCHANT
    assert complaint.claims_damage and complaint.contact_masked == "王** 139****5678"
    assert intake.unseal(complaint.contact_ciphertext).phone == "13912345678"
    assert "13912345678" not in complaint.contact_ciphertext
    files = session.execute(
        select(EvidenceFile).where(
            EvidenceFile.owner_type == "complaint", EvidenceFile.owner_id == complaint.id
        )
    ).scalars()
    assert [f.original_name for f in files] == ["IMG_0001.JPG"]


def test_an_unknown_store_has_no_complaint_form(client: TestClient) -> None:
    assert client.get("/s/NOSUCHCODE/complain").status_code == 404
    token = csrf_of(client, "/track")
    refused = client.post("/s/NOSUCHCODE/complain", data={"csrf_token": token})
    assert refused.status_code == 404


def test_missing_fields_are_listed_next_to_each_field_and_the_input_is_kept(
    client: TestClient, session: Session, store: Business
) -> None:
    before = count(session, Complaint)
    refused = post_complaint(
        client,
        store.public_code,
        category="",
        desired_outcome="",
        name="",
        phone="12345",
        description=f"{SCRIPT} 汤里有虫子",
    )
    assert refused.status_code == 422
    assert {"category", "desired_outcome", "name", "phone"} <= field_errors(refused.text)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; 汤里有虫子" in refused.text
    assert SCRIPT not in refused.text
    assert count(session, Complaint) == before
    empty = post_complaint(client, store.public_code, description="", name="", phone="")
    assert {"description", "name", "phone"} <= field_errors(empty.text)


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("menu.jpg", b"this is a text file, not a photo", 415, "unsupported_type"),
        ("half.jpg", photo()[:200], 422, "damaged"),
    ],
)
def test_a_mistyped_or_broken_file_is_refused_and_nothing_is_stored(
    client: TestClient,
    session: Session,
    store: Business,
    name: str,
    content: bytes,
    status: int,
    code: str,
) -> None:
    complaints_before, files_before = count(session, Complaint), count(session, EvidenceFile)
    folders = evidence_folders()
    refused = post_complaint(
        client,
        store.public_code,
        files=[
            ("files", ("good.jpg", photo(), "image/jpeg")),
            ("files", (name, content, "image/jpeg")),
        ],
    )
    assert refused.status_code == status
    assert f'data-field="files" data-code="{code}"' in refused.text and name in refused.text
    assert DESCRIPTION in refused.text  # what was typed is kept
    assert count(session, Complaint) == complaints_before
    assert count(session, EvidenceFile) == files_before
    assert evidence_folders() == folders


def test_an_oversized_file_names_the_limit(
    client: TestClient,
    session: Session,
    store: Business,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    content = photo()
    monkeypatch.setattr(settings, "evidence_photo_max_bytes", len(content) // 2)
    before = count(session, Complaint)
    refused = post_complaint(
        client, store.public_code, files=[("files", ("big.jpg", content, "image/jpeg"))]
    )
    assert refused.status_code == 413
    assert 'data-code="too_large"' in refused.text and "big.jpg" in refused.text
    assert count(session, Complaint) == before


def test_the_honeypot_the_stamp_and_csrf_guard_the_form(
    client: TestClient, session: Session, store: Business
) -> None:
    code = store.public_code
    before = count(session, Complaint)
    bot = post_complaint(client, code, **{antiabuse.HONEYPOT_FIELD: "http://spam.example"})
    assert bot.status_code == 422 and 'data-field="homepage"' in bot.text
    fresh = antiabuse.issue_stamp(stamp_key("complaint", code))
    fast = post_complaint(client, code, form_stamp=fresh)
    assert fast.status_code == 422 and 'data-code="too_fast"' in fast.text
    assert f'value="{fresh}"' in fast.text  # the same stamp again: sent later, it passes
    other_store = antiabuse.issue_stamp(stamp_key("complaint", "OTHER"), now=time.time() - 60)
    assert post_complaint(client, code, form_stamp=other_store).status_code == 422
    no_token = complaint_fields(client, code)
    no_token.pop("csrf_token")
    assert client.post(f"/s/{code}/complain", data=no_token).status_code == 403
    assert count(session, Complaint) == before


# Following a complaint --------------------------------------------------------------------


def _complaint(client: TestClient, store: Business, **changes: Any) -> str:
    done = post_complaint(client, store.public_code, **changes)
    assert done.status_code == 201, done.text[:2000]
    return receipt_of(done.text)


def test_the_diner_follows_the_complaint_and_takes_it_to_the_regulator(
    client: TestClient, other_client: TestClient, session: Session, store: Business
) -> None:
    code = _complaint(client, store, description=f"{SCRIPT}\n第二行")
    # Another phone, no account: the receipt code (typed in lower case, without dashes).
    token = csrf_of(other_client, "/track")
    found = other_client.post(
        "/track", data={"csrf_token": token, "receipt": code.replace("-", "").lower()}
    )
    assert found.status_code == 200
    assert 'data-state="with_merchant"' in found.text and store.name in found.text
    assert "&lt;script&gt;" in found.text and SCRIPT not in found.text
    assert 'id="escalate-regulator"' in found.text and 'id="escalate-head"' not in found.text
    missing = other_client.post(
        "/track/regulator", data={"csrf_token": token, "receipt": code, "reason": ""}
    )
    assert missing.status_code == 422 and 'data-field="reason"' in missing.text
    sent = other_client.post(
        "/track/regulator",
        data={"csrf_token": token, "receipt": code, "reason": "商家拒不处理"},
    )
    assert sent.status_code == 200 and 'id="track-flash"' in sent.text
    assert 'data-state="with_regulator"' in sent.text
    assert 'data-step="escalate_regulator"' in sent.text
    complaint = session.execute(
        select(Complaint).where(Complaint.receipt_code == code)
    ).scalar_one()
    session.refresh(complaint)
    case = session.get(Case, complaint.case_id)
    assert case is not None and case.kind is CaseKind.COMPLAINT
    assert case.state is CaseState.RECEIVED
    again = other_client.post(
        "/track/regulator", data={"csrf_token": token, "receipt": code, "reason": "再次"}
    )
    assert again.status_code == 409
    assert 'id="escalate-regulator"' not in again.text


def test_the_diner_accepts_the_store_s_answer_and_rates_it(
    client: TestClient, session: Session, store: Business
) -> None:
    from sunshine.cogovernance.complaints import service as complaints

    code = _complaint(client, store)
    complaint = session.execute(
        select(Complaint).where(Complaint.receipt_code == code)
    ).scalar_one()
    complaints.answer(
        session=session,
        actor=principal_of(session, "owner_a"),
        complaint_id=complaint.id,
        text=f"非常抱歉，已退款。{SCRIPT}",
        expected_version=complaint.version,
    )
    session.flush()
    page = client.get(f"/track?code={code}")
    assert page.status_code == 200 and 'data-state="merchant_answered"' in page.text
    assert "非常抱歉，已退款。&lt;script&gt;" in page.text
    assert 'id="accept-form"' in page.text and 'id="escalate-head"' in page.text
    token = csrf_of(client, "/track")
    accepted = client.post("/track/accept", data={"csrf_token": token, "receipt": code})
    assert accepted.status_code == 200 and 'data-state="resolved"' in accepted.text
    assert 'id="rate-form"' in accepted.text
    bad = client.post("/track/rate", data={"csrf_token": token, "receipt": code, "rating": "9"})
    assert bad.status_code == 422 and 'data-field="rating"' in bad.text
    rated = client.post(
        "/track/rate",
        data={"csrf_token": token, "receipt": code, "rating": "4", "comment": "处理及时"},
    )
    assert rated.status_code == 200 and 'id="complaint-rated"' in rated.text
    session.refresh(complaint)
    assert complaint.rating == 4 and complaint.rating_comment == "处理及时"


def test_escalating_to_the_head_before_the_store_s_deadline_is_refused(
    client: TestClient, store: Business
) -> None:
    code = _complaint(client, store)
    token = csrf_of(client, "/track")
    early = client.post(
        "/track/head", data={"csrf_token": token, "receipt": code, "reason": "不满意"}
    )
    assert early.status_code == 409 and 'id="track-alert"' in early.text


def test_an_unknown_receipt_code_is_a_404_with_the_field_marked(client: TestClient) -> None:
    token = csrf_of(client, "/track")
    missing = client.post("/track", data={"csrf_token": token, "receipt": "AAAA-BBBB-CCCC"})
    assert missing.status_code == 404 and 'data-field="receipt"' in missing.text
    assert client.post("/track/nonsense", data={"csrf_token": token}).status_code == 404


# The report form ---------------------------------------------------------------------------


def test_an_anonymous_report_about_a_store_keeps_no_trace_of_its_sender(
    client: TestClient, session: Session
) -> None:
    login(client, "citizen")
    store = store_of_station(session, "chief_a")
    form = client.get(f"/report?store={store.public_code}")
    assert form.status_code == 200 and store.name in form.text
    assert f'value="{store.public_code}"' in form.text and 'id="anonymous-means"' in form.text
    done = client.post(
        "/report",
        data=report_fields(client, store_code=store.public_code),
        files=[("files", ("kitchen.jpg", photo(), "image/jpeg"))],
    )
    assert done.status_code == 201, done.text[:2000]
    code = receipt_of(done.text)
    assert 'id="anonymous-note"' in done.text
    report = session.execute(select(Report).where(Report.receipt_code == code)).scalar_one()
    assert report.anonymous and report.user_id is None and report.identity_ciphertext is None
    assert report.business_id == store.id
    followed = client.get(f"/track?code={code}")
    assert 'data-stage="received"' in followed.text and 'id="report-stages"' in followed.text


def test_a_report_by_address_with_a_position(client: TestClient, session: Session) -> None:
    store = store_of_station(session, "chief_a")
    township = session.get(Region, store.township_code)
    assert township is not None and township.level is RegionLevel.TOWNSHIP
    county = store.county_code
    options = client.get(f"/report/townships?county={county}").json()
    assert {"code": township.code, "name": township.name} in options
    stores = client.get("/report/stores", params={"q": store.name[:4]}).json()
    assert store.public_code in {s["code"] for s in stores}
    done = client.post(
        "/report",
        data=report_fields(
            client,
            place="address",
            store_code=store.public_code,  # left over from the other tab: ignored
            county=county,
            township=township.code,
            address="夜市北门第三个摊位",
            latitude="30.657",
            longitude="104.066",
            identity="real_name",
            name="赵敏",
            phone="13698765432",
            insider="1",
        ),
    )
    assert done.status_code == 201, done.text[:2000]
    report = session.execute(
        select(Report).where(Report.receipt_code == receipt_of(done.text))
    ).scalar_one()
    assert report.business_id is None and report.region_code == township.code
    assert (report.latitude, report.longitude) == (30.657, 104.066)
    assert not report.anonymous and report.insider and report.identity_ciphertext


def test_bad_reports_are_refused_whole(client: TestClient, session: Session) -> None:
    before = count(session, Report)
    no_place = client.post(
        "/report",
        data=report_fields(
            client, category="", description="", identity="real_name", id_number="123"
        ),
    )
    assert no_place.status_code == 422
    assert {"category", "description", "store_code", "name", "phone", "id_number"} <= field_errors(
        no_place.text
    )
    unknown = client.post("/report", data=report_fields(client, store_code="NOSUCHCODE"))
    assert unknown.status_code == 422 and 'data-field="store_code"' in unknown.text
    no_area = client.post("/report", data=report_fields(client, place="address", address="某处"))
    assert no_area.status_code == 422 and 'data-field="county"' in no_area.text
    bad_position = client.post(
        "/report",
        data=report_fields(client, place="address", county="510104", latitude="north"),
    )
    assert bad_position.status_code == 422 and 'data-field="latitude"' in bad_position.text
    video = client.post(
        "/report",
        data=report_fields(client, store_code=store_of_station(session, "chief_a").public_code),
        files=[("files", ("clip.mp4", b"\x00\x00\x00\x18ftypisom" + b"\x00" * 20, "video/mp4"))],
    )
    assert video.status_code == 422 and 'data-code="damaged"' in video.text
    assert count(session, Report) == before
    assert client.get("/report?store=NOSUCHCODE").status_code == 404


# A citizen's own pages -------------------------------------------------------------------------


def test_a_signed_in_citizen_finds_their_complaints_and_registers_as_whistleblower(
    client: TestClient, session: Session, store: Business
) -> None:
    anonymous = client.get("/me/submissions", headers={"accept": "text/html"})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    login(client, "citizen")
    code = _complaint(client, store, description=f"{SCRIPT} 菜里有沙子")
    mine = client.get("/me/submissions")
    assert mine.status_code == 200 and f'data-receipt="{code}"' in mine.text
    assert "&lt;script&gt;" in mine.text and SCRIPT not in mine.text

    page = client.get("/me/whistleblower")
    assert page.status_code == 200 and 'id="whistleblower-form"' in page.text
    token = csrf_of(client, "/me/whistleblower")
    missing = client.post("/me/whistleblower", data={"csrf_token": token, "group": "rider"})
    assert missing.status_code == 422 and 'data-field="organisation"' in missing.text
    applied = client.post(
        "/me/whistleblower",
        data={"csrf_token": token, "group": "journalist", "organisation": "成都商报"},
    )
    assert applied.status_code == 200 and 'data-status="pending"' in applied.text
    profile = session.execute(select(WhistleblowerProfile)).scalars().all()
    assert [(p.organisation, p.status) for p in profile] == [("成都商报", ProfileStatus.PENDING)]
    twice = client.post(
        "/me/whistleblower",
        data={"csrf_token": token, "group": "teacher", "organisation": "某中学"},
    )
    assert twice.status_code == 409


def test_an_owner_cannot_register_as_whistleblower(client: TestClient) -> None:
    login(client, "owner_a")
    page = client.get("/me/whistleblower")
    assert (
        'id="whistleblower-not-public"' in page.text and 'id="whistleblower-form"' not in page.text
    )


# The store page ----------------------------------------------------------------------------------


def test_the_store_page_links_the_forms_and_shows_the_cover_in_force(
    client: TestClient, session: Session, store: Business
) -> None:
    code = store.public_code
    page = client.get(f"/s/{code}").text  # rendered and cached without cover
    assert f'href="/s/{code}/complain"' in page and f'href="/report?store={code}"' in page
    assert 'id="insurance-cover"' in page and "中国人保财险" not in page
    today = today_local()
    insurance.record_policy(
        session=session,
        actor=principal_of(session, "owner_a"),
        business_id=store.id,
        form=insurance.PolicyForm(
            insurer="中国人保财险",
            policy_number="PZBA202651010000001",
            cover_amount="1000000",
            start_on=today - timedelta(days=30),
            end_on=today + timedelta(days=335),
            claims_email="claims@picc.example.cn",
        ),
    )
    session.commit()  # the cached page is dropped once the policy is committed
    shown = client.get(f"/s/{code}").text
    assert "中国人保财险" in shown and "¥1,000,000" in shown
    assert (today + timedelta(days=335)).isoformat() in shown


def test_the_cached_store_page_expires_when_the_cover_shown_changes(
    session: Session, store: Business
) -> None:
    """A cover ending or a recorded one starting changes the page by date alone."""
    from sunshine.registry import public

    today = today_local()
    owner = principal_of(session, "owner_a")
    for number, start, end in (
        ("P-NOW", today - timedelta(days=10), today + timedelta(days=40)),
        ("P-NEXT", today + timedelta(days=20), today + timedelta(days=385)),
    ):
        insurance.record_policy(
            session=session,
            actor=owner,
            business_id=store.id,
            form=insurance.PolicyForm(
                insurer="太平洋财险",
                policy_number=number,
                cover_amount="300000",
                start_on=start,
                end_on=end,
                claims_phone="13800138000",
            ),
        )
    page = public.store_page(session=session, code=store.public_code, today=today)
    assert page.insurance is not None and page.insurance.end_on == today + timedelta(days=40)
    assert page.changes_on is not None and page.changes_on <= today + timedelta(days=20)
    later = public.store_page(
        session=session, code=store.public_code, today=today + timedelta(days=41)
    )
    assert later.insurance is not None and later.insurance.start_on == today + timedelta(days=20)
