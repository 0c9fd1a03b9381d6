"""Opening cases and moving them along the workflow, with their timeline and clocks."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth import repository as users_repo
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.cases import hooks
from sunshine.cases import repository as repo
from sunshine.cases import tallies as _tallies  # noqa: F401 - retires tab counts on change
from sunshine.cases.calendar import add_workdays
from sunshine.cases.clocks import set_due
from sunshine.cases.enums import CaseAction, CaseKind, CaseState
from sunshine.cases.events import INTAKE, SCHEDULER, record_event
from sunshine.cases.models import Case, CaseEvent
from sunshine.cases.workflow import moved_on, plan_move
from sunshine.core.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import today_local, utc_now
from sunshine.regions import repository as regions_repo
from sunshine.regions.models import OrgUnit
from sunshine.registry import repository as registry_repo
from sunshine.registry.service import RegionPlacement, get_business, resolve_region

log = logging.getLogger(__name__)

_PREFIX = {
    CaseKind.COMPLAINT: "TS",
    CaseKind.REPORT: "JB",
    CaseKind.LEAD: "XS",
    CaseKind.SAMPLING: "CJ",  # 抽检
    CaseKind.ENFORCEMENT: "LA",  # 立案
    CaseKind.RECALL: "ZH",  # 召回
}
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone


@dataclass(frozen=True)
class CaseDraft:
    """What is known when a case is opened."""

    kind: CaseKind
    title: str
    summary: str
    business_id: int | None = None
    region_code: str | None = None  # where it happened, when no business is named
    received_on: date | None = None
    priority: int = 0  # 1: a verified whistleblower group's report, first in the queues


def open_case(*, session: Session, actor: Principal, draft: CaseDraft) -> Case:
    """Record a new case and route it to the responsible unit of the place it concerns."""
    access.require_regulator(actor)
    placement = _placement(session=session, actor=actor, draft=draft)
    return _open(session=session, actor=actor, draft=draft, placement=placement)


def receive_submission(*, session: Session, draft: CaseDraft) -> Case:
    """Open the case of a complaint or report the public filed (no regulator is acting yet:
    the intake desk, :data:`INTAKE`, receives it for the responsible office)."""
    placement = _submission_placement(session=session, draft=draft)
    return _open(session=session, actor=INTAKE, draft=draft, placement=placement)


def _open(
    *, session: Session, actor: Principal, draft: CaseDraft, placement: RegionPlacement
) -> Case:
    unit = _responsible_unit(session=session, placement=placement)
    received_on = draft.received_on or today_local()
    if received_on > today_local():
        raise ValidationFailed(
            [FieldProblem("received_on", N_("The day of receipt cannot be in the future."))]
        )
    case = Case(
        reference=_new_reference(session, draft.kind),
        kind=draft.kind,
        state=CaseState.RECEIVED,
        title=_required_text(draft.title, "title", 200),
        summary=_required_text(draft.summary, "summary", 20_000),
        business_id=draft.business_id,
        province_code=placement.province_code,
        prefecture_code=placement.prefecture_code,
        county_code=placement.county_code,
        township_code=placement.township_code,
        org_unit_id=unit.id,
        escalations=0,
        priority=draft.priority,
        received_on=received_on,
        state_since=received_on,
    )
    session.add(case)
    session.flush()
    record_event(session=session, actor=actor, case=case, action="receive", source=None, unit=None)
    set_due(session=session, case=case)
    audit.record(
        session=session,
        actor=actor,
        action="case.open",
        entity_type="case",
        entity_id=case.id,
        after={"reference": case.reference, "kind": case.kind.value, "org_unit_id": unit.id},
    )
    return case


def get_case(*, session: Session, actor: Principal, case_id: int) -> Case:
    """One case file, if the actor may see it (404 otherwise, so existence is not revealed)."""
    case = repo.get_case(session, case_id=case_id, scope=access.case_condition(actor))
    if case is None:
        raise NotFoundError(N_("No such case"))
    return case


def visible_case_ids(*, session: Session, actor: Principal, case_ids: Iterable[int]) -> set[int]:
    """Those of ``case_ids`` the actor may open (to link only what will not answer 404)."""
    return repo.visible_case_ids(session, case_ids=case_ids, scope=access.case_condition(actor))


def list_cases(
    *, session: Session, actor: Principal, queue: repo.CaseQueue, page: PageRequest
) -> Page[Case]:
    """A workbench queue of the cases the actor may see ("mine": assigned to the actor)."""
    access.require_regulator(actor)
    if queue.name == "mine":
        queue = replace(queue, assignee_id=actor.user_id)
    today = today_local()
    rows, total = repo.page_cases(
        session,
        scope=access.case_condition(actor),
        queue=queue,
        today=today,
        due_soon_until=add_workdays(today, count=_WARNING_DAYS),
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=rows, total=total, request=page, count_cap=repo.count_cap_of(queue))


#: Roles that head the responsible office and so handle every case it holds.
OFFICE_HEADS = frozenset({Role.STATION_CHIEF, Role.BUREAU_LEADER})


def is_handler(*, actor: Principal, case: Case) -> bool:
    """Whether ``actor`` handles ``case`` (and so may see what only handlers see: a
    reporter's identity, original evidence): its assignee, or a head of the responsible
    office. Seeing a case in one's jurisdiction is not enough."""
    if not actor.is_regulator or actor.user_id is None:
        return False
    if case.assignee_id == actor.user_id:
        return True
    return actor.role in OFFICE_HEADS and actor.org_unit_id == case.org_unit_id


def record_sensitive_view(*, session: Session, actor: Principal, case: Case, what: str) -> None:
    """A view of sensitive data (a reporter's identity, an original file) goes on the case's
    timeline, so anyone with rights to the case sees who looked, at what, and when."""
    record_event(
        session=session,
        actor=actor,
        case=case,
        action="view_sensitive",
        source=case.state,
        unit=case.org_unit_id,
        reason=what,
    )


def timeline(*, session: Session, actor: Principal, case_id: int) -> list[CaseEvent]:
    """Every step of a case, oldest first."""
    get_case(session=session, actor=actor, case_id=case_id)
    return list(repo.events_of(session, case_id))


@dataclass(frozen=True)
class Step:
    """An action a handler takes, with what it needs: the version of the case the handler
    saw (``expected_version``), a reason where the step needs one, the assignee for an
    assignment and the receiving unit for a transfer."""

    action: CaseAction
    expected_version: int
    reason: str | None = None
    assignee_id: int | None = None
    to_org_unit_id: int | None = None


def act(
    *,
    session: Session,
    actor: Principal,
    case_id: int,
    step: Step,
    scope: ColumnElement[bool] | None = None,
) -> Case:
    """Move a case one step. A handler who acted on an older version of the case (someone
    else acted first) gets a conflict and nothing is changed. ``scope`` replaces the
    actor's view of cases for the scheduler, which acts on every case."""
    case = repo.get_case(
        session, case_id=case_id, scope=access.case_condition(actor) if scope is None else scope
    )
    if case is None:
        raise NotFoundError(N_("No such case"))
    if case.version != step.expected_version:
        raise moved_on()
    move = plan_move(
        kind=case.kind, state=case.state, action=step.action, role=actor.role, reason=step.reason
    )
    before = _snapshot(case)
    source_unit = case.org_unit_id
    _apply_side_effects(session=session, case=case, step=step)
    if move.target is not case.state:
        case.state = move.target
        case.state_since = today_local()
    case.closed_at = utc_now() if case.state is CaseState.CLOSED else None
    try:
        session.flush()
    except StaleDataError as exc:  # another handler's write landed between read and write
        raise moved_on() from exc
    record_event(
        session=session,
        actor=actor,
        case=case,
        action=step.action.value,
        source=move.source,
        unit=source_unit,
        reason=step.reason,
    )
    set_due(session=session, case=case)
    hooks.case_moved(
        session=session,
        move=hooks.CaseMove(case=case, action=step.action, source=move.source, reason=step.reason),
    )
    audit.record(
        session=session,
        actor=actor,
        action=f"case.{step.action.value}",
        entity_type="case",
        entity_id=case.id,
        before=before,
        after=_snapshot(case),
    )
    return case


def _apply_side_effects(*, session: Session, case: Case, step: Step) -> None:
    if step.action is CaseAction.ASSIGN:
        case.assignee_id = _assignee(session=session, case=case, user_id=step.assignee_id)
    elif step.action is CaseAction.TRANSFER:
        case.org_unit_id = _transfer_target(session=session, case=case, unit_id=step.to_org_unit_id)
        case.assignee_id = None
    elif step.action is CaseAction.ESCALATE:
        case.org_unit_id = _supervising_unit(session=session, case=case)
        case.escalations += 1


def _assignee(*, session: Session, case: Case, user_id: int | None) -> int:
    """A regulator of the responsible unit or of a unit inside its jurisdiction."""
    user = users_repo.get_user(session, user_id) if user_id is not None else None
    unit = regions_repo.get_org_unit(session, case.org_unit_id)
    assert unit is not None
    allowed = regions_repo.org_unit_ids_within(
        session, level=unit.region_level, code=unit.region_code
    )
    if user is None or not user.is_active or user.org_unit_id not in allowed:
        raise ValidationFailed(
            [FieldProblem("assignee_id", N_("Choose an officer of the responsible office."))]
        )
    return user.id


def _transfer_target(*, session: Session, case: Case, unit_id: int | None) -> int:
    unit = regions_repo.get_org_unit(session, unit_id) if unit_id is not None else None
    if unit is None or not unit.active or unit.id == case.org_unit_id:
        raise ValidationFailed(
            [FieldProblem("to_org_unit_id", N_("Choose another active office to transfer to."))]
        )
    return unit.id


def _supervising_unit(*, session: Session, case: Case) -> int:
    unit = regions_repo.get_org_unit(session, case.org_unit_id)
    if unit is None or unit.parent_id is None:
        raise ValidationFailed(
            [FieldProblem("action", N_("This office has no supervising office to escalate to."))]
        )
    return unit.parent_id


def _placement(*, session: Session, actor: Principal, draft: CaseDraft) -> RegionPlacement:
    if draft.business_id is not None:
        business = get_business(session=session, actor=actor, business_id=draft.business_id)
        return RegionPlacement(
            province_code=business.province_code,
            prefecture_code=business.prefecture_code,
            county_code=business.county_code,
            township_code=business.township_code,
        )
    if not draft.region_code:
        raise ValidationFailed(
            [FieldProblem("region_code", N_("Name the business or the place it concerns."))]
        )
    return resolve_region(session, draft.region_code)


def _submission_placement(*, session: Session, draft: CaseDraft) -> RegionPlacement:
    if draft.business_id is not None:
        business = registry_repo.get_business(session, business_id=draft.business_id, scope=true())
        if business is None:
            raise ValidationFailed([FieldProblem("business_id", N_("No such business"))])
        return RegionPlacement(
            province_code=business.province_code,
            prefecture_code=business.prefecture_code,
            county_code=business.county_code,
            township_code=business.township_code,
        )
    if not draft.region_code:
        raise ValidationFailed(
            [FieldProblem("region_code", N_("Name the business or the place it concerns."))]
        )
    return resolve_region(session, draft.region_code)


def _responsible_unit(*, session: Session, placement: RegionPlacement) -> OrgUnit:
    """The most local active office covering the place: the station of the township, else
    the county bureau, else the city bureau, else the provincial bureau."""
    codes = [
        code
        for code in (
            placement.township_code,
            placement.county_code,
            placement.prefecture_code,
            placement.province_code,
        )
        if code
    ]
    units = {unit.region_code: unit for unit in repo.active_units_for_regions(session, codes)}
    for code in codes:
        if code in units:
            return units[code]
    raise ValidationFailed(
        [FieldProblem("region_code", N_("No office is responsible for this place."))]
    )


def _required_text(value: str, field: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed([FieldProblem(field, N_("Required"), code="required")])
    if len(text) > limit:
        raise ValidationFailed(
            [FieldProblem(field, N_("At most {limit} characters"), params={"limit": limit})]
        )
    return text


def _new_reference(session: Session, kind: CaseKind) -> str:
    """A receipt-style reference, e.g. ``TS20261129-4K7Q2M``."""
    day = today_local().strftime("%Y%m%d")
    while True:
        tail = "".join(secrets.choice(_ALPHABET) for _ in range(6))
        reference = f"{_PREFIX[kind]}{day}-{tail}"
        if not repo.reference_exists(session, reference):
            return reference


def _snapshot(case: Case) -> dict[str, object]:
    return {
        "state": case.state.value,
        "org_unit_id": case.org_unit_id,
        "assignee_id": case.assignee_id,
        "escalations": case.escalations,
    }


@dataclass(frozen=True)
class SweepResult:
    warned: int
    escalated: int


def sweep_clocks(*, session: Session, today: date | None = None) -> SweepResult:
    """Warn about cases due soon and escalate overdue ones to the supervising office, once
    per due date each (the scheduler runs this every few minutes)."""
    today = today or today_local()
    warned = escalated = 0
    for case in repo.cases_due_by(session, add_workdays(today, count=_WARNING_DAYS)):
        try:
            # One case's failure (a handler's concurrent write) must not undo the others.
            with session.begin_nested():
                if _overdue(case, today):
                    escalated += _escalate_overdue(session=session, case=case)
                elif _to_warn(case, today):
                    _warn(session=session, case=case)
                    warned += 1
        except ConflictError:
            log.info("case %s changed during the sweep; it is swept again next time", case.id)
    return SweepResult(warned=warned, escalated=escalated)


def _overdue(case: Case, today: date) -> bool:
    return (
        case.due_on is not None and case.due_on < today and case.escalated_for_due_on != case.due_on
    )


def _to_warn(case: Case, today: date) -> bool:
    return (
        case.due_on is not None and case.due_on >= today and case.warned_for_due_on != case.due_on
    )


def _warn(*, session: Session, case: Case) -> None:
    case.warned_for_due_on = case.due_on
    record_event(
        session=session,
        actor=SCHEDULER,
        case=case,
        action="warn",
        source=case.state,
        unit=case.org_unit_id,
        reason=f"due {case.due_on} ({case.due_limit_key})",
    )


_WARNING_DAYS = 2


def _escalate_overdue(*, session: Session, case: Case) -> int:
    """Escalate one overdue case; an office with no supervising office keeps it (and the
    timeline says so), so the sweep does not try again for this due date."""
    due = case.due_on
    unit = regions_repo.get_org_unit(session, case.org_unit_id)
    if unit is None or unit.parent_id is None:
        case.escalated_for_due_on = due
        record_event(
            session=session,
            actor=SCHEDULER,
            case=case,
            action="overdue",
            source=case.state,
            unit=case.org_unit_id,
            reason=f"overdue since {due}; no supervising office",
        )
        return 0
    act(
        session=session,
        actor=SCHEDULER,
        case_id=case.id,
        step=Step(
            action=CaseAction.ESCALATE,
            expected_version=case.version,
            reason=f"overdue: due {due} ({case.due_limit_key})",
        ),
        scope=access.all_cases(),
    )
    case.escalated_for_due_on = due
    return 1
