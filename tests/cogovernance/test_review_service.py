"""Reviews through their services: signals fold, scores add up, replies, folds and appeals
are scoped and audited, and nothing is ever deleted."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from helpers import principal_of
from sunshine.audit.models import AuditEntry
from sunshine.auth.principal import ANONYMOUS, Principal
from sunshine.cogovernance.reviews import antiabuse, moderation
from sunshine.cogovernance.reviews import service as reviews
from sunshine.cogovernance.reviews.antiabuse import Source
from sunshine.cogovernance.reviews.enums import AppealStatus, FoldReason, ReviewStatus
from sunshine.cogovernance.reviews.models import Review
from sunshine.cogovernance.reviews.moderation import ReviewFilter
from sunshine.cogovernance.reviews.schemas import ReviewCreate
from sunshine.core import evidence
from sunshine.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailed
from sunshine.core.pagination import PageRequest
from sunshine.core.ratelimit import MemoryRateLimiter
from sunshine.registry.models import Business

TEXTS = (
    "牛肉面汤头浓郁，面条劲道，服务员态度很好，就是中午人多要排队。",
    "环境一般，桌子有点油，不过菜上得很快，价格也实惠。",
    "点的宫保鸡丁偏咸，米饭有点硬，服务员倒是很客气。",
    "后厨看起来很干净，餐具都消毒过，吃得放心，推荐！",
)


def store_of(session: Session, username: str) -> Business:
    business_id = principal_of(session, username).business_id
    business = session.get(Business, business_id)
    assert business is not None
    return business


def write(
    session: Session,
    business: Business,
    text: str,
    *,
    actor: Principal = ANONYMOUS,
    ip: str = "198.51.100.1",
    device: str | None = None,
    scores: tuple[int, int, int] = (4, 5, 3),
    seconds_ago: float = 60,
    limiter: MemoryRateLimiter | None = None,
    honeypot: str | None = None,
) -> reviews.Submitted:
    stamp = antiabuse.issue_stamp(business.public_code, now=time.time() - seconds_ago)
    return reviews.submit_review(
        session=session,
        actor=actor,
        code=business.public_code,
        draft=ReviewCreate(
            environment_score=scores[0], quality_score=scores[1], service_score=scores[2], text=text
        ),
        guard=reviews.FormGuard(stamp=stamp, honeypot=honeypot),
        source=Source(ip=ip, device=device, account_id=actor.user_id),
        limiter=limiter or MemoryRateLimiter(),
    )


def actions(session: Session, review_id: int) -> list[str]:
    stmt = (
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "review", AuditEntry.entity_id == str(review_id))
        .order_by(AuditEntry.seq)
    )
    return list(session.execute(stmt).scalars())


def test_a_review_is_shown_counted_and_audited(session: Session) -> None:
    store = store_of(session, "owner_a")
    done = write(session, store, TEXTS[0], scores=(4, 5, 3))
    assert done.review.status is ReviewStatus.VISIBLE
    assert len(done.receipt_code) == 14 and done.review.receipt_digest != done.receipt_code
    write(session, store, TEXTS[1], ip="198.51.100.2", scores=(2, 3, 4))
    page = reviews.store_reviews(session=session, code=store.public_code.lower())
    assert page.summary.count == 2
    assert (page.summary.environment, page.summary.quality, page.summary.service) == (3, 4, 3.5)
    assert [r.text for r in page.recent] == [TEXTS[1], TEXTS[0]]  # newest first
    assert actions(session, done.review.id) == ["review.create"]
    assert done.review.ip_digest and "198.51.100.1" not in done.review.ip_digest


def test_the_same_source_repeating_itself_is_folded_not_refused(session: Session) -> None:
    store, other = store_of(session, "owner_a"), store_of(session, "owner_b")
    first = write(session, store, TEXTS[0], device="phone-1")
    again = write(session, other, TEXTS[0] + "！", device="phone-1", ip="192.0.2.77")
    assert first.review.status is ReviewStatus.VISIBLE
    assert again.review.status is ReviewStatus.FOLDED
    assert again.review.fold_reason is FoldReason.DUPLICATE_TEXT
    assert again.review.fold_note and f"review {first.review.id}" in again.review.fold_note
    summary = reviews.store_reviews(session=session, code=other.public_code).summary
    assert (summary.count, summary.folded_count) == (0, 1)


def test_a_burst_on_one_store_folds_the_next_reviews_pending_a_check(session: Session) -> None:
    store = store_of(session, "owner_a")
    rules = antiabuse.FOLD_RULES
    for i in range(rules.burst_count):
        shown = write(session, store, f"第{i}位顾客：{TEXTS[i % 4]}", ip=f"203.0.113.{i}")
        assert shown.review.status is ReviewStatus.VISIBLE or i >= 4  # texts 4+ repeat 0-3
    late = write(
        session, store, "第一次来，味道还可以，服务一般般，环境挺好的。", ip="203.0.113.200"
    )
    assert late.review.status is ReviewStatus.FOLDED
    assert late.review.fold_reason is FoldReason.STORE_BURST


def test_a_form_sent_too_fast_is_folded(session: Session) -> None:
    done = write(session, store_of(session, "owner_a"), TEXTS[2], seconds_ago=1)
    assert (done.review.status, done.review.fold_reason) == (
        ReviewStatus.FOLDED,
        FoldReason.FAST_FILL,
    )
    assert done.review.fill_seconds == 1


@pytest.mark.parametrize("honeypot, seconds_ago", [("http://x.example", 60), (None, 3 * 86_400)])
def test_a_filled_honeypot_or_stale_form_is_refused_and_nothing_is_stored(
    session: Session, honeypot: str | None, seconds_ago: float
) -> None:
    before = session.execute(select(func.count()).select_from(Review)).scalar_one()
    with pytest.raises(ValidationFailed):
        write(
            session,
            store_of(session, "owner_a"),
            TEXTS[0],
            honeypot=honeypot,
            seconds_ago=seconds_ago,
        )
    assert session.execute(select(func.count()).select_from(Review)).scalar_one() == before


def test_unknown_stores_are_not_found(session: Session) -> None:
    with pytest.raises(NotFoundError):
        reviews.store_reviews(session=session, code="NOSUCHCODE")


def test_a_business_cannot_review_itself(session: Session) -> None:
    with pytest.raises(ForbiddenError):
        write(
            session,
            store_of(session, "owner_a"),
            TEXTS[0],
            actor=principal_of(session, "manager_a"),
        )


def test_a_signed_in_diner_is_shown_masked(session: Session) -> None:
    citizen = principal_of(session, "citizen")
    done = write(session, store_of(session, "owner_a"), TEXTS[3], actor=citizen)
    assert done.review.author_id == citizen.user_id
    assert done.review.author_display.endswith("*")
    mine = reviews.my_reviews(session=session, actor=citizen, page=PageRequest())
    assert [v.review.id for v in mine.items] == [done.review.id]


def test_the_business_replies_once_and_edits_it(session: Session) -> None:
    store = store_of(session, "owner_a")
    review = write(session, store, TEXTS[1]).review
    owner = principal_of(session, "owner_a")
    moderation.reply(
        session=session, actor=owner, review_id=review.id, text="感谢指出，已加强清洁。"
    )
    first_reply_at = review.replied_at
    moderation.reply(session=session, actor=owner, review_id=review.id, text="已整改，欢迎再来。")
    assert review.reply_text == "已整改，欢迎再来。"
    assert review.replied_at == first_reply_at and review.reply_edited_at is not None
    assert actions(session, review.id) == ["review.create", "review.reply", "review.reply_edit"]
    shown = reviews.store_reviews(session=session, code=store.public_code).recent[0]
    assert shown.reply_text == "已整改，欢迎再来。"


def test_only_the_reviewed_business_owner_or_manager_replies(session: Session) -> None:
    review = write(session, store_of(session, "owner_a"), TEXTS[1]).review
    with pytest.raises(ForbiddenError):
        moderation.reply(
            session=session,
            actor=principal_of(session, "staff_a"),
            review_id=review.id,
            text="好的",
        )
    for other in ("owner_b", "owner_a2"):
        with pytest.raises(NotFoundError):
            moderation.reply(
                session=session,
                actor=principal_of(session, other),
                review_id=review.id,
                text="好的",
            )
    assert review.reply_text is None


def test_regulators_see_the_reviews_of_their_jurisdiction_only(session: Session) -> None:
    store = store_of(session, "owner_a")
    review = write(session, store, TEXTS[0]).review
    mine = moderation.list_reviews(
        session=session,
        actor=principal_of(session, "inspector_a"),
        filters=ReviewFilter(business_id=store.id),
        page=PageRequest(),
    )
    assert [item.review.id for item in mine.items] == [review.id]
    neighbour = principal_of(session, "inspector_b")
    theirs = moderation.list_reviews(
        session=session, actor=neighbour, filters=ReviewFilter(), page=PageRequest(1, 200)
    )
    assert review.id not in {item.review.id for item in theirs.items}
    with pytest.raises(NotFoundError):
        moderation.get_review(session=session, actor=neighbour, review_id=review.id)
    with pytest.raises(NotFoundError):
        moderation.fold(session=session, actor=neighbour, review_id=review.id, note="越权")
    nobody = moderation.list_reviews(
        session=session, actor=ANONYMOUS, filters=ReviewFilter(), page=PageRequest()
    )
    assert nobody.total == 0


def test_fold_appeal_and_decision_move_the_scores_and_are_audited(session: Session) -> None:
    store = store_of(session, "owner_a")
    done = write(session, store, TEXTS[2], scores=(1, 1, 1))
    inspector = principal_of(session, "inspector_a")
    moderation.fold(
        session=session, actor=inspector, review_id=done.review.id, note="核实为恶意差评"
    )
    summary = reviews.store_reviews(session=session, code=store.public_code).summary
    assert (summary.count, summary.folded_count) == (0, 1)
    with pytest.raises(ConflictError):
        moderation.fold(session=session, actor=inspector, review_id=done.review.id, note="again")

    appeal = reviews.file_appeal(
        session=session,
        actor=ANONYMOUS,
        statement="我确实在店里吃过饭，有小票。",
        receipt=done.receipt_code,
    )
    assert appeal.status is AppealStatus.PENDING
    with pytest.raises(ConflictError):
        reviews.file_appeal(
            session=session, actor=ANONYMOUS, statement="再次申诉一下", receipt=done.receipt_code
        )
    with pytest.raises(NotFoundError):  # the neighbouring county cannot decide
        moderation.decide_appeal(
            session=session,
            actor=principal_of(session, "inspector_b"),
            appeal_id=appeal.id,
            uphold=True,
            note="x",
        )
    moderation.decide_appeal(
        session=session, actor=inspector, appeal_id=appeal.id, uphold=True, note="小票属实"
    )
    assert done.review.status is ReviewStatus.VISIBLE and done.review.fold_reason is None
    summary = reviews.store_reviews(session=session, code=store.public_code).summary
    assert (summary.count, summary.folded_count, summary.environment) == (1, 0, 1)
    with pytest.raises(ConflictError):
        moderation.decide_appeal(
            session=session, actor=inspector, appeal_id=appeal.id, uphold=False, note="x"
        )
    assert actions(session, done.review.id) == [
        "review.create",
        "review.fold",
        "review.appeal",
        "review.appeal_decide",
        "review.unfold",
    ]
    assert session.get(Review, done.review.id) is not None  # never deleted


def test_a_dismissed_appeal_leaves_the_review_folded_and_public(session: Session) -> None:
    store = store_of(session, "owner_a")
    done = write(session, store, TEXTS[3], seconds_ago=0)  # folded: too fast
    appeal = reviews.file_appeal(
        session=session,
        actor=ANONYMOUS,
        statement="我是真实顾客，复制了写好的评价。",
        receipt=done.receipt_code,
    )
    moderation.decide_appeal(
        session=session,
        actor=principal_of(session, "inspector_a"),
        appeal_id=appeal.id,
        uphold=False,
        note="同设备多次提交",
    )
    assert done.review.status is ReviewStatus.FOLDED
    header, folded = reviews.public_reviews(
        session=session, code=store.public_code, folded=True, page=PageRequest()
    )
    assert [r.id for r in folded.items] == [done.review.id] and header.summary.folded_count == 1
    assert folded.items[0].fold_reason is FoldReason.FAST_FILL


def test_a_shown_review_cannot_be_appealed_and_a_wrong_receipt_is_not_found(
    session: Session,
) -> None:
    done = write(session, store_of(session, "owner_a"), TEXTS[0])
    with pytest.raises(ConflictError):
        reviews.file_appeal(
            session=session, actor=ANONYMOUS, statement="请显示", receipt=done.receipt_code
        )
    with pytest.raises(NotFoundError):
        reviews.file_appeal(
            session=session, actor=ANONYMOUS, statement="请显示", receipt="AAAA-BBBB-CCCC"
        )


def test_photo_access_follows_the_review(session: Session) -> None:
    store = store_of(session, "owner_a")
    review = write(session, store, TEXTS[0]).review
    public = reviews.evidence_access(session, ANONYMOUS, review.id)
    handler = reviews.evidence_access(session, principal_of(session, "inspector_a"), review.id)
    neighbour = reviews.evidence_access(session, principal_of(session, "inspector_b"), review.id)
    assert (public, handler, neighbour) == (
        evidence.Access.PUBLIC,
        evidence.Access.ORIGINAL,
        evidence.Access.PUBLIC,
    )
    moderation.fold(
        session=session,
        actor=principal_of(session, "inspector_a"),
        review_id=review.id,
        note="核查",
    )
    assert reviews.evidence_access(session, ANONYMOUS, review.id) is evidence.Access.NONE
    assert reviews.evidence_access(session, ANONYMOUS, 10**9) is evidence.Access.NONE


def test_a_review_changed_meanwhile_is_a_clear_conflict(session: Session) -> None:
    review = write(session, store_of(session, "owner_a"), TEXTS[1]).review
    # Someone else's transaction changed the row after this one read it.
    session.execute(
        update(Review)
        .where(Review.id == review.id)
        .values(version=Review.version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(ConflictError):
        moderation.reply(
            session=session,
            actor=principal_of(session, "owner_a"),
            review_id=review.id,
            text="谢谢",
        )
