"""The regulator's case workbench (案件工作台): queues with filters and the counts on their
tabs, the case file with its clock and the steps the viewer may take now, and the clock's
stops and extensions taken from forms that carry the version of the case the handler saw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sunshine.auth import access
from sunshine.auth.enums import Role
from sunshine.auth.models import User
from sunshine.auth.principal import Principal
from sunshine.cases import clocks, service
from sunshine.cases import repository as repo
from sunshine.cases import tallies as tallies_
from sunshine.cases.calendar import add_workdays, is_workday
from sunshine.cases.enums import CaseAction, CaseState
from sunshine.cases.limits import LimitRule, PauseKind, limit_for
from sunshine.cases.models import Case, CaseEvent, CaseExtension, CasePause
from sunshine.cases.repository import CaseQueue, WorkbenchFilter
from sunshine.cases.workflow import KINDS, OPEN_STATES, REASON_REQUIRED, allowed_actions, moved_on
from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import today_local
from sunshine.regions import directory
from sunshine.regions import repository as regions_repo
from sunshine.regions import service as regions_service
from sunshine.regions.enums import LEVEL_ORDER, RegionLevel
from sunshine.regions.models import OrgUnit

#: Who may be given a case: the roles that verify and handle cases (from the workflow).
ASSIGNEE_ROLES = frozenset(
    role for config in KINDS.values() for role in config.actors.get(CaseAction.START_VERIFYING, ())
)
#: Who may assign cases (and so sees the bulk assignment).
DISPATCHER_ROLES = frozenset(
    role for config in KINDS.values() for role in config.actors.get(CaseAction.ASSIGN, ())
)
#: Who approves an extension of a statutory time limit (the head of the bureau).
EXTENSION_APPROVERS = clocks._APPROVERS
PER_PAGE = 25
# A province has thousands of officers: pickers offer the first ones, office by office.
_PICKER_LIMIT = 300
_ONE_DAY = timedelta(days=1)


def due_soon_until(today: date) -> date:
    """The last due date of the "due soon" queue: the sweep's warning period."""
    return add_workdays(today, count=service._WARNING_DAYS)


def urgency(case: Case, today: date) -> str | None:
    """``"overdue"``, ``"due_soon"`` or None, for the badge beside a due date."""
    if case.due_on is None or case.state not in OPEN_STATES:
        return None
    if case.due_on < today:
        return "overdue"
    return "due_soon" if case.due_on <= due_soon_until(today) else None


# -- queues -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    """A case as a row of a queue: where it is, whose it is, how urgent."""

    case: Case
    business: str | None
    place: str
    unit: str
    assignee: str | None
    urgency: str | None


@dataclass(frozen=True)
class QueueCounts:
    """The counts on the workbench's tabs (under the filters in force). The closed queue,
    nearly every case of a province, is not counted here (its page says how many)."""

    open: int
    due_soon: int
    overdue: int
    mine: int
    by_state: dict[CaseState, int]


@dataclass(frozen=True)
class Workbench:
    page: Page[CaseRow]
    counts: QueueCounts
    today: date


def list_workbench(
    *,
    session: Session,
    actor: Principal,
    queue: CaseQueue,
    filters: WorkbenchFilter,
    page: PageRequest,
) -> Workbench:
    """A queue of the cases the actor may see, narrowed by the filters, most urgent first,
    with the counts of every tab."""
    access.require_regulator(actor)
    if queue.name == "mine":
        queue = replace(queue, assignee_id=actor.user_id)
    today = today_local()
    scope = access.case_condition(actor)
    tallies = tallies_.open_tallies(
        session=session,
        actor=actor,
        scope=scope,
        filters=filters,
        kind=queue.kind,
        today=today,
        due_soon_until=due_soon_until(today),
    )
    counted = queue.name == "closed"  # the open queues are counted by their tabs' tallies
    cases, total = repo.page_workbench(
        session,
        scope=scope,
        queue=queue,
        filters=filters,
        today=today,
        due_soon_until=due_soon_until(today),
        offset=page.offset,
        limit=page.per_page,
        counted=counted,
    )
    if total is None:
        total = _open_total(queue, tallies)
    return Workbench(
        page=Page(
            items=_rows(session, cases, today),
            total=total,
            request=page,
            count_cap=repo.count_cap_of(queue),
        ),
        counts=_counts(tallies),
        today=today,
    )


