"""The demo reviews: deterministic, realistic, with consistent score summaries."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from conftest import Demo
from sunshine.cogovernance.reviews.demo import seed_reviews
from sunshine.cogovernance.reviews.enums import ReviewStatus
from sunshine.cogovernance.reviews.models import Review, ReviewAppeal, ReviewSummary
from sunshine.registry.models import Business

TODAY = date(2026, 11, 30)


def _seed(session: Session, seed: int, featured: int | None = None) -> list[tuple[int, str, str]]:
    ids = session.execute(select(Business.id).order_by(Business.id)).scalars().all()
    result = seed_reviews(
        session=session,
        rng=random.Random(f"reviews-{seed}"),
        businesses=ids,
        today=TODAY,
        featured=[featured] if featured else [],
    )
    assert result.reviews > 0 and 0 < result.stores < len(ids)
    rows = session.execute(
        select(Review.business_id, Review.status, Review.text).order_by(Review.id)
    )
    return [(r.business_id, r.status.value, r.text) for r in rows]


def test_demo_reviews_are_deterministic_and_their_summaries_add_up(
    session: Session, demo: Demo
) -> None:
    owner_store = demo.account("owner_a")["business_id"]
    with session.begin_nested() as first:
        once = _seed(session, 7, owner_store)
        first.rollback()
    again = _seed(session, 7, owner_store)
    assert once == again
    assert any(status == "folded" for _, status, _ in again)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for _, _, text in again)
    appeal = session.execute(select(ReviewAppeal)).scalar_one()
    appealed = session.get(Review, appeal.review_id)
    assert appealed is not None and appealed.business_id == owner_store
    assert sum(1 for business_id, _, _ in again if business_id == owner_store) >= 6

    expected: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for review in session.execute(select(Review)).scalars():
        totals = expected[review.business_id]
        if review.status is ReviewStatus.FOLDED:
            totals[1] += 1
            continue
        totals[0] += 1
        totals[2] += review.environment_score
        totals[3] += review.quality_score
        totals[4] += review.service_score
    summaries = {
        s.business_id: [
            s.visible_count,
            s.folded_count,
            s.environment_total,
            s.quality_total,
            s.service_total,
        ]
        for s in session.execute(select(ReviewSummary)).scalars()
    }
    assert summaries == dict(expected)


def test_a_seeded_store_page_shows_its_reviews(session: Session, client: TestClient) -> None:
    _seed(session, 3)
    session.flush()
    reviewed = session.execute(
        select(Business.public_code)
        .join(ReviewSummary, ReviewSummary.business_id == Business.id)
        .where(ReviewSummary.visible_count > 0)
        .limit(1)
    ).scalar_one()
    session.commit()
    page = client.get(f"/s/{reviewed}")
    assert page.status_code == 200 and 'id="review-summary"' in page.text
