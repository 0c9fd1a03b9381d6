"""Tells reporters and reported businesses what they may know as a report's case moves."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sunshine.cases.enums import CaseKind
from sunshine.cases.hooks import CaseMove, listen
from sunshine.cogovernance.reports import service


@listen
def report_follows_case(session: Session, move: CaseMove) -> None:
    if move.case.kind is CaseKind.REPORT:
        service.follow_case(session=session, case=move.case, action=move.action)
