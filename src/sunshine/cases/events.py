"""The timeline of a case: one event per step, who took it and why."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.cases.enums import CaseState
from sunshine.cases.models import Case, CaseEvent

#: The actor of automatic steps (warnings, escalation of overdue cases).
SCHEDULER = Principal(user_id=None, username="scheduler", display_name="scheduler", role=None)
#: The actor receiving what the public files (complaints escalated to the regulator, reports).
INTAKE = Principal(user_id=None, username="intake", display_name="public intake", role=None)


def record_event(
    *,
    session: Session,
    actor: Principal,
    case: Case,
    action: str,
    source: CaseState | None,
    unit: int | None,
    reason: str | None = None,
) -> CaseEvent:
    event = CaseEvent(
        case_id=case.id,
        actor_id=actor.user_id,
        action=action,
        from_state=source,
        to_state=case.state,
        from_org_unit_id=unit,
        to_org_unit_id=case.org_unit_id,
        assignee_id=case.assignee_id,
        reason=(reason or "").strip() or None,
    )
    session.add(event)
    session.flush()
    return event
