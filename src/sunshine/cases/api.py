"""JSON routes of the case engine under ``/api/v1/cases`` (the workbench's data)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from sunshine.api.router import Authed
from sunshine.cases import service
from sunshine.cases.enums import CaseKind, CaseState
from sunshine.cases.repository import CaseQueue
from sunshine.cases.schemas import (
    CaseCreate,
    CaseDetail,
    CaseEventRead,
    CasePage,
    CaseRead,
    StepIn,
)
from sunshine.cases.service import CaseDraft, Step
from sunshine.core.pagination import PageRequest
from sunshine.portals.shared.deps import DbSession, SignedIn

router = APIRouter(tags=["cases"], dependencies=Authed)


@router.get("/cases", response_model=CasePage)
def list_cases(
    session: DbSession,
    principal: SignedIn,
    queue: Literal["open", "due_soon", "overdue", "mine", "closed"] = "open",
    kind: CaseKind | None = None,
    state: CaseState | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 20,
) -> CasePage:
    """A queue of the cases the caller's offices see, most urgent first."""
    result = service.list_cases(
        session=session,
        actor=principal,
        queue=CaseQueue(name=queue, kind=kind, state=state),
        page=PageRequest(page, per_page),
    )
    return CasePage(
        items=[CaseRead.model_validate(case) for case in result.items],
        total=result.total,
        total_capped=result.capped,
        page=result.page,
        per_page=result.request.per_page,
        pages=result.pages,
    )


@router.post("/cases", response_model=CaseDetail, status_code=201)
def open_case(session: DbSession, principal: SignedIn, body: CaseCreate) -> CaseDetail:
    """Open a case about a business or a place; it goes to the responsible office."""
    case = service.open_case(session=session, actor=principal, draft=CaseDraft(**body.model_dump()))
    return _detail(session, principal, case.id)


@router.get("/cases/{case_id}", response_model=CaseDetail)
def get_case(session: DbSession, principal: SignedIn, case_id: int) -> CaseDetail:
    """One case with its timeline (404 for a case the caller may not see)."""
    return _detail(session, principal, case_id)


@router.post("/cases/{case_id}/actions", response_model=CaseDetail)
def act(session: DbSession, principal: SignedIn, case_id: int, body: StepIn) -> CaseDetail:
    """Take one step; 409 when the case changed since ``expected_version`` was read."""
    service.act(session=session, actor=principal, case_id=case_id, step=Step(**body.model_dump()))
    return _detail(session, principal, case_id)


def _detail(session: DbSession, principal: SignedIn, case_id: int) -> CaseDetail:
    case = service.get_case(session=session, actor=principal, case_id=case_id)
    events = service.timeline(session=session, actor=principal, case_id=case_id)
    return CaseDetail(
        **CaseRead.model_validate(case).model_dump(),
        timeline=[CaseEventRead.model_validate(event) for event in events],
    )
