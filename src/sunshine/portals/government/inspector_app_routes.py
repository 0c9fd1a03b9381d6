"""Government portal: the inspector app (检查App, ``/gov/app``), phone-sized and installable,
and the printable inspection record (``/gov/inspections/{id}/record``).

The pages are shells the service worker keeps for offline work; the inspection itself is
drawn by ``static/inspector-app.js`` from the checklist's JSON, kept in the phone's outbox
(IndexedDB) and sent to ``POST /gov/app/inspections`` when the network allows. That endpoint
reads the same JSON as ``POST /api/v1/inspections`` (:mod:`sunshine.inspections.exchange`),
with the portal's CSRF header instead of a bearer token, and answers errors in the reader's
language.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib.resources import files
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from sunshine.core.errors import DomainError
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.time import today_local
from sunshine.core.validation import parse
from sunshine.inspections import exchange, inspector_app, service, tasks
from sunshine.inspections.enums import InspectionKind, ItemOutcome
from sunshine.inspections.plan_enums import TaskQueue
from sunshine.inspections.schemas import InspectionIn
from sunshine.portals.shared.deps import DbSession, Regulator, check_csrf, csrf_for
from sunshine.portals.shared.templating import render, translator
from sunshine.registry.rules import effective_licence_status

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
NO_STORE = {"Cache-Control": "no-store"}
APP_SCOPE = "/gov/app"

RESULT_LABELS = service.RESULT_LABELS
KIND_LABELS = {
    InspectionKind.ROUTINE: N_("Routine inspection"),
    InspectionKind.FLYING: N_("Flying inspection"),
    InspectionKind.SYSTEM: N_("System inspection"),
    InspectionKind.FOLLOW_UP: N_("Follow-up inspection"),
    InspectionKind.COMPLAINT: N_("Complaint-driven inspection"),
}
OUTCOME_LABELS = {
    ItemOutcome.PASS: N_("Pass"),
    ItemOutcome.FAIL: N_("Fail"),
    ItemOutcome.NOT_APPLICABLE: N_("Not applicable"),
}
#: What the app's script says, in the reader's language (the page hands it over as JSON).
SCRIPT_TEXTS = {
    "online": N_("Online"),
    "offline": N_("Offline"),
    "waiting": N_("Waiting to sync"),
    "sending": N_("Sending"),
    "stored": N_("Stored"),
    "conflict": N_("Conflict"),
    "refused": N_("Refused"),
    "outbox_empty": N_("Nothing waiting on this phone."),
    "outbox_count": N_("{n} waiting to sync"),
    "synced": N_("Everything is synced"),
    "attention": N_("{n} to check again"),
    "open_record": N_("Open the record"),
    "edit_again": N_("Correct and send again"),
    "reload_checklist": N_("Reload the checklist and check again"),
    "conflict_kept": N_(
        "The checklist changed. Answers to items that still exist were kept; check the rest."
    ),
    "discard": N_("Discard"),
    "record_without_task": N_("Record it without the task"),
    "discard_confirm": N_("Discard this record from the phone? It was not stored."),
    "sign_in_again": N_("Sign in again to send it."),
    "network_error": N_("No network; it will be sent when the network returns."),
    "server_error": N_("The server could not take it now ({status}); it will be retried."),
    "saved_offline": N_("Saved on this phone. It will be sent when the network returns."),
    "saved_sending": N_("Saved on this phone; sending…"),
    "pass": N_("Pass"),
    "fail": N_("Fail"),
    "not_applicable": N_("N/A"),
    "key_item": N_("Key item"),
    "not_for_business": N_("Does not apply to this kind of business"),
    "note": N_("Note"),
    "note_fail": N_("What was found wrong"),
    "note_na": N_("Why it does not apply"),
    "add_photo": N_("Take a photo"),
    "remove": N_("Remove"),
    "clear": N_("Clear"),
    "compliant": N_("Compliant"),
    "basically_compliant": N_("Basically compliant"),
    "noncompliant": N_("Non-compliant"),
    "preview_pending": N_("Answer the items to see the result"),
    "preview_counts": N_(
        "Key items failed: {kf} · general items failed: {gf} of {gc} · pass rate {rate}% · "
        "N/A: {na}"
    ),
    "answered": N_("{done} of {total} answered"),
    "locating": N_("Finding the location…"),
    "location": N_("Location {lat}, {lon} (±{acc} m)"),
    "no_location": N_("No location (the record is saved without it)"),
    "started": N_("Started {time}"),
    "missing_items": N_("Answer every item (missing: {codes})"),
    "missing_note": N_("Item {code}: write a note"),
    "missing_coinspector": N_("Choose the co-inspector"),
    "missing_representative": N_("Type the representative's name"),
    "missing_signature": N_("Signature missing: {name}"),
    "missing_rectify_by": N_("Set the rectification deadline"),
    "representative": N_("Business representative"),
    "checklist_unavailable": N_(
        "The checklist could not be loaded. Open this business once with the network so "
        "the phone keeps it."
    ),
    "search_offline": N_("Searching needs the network; businesses opened before still work."),
    "photo_failed": N_("This photo could not be read; take it again."),
    "ref": N_("Reference {reference}"),
    "saved_at": N_("Saved {time}"),
    "draft_restored": N_("Your unfinished inspection of this business was restored."),
}


def _texts(request: Request) -> dict[str, str]:
    _ = translator(request)
    return {key: _(text) for key, text in SCRIPT_TEXTS.items()}


def _app_context(request: Request, **extra: Any) -> dict[str, Any]:
    return {"app_texts": _texts(request), "KIND_LABELS": KIND_LABELS, **extra}


@router.get("/app")
def app_home(request: Request, session: DbSession, principal: Regulator) -> Response:
    """Search my jurisdiction, my recent inspections, the phone's outbox (drawn by JS)."""
    query = request.query_params.get("q", "")
    found = inspector_app.find_businesses(session=session, actor=principal, query=query)
    recent = inspector_app.recent_inspections(session=session, actor=principal)
    mine = tasks.list_tasks(
        session=session, actor=principal, queue=TaskQueue.MINE, page=PageRequest(1, 30)
    )
    return render(
        request,
        "gov/app_home.html",
        _app_context(
            request,
            query=query,
            found=found,
            recent=recent,
            result_labels=RESULT_LABELS,
            my_tasks=mine.page.items,
            task_map=inspector_app.task_map(mine.page.items, today=today_local()),
            today=today_local(),
        ),
    )


