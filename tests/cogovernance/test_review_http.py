"""Reviews through HTTP as people and scripts send them: the phone form with a photo, the
store page, the photo's copies, the merchant's reply, receipts and appeals, scoping, and a
burst of 1,000 reviews from one address."""

from __future__ import annotations

import hashlib
import io
import re
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import api_token, csrf_of, login, principal_of
from sunshine.audit.models import AuditEntry
from sunshine.cogovernance.reviews import antiabuse
from sunshine.cogovernance.reviews.enums import FoldReason, ReviewStatus
from sunshine.cogovernance.reviews.models import Review
from sunshine.core import evidence, storage
from sunshine.core.evidence_models import EvidenceFile
from sunshine.registry.models import Business

GPS_IFD = 0x8825
TEXT = "酸菜鱼很新鲜，鱼片嫩滑，汤底酸辣开胃，服务员主动加汤，环境也干净。"


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (30.0, 39.0, 36.0), 3: "E", 4: (104.0, 4.0, 12.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def store(session: Session) -> Business:
    business = session.get(Business, principal_of(session, "owner_a").business_id)
    assert business is not None
    return business


@pytest.fixture
def other_client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as c:
        yield c


def form_fields(client: TestClient, code: str, **changes: Any) -> dict[str, Any]:
    """What the form sends, with a stamp from half a minute ago (a person's pace)."""
    fields: dict[str, Any] = {
        "csrf_token": csrf_of(client, f"/s/{code}/review"),
        "form_stamp": antiabuse.issue_stamp(code, now=time.time() - 30),
        "environment_score": "4",
        "quality_score": "5",
        "service_score": "4",
        "text": TEXT,
        antiabuse.HONEYPOT_FIELD: "",
    }
    fields.update(changes)
    return fields


def post_review(
    client: TestClient,
    code: str,
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
    **changes: Any,
) -> Any:
    return client.post(f"/s/{code}/review", data=form_fields(client, code, **changes), files=files)


def receipt_of(html: str) -> str:
    match = re.search(r'id="receipt-code">([^<]+)<', html)
    assert match, html[:2000]
    return match.group(1)


def count(session: Session, model: type[Any]) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def evidence_folders() -> set[str]:
    folder = storage.root() / evidence.AREA
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_a_diner_reviews_with_a_photo_and_the_store_page_shows_it(
    client: TestClient, other_client: TestClient, session: Session, store: Business
) -> None:
    code = store.public_code
    assert 'id="no-reviews"' in client.get(f"/s/{code}").text  # rendered and now cached
    form = client.get(f"/s/{code}/review")
    assert form.status_code == 200 and "sunshine_device" in form.cookies
    original = photo_with_gps()
    done = post_review(client, code, files=[("photos", ("IMG_2041.JPG", original, "image/jpeg"))])
    assert done.status_code == 201, done.text[:1500]
    assert 'id="review-shown"' in done.text and receipt_of(done.text)

    page = client.get(f"/s/{code}").text  # the cached page was dropped by the new review
    assert TEXT in page and 'id="review-count"' in page
    token = re.findall(r"/evidence/([0-9a-f]{32})/thumb", page)[0]
    row = session.execute(select(EvidenceFile).where(EvidenceFile.token == token)).scalar_one()
    assert row.sha256 == hashlib.sha256(original).hexdigest()

    public = client.get(f"/evidence/{token}")
    assert public.status_code == 200 and public.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(public.content)) as copy:
        assert not copy.getexif() and not copy.getexif().get_ifd(GPS_IFD)
    assert client.get(f"/evidence/{token}/thumb").status_code == 200
    assert client.get(f"/evidence/{token}/original").status_code == 404  # never public

    login(other_client, "inspector_b")  # the neighbouring county: not a handler of this store
    assert other_client.get(f"/evidence/{token}/original").status_code == 404
    handler = TestClient(other_client.app, follow_redirects=False)
    login(handler, "inspector_a")
    fetched = handler.get(f"/evidence/{token}/original")
    assert fetched.status_code == 200 and fetched.content == original
    assert fetched.headers["cache-control"] == "private, no-store"
    viewed = (
        session.execute(
            select(AuditEntry.actor_label).where(
                AuditEntry.action == "evidence.view_original", AuditEntry.entity_id == str(row.id)
            )
        )
        .scalars()
        .all()
    )
    assert viewed == ["inspector_a"]


