"""JSON routes of inspection tasks and 双随机 draws under ``/api/v1`` (the inspector app and
integrations): the task queues, one task, a case asking for an inspection, and a draw's
verification."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from sunshine.api.router import Authed
from sunshine.core.pagination import PageRequest
from sunshine.inspections import draws, tasks
from sunshine.inspections import plan_repository as repo
from sunshine.inspections.enums import InspectionKind, InspectionResult
from sunshine.inspections.plan_enums import TaskQueue, TaskSource, TaskStatus
from sunshine.portals.shared.deps import DbSession, SignedIn

router = APIRouter(tags=["inspection tasks"], dependencies=Authed)


class TaskRead(BaseModel):
    id: int
    source: TaskSource
    kind: InspectionKind
    status: TaskStatus
    business_id: int
    business_name: str
    store_code: str
    org_unit_id: int
    office_name: str
    due_on: date
    inspector_ids: list[int]
    draw_id: int | None
    draw_reference: str | None
    case_id: int | None
    case_reference: str | None
    inspection_id: int | None
    result: InspectionResult | None


class TaskPage(BaseModel):
    items: list[TaskRead]
    total: int
    page: int
    per_page: int
    pages: int


class CaseTaskIn(BaseModel):
    due_on: date | None = Field(None, description="default: the due date of the case's clock")
    inspector_ids: list[int] = Field(default_factory=list, description="none, or at least two")
    note: str = Field("", max_length=2000)


class CheckRead(BaseModel):
    key: str
    ok: bool
    message: str


class VerificationRead(BaseModel):
    draw_id: int
    reference: str
    ok: bool
    checks: list[CheckRead]


def _read(row: repo.TaskRow, inspector_ids: list[int]) -> TaskRead:
    task = row.task
    return TaskRead(
        id=task.id,
        source=task.source,
        kind=task.kind,
        status=task.status,
        business_id=task.business_id,
        business_name=row.business_name,
        store_code=row.business_code,
        org_unit_id=task.org_unit_id,
        office_name=row.office_name,
        due_on=task.due_on,
        inspector_ids=inspector_ids,
        draw_id=task.draw_id,
        draw_reference=row.draw_reference,
        case_id=task.case_id,
        case_reference=row.case_reference,
        inspection_id=row.inspection_id,
        result=row.result,
    )


@router.get("/inspection-tasks", response_model=TaskPage)
def list_tasks(
    session: DbSession,
    principal: SignedIn,
    queue: TaskQueue = TaskQueue.MINE,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TaskPage:
    """The caller's tasks (``mine``), the jurisdiction's open ones (``open``), those due
    within a week or overdue (``due``), or the fulfilled and cancelled (``done``)."""
    listed = tasks.list_tasks(
        session=session, actor=principal, queue=queue, page=PageRequest(page, per_page)
    )
    return TaskPage(
        items=[_read(r, listed.inspectors.get(r.task.id, [])) for r in listed.page.items],
        total=listed.page.total,
        page=listed.page.page,
        per_page=listed.page.request.per_page,
        pages=listed.page.pages,
    )


@router.get("/inspection-tasks/{task_id}", response_model=TaskRead)
def get_task(session: DbSession, principal: SignedIn, task_id: int) -> TaskRead:
    """One task (404 outside the caller's jurisdiction)."""
    shown = tasks.task_detail(session=session, actor=principal, task_id=task_id)
    return _read(shown.row, [u for u, _ in shown.inspectors])


@router.post("/cases/{case_id}/inspection-task", response_model=TaskRead, status_code=201)
def case_task(session: DbSession, principal: SignedIn, case_id: int, body: CaseTaskIn) -> TaskRead:
    """A case asks for an inspection of its business: a task for the business's station
    (409 when the case already has an open one)."""
    made = tasks.create_task_from_case(
        session=session,
        actor=principal,
        case_id=case_id,
        due_on=body.due_on,
        inspector_ids=body.inspector_ids,
        note=body.note,
    )
    return get_task(session, principal, made.id)


@router.get("/draws/{draw_id}/verification", response_model=VerificationRead)
def verify(session: DbSession, principal: SignedIn, draw_id: int) -> VerificationRead:
    """Repeat a draw the caller may see from its stored inputs and compare."""
    from sunshine.core.i18n import english

    draw = draws.get_draw(session=session, actor=principal, draw_id=draw_id)
    checked = draws.verify_draw(session=session, draw=draw)
    return VerificationRead(
        draw_id=checked.draw_id,
        reference=checked.reference,
        ok=checked.ok,
        checks=[
            CheckRead(key=c.key, ok=c.ok, message=english(c.message, c.params))
            for c in checked.checks
        ],
    )
