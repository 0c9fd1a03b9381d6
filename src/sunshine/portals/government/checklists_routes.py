"""Government portal: inspection checklists (检查要点表), the version in force and its items,
and, for administrators, loading a new version from its file and putting it in force."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.inspections import checklists, files
from sunshine.portals.shared.deps import DbSession, Regulator, check_csrf
from sunshine.portals.shared.imports_routes import reject_oversized
from sunshine.portals.shared.labels import label
from sunshine.portals.shared.templating import render
from sunshine.registry.enums import BusinessForm

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
Upload = [Depends(reject_oversized), Depends(check_csrf)]


def _list_page(
    request: Request,
    session: DbSession,
    principal: Regulator,
    *,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    versions = checklists.list_checklists(session=session, actor=principal)
    return render(
        request,
        "gov/checklists.html",
        {"versions": versions, "errors": errors, "max_mb": files.MAX_FILE_BYTES // (1024 * 1024)},
        status_code=status_code,
    )


@router.get("/checklists")
def checklist_list(request: Request, session: DbSession, principal: Regulator) -> Response:
    return _list_page(request, session, principal)


@router.get("/checklists/{checklist_id}")
def checklist_detail(
    request: Request, session: DbSession, principal: Regulator, checklist_id: int
) -> Response:
    shown = checklists.view(session=session, actor=principal, checklist_id=checklist_id)
    sources = {s.get("id"): s for s in shown.checklist.sources}
    return render(
        request,
        "gov/checklist_detail.html",
        {
            "shown": shown,
            "sources": sources,
            "form_label": lambda form: label(BusinessForm(form)),
        },
    )


@router.post("/checklists", dependencies=Upload)
async def checklist_upload(request: Request, session: DbSession, principal: Regulator) -> Response:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        problem = FieldProblem("file", N_("choose a checklist file (.json) to load"))
        return _list_page(request, session, principal, errors=[problem], status_code=400)
    try:
        if not upload.filename.lower().endswith(".json"):
            problem = FieldProblem("file", N_("a checklist file is a .json file"))
            return _list_page(request, session, principal, errors=[problem], status_code=400)
        data = await upload.read(files.MAX_FILE_BYTES + 1)
    finally:
        await upload.close()
    activate = form.get("activate") == "1"
    try:
        loaded = await run_in_threadpool(
            lambda: checklists.load_checklist(
                session=session, actor=principal, data=data, activate=activate or None
            )
        )
    except ValidationFailed as exc:
        session.rollback()
        return _list_page(request, session, principal, errors=exc.problems, status_code=422)
    return RedirectResponse(f"/gov/checklists/{loaded.id}", status_code=303)


@router.post("/checklists/{checklist_id}/activate", dependencies=Csrf)
def checklist_activate(
    request: Request, session: DbSession, principal: Regulator, checklist_id: int
) -> Response:
    try:
        checklists.activate_checklist(session=session, actor=principal, checklist_id=checklist_id)
    except ValidationFailed as exc:
        session.rollback()
        return _list_page(request, session, principal, errors=exc.problems, status_code=422)
    return RedirectResponse(f"/gov/checklists/{checklist_id}", status_code=303)