@router.get("/app/search")
def app_search(request: Request, session: DbSession, principal: Regulator) -> Response:
    """The search results alone (htmx swaps them in as the inspector types)."""
    query = request.query_params.get("q", "")
    found = inspector_app.find_businesses(session=session, actor=principal, query=query)
    return render(request, "gov/app_search_results.html", {"query": query, "found": found})


@router.get("/app/businesses/{business_id}")
def app_business(
    request: Request, session: DbSession, principal: Regulator, business_id: int
) -> Response:
    profile = inspector_app.business_profile(
        session=session, actor=principal, business_id=business_id
    )
    business = profile.business
    return render(
        request,
        "gov/app_business.html",
        _app_context(
            request,
            profile=profile,
            b=business,
            licence_state=effective_licence_status(
                business.licence_status, business.licence_expiry_date, today_local()
            ),
            result_labels=RESULT_LABELS,
            today=today_local(),
        ),
    )


@router.get("/app/businesses/{business_id}/inspect")
def app_inspect(
    request: Request, session: DbSession, principal: Regulator, business_id: int
) -> Response:
    """The inspection page: a shell the script fills from the checklist's JSON."""
    profile = inspector_app.business_profile(
        session=session, actor=principal, business_id=business_id
    )
    return render(
        request,
        "gov/app_inspect.html",
        _app_context(
            request,
            b=profile.business,
            task=profile.my_task,
            kinds=list(InspectionKind),
        ),
    )


