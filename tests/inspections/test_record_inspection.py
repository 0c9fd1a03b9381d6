"""Recording an inspection: the result follows from the items by the checklist's rule, and
a record that breaks a rule is refused whole, naming each problem."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import principal_of, signature_png, signatures, store_of_station
from sunshine.audit.models import AuditEntry
from sunshine.auth.principal import SYSTEM, Principal
from sunshine.cases.calendar import add_workdays
from sunshine.core.errors import ConflictError, NotFoundError, ValidationFailed
from sunshine.core.time import to_local, utc_now
from sunshine.inspections import checklists, service
from sunshine.inspections.enums import InspectionKind, InspectionResult, ItemOutcome
from sunshine.inspections.models import Checklist, Inspection, InspectionItemResult
from sunshine.inspections.service import InspectionForm, ItemAnswer, ItemPhoto
from sunshine.registry.models import Business

P, F, NA = ItemOutcome.PASS, ItemOutcome.FAIL, ItemOutcome.NOT_APPLICABLE


@pytest.fixture
def checklist(session: Session) -> Checklist:
    checklists.load_bundled(session=session, actor=SYSTEM)
    current = checklists.in_force(session=session, code="catering", province_code="510000")
    assert current is not None
    return current


@pytest.fixture
def inspector(session: Session) -> Principal:
    return principal_of(session, "inspector_a")


@pytest.fixture
def store(session: Session) -> Business:
    return store_of_station(session, "chief_a")


def _codes(session: Session, checklist: Checklist) -> list[str]:
    shown = checklists.view(session=session, actor=SYSTEM, checklist_id=checklist.id)
    return [item.code for _, items in shown.sections for item in items]


def _form(
    session: Session,
    checklist: Checklist,
    store: Business,
    inspector: Principal,
    failed: dict[str, str] | None = None,
    **changes: object,
) -> InspectionForm:
    failed = failed or {}
    answers = [
        ItemAnswer(code, F, failed[code]) if code in failed else ItemAnswer(code, P)
        for code in _codes(session, checklist)
    ]
    finished = utc_now() - timedelta(minutes=5)
    ids = [inspector.user_id or 0, principal_of(session, "chief_a").user_id or 0]
    form = InspectionForm(
        business_id=store.id,
        checklist_id=checklist.id,
        kind=InspectionKind.ROUTINE,
        started_at=finished - timedelta(hours=1),
        finished_at=finished,
        inspector_ids=ids,
        answers=answers,
        representative_name="王店长",
        signatures=signatures(ids),
    )
    return replace(form, **changes)  # type: ignore[arg-type]


def _problems(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {p.field: p.text for p in exc.value.problems}


def _count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Inspection)).scalar_one())


def test_every_item_passed_is_compliant_and_due_for_publication(
    session: Session, checklist: Checklist, store: Business, inspector: Principal
) -> None:
    form = _form(session, checklist, store, inspector)
    inspection = service.record_inspection(session=session, actor=inspector, form=form)
    assert inspection.result is InspectionResult.COMPLIANT and inspection.rectify_by is None
    day = to_local(form.started_at).date()
    assert inspection.inspected_on == day
    assert inspection.publish_by == add_workdays(day, count=20)
    assert inspection.reference.startswith("JC")
    results = session.execute(
        select(func.count()).where(InspectionItemResult.inspection_id == inspection.id)
    ).scalar_one()
    assert results == 30
    assert session.execute(
        select(AuditEntry).where(AuditEntry.action == "inspection.record")
    ).scalar_one()


def test_a_failed_key_item_orders_rectification_by_a_deadline(
    session: Session, checklist: Checklist, store: Business, inspector: Principal
) -> None:
    failed = {"4.2": "两名厨师健康证明过期"}
    form = _form(session, checklist, store, inspector, failed)
    with pytest.raises(ValidationFailed) as exc:
        service.record_inspection(session=session, actor=inspector, form=form)
    assert "rectify_by" in _problems(exc)
    deadline = to_local(form.started_at).date() + timedelta(days=10)
    inspection = service.record_inspection(
        session=session, actor=inspector, form=replace(form, rectify_by=deadline)
    )
    assert inspection.result is InspectionResult.BASICALLY_COMPLIANT
    assert inspection.key_failed == 1 and inspection.rectify_by == deadline


def test_two_failed_key_items_are_non_compliant_and_a_typed_result_must_agree(
    session: Session, checklist: Checklist, store: Business, inspector: Principal
) -> None:
    failed = {"4.2": "健康证明过期", "9.3": "餐具未消毒"}
    form = _form(
        session, checklist, store, inspector, failed, stated_result=InspectionResult.COMPLIANT
    )
    with pytest.raises(ValidationFailed) as exc:
        service.record_inspection(session=session, actor=inspector, form=form)
    assert "'Non-compliant', not 'Compliant'" in _problems(exc)["result"]
    inspection = service.record_inspection(
        session=session,
        actor=inspector,
        form=replace(
            form,
            stated_result=InspectionResult.NONCOMPLIANT,
            rectify_by=to_local(form.started_at).date() + timedelta(days=3),
        ),
    )
    assert inspection.result is InspectionResult.NONCOMPLIANT


def test_items_twice_or_missing_are_refused_and_nothing_is_stored(
    session: Session, checklist: Checklist, store: Business, inspector: Principal
) -> None:
    form = _form(session, checklist, store, inspector)
    answers = [*form.answers[:-2], form.answers[0]]  # 9.2 and 9.3 left out, 1.1 twice
    with pytest.raises(ValidationFailed) as exc:
        service.record_inspection(
            session=session, actor=inspector, form=replace(form, answers=answers)
        )
    problems = _problems(exc)
    assert "answered twice" in problems[f"items[{len(answers) - 1}].item"]
    assert "9.2, 9.3" in problems["items"]
    assert _count(session) == 0


def test_a_flying_inspection_may_check_some_items(
    session: Session, checklist: Checklist, store: Business, inspector: Principal
) -> None:
    form = _form(session, checklist, store, inspector)
    flying = replace(form, kind=InspectionKind.FLYING, answers=list(form.answers[:3]))
    inspection = service.record_inspection(session=session, actor=inspector, form=flying)
    assert inspection.result is InspectionResult.COMPLIANT


def test_failures_and_items_not_applicable_say_why(
    session: Session, checklist: Checklist, store: Business, inspector: Principal
) -> None:
    form = _form(session, checklist, store, inspector)
    answers = [
        ItemAnswer("1.1", F),  # no note
        ItemAnswer("5.2", NA),  # applies to every caterer: say why
        ItemAnswer("7.5", NA),  # only central kitchens and group meals: no reason needed
        *[a for a in form.answers if a.item_code not in {"1.1", "5.2", "7.5"}],
    ]
    deadline = to_local(form.started_at).date() + timedelta(days=7)
    with pytest.raises(ValidationFailed) as exc:
        service.record_inspection(
            session=session,
            actor=inspector,
            form=replace(form, answers=answers, rectify_by=deadline),
        )
    assert set(_problems(exc)) == {"items[0].note", "items[1].note"}


def test_two_officers_whose_offices_cover_the_business_inspect(
    session: Session, checklist: Checklist, store: Business, inspector: Principal
) -> None:
    form = _form(session, checklist, store, inspector)
    alone = replace(form, inspector_ids=[inspector.user_id or 0])
    with pytest.raises(ValidationFailed) as exc:
        service.record_inspection(session=session, actor=inspector, form=alone)
    assert "two officers" in _problems(exc)["inspectors"]
    neighbour = principal_of(session, "inspector_b")
    with pytest.raises(ValidationFailed) as exc:
        service.record_inspection(
            session=session,
            actor=inspector,
            form=replace(form, inspector_ids=[inspector.user_id or 0, neighbour.user_id or 0]),
        )
    assert "does not cover" in _problems(exc)["inspectors[1]"]


def test_another_county_cannot_record_an_inspection_of_the_business(
    session: Session, checklist: Checklist, store: Business, inspector: Principal
) -> None:
    neighbour = principal_of(session, "inspector_b")
    form = _form(session, checklist, store, inspector)
    with pytest.raises(NotFoundError):
        service.record_inspection(session=session, actor=neighbour, form=form)


def test_a_record_sent_twice_is_stored_once(
    session: Session, checklist: Checklist, store: Business, inspector: Principal
) -> None:
    form = _form(session, checklist, store, inspector, client_key="device-1:0001")
    first = service.record_inspection(session=session, actor=inspector, form=form)
    again = service.record_inspection(session=session, actor=inspector, form=form)
    assert again.id == first.id and _count(session) == 1
    other = (
        session.execute(
            select(Business).where(
                Business.county_code == store.county_code, Business.id != store.id
            )
        )
        .scalars()
        .first()
    )
    assert other is not None
    with pytest.raises(ConflictError):
        service.record_inspection(
            session=session, actor=inspector, form=replace(form, business_id=other.id)
        )


def test_a_device_showing_a_replaced_checklist_is_told_to_reload(
    session: Session, checklist: Checklist, store: Business, inspector: Principal
) -> None:
    form = _form(session, checklist, store, inspector)
    draft = session.execute(select(Checklist).where(Checklist.version == "2022")).scalar_one()
    with pytest.raises(ConflictError):
        service.record_inspection(
            session=session, actor=inspector, form=replace(form, checklist_id=draft.id)
        )


def test_each_inspector_and_the_representative_sign_and_photos_go_with_their_items(
    session: Session, checklist: Checklist, store: Business, inspector: Principal
) -> None:
    failed = {"5.1": "地面油污严重"}
    form = _form(session, checklist, store, inspector, failed)
    unsigned = replace(form, signatures=list(form.signatures)[:1])
    deadline = to_local(form.started_at).date() + timedelta(days=5)
    with pytest.raises(ValidationFailed) as exc:
        service.record_inspection(
            session=session, actor=inspector, form=replace(unsigned, rectify_by=deadline)
        )
    assert "signatures" in _problems(exc)
    photos = [ItemPhoto("5.1", signature_png(90)), ItemPhoto("0.0", signature_png(90))]
    with pytest.raises(ValidationFailed) as exc:
        service.record_inspection(
            session=session,
            actor=inspector,
            form=replace(form, photos=photos, rectify_by=deadline),
        )
    assert set(_problems(exc)) == {"photos[1].item"}
    inspection = service.record_inspection(
        session=session,
        actor=inspector,
        form=replace(
            form,
            signatures=signatures(list(form.inspector_ids)),
            photos=[ItemPhoto("5.1", signature_png(90))],
            rectify_by=deadline,
        ),
    )
    assert inspection.representative_signature
    photos = session.execute(
        select(InspectionItemResult.photos).where(
            InspectionItemResult.inspection_id == inspection.id
        )
    ).scalars()
    found = [tokens for tokens in photos if tokens]  # (JSON has no equality on PostgreSQL)
    assert len(found) == 1 and len(found[0]) == 1
