"""Bulk-import pages of both portals: businesses at ``/gov/imports``, staff at ``/biz/imports``.

``gov_router`` and ``biz_router`` are included by ``create_app`` under ``/gov`` and ``/biz``.
An upload is checked and kept, its ``ImportJob`` committed, and only then is the job queued;
the job page polls its progress fragment with htmx every second while the job runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from jinja2 import TemplateNotFound
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from sunshine.auth.principal import Principal
from sunshine.config import get_settings
from sunshine.core import storage
from sunshine.core.i18n import N_
from sunshine.core.storage import UploadRejected, human_size
from sunshine.portals.shared.deps import DbSession, Enterprise, Regulator, check_csrf
from sunshine.portals.shared.templating import ENV, render, translator
from sunshine.registry import imports, tasks
from sunshine.registry.imports import ImportKind, ImportStatus
from sunshine.registry.models import ImportJob

log = logging.getLogger(__name__)

gov_router = APIRouter(include_in_schema=False)
biz_router = APIRouter(include_in_schema=False)

# Multipart framing around the file; a body larger than the limit plus this is refused unread.
FORM_OVERHEAD_BYTES = 64 * 1024
SHOWN_PROBLEMS = 500
STATUS_LABELS = {
    ImportStatus.QUEUED: "Waiting to start",
    ImportStatus.VALIDATING: "Checking rows",
    ImportStatus.STORING: "Storing",
    ImportStatus.SUCCEEDED: "Imported",
    ImportStatus.FAILED: "Failed: nothing stored",
}


@dataclass(frozen=True)
class Portal:
    prefix: str
    kind: ImportKind
    title: str
    intro: str
    layout: str


GOV = Portal(
    prefix="/gov",
    kind=ImportKind.BUSINESSES,
    title="Import businesses",
    intro="Register many businesses at once from a spreadsheet. Every row is checked first; "
    "if any row has a problem, nothing is stored and you get a list of the problems.",
    layout="gov/layout.html",
)
BIZ = Portal(
    prefix="/biz",
    kind=ImportKind.STAFF,
    title="Import staff",
    intro="Add many staff members at once from a spreadsheet. Every row is checked first; "
    "if any row has a problem, nothing is stored and you get a list of the problems.",
    layout="biz/layout.html",
)


async def reject_oversized(request: Request) -> None:
    """Refuse an upload whose declared size is over the limit before reading its body."""
    limit = get_settings().upload_max_bytes
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + FORM_OVERHEAD_BYTES:
        raise UploadRejected.too_large(limit)


UPLOAD = [Depends(reject_oversized), Depends(check_csrf)]


@cache
def _layout(name: str) -> str:
    """The portal's layout, or the bare base page while a portal has no layout yet."""
    try:
        ENV.get_template(name)
    except TemplateNotFound:
        return "shared/base.html"
    return name


def _context(portal: Portal, **extra: object) -> dict[str, object]:
    layout = _layout(portal.layout)
    return {
        "portal": portal,
        "layout": layout,
        "bare_layout": layout == "shared/base.html",
        "status_labels": STATUS_LABELS,
        **extra,
    }


def _index(
    request: Request,
    session: Session,
    principal: Principal,
    portal: Portal,
    *,
    upload_error: str | None = None,
    status_code: int = 200,
) -> Response:
    jobs = imports.list_imports(session=session, actor=principal, kind=portal.kind)
    context = _context(
        portal,
        jobs=jobs,
        upload_error=upload_error,
        limit=human_size(get_settings().upload_max_bytes),
    )
    return render(request, "shared/imports.html", context, status_code=status_code)


def _create_and_enqueue(
    session: Session, principal: Principal, portal: Portal, upload: UploadFile
) -> str:
    job = imports.create_import(
        session=session,
        actor=principal,
        kind=portal.kind,
        filename=upload.filename or "",
        source=upload.file,
    )
    token, job_id = job.token, job.id
    session.commit()  # the job must exist for the worker before it is queued
    try:
        tasks.enqueue_import(job_id)
    except Exception:
        log.exception("could not queue import %s", token)
        stored_path = imports.fail(
            session=session,
            job_id=job_id,
            actor=principal,
            problems=[
                imports.Problem(None, "", "", N_("the job queue is not reachable: try later"))
            ],
        )
        session.commit()
        storage.delete(stored_path)
    return token


async def _upload(
    request: Request, session: Session, principal: Principal, portal: Portal
) -> Response:
    _ = translator(request)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _index(
            request,
            session,
            principal,
            portal,
            upload_error=_("Choose a .csv or .xlsx file to upload."),
            status_code=400,
        )
    try:
        token = await run_in_threadpool(_create_and_enqueue, session, principal, portal, upload)
    except UploadRejected as exc:
        message = exc.render(_)
        return _index(
            request, session, principal, portal, upload_error=message, status_code=exc.status
        )
    finally:
        await upload.close()  # the spooled temporary copy; ours is under storage_dir
    return RedirectResponse(f"{portal.prefix}/imports/{token}", status_code=303)


