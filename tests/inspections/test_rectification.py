"""Rectification orders (责令整改): issued with an inspection that is not 符合, answered by
the business with evidence, reviewed on paper or closed by a follow-up inspection; the
business and the regulators see only their own."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from rectification_helpers import answer_all, inspect, order_of, photo, store_a
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import principal_of, store_of_station
from sunshine.audit.models import AuditEntry
from sunshine.config import Settings
from sunshine.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailed
from sunshine.core.evidence import EvidenceRejected, Upload
from sunshine.core.evidence_models import EvidenceFile
from sunshine.core.time import today_local
from sunshine.inspections import public, rectification
from sunshine.inspections import rectification_repository as repo
from sunshine.inspections.enums import InspectionKind, InspectionResult
from sunshine.inspections.rectification_enums import (
    AnswerOutcome,
    ClosedBy,
    OrderState,
    PublicStatus,
)
from sunshine.inspections.rectification_models import RectificationAnswer, RectificationOrder


def _answers(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(RectificationAnswer)).scalar_one())


def _files(session: Session) -> int:
    stmt = select(func.count()).where(EvidenceFile.owner_type == rectification.OWNER)
    return int(session.execute(stmt).scalar_one())


def test_an_inspection_not_compliant_orders_rectification_of_its_failed_items(
    session: Session,
) -> None:
    store = store_a(session)
    clean = inspect(session, store)
    assert repo.order_of_inspection(session, clean.id) is None
    inspection = inspect(session, store, {"5.1": "后厨地面油污", "8.3": "垃圾桶无盖"})
    assert inspection.result is InspectionResult.BASICALLY_COMPLIANT
    order = order_of(session, inspection)
    assert order.state is OrderState.OPEN and order.rectify_by == inspection.rectify_by
    assert order.business_id == store.id and order.county_code == store.county_code
    assert not order.serious and order.reference.startswith("ZG")
    items = repo.items_of_order(session, order.id)
    assert [(row.code, row.finding) for row, _ in items] == [
        ("5.1", "后厨地面油污"),
        ("8.3", "垃圾桶无盖"),
    ]
    assert [e.kind.value for e in repo.events_of(session, order.id)] == ["issue"]
    assert session.execute(
        select(AuditEntry).where(AuditEntry.action == "rectification.issue")
    ).scalar_one()
    assert rectification.public_status(order, today_local()) is PublicStatus.IN_PROGRESS


def test_a_failed_key_item_is_a_serious_order(session: Session) -> None:
    order = order_of(session, inspect(session, store_a(session), {"4.2": "健康证明过期"}))
    assert order.serious
    assert rectification.may_be_filed(order, today_local())


def test_a_non_compliant_result_needs_a_rectification_deadline_too(session: Session) -> None:
    store = store_a(session)
    with pytest.raises(ValidationFailed) as exc:
        inspect(session, store, {"4.2": "健康证明过期", "9.3": "餐具未消毒"}, rectify_in=0)
    assert "rectify_by" in {p.field for p in exc.value.problems}
    inspection = inspect(session, store, {"4.2": "健康证明过期", "9.3": "餐具未消毒"})
    assert inspection.result is InspectionResult.NONCOMPLIANT
    assert order_of(session, inspection).rectify_by == inspection.rectify_by


def test_the_owner_answers_each_item_with_photos_and_pdfs(session: Session) -> None:
    order = order_of(session, inspect(session, store_a(session), {"5.1": "地面油污"}))
    answered = answer_all(session, order)
    assert answered.state is OrderState.ANSWERED
    shown = rectification.order_file(
        session=session, actor=principal_of(session, "inspector_a"), order_id=order.id
    )
    [view] = shown.answers
    assert view.answer.outcome is AnswerOutcome.PENDING and view.answer.round == 1
    [entry] = view.items.values()
    assert entry.row.action.startswith("已更换")
    assert sorted(f.kind.value for f in entry.files) == ["document", "photo"]
    assert [e.kind.value for e in shown.events] == ["issue", "answer"]


def test_an_answer_missing_text_or_evidence_names_each_item(session: Session) -> None:
    order = order_of(session, inspect(session, store_a(session), {"5.1": "油污", "8.3": "无盖"}))
    rows = repo.items_of_order(session, order.id)
    form = rectification.AnswerForm(
        expected_version=order.version,
        items=[
            rectification.ItemAnswerForm(rows[0][0].id, "  ", [photo()]),
            rectification.ItemAnswerForm(rows[1][0].id, "已换带盖垃圾桶", []),
        ],
    )
    with pytest.raises(ValidationFailed) as exc:
        rectification.answer_order(
            session=session, actor=principal_of(session, "owner_a"), order_id=order.id, form=form
        )
    assert {p.field for p in exc.value.problems} == {"items[0].action", "items[1].files"}
    assert _answers(session) == 0 and _files(session) == 0


def test_a_file_that_is_not_a_photo_or_pdf_is_refused_and_nothing_is_stored(
    session: Session,
) -> None:
    order = order_of(session, inspect(session, store_a(session), {"5.1": "油污", "8.3": "无盖"}))
    rows = repo.items_of_order(session, order.id)
    fake = Upload("report.pdf", io.BytesIO(b"MZ\x90\x00 this is a program, not a PDF" * 20))
    form = rectification.AnswerForm(
        expected_version=order.version,
        items=[
            rectification.ItemAnswerForm(rows[0][0].id, "已清洁", [photo()]),
            rectification.ItemAnswerForm(rows[1][0].id, "已更换", [fake]),
        ],
    )
    with pytest.raises(EvidenceRejected) as exc:
        rectification.answer_order(
            session=session, actor=principal_of(session, "owner_a"), order_id=order.id, form=form
        )
    assert exc.value.status == 415
    assert [p.field for p in exc.value.problems] == ["items[1].files"]
    assert _answers(session) == 0 and _files(session) == 0
    assert order.state is OrderState.OPEN


def test_a_photo_over_the_size_limit_is_refused(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = order_of(session, inspect(session, store_a(session), {"5.1": "油污"}))
    [(row, _)] = repo.items_of_order(session, order.id)
    big = photo("big.jpg")
    monkeypatch.setattr(settings, "evidence_photo_max_bytes", 200)
    form = rectification.AnswerForm(
        expected_version=order.version,
        items=[rectification.ItemAnswerForm(row.id, "已清洁", [big])],
    )
    with pytest.raises(EvidenceRejected) as exc:
        rectification.answer_order(
            session=session, actor=principal_of(session, "owner_a"), order_id=order.id, form=form
        )
    assert exc.value.status == 413 and exc.value.problems[0].code == "too_large"
    assert _answers(session) == 0 and _files(session) == 0


def test_desk_review_sends_back_with_a_reason_then_accepts(session: Session) -> None:
    inspector = principal_of(session, "inspector_a")
    order = order_of(session, inspect(session, store_a(session), {"5.1": "油污"}))
    answer_all(session, order)
    review = rectification.ReviewForm(expected_version=order.version, accept=False)
    with pytest.raises(ValidationFailed) as exc:
        rectification.review_answer(
            session=session, actor=inspector, order_id=order.id, form=review
        )
    assert [p.field for p in exc.value.problems] == ["reason"]
    rectification.review_answer(
        session=session,
        actor=inspector,
        order_id=order.id,
        form=replace(review, reason="照片看不出地面已清洁，请补充"),
    )
    assert order.state is OrderState.OPEN
    assert repo.latest_answer(session, order.id).outcome is AnswerOutcome.REJECTED  # type: ignore[union-attr]
    answer_all(session, order)
    rectification.review_answer(
        session=session,
        actor=inspector,
        order_id=order.id,
        form=rectification.ReviewForm(expected_version=order.version, accept=True),
    )
    assert order.state is OrderState.CLOSED and order.closed_by is ClosedBy.DESK_REVIEW
    assert rectification.public_status(order, today_local()) is PublicStatus.RECTIFIED
    kinds = [e.kind.value for e in repo.events_of(session, order.id)]
    assert kinds == ["issue", "answer", "reject", "answer", "accept"]


def test_a_stale_review_is_refused(session: Session) -> None:
    order = order_of(session, inspect(session, store_a(session), {"5.1": "油污"}))
    seen = order.version
    answer_all(session, order)
    with pytest.raises(ConflictError):
        rectification.review_answer(
            session=session,
            actor=principal_of(session, "inspector_a"),
            order_id=order.id,
            form=rectification.ReviewForm(expected_version=seen, accept=True),
        )


def test_a_compliant_follow_up_closes_the_order(session: Session) -> None:
    store = store_a(session)
    order = order_of(session, inspect(session, store, {"5.1": "油污"}, days_ago=3))
    follow_up = inspect(session, store, kind=InspectionKind.FOLLOW_UP)
    assert order.state is OrderState.CLOSED and order.closed_by is ClosedBy.FOLLOW_UP
    assert order.follow_up_inspection_id == follow_up.id
    shown = public.store_inspections(session=session, code=store.public_code)
    statuses = {i.inspected_on: i.rectification for i in shown.inspections.items}
    assert PublicStatus.RECTIFIED in statuses.values()


def test_a_failed_follow_up_keeps_the_order_open_and_fileable(session: Session) -> None:
    store = store_a(session)
    order = order_of(session, inspect(session, store, {"5.1": "油污"}, days_ago=3))
    answer_all(session, order)
    follow_up = inspect(session, store, {"5.1": "仍有油污"}, kind=InspectionKind.FOLLOW_UP)
    assert order.state is OrderState.OPEN and order.follow_up_failed
    assert repo.latest_answer(session, order.id).outcome is AnswerOutcome.REJECTED  # type: ignore[union-attr]
    assert rectification.may_be_filed(order, today_local())
    assert order_of(session, follow_up).id != order.id  # the follow-up's own order


def test_staff_and_neighbours_cannot_answer_and_neighbours_see_nothing(session: Session) -> None:
    order = order_of(session, inspect(session, store_a(session), {"5.1": "油污"}))
    with pytest.raises(ForbiddenError):
        answer_all(session, order, by="staff_a")
    for neighbour in ("owner_b", "owner_a2"):
        with pytest.raises(NotFoundError):
            answer_all(session, order, by=neighbour)
        with pytest.raises(NotFoundError):
            rectification.order_file(
                session=session, actor=principal_of(session, neighbour), order_id=order.id
            )
    manager = answer_all(session, order, by="manager_a")
    assert manager.state is OrderState.ANSWERED


def test_another_countys_inspector_cannot_see_or_review(session: Session) -> None:
    order = order_of(session, inspect(session, store_a(session), {"5.1": "油污"}))
    answer_all(session, order)
    other = principal_of(session, "inspector_b")
    listed = rectification.list_orders(
        session=session, actor=other, tab="answered", page=rectification.PageRequest(1, 50)
    )
    assert all(o.id != order.id for o, _ in listed.items)
    with pytest.raises(NotFoundError):
        rectification.review_answer(
            session=session,
            actor=other,
            order_id=order.id,
            form=rectification.ReviewForm(expected_version=order.version, accept=True),
        )
    own = rectification.list_orders(
        session=session,
        actor=principal_of(session, "inspector_a"),
        tab="answered",
        page=rectification.PageRequest(1, 50),
    )
    assert [o.id for o, _ in own.items] == [order.id]


def test_a_station_sees_only_its_townships_orders(session: Session) -> None:
    store = store_of_station(session, "chief_a")
    here = order_of(session, inspect(session, store, {"5.1": "油污"}))
    chief = principal_of(session, "chief_a")
    listed = rectification.list_orders(
        session=session, actor=chief, tab="open", page=rectification.PageRequest(1, 50)
    )
    assert here.id in [o.id for o, _ in listed.items]
    chief_b = principal_of(session, "chief_b")
    with pytest.raises(NotFoundError):
        rectification.order_file(session=session, actor=chief_b, order_id=here.id)


def test_orders_of_the_list_tabs(session: Session) -> None:
    store = store_a(session)
    late = order_of(session, inspect(session, store, {"5.1": "油污"}, days_ago=20, rectify_in=5))
    assert isinstance(late, RectificationOrder)
    counts = rectification.tab_counts(session=session, actor=principal_of(session, "inspector_a"))
    assert counts["overdue"] == 1 and counts["open"] == 0
    assert rectification.public_status(late, today_local()) is PublicStatus.OVERDUE
