"""The EPCIS 2.0 REST binding under ``/epcis`` (EPCIS 2.0 section 12, OpenAPI binding).

Callers authenticate with the API's bearer token (``/api/v1/auth/token``); a browser session
needs its CSRF token for a POST, as on ``/api/v1``. Answers are JSON-LD; errors are RFC 7807
``application/problem+json`` like the rest of the API.
"""

from __future__ import annotations

import logging
from importlib.resources import files
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from sunshine.config import get_settings
from sunshine.portals.shared.deps import DbSession, SignedIn, check_api_csrf
from sunshine.traceability.epcis import service, tasks
from sunshine.traceability.epcis.errors import DocumentTooLarge

log = logging.getLogger(__name__)

router = APIRouter(prefix="/epcis", tags=["epcis"], dependencies=[Depends(check_api_csrf)])
JSON_LD = "application/ld+json"
CONTEXT_FILE = files("sunshine.traceability.epcis") / "context" / "epcis-context.jsonld"


class CaptureOut(BaseModel):
    captureID: str  # the EPCIS field names
    running: bool
    success: bool
    status: str
    eventCount: int
    storedCount: int
    duplicateCount: int
    errorCount: int
    errors: list[dict[str, object]]
    createdAt: str
    finishedAt: str | None


class IdentifierIn(BaseModel):
    identifier: str


async def _body(request: Request) -> bytes:
    """The request body, refused as soon as it passes the configured limit."""
    limit = get_settings().epcis_max_document_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise DocumentTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise DocumentTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


@router.get("/context.jsonld", include_in_schema=False)
def context() -> Response:
    """The EPCIS 2.0 JSON-LD context, from the copy bundled with the package."""
    return Response(CONTEXT_FILE.read_bytes(), media_type=JSON_LD)


@router.post("/capture", status_code=202)
async def capture(
    request: Request,
    session: DbSession,
    principal: SignedIn,
    behaviour: Annotated[str, Header(alias="GS1-Capture-Error-Behaviour")] = "rollback",
) -> Response:
    """Capture an EPCISDocument asynchronously: 202 and the capture job's address."""
    body = await _body(request)

    def accept() -> str:
        job = service.capture_document(
            session=session, actor=principal, body=body, behaviour=behaviour
        )
        capture_id = job.id
        session.commit()  # the capture must exist for the worker before it is queued
        tasks.enqueue_capture(capture_id)
        return capture_id

    capture_id = await run_in_threadpool(accept)
    location = f"/epcis/capture/{capture_id}"
    return JSONResponse({"captureID": capture_id}, status_code=202, headers={"Location": location})


@router.get("/capture/{capture_id}", response_model=CaptureOut)
def capture_job(session: DbSession, principal: SignedIn, capture_id: str) -> CaptureOut:
    job = service.capture_status(session=session, actor=principal, capture_id=capture_id)
    return CaptureOut(
        captureID=job.id,
        running=job.status == "pending",
        success=job.status in ("succeeded", "partial"),
        status=job.status,
        eventCount=job.event_count,
        storedCount=job.stored_count,
        duplicateCount=job.duplicate_count,
        errorCount=job.error_count,
        errors=job.errors,
        createdAt=job.created_at.isoformat(),
        finishedAt=job.finished_at.isoformat() if job.finished_at else None,
    )


@router.post("/events", status_code=201)
async def capture_event(request: Request, session: DbSession, principal: SignedIn) -> Response:
    """Capture one event now: 201 with its address, 409 when it is known already."""
    body = await _body(request)
    captured = await run_in_threadpool(
        lambda: service.capture_event(session=session, actor=principal, body=body)
    )
    location = f"/epcis/events/{quote(captured.event_id, safe='')}"
    return JSONResponse(
        {"eventID": captured.event_id, "eventHash": captured.event_hash},
        status_code=201,
        headers={"Location": location},
    )


@router.get("/events")
def events(request: Request, session: DbSession, principal: SignedIn) -> Response:
    """SimpleEventQuery over the events the caller may see, as an EPCISQueryDocument."""
    params = list(request.query_params.multi_items())
    page = service.query_events(session=session, actor=principal, params=params)
    headers = {}
    if page.next_token is not None:
        kept = [(k, v) for k, v in params if k != "nextPageToken"]
        link = f"/epcis/events?{urlencode([*kept, ('nextPageToken', page.next_token)])}"
        headers["Link"] = f'<{link}>; rel="next"'
    return JSONResponse(service.query_document(page.events), headers=headers, media_type=JSON_LD)


@router.get("/events/{event_id:path}")
def event(session: DbSession, principal: SignedIn, event_id: str) -> Response:
    found = service.get_event(session=session, actor=principal, event_id=event_id)
    return JSONResponse(service.query_document([found]), media_type=JSON_LD)


@router.post("/identifiers", status_code=201)
def register_identifier(session: DbSession, principal: SignedIn, body: IdentifierIn) -> Response:
    """Register a GS1 identifier (PGLN or SGLN) the caller's business owns."""
    row = service.register_identifier(session=session, actor=principal, value=body.identifier)
    return JSONResponse({"identifier": row.identifier, "kind": row.kind}, status_code=201)