def _open_total(queue: CaseQueue, tallies: list[repo.StateTally]) -> int:
    """An open queue's size, from the tallies taken under the same filters and kind."""
    if queue.state is not None:
        tallies = [t for t in tallies if t.state == queue.state]
    field = {"open": "total", "due_soon": "due_soon", "overdue": "overdue", "mine": "mine"}
    return sum(getattr(t, field[queue.name]) for t in tallies)


def _counts(tallies: list[repo.StateTally]) -> QueueCounts:
    return QueueCounts(
        open=sum(t.total for t in tallies),
        due_soon=sum(t.due_soon for t in tallies),
        overdue=sum(t.overdue for t in tallies),
        mine=sum(t.mine for t in tallies),
        by_state={t.state: t.total for t in tallies},
    )


def _rows(session: Session, cases: Sequence[repo.NamedCase], today: date) -> list[CaseRow]:
    return [
        CaseRow(
            case=c.case,
            business=c.business,
            place=place_of(session, c.case),
            unit=c.unit,
            assignee=c.assignee,
            urgency=urgency(c.case, today),
        )
        for c in cases
    ]


def place_of(session: Session, case: Case) -> str:
    """The county and township a case is placed in, by name."""
    return " · ".join(
        regions_service.region_names(session=session, codes=[case.county_code, case.township_code])
    )


# -- who may be given a case ----------------------------------------------------------------


@dataclass(frozen=True)
class Assignee:
    id: int
    name: str
    role: Role
    unit_id: int
    unit: str


def may_assign(actor: Principal) -> bool:
    return actor.role in DISPATCHER_ROLES


def assignees(
    *,
    session: Session,
    actor: Principal,
    office_id: int | None = None,
    chosen_id: int | None = None,
) -> list[Assignee]:
    """Officers who may handle cases, for the workbench's pickers (each case then checks its
    own responsible office): those of ``office_id`` when the queue is narrowed to an office
    of the jurisdiction, else those of the actor's offices and the offices one level down.
    A province has thousands of officers: its leader reaches those of an office further
    down by narrowing the queue to that office. ``chosen_id``: an officer the queue is
    filtered by, listed too (if in the jurisdiction) so that the picker shows the choice."""
    level, code = actor.jurisdiction_level, actor.jurisdiction_code
    if level is None or code is None:
        return []
    below = LEVEL_ORDER[LEVEL_ORDER.index(level) : LEVEL_ORDER.index(level) + 2]

    def listed() -> list[list[Any]]:
        rows = repo.assignable_users(
            session,
            within=(level, code),  # an office outside the jurisdiction yields nobody
            roles=sorted(ASSIGNEE_ROLES),
            levels=None if office_id is not None else below,
            office_id=office_id,
            limit=_PICKER_LIMIT,
        )
        return [[u.id, u.display_name, u.role.value, o.id, o.name] for u, o in rows]

    key = f"assignees:{level.value}:{code}:{office_id or ''}"
    people = [
        Assignee(id=i, name=name, role=Role(role), unit_id=unit_id, unit=unit)
        for i, name, role, unit_id, unit in directory.cached_choices(key, listed)
    ]
    if chosen_id is not None and all(p.id != chosen_id for p in people):
        chosen = repo.assignable_users(
            session, within=(level, code), roles=sorted(ASSIGNEE_ROLES), user_id=chosen_id, limit=1
        )
        people.extend(_assignee(user, unit) for user, unit in chosen)
    return people


