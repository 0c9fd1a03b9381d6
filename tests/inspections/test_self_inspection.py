"""Recording a business self-inspection (主体自查): one per business, frequency and period,
every item of its list answered once, photos checked, failed items opening to-dos."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from self_helpers import all_codes, at, business_of, form, key_codes, load_checklist, photo
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import principal_of
from sunshine.audit.models import AuditEntry
from sunshine.auth.principal import Principal
from sunshine.config import Settings
from sunshine.core import storage
from sunshine.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailed
from sunshine.core.evidence import EvidenceRejected, Upload
from sunshine.core.evidence_models import EvidenceFile
from sunshine.core.time import today_local
from sunshine.inspections import self_service, self_views
from sunshine.inspections.enums import ItemOutcome
from sunshine.inspections.models import Checklist
from sunshine.inspections.self_models import SelfCheckTodo, SelfInspection
from sunshine.inspections.self_rules import SelfCheckFrequency, TodoStatus
from sunshine.inspections.self_service import SelfAnswer, SelfPhoto
from sunshine.registry.models import Business

DAILY, WEEKLY, MONTHLY = SelfCheckFrequency


@pytest.fixture
def checklist(session: Session) -> Checklist:
    return load_checklist(session)


@pytest.fixture
def staff(session: Session) -> Principal:
    return principal_of(session, "staff_a")


@pytest.fixture
def store(session: Session, staff: Principal) -> Business:
    assert staff.business_id is not None
    return business_of(session, staff.business_id)


def _count(session: Session, model: type[SelfInspection] | type[EvidenceFile]) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _evidence_folders() -> set[str]:
    folder = storage.root() / "evidence"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_staff_records_a_daily_check_of_the_key_items_with_a_failed_item_and_a_photo(
    session: Session, checklist: Checklist, staff: Principal, store: Business
) -> None:
    keys = key_codes(session, checklist)
    assert len(keys) == 7  # the default daily list: the 2016 table's key items
    bad = keys[1]
    record = self_service.record_self_inspection(
        session=session,
        actor=staff,
        form=form(store, keys, failed={bad: "冷藏柜温度 9℃"}, photos=[SelfPhoto(bad, photo())]),
    )
    today = today_local()
    assert (record.period_start, record.period_end, record.checked_on) == (today, today, today)
    assert (record.item_count, record.passed, record.failed) == (7, 6, 1)
    assert record.checklist_id == checklist.id and record.recorded_by_id == staff.user_id
    shown = self_views.self_inspection_file(
        session=session, actor=staff, self_inspection_id=record.id
    )
    photos = {item.code: answer.photos for item, answer in shown.answers}
    assert len(photos[bad]) == 1 and all(not p for c, p in photos.items() if c != bad)
    [(todo, item)] = shown.todos
    assert item.code == bad and todo.problem == "冷藏柜温度 9℃"
    assert todo.due_on == today + timedelta(days=1)  # the daily default (our choice)
    assert todo.status is TodoStatus.OPEN and not todo.overdue(today)
    assert todo.overdue(today + timedelta(days=2))
    assert session.execute(
        select(AuditEntry).where(AuditEntry.action == "self_inspection.record")
    ).scalar_one()


def test_weekly_and_monthly_checks_cover_the_whole_checklist(
    session: Session, checklist: Checklist, staff: Principal, store: Business
) -> None:
    codes = all_codes(session, checklist)
    with pytest.raises(ValidationFailed) as short:
        self_service.record_self_inspection(
            session=session,
            actor=staff,
            form=form(store, key_codes(session, checklist), WEEKLY),
        )
    assert [p.field for p in short.value.problems] == ["items"]
    weekly = self_service.record_self_inspection(
        session=session,
        actor=staff,
        form=form(store, codes, WEEKLY, not_applicable=["7.5"]),
    )
    assert weekly.item_count == 30 and weekly.not_applicable == 1 and weekly.answered == 29
    assert weekly.period_start.weekday() == 0
    assert (weekly.period_end - weekly.period_start).days == 6
    monthly = self_service.record_self_inspection(
        session=session, actor=staff, form=form(store, codes, MONTHLY)
    )
    assert monthly.period_start.day == 1 and monthly.period_end.month == monthly.period_start.month


def test_a_second_self_inspection_of_the_same_period_is_refused(
    session: Session, checklist: Checklist, staff: Principal, store: Business
) -> None:
    keys = key_codes(session, checklist)
    self_service.record_self_inspection(session=session, actor=staff, form=form(store, keys))
    with pytest.raises(ConflictError) as exc:
        self_service.record_self_inspection(session=session, actor=staff, form=form(store, keys))
    assert "already recorded" in exc.value.text and today_local().isoformat() in exc.value.text
    assert _count(session, SelfInspection) == 1
    # the next day is another period
    tomorrow = at(today_local() + timedelta(days=1))
    self_service.record_self_inspection(
        session=session, actor=staff, form=form(store, keys), now=tomorrow
    )
    assert _count(session, SelfInspection) == 2


def test_an_item_answered_twice_or_not_on_the_list_is_refused_whole(
    session: Session, checklist: Checklist, staff: Principal, store: Business
) -> None:
    keys = key_codes(session, checklist)
    good = form(store, keys)
    twice = replace(good, answers=[*good.answers, SelfAnswer(keys[0], ItemOutcome.FAIL, "脏")])
    with pytest.raises(ValidationFailed) as exc:
        self_service.record_self_inspection(session=session, actor=staff, form=twice)
    assert any("answered twice" in p.text for p in exc.value.problems)
    stranger = replace(good, answers=[*good.answers, SelfAnswer("5.4", ItemOutcome.PASS)])
    with pytest.raises(ValidationFailed) as exc:
        self_service.record_self_inspection(session=session, actor=staff, form=stranger)
    assert exc.value.problems[0].text == "'5.4' is not an item of this self-inspection"
    silent = form(store, keys, failed={keys[0]: "  "})
    with pytest.raises(ValidationFailed) as exc:
        self_service.record_self_inspection(session=session, actor=staff, form=silent)
    assert exc.value.problems[0].field == "items[0].note"
    assert _count(session, SelfInspection) == 0


def test_a_due_date_is_chosen_within_ninety_days(
    session: Session, checklist: Checklist, staff: Principal, store: Business
) -> None:
    keys = key_codes(session, checklist)
    today = today_local()
    late = form(store, keys, failed={keys[0]: "无"}, due={keys[0]: today + timedelta(days=91)})
    with pytest.raises(ValidationFailed) as exc:
        self_service.record_self_inspection(session=session, actor=staff, form=late)
    assert exc.value.problems[0].field == "items[0].due_on"
    chosen = form(store, keys, failed={keys[0]: "无"}, due={keys[0]: today + timedelta(days=5)})
    record = self_service.record_self_inspection(session=session, actor=staff, form=chosen)
    [(todo, _item)] = self_views.self_inspection_file(
        session=session, actor=staff, self_inspection_id=record.id
    ).todos
    assert todo.due_on == today + timedelta(days=5)


def test_a_photo_that_is_not_an_image_is_refused_with_nothing_stored(
    session: Session, checklist: Checklist, staff: Principal, store: Business
) -> None:
    import io

    keys = key_codes(session, checklist)
    before = _evidence_folders()
    fake = Upload("problem.jpg", io.BytesIO(b"this is a text file, not a photo" * 20))
    bad = form(store, keys, failed={keys[0]: "地面油污"}, photos=[SelfPhoto(keys[0], fake)])
    with pytest.raises(EvidenceRejected) as exc:
        self_service.record_self_inspection(session=session, actor=staff, form=bad)
    assert "not a supported file" in exc.value.problems[0].text
    assert _count(session, SelfInspection) == 0 and _count(session, EvidenceFile) == 0
    assert _evidence_folders() == before


def test_a_photo_too_large_is_refused_with_nothing_stored(
    session: Session,
    checklist: Checklist,
    staff: Principal,
    store: Business,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = key_codes(session, checklist)
    monkeypatch.setattr(settings, "evidence_photo_max_bytes", 200)
    before = _evidence_folders()
    big = form(
        store,
        keys,
        failed={keys[0]: "地面油污"},
        photos=[SelfPhoto(keys[0], photo(size=(400, 300)))],
    )
    with pytest.raises(EvidenceRejected) as exc:
        self_service.record_self_inspection(session=session, actor=staff, form=big)
    assert "too large" in exc.value.problems[0].text
    assert _count(session, SelfInspection) == 0 and _count(session, EvidenceFile) == 0
    assert _evidence_folders() == before


def test_too_many_photos_for_one_item_are_refused(
    session: Session, checklist: Checklist, staff: Principal, store: Business
) -> None:
    keys = key_codes(session, checklist)
    many = [SelfPhoto(keys[0], photo()) for _ in range(4)]
    with pytest.raises(ValidationFailed) as exc:
        self_service.record_self_inspection(
            session=session, actor=staff, form=form(store, keys, failed={keys[0]: "x"}, photos=many)
        )
    assert exc.value.problems[0].text == f"at most 3 photos for item {keys[0]}"


def test_the_business_closes_a_to_do_with_a_note_and_a_photo(
    session: Session, checklist: Checklist, staff: Principal, store: Business
) -> None:
    keys = key_codes(session, checklist)
    record = self_service.record_self_inspection(
        session=session, actor=staff, form=form(store, keys, failed={keys[2]: "消毒柜故障"})
    )
    [(todo, _)] = self_views.self_inspection_file(
        session=session, actor=staff, self_inspection_id=record.id
    ).todos
    with pytest.raises(ValidationFailed):
        self_service.close_todo(session=session, actor=staff, todo_id=todo.id, note=" ")
    closed = self_service.close_todo(
        session=session, actor=staff, todo_id=todo.id, note="已报修并更换", photos=[photo()]
    )
    assert closed.status is TodoStatus.CLOSED and len(closed.closing_photos) == 1
    assert closed.closed_by_id == staff.user_id and not closed.overdue(today_local())
    with pytest.raises(ConflictError):
        self_service.close_todo(session=session, actor=staff, todo_id=todo.id, note="again")


def test_overdue_to_dos_are_those_open_past_their_due_date(
    session: Session, checklist: Checklist, staff: Principal, store: Business
) -> None:
    keys = key_codes(session, checklist)
    week_ago = today_local() - timedelta(days=7)
    self_service.record_self_inspection(
        session=session,
        actor=staff,
        form=form(store, keys, failed={keys[0]: "过期", keys[1]: "未清洁"}),
        now=at(week_ago),
    )
    overview = self_views.overview(
        session=session, actor=staff, business=store, page=self_views.PageRequest(1, 20)
    )
    assert (overview.open_todos, overview.overdue_todos) == (2, 2)
    todos = session.execute(select(SelfCheckTodo)).scalars().all()
    assert {t.due_on for t in todos} == {week_ago + timedelta(days=1)}


def test_the_daily_list_is_chosen_by_the_owner_or_a_manager(
    session: Session, checklist: Checklist, staff: Principal, store: Business
) -> None:
    with pytest.raises(ForbiddenError):
        self_service.configure_daily_list(
            session=session, actor=staff, business_id=store.id, item_codes=["4.4"]
        )
    manager = principal_of(session, "manager_a")
    with pytest.raises(ValidationFailed) as exc:
        self_service.configure_daily_list(
            session=session, actor=manager, business_id=store.id, item_codes=["4.4", "99.9"]
        )
    assert exc.value.problems[0].text == "not items of the checklist in force: 99.9"
    self_service.configure_daily_list(
        session=session, actor=manager, business_id=store.id, item_codes=["4.4", "5.1", "9.3"]
    )
    with pytest.raises(ValidationFailed):  # the key items are no longer the list
        self_service.record_self_inspection(
            session=session, actor=staff, form=form(store, key_codes(session, checklist))
        )
    record = self_service.record_self_inspection(
        session=session, actor=staff, form=form(store, ["4.4", "5.1", "9.3"])
    )
    assert record.item_count == 3


def test_a_chain_hq_reads_but_does_not_record(
    session: Session, checklist: Checklist, store: Business
) -> None:
    owner = principal_of(session, "owner_a")
    keys = key_codes(session, checklist)
    hq = principal_of(session, "chain_hq")
    with pytest.raises((ForbiddenError, NotFoundError)):
        self_service.record_self_inspection(session=session, actor=hq, form=form(store, keys))
    assert self_service.record_self_inspection(session=session, actor=owner, form=form(store, keys))
