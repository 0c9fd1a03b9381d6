"""Keeps a complaint in step with the regulator's case opened from it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sunshine.cases.enums import CaseKind
from sunshine.cases.hooks import CaseMove, listen
from sunshine.cogovernance.complaints import service


@listen
def complaint_follows_case(session: Session, move: CaseMove) -> None:
    if move.case.kind is CaseKind.COMPLAINT:
        service.follow_case(session=session, case=move.case, action=move.action, reason=move.reason)
