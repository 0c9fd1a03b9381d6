"""Keeps a batch recall in step with its case (named in ``cases.hooks.LISTENER_MODULES``).

The recall page closes the recall and then its case (``recall.close_recall``); a reviewer
may also close the case from the case workbench, and a leader may reopen it there. Then the
recall follows: closed (with the step's reason, refused while a holder has not acknowledged
and no reason is given) or open again, as the regulator who took the step.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from sunshine.auth import repository as users_repo
from sunshine.auth import service as auth_service
from sunshine.auth.principal import SYSTEM, Principal
from sunshine.cases import repository as cases_repo
from sunshine.cases.enums import CaseAction, CaseKind
from sunshine.cases.hooks import CaseMove, listen
from sunshine.traceability import recall
from sunshine.traceability import recall_repository as repo


def _step_taker(session: Session, case_id: int) -> Principal:
    """Who took the step just recorded on the case's timeline."""
    event = cases_repo.last_event(session, case_id)
    user = users_repo.get_user(session, event.actor_id) if event and event.actor_id else None
    return auth_service.principal_for(session, user) if user is not None else SYSTEM


@listen
def recall_follows_case(session: Session, move: CaseMove) -> None:
    if move.case.kind is not CaseKind.RECALL:
        return
    if move.action not in (CaseAction.CLOSE, CaseAction.REOPEN):
        return
    found = repo.recall_of_case(session, move.case.id)
    if found is None:
        return
    if move.action is CaseAction.CLOSE and found.closed_at is None:
        recall.settle(
            session=session,
            actor=_step_taker(session, move.case.id),
            found=found,
            reason=move.reason,
        )
    elif move.action is CaseAction.REOPEN and found.closed_at is not None:
        recall.reopen(session=session, actor=_step_taker(session, move.case.id), found=found)
