"""Recording business self-inspections (主体自查) and working their to-dos.

A self-inspection covers one period of its frequency (a day, an ISO week, a month; see
:mod:`self_rules`) and is made with the catering checklist in force: a daily check with the
business's short daily list, a weekly or monthly one with every item. It is refused whole,
naming every problem, when an item is answered twice, left out or not on the list, a failed
item says nothing about what is wrong, a due date is out of range, or a photo is not an
image or too large (nothing is stored). A second self-inspection of the same business,
frequency and period is refused: the first one stands.

Every failed item opens a to-do (自查整改待办) due on the date the business chose, or the
frequency's default; the business closes it with a note and, if it likes, photos.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth.principal import Principal
from sunshine.core import evidence
from sunshine.core.errors import (
    ConflictError,
    FieldProblem,
    NotFoundError,
    ProblemList,
    ValidationFailed,
)
from sunshine.core.evidence_models import EvidenceKind
from sunshine.core.i18n import N_, Message
from sunshine.core.time import to_local, utc_now
from sunshine.inspections import checklists, self_access
from sunshine.inspections import repository as checklist_repo
from sunshine.inspections import self_repository as repo
from sunshine.inspections.answers import match_answers
from sunshine.inspections.enums import ItemOutcome
from sunshine.inspections.models import Checklist, ChecklistItem
from sunshine.inspections.self_models import (
    SelfCheckDailyList,
    SelfCheckTodo,
    SelfInspection,
    SelfInspectionAnswer,
)
from sunshine.inspections.self_rules import (
    FREQUENCY_LABELS,
    MAX_DUE_DAYS,
    Period,
    SelfCheckFrequency,
    TodoStatus,
    default_due,
    period_of,
)
from sunshine.registry.models import Business
from sunshine.registry.service import get_business

OWNER = "self_inspection"
TODO_OWNER = "self_check_todo"
MAX_PHOTOS_PER_ITEM = 3
MAX_PHOTOS = 20
MAX_CLOSING_PHOTOS = 3
PHOTOS = evidence.EvidenceRules(
    kinds=frozenset({EvidenceKind.PHOTO}), max_files=MAX_PHOTOS, field="photos"
)
CLOSING_PHOTOS = evidence.EvidenceRules(
    kinds=frozenset({EvidenceKind.PHOTO}), max_files=MAX_CLOSING_PHOTOS, field="photos"
)
NOTE_LIMIT = 500


@dataclass(frozen=True)
class SelfAnswer:
    item_code: str
    outcome: ItemOutcome
    note: str = ""
    due_on: date | None = None  # a failed item's to-do; None: the frequency's default


@dataclass(frozen=True)
class SelfPhoto:
    item_code: str
    upload: evidence.Upload


@dataclass(frozen=True)
class SelfInspectionForm:
    business_id: int
    frequency: SelfCheckFrequency
    answers: Sequence[SelfAnswer]
    checked_by_name: str
    remarks: str = ""
    photos: Sequence[SelfPhoto] = ()


# Reading the checklist a self-inspection uses ------------------------------------------------


def checklist_in_force(session: Session, business: Business) -> Checklist:
    current = checklists.in_force(
        session=session, code="catering", province_code=business.province_code
    )
    if current is None:
        raise ValidationFailed([FieldProblem("checklist", N_("no checklist is in force"))])
    return current


def default_daily_items(items: Sequence[ChecklistItem]) -> list[ChecklistItem]:
    """The checklist's key items (重点项): the default daily list (our choice)."""
    return [item for item in items if item.key]


def daily_items(
    session: Session, business: Business, items: Sequence[ChecklistItem]
) -> tuple[list[ChecklistItem], bool]:
    """The business's daily list within ``items`` and whether it is the default one."""
    chosen = repo.daily_list(session, business.id)
    codes = set(chosen.item_codes) if chosen else set()
    picked = [item for item in items if item.code in codes]
    if picked:
        return picked, False
    return default_daily_items(items), True