def test_script_in_a_review_is_shown_as_text(client: TestClient, store: Business) -> None:
    text = '<script>alert("x")</script><b>好吃</b> 环境不错，服务热情'
    assert post_review(client, store.public_code, text=text).status_code == 201
    page = client.get(f"/s/{store.public_code}").text
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    "name, content, status, code",
    [
        ("photo.jpg", b"this is a text file pretending to be a photo", 415, "unsupported_type"),
        ("big.jpg", b"", 413, "too_large"),
    ],
)
def test_mistyped_or_oversized_photos_are_refused_with_nothing_kept(
    client: TestClient,
    session: Session,
    store: Business,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    content: bytes,
    status: int,
    code: str,
) -> None:
    if not content:
        content = photo_with_gps()
        monkeypatch.setattr(settings, "evidence_photo_max_bytes", len(content) // 2)
    reviews_before, files_before, folders_before = (
        count(session, Review),
        count(session, EvidenceFile),
        evidence_folders(),
    )
    answer = post_review(
        client, store.public_code, files=[("photos", (name, content, "image/jpeg"))]
    )
    assert answer.status_code == status
    assert f'data-code="{code}"' in answer.text and name in answer.text
    assert TEXT in answer.text  # what the diner wrote is kept in the form
    assert (count(session, Review), count(session, EvidenceFile)) == (reviews_before, files_before)
    assert evidence_folders() == folders_before


def test_missing_scores_and_short_text_are_listed_and_unknown_stores_are_404(
    client: TestClient, store: Business
) -> None:
    answer = post_review(client, store.public_code, quality_score="", text="好")
    assert answer.status_code == 422
    assert 'data-field="quality_score"' in answer.text and 'data-field="text"' in answer.text
    assert client.get("/s/NOSUCHSTORE/review").status_code == 404
    assert client.get("/s/NOSUCHSTORE/reviews").status_code == 404


def test_a_burst_of_1000_reviews_from_one_address_is_throttled_and_copies_folded(
    client: TestClient, session: Session, store: Business
) -> None:
    code = store.public_code
    fields = form_fields(client, code)
    answers = Counter()
    retry_after = set()
    for _ in range(1000):
        response = client.post(f"/s/{code}/review", data=fields)
        answers[response.status_code] += 1
        if response.status_code == 429:
            retry_after.add(response.headers.get("retry-after"))
    assert answers[429] >= 995 and answers[201] + answers[429] == 1000, answers
    assert None not in retry_after
    kept = (
        session.execute(select(Review).where(Review.business_id == store.id).order_by(Review.id))
        .scalars()
        .all()
    )
    assert len(kept) == answers[201]
    assert kept[0].status is ReviewStatus.VISIBLE
    assert all(
        r.status is ReviewStatus.FOLDED and r.fold_reason is FoldReason.DUPLICATE_TEXT
        for r in kept[1:]
    )
    assert len(kept) > 1  # some copies got through the limits and were folded
    page = client.post(f"/s/{code}/review", data=fields)
    assert page.status_code == 429 and 'id="review-alert"' in page.text


def test_the_merchant_replies_and_others_cannot(
    client: TestClient, other_client: TestClient, session: Session, store: Business
) -> None:
    assert post_review(client, store.public_code).status_code == 201
    review = session.execute(select(Review).where(Review.business_id == store.id)).scalars().one()
    login(other_client, "owner_a")
    listing = other_client.get("/biz/reviews")
    assert (
        listing.status_code == 200 and TEXT in listing.text and 'id="menu-reviews"' in listing.text
    )
    token = csrf_of(other_client, "/biz/reviews")
    replied = other_client.post(
        f"/biz/reviews/{review.id}/reply",
        data={"csrf_token": token, "text": "谢谢光临，欢迎再来！"},
    )
    assert replied.status_code == 303
    assert "谢谢光临，欢迎再来！" in client.get(f"/s/{store.public_code}").text
    empty = other_client.post(
        f"/biz/reviews/{review.id}/reply", data={"csrf_token": token, "text": ""}
    )
    assert empty.status_code == 422

    neighbour = TestClient(other_client.app, follow_redirects=False)
    login(neighbour, "owner_b")
    assert TEXT not in neighbour.get("/biz/reviews").text
    refused = neighbour.post(
        f"/biz/reviews/{review.id}/reply",
        data={"csrf_token": csrf_of(neighbour, "/biz/reviews"), "text": "冒充回复"},
    )
    assert refused.status_code == 404
    staff = TestClient(other_client.app, follow_redirects=False)
    login(staff, "staff_a")
    assert 'class="reply-form"' not in staff.get("/biz/reviews").text
    assert (
        staff.post(
            f"/biz/reviews/{review.id}/reply",
            data={"csrf_token": csrf_of(staff, "/biz/reviews"), "text": "员工回复"},
        ).status_code
        == 403
    )
    session.refresh(review)
    assert review.reply_text == "谢谢光临，欢迎再来！"


def test_a_folded_review_is_appealed_by_receipt_and_a_regulator_decides(
    client: TestClient, other_client: TestClient, session: Session, store: Business
) -> None:
    code = store.public_code
    fresh = antiabuse.issue_stamp(code)  # sent at once: folded as too fast
    done = post_review(client, code, form_stamp=fresh)
    assert done.status_code == 201 and 'id="fold-reason"' in done.text
    receipt = receipt_of(done.text)
    folded = client.get(f"/s/{code}/reviews?folded=1").text
    assert TEXT in folded and 'class="small text-warning-emphasis' in folded
    assert TEXT not in client.get(f"/s/{code}").text

    token = csrf_of(client, "/reviews/receipt")
    found = client.post("/reviews/receipt", data={"csrf_token": token, "receipt": receipt.lower()})
    assert found.status_code == 200 and 'class="mt-2 appeal-form"' in found.text
    appealed = client.post(
        "/reviews/appeal",
        data={
            "csrf_token": token,
            "receipt": receipt,
            "statement": "我是真实顾客，评价是提前写好的。",
        },
    )
    assert appealed.status_code == 200 and 'data-appeal="pending"' in appealed.text
    wrong = client.post("/reviews/receipt", data={"csrf_token": token, "receipt": "ZZZZ-ZZZZ-ZZZZ"})
    assert wrong.status_code == 404

    neighbour = api_token(other_client, "inspector_b")
    assert (
        other_client.get("/api/v1/reviews?appeal=pending", headers=neighbour).json()["total"] == 0
    )
    regulator = api_token(other_client, "inspector_a")
    pending = other_client.get("/api/v1/reviews?appeal=pending", headers=regulator).json()
    [item] = [i for i in pending["items"] if i["business_id"] == store.id]
    assert item["fold_reason"] == "fast_fill"
    detail = other_client.get(f"/api/v1/reviews/{item['id']}", headers=regulator).json()
    assert detail["fold_note"] and detail["fill_seconds"] is not None
    assert other_client.get(f"/api/v1/reviews/{item['id']}", headers=neighbour).status_code == 404
    decided = other_client.post(
        f"/api/v1/review-appeals/{item['appeal']['id']}/decision",
        json={"uphold": True, "note": "核实为真实消费"},
        headers=regulator,
    )
    assert decided.status_code == 200 and decided.json()["status"] == "upheld"
    assert TEXT in client.get(f"/s/{code}").text  # shown again; the cached page was dropped


def test_the_api_refuses_a_reply_from_a_regulator_and_lists_nothing_to_the_public(
    client: TestClient, store: Business
) -> None:
    assert post_review(client, store.public_code).status_code == 201
    assert client.get("/api/v1/reviews").status_code == 401
    regulator = api_token(client, "inspector_a")
    items = client.get(f"/api/v1/reviews?business_id={store.id}", headers=regulator).json()["items"]
    answer = client.post(
        f"/api/v1/reviews/{items[0]['id']}/reply", json={"text": "监管部门回复"}, headers=regulator
    )
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_a_signed_in_citizen_follows_and_appeals_their_own_reviews_only(
    client: TestClient, other_client: TestClient, session: Session, store: Business
) -> None:
    login(client, "citizen")
    fresh = antiabuse.issue_stamp(store.public_code)  # sent at once: folded
    assert post_review(client, store.public_code, form_stamp=fresh).status_code == 201
    mine = client.get("/reviews/mine")
    assert mine.status_code == 200 and TEXT in mine.text and 'class="mt-2 appeal-form"' in mine.text
    review = session.execute(select(Review).where(Review.business_id == store.id)).scalar_one()
    assert review.author_display == "市*"
    token = csrf_of(client, "/reviews/mine")
    appealed = client.post(
        "/reviews/appeal",
        data={
            "csrf_token": token,
            "review_id": str(review.id),
            "statement": "这是我本人写的评价。",
        },
    )
    assert appealed.status_code == 200 and 'data-appeal="pending"' in appealed.text

    login(other_client, "owner_b")  # someone else cannot appeal it by its id
    refused = other_client.post(
        "/reviews/appeal",
        data={
            "csrf_token": csrf_of(other_client, "/reviews/mine"),
            "review_id": str(review.id),
            "statement": "冒充作者申诉一下",
        },
    )
    assert refused.status_code == 404 and 'data-field="receipt"' in refused.text
    anonymous = TestClient(other_client.app, follow_redirects=False)
    signed_out = anonymous.get("/reviews/mine", headers={"accept": "text/html"})
    assert signed_out.status_code == 303  # to the sign-in page
    wrong = anonymous.post(
        "/reviews/appeal",
        data={
            "csrf_token": csrf_of(anonymous, "/reviews/receipt"),
            "receipt": "ZZZZ-ZZZZ-ZZZZ",
            "statement": "猜一个回执码试试",
        },
    )
    assert wrong.status_code == 404 and 'id="receipt-form"' in wrong.text