@router.get("/app/businesses/{business_id}/checklist.json")
def app_checklist(session: DbSession, principal: Regulator, business_id: int) -> Response:
    """The checklist in force for the business (the service worker keeps it offline)."""
    sheet = exchange.checklist_read(session=session, actor=principal, business_id=business_id)
    return JSONResponse(sheet.model_dump(mode="json"))


@router.get("/app/businesses/{business_id}/officers.json")
def app_officers(session: DbSession, principal: Regulator, business_id: int) -> Response:
    """The officers whose office covers the business: who may co-inspect it."""
    officers = inspector_app.officers_for(session=session, actor=principal, business_id=business_id)
    return JSONResponse(
        {
            "officers": [
                {"id": o.id, "name": o.name, "office": o.office, "role": o.role.value}
                for o in officers
            ]
        }
    )


@router.get("/app/session.json")
def app_session(request: Request, principal: Regulator) -> Response:
    """Who is signed in and a fresh CSRF token: a page the phone kept offline may carry
    the token of an older session."""
    return JSONResponse(
        {"user_id": principal.user_id, "csrf_token": csrf_for(request)}, headers=NO_STORE
    )


@router.post("/app/inspections", dependencies=Csrf)
def app_record_inspection(
    request: Request,
    session: DbSession,
    principal: Regulator,
    body: Annotated[dict[str, Any], Body()],
) -> Response:
    """Store an inspection from the phone's outbox: 201 with the record, the stored one
    again for a ``client_key`` already used; 409 when the checklist changed; 422 listing
    every problem. Errors in the reader's language."""
    try:
        form = exchange.inspection_form(parse(InspectionIn, body))
        inspection = service.record_inspection(session=session, actor=principal, form=form)
        detail = exchange.inspection_detail(
            session=session, actor=principal, inspection_id=inspection.id
        )
    except DomainError as error:
        session.rollback()
        return _problem_json(request, error)
    return JSONResponse(
        {**detail.model_dump(mode="json"), "record_url": f"/gov/inspections/{detail.id}/record"},
        status_code=201,
        headers=NO_STORE,
    )


def _problem_json(request: Request, error: DomainError) -> JSONResponse:
    _ = translator(request)
    return JSONResponse(
        {
            "status": error.status,
            "type": error.slug,
            "detail": error.render(_),
            "errors": [
                {"field": p.field, "code": p.code, "message": p.render(_)} for p in error.problems
            ],
        },
        status_code=error.status,
        media_type="application/problem+json",
        headers=NO_STORE,
    )


@router.get("/app/sw.js")
def app_service_worker() -> Response:
    """The service worker, served from the app's path so that it may control ``/gov/app``.
    Its cache is named after the app's files, so any change to them replaces the cache."""
    script, digest = _service_worker()
    return Response(
        script.replace("__CACHE_VERSION__", digest),
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": APP_SCOPE, "Cache-Control": "no-cache"},
    )


_STATIC = files("sunshine") / "static"
_APP_FILES = ("inspector-app.js", "inspector-app.css", "inspector-sw.js", "inspector.webmanifest")


@lru_cache(maxsize=1)
def _service_worker() -> tuple[str, str]:
    digest = hashlib.sha256()
    for name in _APP_FILES:
        digest.update((_STATIC / name).read_bytes())
    return (_STATIC / "inspector-sw.js").read_text(encoding="utf-8"), digest.hexdigest()[:16]


@router.get("/inspections/{inspection_id}/record")
def inspection_record(
    request: Request, session: DbSession, principal: Regulator, inspection_id: int
) -> Response:
    """The inspection record (监督检查结果记录表), ready to print on A4."""
    sheet = inspector_app.record_sheet(
        session=session, actor=principal, inspection_id=inspection_id
    )
    return render(
        request,
        "gov/app_record.html",
        {
            "sheet": sheet,
            "result_labels": RESULT_LABELS,
            "outcome_labels": OUTCOME_LABELS,
            "kind_labels": KIND_LABELS,
        },
    )