def _assignee(user: User, unit: OrgUnit) -> Assignee:
    return Assignee(
        id=user.id, name=user.display_name, role=user.role, unit_id=unit.id, unit=unit.name
    )


def _assignees(session: Session, within: tuple[RegionLevel, str]) -> list[Assignee]:
    rows = repo.assignable_users(
        session, within=within, roles=sorted(ASSIGNEE_ROLES), limit=_PICKER_LIMIT
    )
    return [_assignee(user, unit) for user, unit in rows]


# -- the case file --------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One event with the names behind its ids (``actor`` None: the system acted)."""

    event: CaseEvent
    actor: str | None
    assignee: str | None
    from_unit: str | None
    to_unit: str


@dataclass(frozen=True)
class ClockView:
    """The statutory clock running in the case's state, as the handler needs to see it."""

    rule: LimitRule
    started_on: date
    due_on: date | None
    state: str  # running, due_soon, overdue, paused
    working_days_left: int | None  # negative: working days overdue
    open_pause: CasePause | None
    pause_kinds: list[PauseKind]
    extendable: bool  # the regulation allows an extension and none is recorded yet


@dataclass(frozen=True)
class ExtensionView:
    extension: CaseExtension
    rule: LimitRule
    approver: str


@dataclass(frozen=True)
class CaseFile:
    case: Case
    business: str | None
    place: str
    unit: OrgUnit
    assignee: str | None
    timeline: list[TimelineEntry]
    clock: ClockView | None
    pauses: list[CasePause]
    extensions: list[ExtensionView]
    actions: list[CaseAction]
    reason_required: frozenset[CaseAction]
    assignees: list[Assignee]
    transfer_targets: list[OrgUnit]
    can_extend: bool


def case_file(*, session: Session, actor: Principal, case_id: int) -> CaseFile:
    """Everything the case page shows, for a case the actor may see (404 otherwise)."""
    access.require_regulator(actor)
    case = service.get_case(session=session, actor=actor, case_id=case_id)
    events = service.timeline(session=session, actor=actor, case_id=case_id)
    pauses = list(repo.pauses_of(session, case.id))
    extensions = list(repo.extensions_of(session, case.id))
    unit = regions_repo.get_org_unit(session, case.org_unit_id)
    if unit is None:  # a foreign key: only a broken database gets here
        raise NotFoundError(N_("No such case"))
    people = repo.user_names(
        session,
        [case.assignee_id]
        + [e.actor_id for e in events]
        + [e.assignee_id for e in events]
        + [x.approved_by_id for x in extensions],
    )
    actions = allowed_actions(kind=case.kind, state=case.state, role=actor.role)
    clock = _clock_view(session, case, pauses, extensions)
    return CaseFile(
        case=case,
        business=_business_name(session, case),
        place=place_of(session, case),
        unit=unit,
        assignee=people.get(case.assignee_id) if case.assignee_id else None,
        timeline=_timeline(session, events, people),
        clock=clock,
        pauses=pauses,
        extensions=[
            ExtensionView(
                extension=x,
                rule=limit_for(x.rule_key, received_on=case.received_on),
                approver=people.get(x.approved_by_id, ""),
            )
            for x in extensions
        ],
        actions=actions,
        reason_required=frozenset(a for a in actions if a in REASON_REQUIRED),
        assignees=_assignees(session, (unit.region_level, unit.region_code))
        if CaseAction.ASSIGN in actions
        else [],
        transfer_targets=list(repo.transfer_targets(session, unit=unit, limit=_PICKER_LIMIT))
        if CaseAction.TRANSFER in actions
        else [],
        can_extend=clock is not None and clock.extendable and actor.role in EXTENSION_APPROVERS,
    )


def _business_name(session: Session, case: Case) -> str | None:
    if case.business_id is None:
        return None
    return repo.business_names(session, [case.business_id]).get(case.business_id)


