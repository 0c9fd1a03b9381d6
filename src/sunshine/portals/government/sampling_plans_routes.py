"""Government portal: sampling plans and their tasks (抽检计划、任务), and the import of
finished samples from a CSV file (all or nothing, each problem named by row and column)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.time import today_local
from sunshine.portals.government.sampling_routes import labels_of
from sunshine.portals.shared.deps import DbSession, Regulator, check_csrf
from sunshine.portals.shared.imports_routes import reject_oversized
from sunshine.portals.shared.templating import render, translator
from sunshine.sampling import imports, planning
from sunshine.sampling.enums import Conclusion, ProductCategory
from sunshine.sampling.planning import PlanForm, TaskForm

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
Upload = [Depends(reject_oversized), Depends(check_csrf)]


# -- import ------------------------------------------------------------------------------------


def _import_page(
    request: Request,
    *,
    errors: list[FieldProblem] | None = None,
    imported: int | None = None,
    failed: int | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "gov/sampling_import.html",
        {
            "errors": errors,
            "imported": imported,
            "failed": failed,
            "sample_columns": imports.SAMPLE_COLUMNS,
            "item_columns": imports.ITEM_COLUMNS,
            "required": imports.REQUIRED,
            **labels_of(request),
        },
        status_code=status_code,
    )


@router.get("/sampling/import")
def import_form(request: Request, principal: Regulator) -> Response:
    return _import_page(request)


@router.get("/sampling/import/template.csv")
def import_template(principal: Regulator) -> Response:
    return Response(
        "\ufeff" + imports.template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="sampling-import.csv"'},
    )


@router.post("/sampling/import", dependencies=Upload)
async def import_file(request: Request, session: DbSession, principal: Regulator) -> Response:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        problem = FieldProblem("file", N_("choose a CSV file to import"), code="required")
        return _import_page(request, errors=[problem], status_code=400)
    try:
        data = await upload.read(imports.MAX_BYTES + 1)
    finally:
        await upload.close()
    try:
        samples = imports.import_samples(session=session, actor=principal, data=data)
    except ValidationFailed as exc:
        session.rollback()
        return _import_page(request, errors=exc.problems, status_code=exc.status)
    failed = sum(1 for s in samples if s.conclusion is Conclusion.UNQUALIFIED)
    return _import_page(request, imported=len(samples), failed=failed)


# -- plans and tasks ---------------------------------------------------------------------------


def _plans_page(
    request: Request,
    session: DbSession,
    principal: Regulator,
    *,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    year_raw = request.query_params.get("year", "")
    year = int(year_raw) if year_raw.isdigit() else None
    plans = planning.list_plans(session=session, actor=principal, year=year)
    return render(
        request,
        "gov/sampling_plans.html",
        {
            "plans": plans,
            "values": values or {"year": str(today_local().year)},
            "errors": errors,
            "may_plan": principal.role in planning.PLANNERS,
            **labels_of(request),
        },
        status_code=status_code,
    )


@router.get("/sampling/plans")
def plan_list(request: Request, session: DbSession, principal: Regulator) -> Response:
    return _plans_page(request, session, principal)


@router.post("/sampling/plans", dependencies=Csrf)
async def create_plan(request: Request, session: DbSession, principal: Regulator) -> Response:
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if k != "csrf_token"}
    targets = {c.value: values.get(f"target-{c.value}", "") for c in ProductCategory}
    try:
        plan = planning.create_plan(
            session=session,
            actor=principal,
            form=PlanForm(
                year=values.get("year", ""),
                name=values.get("name", ""),
                targets=targets,
                notes=values.get("notes", ""),
            ),
        )
    except ValidationFailed as exc:
        session.rollback()
        return _plans_page(
            request, session, principal, values=values, errors=exc.problems, status_code=422
        )
    return RedirectResponse(f"/gov/sampling/plans/{plan.id}", status_code=303)


def _plan_page(
    request: Request,
    session: DbSession,
    principal: Regulator,
    plan_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    shown = planning.plan_file(session=session, actor=principal, plan_id=plan_id)
    _ = translator(request)
    return render(
        request,
        "gov/sampling_plan.html",
        {
            "shown": shown,
            "view": shown.view,
            "values": values or {},
            "errors": errors,
            "may_plan": principal.role in planning.PLANNERS,
            "flash": _("Task added.") if request.query_params.get("added") else None,
            **labels_of(request),
        },
        status_code=status_code,
    )


@router.get("/sampling/plans/{plan_id}")
def plan_detail(
    request: Request, session: DbSession, principal: Regulator, plan_id: int
) -> Response:
    return _plan_page(request, session, principal, plan_id)


@router.post("/sampling/plans/{plan_id}/tasks", dependencies=Csrf)
async def create_task(
    request: Request, session: DbSession, principal: Regulator, plan_id: int
) -> Response:
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if k != "csrf_token"}
    try:
        planning.create_task(
            session=session,
            actor=principal,
            form=TaskForm(
                plan_id=plan_id,
                business=values.get("business", ""),
                category=values.get("category", ""),
                due_on=values.get("due_on", ""),
                notes=values.get("notes", ""),
            ),
        )
    except ValidationFailed as exc:
        session.rollback()
        return _plan_page(
            request,
            session,
            principal,
            plan_id,
            values=values,
            errors=exc.problems,
            status_code=422,
        )
    return RedirectResponse(f"/gov/sampling/plans/{plan_id}?added=1", status_code=303)
