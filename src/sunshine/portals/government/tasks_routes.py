"""Government portal: the inspection task board (/gov/tasks: mine, my jurisdiction's, due,
done), a task's page (assign officers, cancel), tasks from cases, and the declarations of
conflicts of interest (/gov/conflicts)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from sunshine.auth.access import PLANNING_ROLES
from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.time import today_local
from sunshine.inspections import conflicts, tasks
from sunshine.inspections.plan_enums import TaskQueue
from sunshine.portals.government.plans_routes import RESULT_NAMES, TASK_STATUS_NAMES
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Regulator, check_csrf
from sunshine.portals.shared.templating import render, translator

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]

FIELD_NAMES = {
    "case": N_("Case"),
    "due_on": N_("Due date"),
    "inspectors": N_("Officers"),
    "reason": N_("Reason"),
    "note": N_("Note"),
    "inspector": N_("Officer"),
    "business": N_("Business"),
}
QUEUE_NAMES = {
    TaskQueue.MINE.value: N_("Mine"),
    TaskQueue.OPEN.value: N_("Open in my jurisdiction"),
    TaskQueue.DUE.value: N_("Due within a week or overdue"),
    TaskQueue.DONE.value: N_("Done or cancelled"),
}
SOURCE_NAMES = {"draw": N_("Random draw"), "case": N_("Case")}
FLASHES = {
    "created": N_("The task is created."),
    "assigned": N_("The officers are assigned."),
    "cancelled": N_("The task is cancelled."),
    "declared": N_(
        "The conflict of interest is recorded: you will not be drawn for this business."
    ),
    "withdrawn": N_("The declaration is withdrawn."),
}


def _queue(value: str | None) -> TaskQueue:
    try:
        return TaskQueue(value or TaskQueue.MINE.value)
    except ValueError:
        return TaskQueue.MINE


def _flash(request: Request) -> str | None:
    done = request.query_params.get("done")
    return translator(request)(FLASHES[done]) if done in FLASHES else None


def _board(
    request: Request,
    session: DbSession,
    principal: Regulator,
    *,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    queue = _queue(request.query_params.get("queue"))
    listed = tasks.list_tasks(
        session=session,
        actor=principal,
        queue=queue,
        page=PageRequest(forms.page_number(request), 25),
    )
    return render(
        request,
        "gov/tasks.html",
        {
            "queue": queue.value,
            "queues": QUEUE_NAMES,
            "counts": {
                q.value: n for q, n in tasks.queue_counts(session=session, actor=principal).items()
            },
            "listed": listed,
            "result": listed.page,
            "source_names": SOURCE_NAMES,
            "task_status_names": TASK_STATUS_NAMES,
            "result_names": RESULT_NAMES,
            "today": today_local(),
            "errors": errors,
            "field_names": FIELD_NAMES,
            "flash": _flash(request),
        },
        status_code=status_code,
    )


@router.get("/tasks")
def task_board(request: Request, session: DbSession, principal: Regulator) -> Response:
    return _board(request, session, principal)


@router.post("/tasks/from-case", dependencies=Csrf)
def task_from_case(
    request: Request,
    session: DbSession,
    principal: Regulator,
    case: Annotated[str, Form()],
    due_on: Annotated[str | None, Form()] = None,
    note: Annotated[str, Form()] = "",
) -> Response:
    try:
        try:
            due = forms.parse_date(due_on or None)
        except ValueError as exc:
            raise ValidationFailed([FieldProblem("due_on", N_("use the form YYYY-MM-DD"))]) from exc
        case_id = tasks.case_id_for(session=session, actor=principal, reference=case)
        made = tasks.create_task_from_case(
            session=session, actor=principal, case_id=case_id, due_on=due, note=note
        )
    except ValidationFailed as exc:
        session.rollback()
        return _board(request, session, principal, errors=exc.problems, status_code=422)
    return RedirectResponse(f"/gov/tasks/{made.id}?done=created", status_code=303)


def _task_page(
    request: Request,
    session: DbSession,
    principal: Regulator,
    task_id: int,
    *,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    shown = tasks.task_detail(session=session, actor=principal, task_id=task_id)
    return render(
        request,
        "gov/task_detail.html",
        {
            "shown": shown,
            "t": shown.row.task,
            "can_manage": principal.role in PLANNING_ROLES,
            "source_names": SOURCE_NAMES,
            "task_status_names": TASK_STATUS_NAMES,
            "result_names": RESULT_NAMES,
            "errors": errors,
            "field_names": FIELD_NAMES,
            "flash": _flash(request),
        },
        status_code=status_code,
    )


@router.get("/tasks/{task_id}")
def task_page(request: Request, session: DbSession, principal: Regulator, task_id: int) -> Response:
    return _task_page(request, session, principal, task_id)


@router.post("/tasks/{task_id}/assign", dependencies=Csrf)
async def task_assign(
    request: Request, session: DbSession, principal: Regulator, task_id: int
) -> Response:
    data = await forms.form_dict(request, lists=("inspector_ids",))
    try:
        ids = [int(v) for v in data.get("inspector_ids") or []]
    except ValueError:
        ids = []
    try:
        tasks.assign_inspectors(
            session=session, actor=principal, task_id=task_id, inspector_ids=ids
        )
    except ValidationFailed as exc:
        session.rollback()
        return _task_page(
            request, session, principal, task_id, errors=exc.problems, status_code=422
        )
    return RedirectResponse(f"/gov/tasks/{task_id}?done=assigned", status_code=303)


@router.post("/tasks/{task_id}/cancel", dependencies=Csrf)
def task_cancel(
    request: Request,
    session: DbSession,
    principal: Regulator,
    task_id: int,
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        tasks.cancel_task(session=session, actor=principal, task_id=task_id, reason=reason)
    except ValidationFailed as exc:
        session.rollback()
        return _task_page(
            request, session, principal, task_id, errors=exc.problems, status_code=422
        )
    return RedirectResponse(f"/gov/tasks/{task_id}?done=cancelled", status_code=303)


# -- declared conflicts of interest ----------------------------------------------------------


def _conflicts_page(
    request: Request,
    session: DbSession,
    principal: Regulator,
    *,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    term = request.query_params.get("q") or ""
    found = conflicts.find_businesses(session=session, actor=principal, term=term) if term else []
    can_manage = principal.role in PLANNING_ROLES
    return render(
        request,
        "gov/conflicts.html",
        {
            "q": term,
            "found": found,
            "result": conflicts.list_conflicts(
                session=session,
                actor=principal,
                page=PageRequest(forms.page_number(request), 25),
            ),
            "officers": conflicts.officers_of_jurisdiction(session=session, actor=principal)
            if can_manage and found
            else [],
            "errors": errors,
            "field_names": FIELD_NAMES,
            "flash": _flash(request),
        },
        status_code=status_code,
    )


@router.get("/conflicts")
def conflict_list(request: Request, session: DbSession, principal: Regulator) -> Response:
    return _conflicts_page(request, session, principal)


@router.post("/conflicts", dependencies=Csrf)
def conflict_declare(
    request: Request,
    session: DbSession,
    principal: Regulator,
    business_id: Annotated[int, Form()],
    reason: Annotated[str, Form()] = "",
    inspector_id: Annotated[str | None, Form()] = None,
) -> Response:
    officer = int(inspector_id) if inspector_id and inspector_id.isdigit() else None
    try:
        conflicts.declare_conflict(
            session=session,
            actor=principal,
            business_id=business_id,
            reason=reason,
            inspector_id=officer,
        )
    except ValidationFailed as exc:
        session.rollback()
        return _conflicts_page(request, session, principal, errors=exc.problems, status_code=422)
    return RedirectResponse("/gov/conflicts?done=declared", status_code=303)


@router.post("/conflicts/{conflict_id}/withdraw", dependencies=Csrf)
def conflict_withdraw(
    request: Request, session: DbSession, principal: Regulator, conflict_id: int
) -> Response:
    conflicts.withdraw_conflict(session=session, actor=principal, conflict_id=conflict_id)
    return RedirectResponse("/gov/conflicts?done=withdrawn", status_code=303)
