"""The statutory clocks of stored cases: due dates, pauses and approved extensions."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access
from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.cases import repository as repo
from sunshine.cases.clock import Pause, StatutoryClock, approved_extension
from sunshine.cases.enums import CaseAction, CaseState
from sunshine.cases.events import record_event
from sunshine.cases.limits import LimitRule, PauseKind, limit_for
from sunshine.cases.models import Case, CaseExtension, CasePause
from sunshine.cases.workflow import OPEN_STATES, kind_config, required_reason
from sunshine.core.errors import (
    ConflictError,
    FieldProblem,
    ForbiddenError,
    NotFoundError,
    ValidationFailed,
)
from sunshine.core.i18n import N_
from sunshine.core.time import to_local, today_local


def running_clock(*, session: Session, case: Case) -> tuple[LimitRule, date] | None:
    """The rule of the clock running in the case's current state and the day it started
    (the one started last when two could run), or None once no clock runs.

    A clock runs from the last time its start state was entered until one of its stop
    states is entered after that: a complaint accepted and later handled does not restart
    its acceptance clock, while a case reopened into the start state does."""
    if case.state not in OPEN_STATES:
        return None
    entries = _entries(session=session, case=case)
    running = []
    for index, spec in enumerate(kind_config(case.kind).clocks):
        if spec.starts not in entries or case.state in spec.stops:
            continue
        started = entries[spec.starts]
        if any(stop in entries and entries[stop][0] > started[0] for stop in spec.stops):
            continue
        running.append((started[1], index, spec))
    if not running:
        return None
    start, _, spec = max(running, key=lambda item: (item[0], item[1]))
    return limit_for(spec.limit_key, received_on=case.received_on), start


def set_due(*, session: Session, case: Case) -> None:
    """Keep the due date of the running clock on the row (none while it is paused or once
    no clock runs), counting recorded pauses and approved extensions."""
    case.due_on, case.due_limit_key = None, None
    running = running_clock(session=session, case=case)
    if running is None:
        return
    rule, start = running
    pauses = tuple(
        Pause(pause.kind, pause.start_on, pause.end_on)
        for pause in repo.pauses_of(session, case.id)
        if pause.kind in rule.paused_by and pause.start_on > start
    )
    extensions = tuple(
        approved_extension(
            limit_for(extension.rule_key, received_on=case.received_on),
            approver=str(extension.approved_by_id),
            reason=extension.reason,
            approved_on=extension.approved_on,
        )
        for extension in repo.extensions_of(session, case.id)
        if extension.limit_key == rule.key
    )
    clock = StatutoryClock(rule=rule, start=start, pauses=pauses, extensions=extensions)
    deadline = clock.deadline()
    if deadline is not None:
        case.due_on, case.due_limit_key = deadline.due_date, rule.key


def pause_clock(
    *,
    session: Session,
    actor: Principal,
    case_id: int,
    kind: PauseKind,
    reason: str,
    start_on: date | None = None,
) -> Case:
    """Stop the running clock for an interval the regulation does not count (e.g. waiting
    for a laboratory result); :func:`resume_clock` ends the interval."""
    case = _case_for(session=session, actor=actor, case_id=case_id)
    rule, start = _running_or_refuse(session=session, case=case)
    if kind not in rule.paused_by:
        raise ValidationFailed(
            [FieldProblem("kind", N_("This time limit does not stop for that."))]
        )
    if any(pause.end_on is None for pause in repo.pauses_of(session, case.id)):
        raise ConflictError(N_("The clock of this case is already stopped."))
    day = start_on or today_local()
    if not start < day <= today_local():
        raise ValidationFailed(
            [
                FieldProblem(
                    "start_on",
                    N_("The stop must start after the clock started and not in the future."),
                )
            ]
        )
    text = required_reason(reason)
    session.add(
        CasePause(
            case_id=case.id, kind=kind, start_on=day, reason=text, created_by_id=actor.user_id
        )
    )
    return _clock_changed(session=session, actor=actor, case=case, action="pause", reason=text)


def resume_clock(
    *, session: Session, actor: Principal, case_id: int, end_on: date | None = None
) -> Case:
    """End the open pause (its last day is ``end_on``, by default today)."""
    case = _case_for(session=session, actor=actor, case_id=case_id)
    pause = next((p for p in repo.pauses_of(session, case.id) if p.end_on is None), None)
    if pause is None:
        raise ConflictError(N_("The clock of this case is not stopped."))
    day = end_on or today_local()
    if not pause.start_on <= day <= today_local():
        raise ValidationFailed(
            [
                FieldProblem(
                    "end_on", N_("The stop must end after it started and not in the future.")
                )
            ]
        )
    pause.end_on = day
    return _clock_changed(session=session, actor=actor, case=case, action="resume", reason=None)


def extend_clock(*, session: Session, actor: Principal, case_id: int, reason: str) -> Case:
    """Record the extension of the running clock approved by the head of the bureau
    (经负责人批准), once, as long as its regulation allows one."""
    if actor.role not in _APPROVERS:
        raise ForbiddenError(N_("Only the head of the bureau approves an extension."))
    case = _case_for(session=session, actor=actor, case_id=case_id)
    rule, _ = _running_or_refuse(session=session, case=case)
    if rule.extension_key is None:
        raise ValidationFailed([FieldProblem("reason", N_("This time limit cannot be extended."))])
    if any(e.limit_key == rule.key for e in repo.extensions_of(session, case.id)):
        raise ConflictError(N_("This time limit has already been extended."))
    text = required_reason(reason)
    assert actor.user_id is not None
    session.add(
        CaseExtension(
            case_id=case.id,
            limit_key=rule.key,
            rule_key=rule.extension_key,
            approved_by_id=actor.user_id,
            approved_on=today_local(),
            reason=text,
        )
    )
    return _clock_changed(session=session, actor=actor, case=case, action="extend", reason=text)


_APPROVERS = frozenset({Role.BUREAU_LEADER, Role.ADMIN})


def _case_for(*, session: Session, actor: Principal, case_id: int) -> Case:
    access.require_regulator(actor)
    case = repo.get_case(session, case_id=case_id, scope=access.case_condition(actor))
    if case is None:
        raise NotFoundError(N_("No such case"))
    return case


def _running_or_refuse(*, session: Session, case: Case) -> tuple[LimitRule, date]:
    running = running_clock(session=session, case=case)
    if running is None:
        raise ValidationFailed(
            [FieldProblem("case", N_("No statutory clock is running on this case."))]
        )
    return running


def _clock_changed(
    *, session: Session, actor: Principal, case: Case, action: str, reason: str | None
) -> Case:
    session.flush()
    before = {"due_on": case.due_on.isoformat() if case.due_on else None}
    set_due(session=session, case=case)
    record_event(
        session=session,
        actor=actor,
        case=case,
        action=action,
        source=case.state,
        unit=case.org_unit_id,
        reason=reason,
    )
    audit.record(
        session=session,
        actor=actor,
        action=f"case.{action}",
        entity_type="case",
        entity_id=case.id,
        before=before,
        after={"due_on": case.due_on.isoformat() if case.due_on else None},
    )
    return case


def entered_on(*, session: Session, case: Case) -> dict[CaseState, date]:
    """The last local day each state was entered (received: the day of receipt)."""
    return {state: day for state, (_, day) in _entries(session=session, case=case).items()}


def _entries(*, session: Session, case: Case) -> dict[CaseState, tuple[int, date]]:
    """When each state was last entered: its place in the timeline and the local day."""
    entered: dict[CaseState, tuple[int, date]] = {CaseState.RECEIVED: (0, case.received_on)}
    for order, event in enumerate(repo.events_of(session, case.id), start=1):
        # A transfer makes the receiving office's clock start afresh; an escalation or a
        # reassignment keeps the state, and its clock.
        if event.action == CaseAction.TRANSFER or event.from_state not in (None, event.to_state):
            entered[event.to_state] = (order, to_local(event.occurred_at).date())
    return entered
