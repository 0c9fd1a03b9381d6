"""Government portal: LIVES open data — import a feed into an area of the jurisdiction and
export an area's feed (see :mod:`sunshine.inspections.lives`)."""

from __future__ import annotations

import io
import zipfile

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.inspections import lives
from sunshine.portals.shared.deps import DbSession, Regulator, check_csrf
from sunshine.portals.shared.imports_routes import reject_oversized
from sunshine.portals.shared.templating import render
from sunshine.regions import service as regions_service

router = APIRouter(include_in_schema=False)
Upload = [Depends(reject_oversized), Depends(check_csrf)]
Csrf = [Depends(check_csrf)]
ENCODINGS = {"utf-8": "UTF-8", "gb18030": "GB18030", "cp1252": "Windows-1252"}
_MAX_MEMBERS = 10


def _page(
    request: Request,
    session: DbSession,
    principal: Regulator,
    *,
    report: lives.ImportReport | None = None,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "areas": regions_service.areas_within(session=session, actor=principal, townships=True),
        "encodings": ENCODINGS,
        "report": report,
        "errors": errors,
        "form": dict(request.query_params),
    }
    return render(request, "gov/lives.html", context, status_code=status_code)


@router.get("/lives")
def lives_page(request: Request, session: DbSession, principal: Regulator) -> Response:
    return _page(request, session, principal)


@router.post("/lives/import", dependencies=Upload)
async def lives_import(request: Request, session: DbSession, principal: Regulator) -> Response:
    form = await request.form()
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    try:
        files: dict[str, bytes] = {}
        for upload in uploads:
            files |= _feed_members(upload.filename or "", await upload.read())
    except ValidationFailed as exc:
        return _page(request, session, principal, errors=exc.problems, status_code=422)
    finally:
        for upload in uploads:
            await upload.close()
    encoding = str(form.get("encoding") or "utf-8")
    if encoding not in ENCODINGS:
        encoding = "utf-8"
    try:
        report = await run_in_threadpool(
            lambda: lives.import_feed(
                session=session,
                actor=principal,
                files=files,
                region_code=str(form.get("region") or ""),
                encoding=encoding,
                skip_invalid=form.get("skip_invalid") == "1",
            )
        )
    except ValidationFailed as exc:
        session.rollback()
        return _page(request, session, principal, errors=exc.problems, status_code=422)
    return _page(request, session, principal, report=report)


def _feed_members(name: str, data: bytes) -> dict[str, bytes]:
    """The CSV files of an upload: itself, or the members of a ZIP (as LIVES ships feeds)."""
    if not name.lower().endswith(".zip"):
        if not name.lower().endswith(".csv"):
            raise ValidationFailed(
                [FieldProblem("files", N_("a LIVES feed is .csv files or a .zip of them"))]
            )
        return {name: data}
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
        if len(members) > _MAX_MEMBERS or sum(m.file_size for m in members) > lives.MAX_FEED_BYTES:
            raise ValidationFailed(
                [FieldProblem("files", N_("the archive holds too much to be a feed"))]
            )
        return {m.filename: archive.read(m) for m in members}
    except zipfile.BadZipFile:
        raise ValidationFailed(
            [FieldProblem("files", N_("the file is not a ZIP archive"))]
        ) from None


@router.post("/lives/export", dependencies=Csrf)
async def lives_export(request: Request, session: DbSession, principal: Regulator) -> Response:
    form = await request.form()
    region = str(form.get("region") or "")
    files = await run_in_threadpool(
        lambda: lives.export_feed(session=session, actor=principal, region_code=region)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="lives-{region}.zip"'},
    )
