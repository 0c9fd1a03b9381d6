"""Who is told as a rectification order moves: the store's owner and manager when it is
issued and when its answer is reviewed (in their language, with the link to the order), the
inspectors when the store answers; nobody else."""

from __future__ import annotations

from rectification_helpers import answer_all, inspect, order_of, store_a
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import principal_of
from sunshine.inspections import rectification
from sunshine.inspections import repository as inspections_repo
from sunshine.notifications.models import Notification


def _told(session: Session, kind: str) -> dict[int, Notification]:
    found = session.execute(select(Notification).where(Notification.kind == kind)).scalars()
    return {n.recipient_user_id or 0: n for n in found}


def test_the_store_and_the_inspectors_are_told_as_the_order_moves(session: Session) -> None:
    order = order_of(session, inspect(session, store_a(session), {"5.1": "地面油污"}))
    owner, manager, staff = (
        principal_of(session, n).user_id for n in ("owner_a", "manager_a", "staff_a")
    )
    ordered = _told(session, "rectification.ordered")
    assert set(ordered) == {owner, manager}  # those who answer; not the staff
    notice = ordered[owner or 0]
    assert order.reference in notice.subject and order.rectify_by.isoformat() in notice.subject
    assert notice.link == f"/biz/rectification/{order.id}"
    assert "整改" in notice.subject  # the owner reads Chinese

    answer_all(session, order)
    answered = _told(session, "rectification.answered")
    assert set(answered) == set(inspections_repo.inspector_ids(session, order.inspection_id))
    assert answered[principal_of(session, "inspector_a").user_id or 0].link == (
        f"/gov/rectification/{order.id}"
    )

    rectification.review_answer(
        session=session,
        actor=principal_of(session, "inspector_a"),
        order_id=order.id,
        form=rectification.ReviewForm(
            expected_version=order.version, accept=False, reason="请补充地面清洁后的照片。"
        ),
    )
    sent_back = _told(session, "rectification.sent_back")
    assert set(sent_back) == {owner, manager}
    assert "请补充地面清洁后的照片。" in sent_back[owner or 0].body
    answer_all(session, order)
    rectification.review_answer(
        session=session,
        actor=principal_of(session, "inspector_a"),
        order_id=order.id,
        form=rectification.ReviewForm(expected_version=order.version, accept=True),
    )
    assert set(_told(session, "rectification.accepted")) == {owner, manager}
    assert staff not in _told(session, "rectification.accepted")