def _timeline(
    session: Session, events: list[CaseEvent], people: dict[int, str]
) -> list[TimelineEntry]:
    units = repo.unit_names(
        session, [e.to_org_unit_id for e in events] + [e.from_org_unit_id for e in events]
    )
    return [
        TimelineEntry(
            event=e,
            actor=people.get(e.actor_id) if e.actor_id else None,
            assignee=people.get(e.assignee_id) if e.assignee_id else None,
            # Only a move between offices names where the case came from.
            from_unit=units.get(e.from_org_unit_id)
            if e.from_org_unit_id not in (None, e.to_org_unit_id)
            else None,
            to_unit=units.get(e.to_org_unit_id, ""),
        )
        for e in events
    ]


def _clock_view(
    session: Session, case: Case, pauses: list[CasePause], extensions: list[CaseExtension]
) -> ClockView | None:
    running = clocks.running_clock(session=session, case=case)
    if running is None:
        return None
    rule, started_on = running
    today = today_local()
    open_pause = next((p for p in pauses if p.end_on is None), None)
    return ClockView(
        rule=rule,
        started_on=started_on,
        due_on=case.due_on,
        state=_clock_state(case, open_pause, today),
        working_days_left=None if case.due_on is None else working_days_left(today, case.due_on),
        open_pause=open_pause,
        pause_kinds=sorted(rule.paused_by),
        extendable=rule.extension_key is not None
        and not any(x.limit_key == rule.key for x in extensions),
    )


def _clock_state(case: Case, open_pause: CasePause | None, today: date) -> str:
    if open_pause is not None or case.due_on is None:
        return "paused"
    return urgency(case, today) or "running"


def working_days_left(today: date, due_on: date) -> int:
    """Working days after today up to the due date (negative: working days since it)."""
    if due_on >= today:
        return _working_days(after=today, until=due_on)
    return -_working_days(after=due_on, until=today)


def _working_days(*, after: date, until: date) -> int:
    count, day = 0, after
    while day < until:
        day += _ONE_DAY
        count += is_workday(day)
    return count


# -- the clock's stops and extensions, from forms that carry the version seen ---------------


def pause(
    *,
    session: Session,
    actor: Principal,
    case_id: int,
    expected_version: int,
    kind: PauseKind,
    reason: str,
    start_on: date | None,
) -> Case:
    """Stop the clock (see :func:`clocks.pause_clock`) if the case is as the handler saw it."""
    _as_seen(session=session, actor=actor, case_id=case_id, expected_version=expected_version)
    try:
        return clocks.pause_clock(
            session=session,
            actor=actor,
            case_id=case_id,
            kind=kind,
            reason=reason,
            start_on=start_on,
        )
    except StaleDataError as exc:  # another handler's write landed meanwhile
        raise moved_on() from exc


def resume(
    *,
    session: Session,
    actor: Principal,
    case_id: int,
    expected_version: int,
    end_on: date | None,
) -> Case:
    """End the clock's stop (see :func:`clocks.resume_clock`)."""
    _as_seen(session=session, actor=actor, case_id=case_id, expected_version=expected_version)
    try:
        return clocks.resume_clock(session=session, actor=actor, case_id=case_id, end_on=end_on)
    except StaleDataError as exc:
        raise moved_on() from exc


def extend(
    *, session: Session, actor: Principal, case_id: int, expected_version: int, reason: str
) -> Case:
    """Record the approved extension (see :func:`clocks.extend_clock`)."""
    _as_seen(session=session, actor=actor, case_id=case_id, expected_version=expected_version)
    try:
        return clocks.extend_clock(session=session, actor=actor, case_id=case_id, reason=reason)
    except StaleDataError as exc:
        raise moved_on() from exc


def _as_seen(*, session: Session, actor: Principal, case_id: int, expected_version: int) -> None:
    access.require_regulator(actor)
    case = service.get_case(session=session, actor=actor, case_id=case_id)
    if case.version != expected_version:
        raise moved_on()