def items_for(
    session: Session, business: Business, frequency: SelfCheckFrequency
) -> tuple[Checklist, list[ChecklistItem]]:
    """The checklist in force and the items a self-inspection of ``frequency`` covers."""
    checklist = checklist_in_force(session, business)
    items = list(checklist_repo.items_of(session, checklist.id))
    if frequency is SelfCheckFrequency.DAILY:
        items = daily_items(session, business, items)[0]
    return checklist, items


# Recording -----------------------------------------------------------------------------------


def record_self_inspection(
    *,
    session: Session,
    actor: Principal,
    form: SelfInspectionForm,
    now: datetime | None = None,
) -> SelfInspection:
    """Store the self-inspection in ``form`` for the current period (``now``: the demo
    records past ones) and open a to-do for each failed item."""
    business = get_business(session=session, actor=actor, business_id=form.business_id)
    self_access.require_recorder(actor, business.id)
    checked_at = now or utc_now()
    checked_on = to_local(checked_at).date()
    period = period_of(form.frequency, checked_on)
    _refuse_second(session, business, period)
    checklist, items = items_for(session, business, form.frequency)
    check = ProblemList()
    outcomes = _answers(check, form, items, checked_on)
    _check_photos(check, form, {item.code for item, _ in outcomes})
    name = form.checked_by_name.strip()
    if not name:
        check.add("checked_by_name", N_("say who made the self-inspection"))
    if len(form.remarks) > NOTE_LIMIT:
        check.add("remarks", N_("at most {limit} characters"), limit=NOTE_LIMIT)
    if check.problems:
        raise ValidationFailed(check.problems)
    # The files last: every other problem is named before any file is read.
    prepared = evidence.prepare(
        session=session, uploads=[p.upload for p in form.photos], rules=PHOTOS
    )
    record = _store(session, actor, form, business, checklist, period, outcomes, checked_at)
    _open_todos(session, record, form.frequency, outcomes, checked_on)
    _attach_photos(session, actor, record, form, prepared)
    audit.record(
        session=session,
        actor=actor,
        action="self_inspection.record",
        entity_type="self_inspection",
        entity_id=record.id,
        after={
            "business_id": business.id,
            "frequency": form.frequency.value,
            "period": period.label,
            "checklist_id": checklist.id,
            "failed": record.failed,
        },
    )
    return record


def _refuse_second(session: Session, business: Business, period: Period) -> None:
    stored = repo.find_self_inspection(
        session, business_id=business.id, frequency=period.frequency, period_start=period.start
    )
    if stored is not None:
        raise ConflictError(
            N_(
                "The {frequency} for {period} was already recorded on {day}; "
                "one self-inspection is kept per period. Open it to see its answers."
            ),
            frequency=Message(FREQUENCY_LABELS[period.frequency]),
            period=period.label,
            day=stored.checked_on.isoformat(),
        )


def _answers(
    check: ProblemList, form: SelfInspectionForm, items: list[ChecklistItem], checked_on: date
) -> list[tuple[ChecklistItem, SelfAnswer]]:
    outcomes, missing = match_answers(
        check,
        form.answers,
        items,
        unknown=N_("'{code}' is not an item of this self-inspection"),
        check_answer=lambda path, item, answer: _check_answer(
            check, path, item, answer, checked_on
        ),
    )
    if missing:
        check.add(
            "items",
            N_("answer every item of the list; missing: {codes}"),
            codes=", ".join(missing),
        )
    return outcomes


def _check_answer(
    check: ProblemList, path: str, item: ChecklistItem, answer: SelfAnswer, checked_on: date
) -> None:
    if answer.outcome is ItemOutcome.FAIL and not answer.note.strip():
        check.add(f"{path}.note", N_("say what is wrong with item {code}"), code=item.code)
    if len(answer.note) > NOTE_LIMIT:
        check.add(f"{path}.note", N_("at most {limit} characters"), limit=NOTE_LIMIT)
    if answer.due_on is None or answer.outcome is not ItemOutcome.FAIL:
        return
    latest = checked_on + timedelta(days=MAX_DUE_DAYS)
    if not checked_on <= answer.due_on <= latest:
        check.add(
            f"{path}.due_on",
            N_("the rectification due date of item {code} is between {first} and {last}"),
            code=item.code,
            first=checked_on.isoformat(),
            last=latest.isoformat(),
        )