def _job_context(job: ImportJob, portal: Portal) -> dict[str, object]:
    """The job page: its problems as templates, translated by the page."""
    kept = job.errors or []
    return _context(
        portal,
        job=job,
        active=imports.is_active(job),
        percent=imports.percent(job),
        problems=imports.job_problems(job, limit=SHOWN_PROBLEMS),
        problem_count=len(kept),
    )


def _job_page(
    request: Request, session: Session, principal: Principal, portal: Portal, token: str
) -> Response:
    job = imports.get_import(session=session, actor=principal, kind=portal.kind, token=token)
    return render(request, "shared/imports_job.html", _job_context(job, portal))


def _progress(
    request: Request, session: Session, principal: Principal, portal: Portal, token: str
) -> Response:
    job = imports.get_import(session=session, actor=principal, kind=portal.kind, token=token)
    response = render(request, "shared/imports_progress.html", _job_context(job, portal))
    response.headers["Cache-Control"] = "no-store"
    return response


def _report(
    request: Request,
    session: Session,
    principal: Principal,
    portal: Portal,
    token: str,
    fmt: str,
) -> Response:
    job = imports.get_import(session=session, actor=principal, kind=portal.kind, token=token)
    _ = translator(request)
    headings = [_(h) for h in imports.REPORT_HEADINGS]
    if fmt == "csv":
        content = imports.error_report_csv(job, headings, _)
        media_type = "text/csv; charset=utf-8"
    else:
        content = imports.error_report_xlsx(job, headings, _("Problems"), _)
        media_type = imports.XLSX_MEDIA_TYPE
    filename = f"import-{job.token[:8]}-problems.{fmt}"
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _template(request: Request, portal: Portal) -> Response:
    content = imports.template_xlsx(portal.kind, translator(request))
    return Response(
        content,
        media_type=imports.XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{portal.kind.value}-template.xlsx"'
        },
    )


# Government portal: businesses ---------------------------------------------------------------


@gov_router.get("/imports")
def gov_imports(request: Request, session: DbSession, principal: Regulator) -> Response:
    return _index(request, session, principal, GOV)


@gov_router.post("/imports", dependencies=UPLOAD)
async def gov_upload(request: Request, session: DbSession, principal: Regulator) -> Response:
    return await _upload(request, session, principal, GOV)


@gov_router.get("/imports/template.xlsx")
def gov_template(request: Request, principal: Regulator) -> Response:
    return _template(request, GOV)


@gov_router.get("/imports/{token}")
def gov_job(request: Request, session: DbSession, principal: Regulator, token: str) -> Response:
    return _job_page(request, session, principal, GOV, token)


@gov_router.get("/imports/{token}/progress")
def gov_progress(
    request: Request, session: DbSession, principal: Regulator, token: str
) -> Response:
    return _progress(request, session, principal, GOV, token)


@gov_router.get("/imports/{token}/errors.csv")
def gov_errors_csv(
    request: Request, session: DbSession, principal: Regulator, token: str
) -> Response:
    return _report(request, session, principal, GOV, token, "csv")


@gov_router.get("/imports/{token}/errors.xlsx")
def gov_errors_xlsx(
    request: Request, session: DbSession, principal: Regulator, token: str
) -> Response:
    return _report(request, session, principal, GOV, token, "xlsx")


# Enterprise portal: staff --------------------------------------------------------------------


@biz_router.get("/imports")
def biz_imports(request: Request, session: DbSession, principal: Enterprise) -> Response:
    return _index(request, session, principal, BIZ)


@biz_router.post("/imports", dependencies=UPLOAD)
async def biz_upload(request: Request, session: DbSession, principal: Enterprise) -> Response:
    return await _upload(request, session, principal, BIZ)


@biz_router.get("/imports/template.xlsx")
def biz_template(request: Request, principal: Enterprise) -> Response:
    return _template(request, BIZ)


@biz_router.get("/imports/{token}")
def biz_job(request: Request, session: DbSession, principal: Enterprise, token: str) -> Response:
    return _job_page(request, session, principal, BIZ, token)


@biz_router.get("/imports/{token}/progress")
def biz_progress(
    request: Request, session: DbSession, principal: Enterprise, token: str
) -> Response:
    return _progress(request, session, principal, BIZ, token)


@biz_router.get("/imports/{token}/errors.csv")
def biz_errors_csv(
    request: Request, session: DbSession, principal: Enterprise, token: str
) -> Response:
    return _report(request, session, principal, BIZ, token, "csv")


@biz_router.get("/imports/{token}/errors.xlsx")
def biz_errors_xlsx(
    request: Request, session: DbSession, principal: Enterprise, token: str
) -> Response:
    return _report(request, session, principal, BIZ, token, "xlsx")
