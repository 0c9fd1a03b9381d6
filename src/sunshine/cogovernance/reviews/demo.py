"""Demo reviews: realistic Chinese diner reviews for a share of the stores (deterministic).

Texts are built from phrases per dimension and mood, with scores that agree with them.
About a third of the stores get reviews (more for the busy forms: restaurants, fast food,
drinks); some reviews have the merchant's reply; a few are folded, as the anti-abuse rules
would have folded them (a copied "好评" template posted across stores from one phone, a form
sent in two seconds), and one folded review has a pending appeal for the regulators.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth.principal import SYSTEM
from sunshine.cogovernance.intake import RECEIPT_ALPHABET, RECEIPT_LENGTH
from sunshine.cogovernance.reviews.enums import AppealStatus, FoldReason, ReviewStatus
from sunshine.cogovernance.reviews.models import Review, ReviewAppeal, ReviewSummary
from sunshine.cogovernance.reviews.service import receipt_digest
from sunshine.core.crypto import digest
from sunshine.core.time import SHANGHAI, utc_now
from sunshine.registry.enums import BusinessCategory, BusinessForm
from sunshine.registry.models import Business

SHARE_OF_STORES = 0.35
BUSY_FORMS = frozenset({BusinessForm.RESTAURANT, BusinessForm.FAST_FOOD, BusinessForm.DRINKS})
DAYS_BACK = 180

ENVIRONMENT = {
    "good": (
        "店里很干净，桌椅擦得发亮",
        "环境整洁明亮，座位宽敞",
        "明厨亮灶看得见后厨，很放心",
        "装修温馨，空调很足",
    ),
    "mixed": ("环境一般，饭点人多有点挤", "店面不大，但还算干净", "桌子有点油，其他还行"),
    "bad": ("地面油腻，垃圾桶没盖", "桌上有没擦干净的汤渍", "后厨门口堆着杂物，卫生堪忧"),
}
QUALITY = {
    "good": (
        "菜品新鲜，分量足",
        "牛肉面汤头浓郁，面条劲道",
        "回锅肉肥而不腻，下饭",
        "鱼很新鲜，刺少肉嫩",
        "奶茶不太甜，茶味很浓",
    ),
    "mixed": ("味道中规中矩", "口味偏咸了一点", "菜量有点少，价格还行"),
    "bad": ("米饭夹生，菜是凉的", "吃出一根头发，体验很差", "肉有异味，不太新鲜"),
}
SERVICE = {
    "good": ("服务员很热情，主动加汤", "上菜速度快", "老板很实在，还送了小菜"),
    "mixed": ("服务还可以，就是叫人要喊几遍", "等位时间有点长"),
    "bad": ("服务态度冷淡，催了三次才上菜", "结账时多算了一份，沟通很费劲"),
}
ENDINGS = {
    "good": ("下次还会再来！", "推荐给大家。", "性价比很高。", ""),
    "mixed": ("总体还行。", "看情况再来吧。", ""),
    "bad": ("不会再来了。", "希望商家整改。", "已经向监管部门反映。"),
}
REPLIES = {
    "good": ("感谢您的认可，欢迎常来！", "谢谢您的好评，我们会继续保持。"),
    "mixed": ("感谢反馈，我们会调整口味和出餐速度。", "谢谢建议，饭点我们会增加人手。"),
    "bad": (
        "非常抱歉给您带来不好的体验，已对后厨和服务进行整改，欢迎监督。",
        "抱歉！涉及的问题已经核查处理，请联系店长为您补偿。",
    ),
}
SCORES = {"good": (4, 5), "mixed": (3, 4), "bad": (1, 2)}
# A paid "好评" template: posted from one phone across stores, folded as a copy.
TEMPLATE = "五星好评！菜品新鲜美味，服务热情周到，环境干净卫生，强烈推荐大家来吃！！"


@dataclass(frozen=True)
class SeededReviews:
    reviews: int
    folded: int
    stores: int


def _mood(rng: random.Random) -> str:
    return rng.choices(("good", "mixed", "bad"), weights=(6, 3, 1))[0]


def _text(rng: random.Random, mood: str) -> str:
    parts = [rng.choice(bank[mood]) for bank in (QUALITY, ENVIRONMENT, SERVICE)]
    rng.shuffle(parts)
    ending = rng.choice(ENDINGS[mood])
    return "，".join(parts) + "。" + ending


def _when(rng: random.Random, today: date) -> datetime:
    day = today - timedelta(days=rng.randrange(DAYS_BACK))
    local = datetime.combine(day, time(rng.randrange(10, 22), rng.randrange(60)), tzinfo=SHANGHAI)
    return local.astimezone(UTC)


def _review_row(
    rng: random.Random, business_id: int, today: date, owner_reply: bool
) -> dict[str, object]:
    mood = _mood(rng)
    low, high = SCORES[mood]
    created = _when(rng, today)
    row: dict[str, object] = {
        "business_id": business_id,
        "status": ReviewStatus.VISIBLE,
        "environment_score": rng.randint(low, high),
        "quality_score": rng.randint(low, high),
        "service_score": rng.randint(low, high),
        "text": _text(rng, mood),
        "author_display": rng.choice(("", "", "", "张*", "李**", "王*", "陈*", "刘**")),
        "receipt_digest": receipt_digest(_receipt(rng)),
        "ip_digest": digest(f"review-ip:demo-{rng.randrange(10**9)}"),
        "device_digest": digest(f"review-device:demo-{rng.randrange(10**9)}"),
        "fill_seconds": rng.randint(25, 400),
        "created_at": created,
        "updated_at": created,
        "version": 1,
    }
    if owner_reply and rng.random() < (0.7 if mood == "bad" else 0.3):
        row["reply_text"] = rng.choice(REPLIES[mood])
        row["replied_at"] = created + timedelta(hours=rng.randint(2, 48))
    return row


def _receipt(rng: random.Random) -> str:
    """A receipt code from the seeded generator (nobody holds it: the demo authors are made up)."""
    raw = "".join(rng.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def _folded(row: dict[str, object], reason: FoldReason, note: str) -> dict[str, object]:
    return {
        **row,
        "status": ReviewStatus.FOLDED,
        "fold_reason": reason,
        "fold_note": note,
        "folded_at": row["created_at"],
        "reply_text": None,
        "replied_at": None,
    }


def _stores(session: Session, businesses: Sequence[int]) -> list[tuple[int, BusinessForm]]:
    stmt = (
        select(Business.id, Business.form)
        .where(Business.id.in_(list(businesses)), Business.category == BusinessCategory.CATERER)
        .order_by(Business.id)
    )
    return [(row.id, row.form) for row in session.execute(stmt)]


def seed_reviews(
    *,
    session: Session,
    rng: random.Random,
    businesses: Sequence[int],
    today: date,
    featured: Sequence[int] = (),
) -> SeededReviews:
    """Reviews for a share of the caterers among ``businesses`` (ids), with summaries.

    ``featured`` stores (e.g. the demo owner's) always get reviews, one of them folded
    with a pending appeal, so every role finds something to look at.
    """
    rows: list[dict[str, object]] = []
    spam_device = digest("review-device:demo-spam-phone")
    for business_id, form in _stores(session, [*businesses, *featured]):
        busy = form in BUSY_FORMS or business_id in featured
        share = SHARE_OF_STORES * (1.5 if busy else 0.6)
        if business_id not in featured and rng.random() >= share:
            continue
        for _ in range(rng.randint(6 if business_id in featured else 1, 12 if busy else 5)):
            rows.append(_review_row(rng, business_id, today, owner_reply=True))
        roll = 0.0 if business_id in featured else rng.random()
        if roll < 0.08:  # the template, copied from one phone: folded
            copy = {**_review_row(rng, business_id, today, False), "text": TEMPLATE}
            copy.update(device_digest=spam_device, environment_score=5, quality_score=5)
            copy.update(service_score=5)
            rows.append(_folded(copy, FoldReason.DUPLICATE_TEXT, "1.00 similar (same source)"))
        elif roll < 0.12:  # sent two seconds after the form was served: folded
            fast = {**_review_row(rng, business_id, today, False), "fill_seconds": 2}
            rows.append(_folded(fast, FoldReason.FAST_FILL, "form sent 2 s after it was served"))
    if not rows:
        return SeededReviews(0, 0, 0)
    ids = (
        session.execute(insert(Review).returning(Review.id, sort_by_parameter_order=True), rows)
        .scalars()
        .all()
    )
    _insert_summaries(session, rows)
    folded = [
        rid for rid, row in zip(ids, rows, strict=True) if row["status"] is ReviewStatus.FOLDED
    ]
    appealed = next(
        (
            rid
            for rid, row in zip(ids, rows, strict=True)
            if row["status"] is ReviewStatus.FOLDED and row["business_id"] in featured
        ),
        folded[0] if folded else None,
    )
    if appealed is not None:
        session.add(
            ReviewAppeal(
                review_id=appealed,
                status=AppealStatus.PENDING,
                statement="我确实在店里消费过，有付款记录，评价是提前写好复制过来的。",
                filed_at=datetime.combine(today, time(9), tzinfo=SHANGHAI).astimezone(UTC),
            )
        )
    stores = len({row["business_id"] for row in rows})
    audit.record(
        session=session,
        actor=SYSTEM,
        action="demo.seed_reviews",
        entity_type="reviews",
        entity_id="demo",
        after={"reviews": len(rows), "folded": len(folded), "stores": stores},
    )
    session.flush()
    return SeededReviews(reviews=len(rows), folded=len(folded), stores=stores)


def _insert_summaries(session: Session, rows: Sequence[dict[str, object]]) -> None:
    totals: dict[int, dict[str, int]] = {}
    for row in rows:
        business_id = int(str(row["business_id"]))
        t = totals.setdefault(
            business_id,
            {
                "visible_count": 0,
                "folded_count": 0,
                "environment_total": 0,
                "quality_total": 0,
                "service_total": 0,
            },
        )
        if row["status"] is ReviewStatus.FOLDED:
            t["folded_count"] += 1
            continue
        t["visible_count"] += 1
        for dimension in ("environment", "quality", "service"):
            t[f"{dimension}_total"] += int(str(row[f"{dimension}_score"]))
    now = utc_now()
    session.execute(
        insert(ReviewSummary),
        [{"business_id": bid, "updated_at": now, **t} for bid, t in sorted(totals.items())],
    )


__all__ = ["SeededReviews", "seed_reviews"]