def _check_photos(check: ProblemList, form: SelfInspectionForm, answered: set[str]) -> None:
    per_item: dict[str, int] = {}
    for n, photo in enumerate(form.photos):
        if photo.item_code not in answered:
            check.add(
                f"photos[{n}].item",
                N_("'{code}' is not an item of this self-inspection"),
                code=photo.item_code,
            )
        per_item[photo.item_code] = per_item.get(photo.item_code, 0) + 1
    for code, count in per_item.items():
        if count > MAX_PHOTOS_PER_ITEM:
            check.add(
                "photos",
                N_("at most {limit} photos for item {code}"),
                limit=MAX_PHOTOS_PER_ITEM,
                code=code,
            )


def _store(
    session: Session,
    actor: Principal,
    form: SelfInspectionForm,
    business: Business,
    checklist: Checklist,
    period: Period,
    outcomes: list[tuple[ChecklistItem, SelfAnswer]],
    checked_at: datetime,
) -> SelfInspection:
    count = {o: sum(a.outcome is o for _, a in outcomes) for o in ItemOutcome}
    record = SelfInspection(
        business_id=business.id,
        frequency=form.frequency,
        period_start=period.start,
        period_end=period.end,
        checklist_id=checklist.id,
        checked_on=to_local(checked_at).date(),
        checked_by_name=form.checked_by_name.strip()[:60],
        item_count=len(outcomes),
        passed=count[ItemOutcome.PASS],
        failed=count[ItemOutcome.FAIL],
        not_applicable=count[ItemOutcome.NOT_APPLICABLE],
        remarks=form.remarks.strip(),
        recorded_by_id=actor.user_id,
        recorded_at=checked_at,
    )
    session.add(record)
    session.flush()
    session.add_all(
        SelfInspectionAnswer(
            self_inspection_id=record.id,
            item_id=item.id,
            outcome=answer.outcome,
            note=answer.note.strip(),
            photos=[],
        )
        for item, answer in outcomes
    )
    session.flush()
    return record


def _open_todos(
    session: Session,
    record: SelfInspection,
    frequency: SelfCheckFrequency,
    outcomes: list[tuple[ChecklistItem, SelfAnswer]],
    checked_on: date,
) -> None:
    session.add_all(
        SelfCheckTodo(
            business_id=record.business_id,
            self_inspection_id=record.id,
            item_id=item.id,
            problem=answer.note.strip(),
            due_on=answer.due_on or default_due(frequency, checked_on),
            status=TodoStatus.OPEN,
            created_at=record.recorded_at,
            closing_note="",
            closing_photos=[],
        )
        for item, answer in outcomes
        if answer.outcome is ItemOutcome.FAIL
    )
    session.flush()


def _attach_photos(
    session: Session,
    actor: Principal,
    record: SelfInspection,
    form: SelfInspectionForm,
    prepared: list[evidence.PreparedFile],
) -> None:
    if not prepared:
        return
    rows = evidence.record(
        session=session, actor=actor, prepared=prepared, owner_type=OWNER, owner_id=record.id
    )
    by_item: dict[str, list[str]] = {}
    for photo, row in zip(form.photos, rows, strict=True):
        by_item.setdefault(photo.item_code, []).append(row.token)
    for item, answer in repo.answers_of(session, record.id):
        answer.photos = by_item.get(item.code, [])
    session.flush()


# To-dos --------------------------------------------------------------------------------------


def close_todo(
    *,
    session: Session,
    actor: Principal,
    todo_id: int,
    note: str,
    photos: Sequence[evidence.Upload] = (),
    now: datetime | None = None,
) -> SelfCheckTodo:
    """Close a to-do with what was done (and photos of it, if any); ``now``: the demo
    closes past ones."""
    todo = repo.get_todo(session, todo_id=todo_id, scope=self_access.todo_condition(actor))
    if todo is None:
        raise NotFoundError(N_("No such self-inspection to-do"))
    self_access.require_recorder(actor, todo.business_id)
    if todo.status is TodoStatus.CLOSED:
        raise ConflictError(N_("This to-do is already closed."))
    problems = []
    if not note.strip():
        problems.append(FieldProblem("closing_note", N_("say what was done to put it right")))
    elif len(note) > NOTE_LIMIT:
        problems.append(
            FieldProblem(
                "closing_note", N_("at most {limit} characters"), params={"limit": NOTE_LIMIT}
            )
        )
    if problems:
        raise ValidationFailed(problems)
    prepared = evidence.prepare(session=session, uploads=list(photos), rules=CLOSING_PHOTOS)
    todo.status = TodoStatus.CLOSED
    todo.closed_at = now or utc_now()
    todo.closed_by_id = actor.user_id
    todo.closing_note = note.strip()
    if prepared:
        rows = evidence.record(
            session=session, actor=actor, prepared=prepared, owner_type=TODO_OWNER, owner_id=todo.id
        )
        todo.closing_photos = [row.token for row in rows]
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="self_check_todo.close",
        entity_type="self_check_todo",
        entity_id=todo.id,
        before={"status": TodoStatus.OPEN.value},
        after={"status": TodoStatus.CLOSED.value, "photos": len(todo.closing_photos)},
    )
    return todo


# The short daily list ------------------------------------------------------------------------


def configure_daily_list(
    *, session: Session, actor: Principal, business_id: int, item_codes: Sequence[str]
) -> SelfCheckDailyList:
    """Choose the items the business checks every day (at least one, from the checklist
    in force)."""
    business = get_business(session=session, actor=actor, business_id=business_id)
    self_access.require_configurer(actor)
    checklist = checklist_in_force(session, business)
    known = {item.code for item in checklist_repo.items_of(session, checklist.id)}
    codes = list(dict.fromkeys(code.strip() for code in item_codes if code.strip()))
    unknown = [code for code in codes if code not in known]
    problems = []
    if unknown:
        problems.append(
            FieldProblem(
                "items",
                N_("not items of the checklist in force: {codes}"),
                params={"codes": ", ".join(unknown)},
            )
        )
    if not codes:
        problems.append(FieldProblem("items", N_("choose at least one item to check every day")))
    if problems:
        raise ValidationFailed(problems)
    chosen = repo.daily_list(session, business.id)
    before = {"items": chosen.item_codes} if chosen else None
    if chosen is None:
        chosen = SelfCheckDailyList(business_id=business.id, checklist_id=checklist.id)
        session.add(chosen)
    chosen.checklist_id = checklist.id
    chosen.item_codes = codes
    chosen.updated_at = utc_now()
    chosen.updated_by_id = actor.user_id
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="self_check.daily_list",
        entity_type="business",
        entity_id=business.id,
        before=before,
        after={"items": codes, "checklist_id": checklist.id},
    )
    return chosen


# Evidence access -----------------------------------------------------------------------------


def evidence_access(session: Session, actor: Principal, owner_id: int) -> evidence.Access:
    """A self-inspection's photos: the copies without metadata for the business, the
    originals for the regulators who see it."""
    found = repo.get_self_inspection(
        session, self_inspection_id=owner_id, scope=self_access.self_inspection_condition(actor)
    )
    return _access_for(actor) if found is not None else evidence.Access.NONE


def todo_evidence_access(session: Session, actor: Principal, owner_id: int) -> evidence.Access:
    found = repo.get_todo(session, todo_id=owner_id, scope=self_access.todo_condition(actor))
    return _access_for(actor) if found is not None else evidence.Access.NONE


def _access_for(actor: Principal) -> evidence.Access:
    return evidence.Access.ORIGINAL if actor.is_regulator else evidence.Access.PUBLIC


def due_dates(frequency: SelfCheckFrequency, checked_on: date) -> Mapping[str, date]:
    """The default due date and the latest allowed, for the form's date pickers."""
    return {
        "default": default_due(frequency, checked_on),
        "min": checked_on,
        "max": checked_on + timedelta(days=MAX_DUE_DAYS),
    }
