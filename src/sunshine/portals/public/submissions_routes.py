"""Public portal: complaints (投诉) and whistleblower reports (举报), and following them.

* ``/s/{code}/complain``: the phone-first complaint form of a store, then the receipt code;
* ``/report``: the report form (a store by code or search, or an area, address and
  position), anonymous by default; ``/report/stores`` and ``/report/townships`` feed its
  pickers;
* ``/track``: follow a complaint or a report by receipt code; a complaint's diner accepts
  an answer, escalates to the company head or the regulator, and rates the handling there;
* ``/me/submissions`` and ``/me/whistleblower``: a signed-in citizen's own submissions and
  their registration as a whistleblower.

The rules live in the services (:mod:`sunshine.cogovernance.complaints.service`,
:mod:`sunshine.cogovernance.reports.service`); these routes read forms, check the files
(:func:`sunshine.core.evidence.prepare`, before any row is written) and render. The forms
carry the same guard as the review form: a hidden honeypot field and a signed stamp of when
the form was served (:mod:`sunshine.cogovernance.reviews.antiabuse`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.cogovernance.complaints import service as complaints
from sunshine.cogovernance.complaints.enums import (
    ComplaintCategory,
    ComplaintState,
    ComplaintStep,
    DesiredOutcome,
    Party,
)
from sunshine.cogovernance.complaints.policy import MERCHANT_ANSWER
from sunshine.cogovernance.reports import profiles
from sunshine.cogovernance.reports import service as reports
from sunshine.cogovernance.reports.enums import ProfileStatus, ReportCategory, WhistleblowerGroup
from sunshine.cogovernance.reviews import antiabuse
from sunshine.cogovernance.reviews import service as reviews
from sunshine.cogovernance.reviews.antiabuse import HONEYPOT_FIELD
from sunshine.config import get_settings
from sunshine.core import evidence
from sunshine.core.errors import (
    ConflictError,
    FieldProblem,
    NotFoundError,
    ThrottledError,
    ValidationFailed,
)
from sunshine.core.evidence_models import MEDIA_KINDS
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.storage import human_size
from sunshine.core.time import today_local
from sunshine.portals.shared.deps import CurrentPrincipal, DbSession, SignedIn, check_csrf
from sunshine.portals.shared.forms import with_upload_form
from sunshine.portals.shared.templating import render, translator
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import RegionLevel
from sunshine.registry import public

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]

# Labels (English msgids) of the complaint and report values; the enterprise and government
# pages use them too. -------------------------------------------------------------------------

COMPLAINT_CATEGORY_LABELS = {
    ComplaintCategory.FOREIGN_MATTER: N_("Foreign matter in the food"),
    ComplaintCategory.SPOILED_FOOD: N_("Spoiled or expired food"),
    ComplaintCategory.ILLNESS: N_("Felt ill after eating"),
    ComplaintCategory.HYGIENE: N_("Hygiene and cleanliness"),
    ComplaintCategory.PRICE: N_("Price or weight"),
    ComplaintCategory.SERVICE: N_("Service and staff attitude"),
    ComplaintCategory.OTHER: N_("Something else"),
}
OUTCOME_LABELS = {
    DesiredOutcome.APOLOGY: N_("An apology"),
    DesiredOutcome.REFUND: N_("A refund"),
    DesiredOutcome.COMPENSATION: N_("Compensation"),
    DesiredOutcome.RECTIFICATION: N_("The store puts the problem right"),
    DesiredOutcome.OTHER: N_("Something else"),
}
COMPLAINT_STATE_LABELS = {
    ComplaintState.WITH_MERCHANT: N_("Waiting for the store's answer"),
    ComplaintState.MERCHANT_ANSWERED: N_("The store has answered"),
    ComplaintState.WITH_HEAD: N_("With the company head"),
    ComplaintState.HEAD_ANSWERED: N_("The company head has answered"),
    ComplaintState.WITH_REGULATOR: N_("With the regulator: a case is open"),
    ComplaintState.RESOLVED: N_("Resolved"),
    ComplaintState.CLOSED: N_("Closed by the regulator"),
}
PARTY_LABELS = {
    Party.DINER: N_("Diner"),
    Party.MERCHANT: N_("Store"),
    Party.HEAD: N_("Company head"),
    Party.REGULATOR: N_("Regulator"),
    Party.SYSTEM: N_("Sunshine Food Safety"),
}
STEP_LABELS = {
    ComplaintStep.SUBMIT: N_("Complaint filed"),
    ComplaintStep.ANSWER: N_("The store answered"),
    ComplaintStep.ESCALATE_HEAD: N_("Escalated to the company head"),
    ComplaintStep.HEAD_ANSWER: N_("The company head answered"),
    ComplaintStep.ESCALATE_REGULATOR: N_("Escalated to the regulator"),
    ComplaintStep.ACCEPT: N_("Answer accepted"),
    ComplaintStep.RATE: N_("Handling rated"),
    ComplaintStep.OVERDUE: N_("The answer is overdue"),
    ComplaintStep.INSURER_NOTIFIED: N_("Sent to the store's insurer as a claim"),
    ComplaintStep.CASE_UPDATE: N_("The regulator's case moved on"),
    ComplaintStep.CLOSE: N_("The case is closed"),
}
#: The regulator's case steps a diner is told about (the text of a ``case_update`` event).
CASE_STEP_LABELS = {
    "accept": N_("The regulator accepted the case"),
    "reject": N_("The regulator did not accept the case"),
    "start_verifying": N_("The regulator is verifying the facts"),
    "handle": N_("The regulator has handled the case"),
    "close": N_("The regulator closed the case"),
    "reopen": N_("The regulator reopened the case"),
}
REPORT_CATEGORY_LABELS = {
    ReportCategory.UNLICENSED: N_("No licence, or beyond its licence"),
    ReportCategory.EXPIRED_OR_SPOILED: N_("Expired or spoiled food"),
    ReportCategory.ILLEGAL_ADDITIVES: N_("Illegal or excessive additives"),
    ReportCategory.UNSAFE_SOURCES: N_("Ingredients of unknown origin"),
    ReportCategory.HYGIENE: N_("Poor hygiene, rats or insects"),
    ReportCategory.STAFF_HEALTH: N_("Staff without a health certificate"),
    ReportCategory.FRAUD: N_("False claims or fake food"),
    ReportCategory.OTHER: N_("Something else"),
}
#: A report's stage as its reporter sees it (:class:`reports.ReportStatus`), in order.
REPORT_STAGES = ("received", "accepted", "verifying", "handled", "closed")
REPORT_STAGE_LABELS = {
    "received": N_("Received"),
    "accepted": N_("Accepted"),
    "verifying": N_("Being verified"),
    "handled": N_("Handled"),
    "closed": N_("Case closed"),
    "not_accepted": N_("Not accepted"),
}
GROUP_LABELS = {
    WhistleblowerGroup.JOURNALIST: N_("Journalist"),
    WhistleblowerGroup.TEACHER: N_("Teacher"),
    WhistleblowerGroup.STUDENT: N_("Student"),
    WhistleblowerGroup.RIDER: N_("Delivery rider"),
}
PROFILE_STATUS_LABELS = {
    ProfileStatus.PENDING: N_("Waiting for verification"),
    ProfileStatus.VERIFIED: N_("Verified"),
    ProfileStatus.REVOKED: N_("Registration revoked"),
}
FIELD_LABELS = {
    "category": N_("What it is about"),
    "description": N_("What happened"),
    "desired_outcome": N_("What you want"),
    "request_text": N_("Your request in detail"),
    "occurred_on": N_("When it happened"),
    "files": N_("Photos and videos"),
    "name": N_("Your name"),
    "phone": N_("Mobile number"),
    "email": N_("Email"),
    "id_number": N_("Resident ID number"),
    "store_code": N_("Store"),
    "region_code": N_("Area"),
    "address": N_("Address"),
    "latitude": N_("Latitude"),
    "longitude": N_("Longitude"),
    "receipt": N_("Receipt code"),
    "reason": N_("Why"),
    "rating": N_("Your rating"),
    "comment": N_("Comment"),
    "group": N_("Group"),
    "organisation": N_("Newsroom, school or platform"),
    "form_stamp": N_("Form"),
    HONEYPOT_FIELD: N_("Leave this field empty"),
}
LABELS: dict[str, Any] = {
    "category_labels": COMPLAINT_CATEGORY_LABELS,
    "outcome_labels": OUTCOME_LABELS,
    "state_labels": COMPLAINT_STATE_LABELS,
    "party_labels": PARTY_LABELS,
    "step_labels": STEP_LABELS,
    "case_step_labels": CASE_STEP_LABELS,
    "report_category_labels": REPORT_CATEGORY_LABELS,
    "report_stages": REPORT_STAGES,
    "stage_labels": REPORT_STAGE_LABELS,
    "group_labels": GROUP_LABELS,
    "profile_status_labels": PROFILE_STATUS_LABELS,
    "field_labels": FIELD_LABELS,
    "honeypot": HONEYPOT_FIELD,
}

# Evidence each form accepts. A complaint shows the dish and the receipt; a report may need
# a few more angles of a kitchen or a store room, and a short video.
MAX_COMPLAINT_FILES = 6
MAX_REPORT_FILES = 9
COMPLAINT_FILES = evidence.EvidenceRules(
    kinds=MEDIA_KINDS, max_files=MAX_COMPLAINT_FILES, field="files"
)
REPORT_FILES = evidence.EvidenceRules(kinds=MEDIA_KINDS, max_files=MAX_REPORT_FILES, field="files")
ACCEPT_FILES = "image/jpeg,image/png,image/webp,video/mp4,video/quicktime,video/webm"


# The form guard (honeypot and fill time) ------------------------------------------------------

#: A complaint or report form sent sooner than this after it was served is refused once (a
#: script posts at once; a person who really was this fast sends it again and it passes,
#: since the page keeps the stamp). The same bound as the reviews' fold rule.
MIN_FILL_S = antiabuse.FOLD_RULES.min_fill_s
TOO_FAST = N_(
    "The form was sent very quickly. Check what you wrote, choose your files again, and send it."
)


def stamp_key(kind: str, code: str = "") -> str:
    """What a form's stamp is signed for: the kind of form and, for a complaint, the store
    (so a stamp of one form cannot be replayed on another)."""
    return f"{kind}:{code}".upper()


def _check_guard(values: dict[str, Any], key: str) -> None:
    antiabuse.check_honeypot(values.get(HONEYPOT_FIELD))
    seconds = antiabuse.fill_seconds(values.get("form_stamp"), key)
    if seconds < MIN_FILL_S:
        raise ValidationFailed([FieldProblem("form_stamp", TOO_FAST, code="too_fast")])


def _stamp_for(values: dict[str, Any], key: str) -> str:
    """The stamp of a form shown again: the one it came with while it is valid (so the time
    spent filling it in counts), else a fresh one."""
    try:
        antiabuse.fill_seconds(values.get("form_stamp"), key)
    except ValidationFailed:
        return antiabuse.issue_stamp(key)
    return str(values["form_stamp"])


# Reading forms ------------------------------------------------------------------------------


def _values(form: FormData) -> dict[str, Any]:
    """Every text field, stripped (blank fields left out); files and the CSRF token dropped."""
    values = {}
    for key, value in form.items():
        if isinstance(value, str) and key != "csrf_token" and value.strip():
            values[key] = value.strip()
    return values


def _uploads(form: FormData, field: str = "files") -> list[evidence.Upload]:
    return [
        evidence.Upload(filename=item.filename, source=item.file)
        for item in form.getlist(field)
        if isinstance(item, UploadFile) and item.filename
    ]


def _date(values: dict[str, Any], field: str, problems: list[FieldProblem]) -> date | None:
    raw = values.get(field)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(FieldProblem(field, N_("Enter a date.")))
        return None


def _coordinate(values: dict[str, Any], field: str, problems: list[FieldProblem]) -> float | None:
    raw = values.get(field)
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        problems.append(FieldProblem(field, N_("Not a valid coordinate.")))
        return None


def _throttled(request: Request, render_page: Any, exc: ThrottledError) -> Response:
    response: Response = render_page(alert=exc.render(translator(request)), status_code=429)
    response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


def _file_help() -> dict[str, str]:
    settings = get_settings()
    return {
        "photo_limit": human_size(settings.evidence_photo_max_bytes),
        "video_limit": human_size(settings.evidence_video_max_bytes),
        "accept_files": ACCEPT_FILES,
    }


# The complaint form -------------------------------------------------------------------------


def _complaint_page(
    request: Request,
    store: reviews.Store,
    *,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> Response:
    values = values or {}
    context = {
        **LABELS,
        **_file_help(),
        "store": store,
        "stamp": _stamp_for(values, stamp_key("complaint", store.code)),
        "values": values,
        "errors": errors or [],
        "alert": alert,
        "categories": list(ComplaintCategory),
        "outcomes": list(DesiredOutcome),
        "max_files": MAX_COMPLAINT_FILES,
        "answer_days": MERCHANT_ANSWER.workdays,
        "text_limit": complaints.TEXT_LIMIT,
        "today": today_local(),
    }
    return render(request, "public/complaint_form.html", context, status_code=status_code)


@router.get("/s/{code}/complain")
def complaint_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, code: str
) -> Response:
    store = reviews.find_store(session=session, code=code)
    return _complaint_page(request, store)


@router.post("/s/{code}/complain", dependencies=Csrf)
async def submit_complaint(
    request: Request, session: DbSession, principal: CurrentPrincipal, code: str
) -> Response:
    return await with_upload_form(
        request, partial(_submit_complaint, request, session, principal, code)
    )


def _submit_complaint(
    request: Request, session: DbSession, principal: Principal, code: str, form: FormData
) -> Response:
    store = reviews.find_store(session=session, code=code)
    values = _values(form)
    try:
        _check_guard(values, stamp_key("complaint", store.code))
        problems: list[FieldProblem] = []
        occurred_on = _date(values, "occurred_on", problems)
        if problems:
            raise ValidationFailed(problems)
        files = evidence.prepare(session=session, uploads=_uploads(form), rules=COMPLAINT_FILES)
        complaint = complaints.submit_complaint(
            session=session,
            actor=principal,
            store_code=store.code,
            form=complaints.ComplaintForm(
                category=values.get("category", ""),
                desired_outcome=values.get("desired_outcome", ""),
                description=values.get("description", ""),
                request_text=values.get("request_text", ""),
                occurred_on=occurred_on,
                claims_damage=bool(values.get("claims_damage")),
                name=values.get("name", ""),
                phone=values.get("phone", ""),
                email=values.get("email", ""),
            ),
            files=files,
        )
    except (ValidationFailed, evidence.EvidenceRejected) as exc:
        return _complaint_page(
            request, store, values=values, errors=exc.problems, status_code=exc.status
        )
    except ThrottledError as exc:
        return _throttled(
            request, lambda **kw: _complaint_page(request, store, values=values, **kw), exc
        )
    context = {
        **LABELS,
        "store": store,
        "complaint": complaint,
        "files": len(files),
        "answer_days": MERCHANT_ANSWER.workdays,
    }
    return render(request, "public/complaint_done.html", context, status_code=201)


# The report form -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Area:
    code: str
    name: str


def _counties(session: DbSession) -> list[tuple[str, list[_Area]]]:
    """The counties of the province, grouped by prefecture (the report's area picker)."""
    province = get_settings().default_province
    within = (RegionLevel.PROVINCE, province)
    prefectures = regions_repo.regions_at_level(
        session, level=RegionLevel.PREFECTURE, within=within
    )
    counties = regions_repo.regions_at_level(session, level=RegionLevel.COUNTY, within=within)
    return [
        (p.name, [_Area(c.code, c.name) for c in counties if c.prefecture_code == p.code])
        for p in prefectures
    ]


def _townships(session: DbSession, county: str | None) -> list[_Area]:
    if not county or not county.isdigit():
        return []
    return [
        _Area(r.code, r.name)
        for r in regions_repo.children(session, county)
        if r.level is RegionLevel.TOWNSHIP
    ]


def _report_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    values: dict[str, Any] | None = None,
    store: reviews.Store | None = None,
    errors: list[FieldProblem] | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> Response:
    values = values or {}
    key = stamp_key("report")
    context = {
        **LABELS,
        **_file_help(),
        "stamp": _stamp_for(values, key),
        "values": values,
        "store": store,
        "errors": errors or [],
        "alert": alert,
        "categories": list(ReportCategory),
        "counties": _counties(session),
        "townships": [
            {"code": a.code, "name": a.name} for a in _townships(session, values.get("county"))
        ],
        "max_files": MAX_REPORT_FILES,
        "text_limit": reports.TEXT_LIMIT,
        "profile": profiles.own_profile(session=session, actor=principal),
        "VERIFIED": ProfileStatus.VERIFIED,
    }
    return render(request, "public/report_form.html", context, status_code=status_code)


@router.get("/report")
def report_form(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    store: str | None = None,
) -> Response:
    """The report form; ``?store=CODE`` (the store page's button) fills in the store."""
    found = reviews.find_store(session=session, code=store) if store else None
    values = {"store_code": found.code, "place": "store"} if found else {}
    return _report_page(request, session, principal, values=values, store=found)


@router.get("/report/stores")
def report_stores(session: DbSession, principal: CurrentPrincipal, q: str = "") -> Response:
    """Stores matching a name or address, for the report form's picker (JSON)."""
    q = q.strip()[:50]
    if len(q) < 2:
        return JSONResponse([])
    found = public.search_stores(session=session, q=q, region_code=None, page=PageRequest(1, 8))
    return JSONResponse(
        [{"code": b.public_code, "name": b.name, "address": b.address} for b in found.items]
    )


@router.get("/report/townships")
def report_townships(session: DbSession, principal: CurrentPrincipal, county: str = "") -> Response:
    """The townships of a county, for the report form's area picker (JSON)."""
    return JSONResponse([{"code": a.code, "name": a.name} for a in _townships(session, county)])


@router.post("/report", dependencies=Csrf)
async def submit_report(
    request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    return await with_upload_form(request, partial(_submit_report, request, session, principal))


def _report_input(values: dict[str, Any]) -> reports.ReportForm:
    """The service's form from what was sent: the store, or else the place; the identity
    only when the reporter chose to give their name."""
    problems: list[FieldProblem] = []
    by_address = values.get("place") == "address"
    latitude = _coordinate(values, "latitude", problems) if by_address else None
    longitude = _coordinate(values, "longitude", problems) if by_address else None
    if problems:
        raise ValidationFailed(problems)
    anonymous = values.get("identity") != "real_name"
    return reports.ReportForm(
        category=values.get("category", ""),
        description=values.get("description", ""),
        store_code="" if by_address else values.get("store_code", ""),
        region_code=(values.get("township") or values.get("county", "")) if by_address else "",
        address=values.get("address", "") if by_address else "",
        latitude=latitude,
        longitude=longitude,
        anonymous=anonymous,
        insider=bool(values.get("insider")),
        name="" if anonymous else values.get("name", ""),
        phone="" if anonymous else values.get("phone", ""),
        email="" if anonymous else values.get("email", ""),
        id_number="" if anonymous else values.get("id_number", ""),
    )


def _submit_report(
    request: Request, session: DbSession, principal: Principal, form: FormData
) -> Response:
    values = _values(form)

    def again(**extra: Any) -> Response:
        store = _known_store(session, values.get("store_code"))
        return _report_page(request, session, principal, values=values, store=store, **extra)

    try:
        _check_guard(values, stamp_key("report"))
        report_form = _report_input(values)
        files = evidence.prepare(session=session, uploads=_uploads(form), rules=REPORT_FILES)
        report = reports.submit_report(
            session=session, actor=principal, form=report_form, files=files
        )
    except (ValidationFailed, evidence.EvidenceRejected) as exc:
        place = "county" if values.get("place") == "address" else "store_code"
        return again(errors=_report_problems(exc.problems, place), status_code=exc.status)
    except ThrottledError as exc:
        return _throttled(request, again, exc)
    context = {**LABELS, "report": report, "files": len(files)}
    return render(request, "public/report_done.html", context, status_code=201)


def _report_problems(problems: list[FieldProblem], place: str) -> list[FieldProblem]:
    """The service names the missing place ``region_code``: on this form that is the store
    (the tab the reporter chose) or the county of the address."""
    return [
        FieldProblem(place, p.message, p.row, p.code, p.params) if p.field == "region_code" else p
        for p in problems
    ]


def _known_store(session: DbSession, code: str | None) -> reviews.Store | None:
    if not code:
        return None
    try:
        return reviews.find_store(session=session, code=code)
    except NotFoundError:
        return None


# Following by receipt code ----------------------------------------------------------------------

NO_RECEIPT = N_("No complaint or report has this receipt code.")
ACTION_DONE = {
    "accept": N_("You accepted the answer. The complaint is resolved; please rate the handling."),
    "head": N_("Your complaint has gone to the company head, who answers within the time shown."),
    "regulator": N_(
        "Your complaint is now a case at the market regulator, handled within the legal time "
        "limits. You will be told of each step."
    ),
    "rate": N_("Thank you for rating the handling."),
}


def _track_page(
    request: Request,
    *,
    receipt: str = "",
    complaint: complaints.ComplaintView | None = None,
    report: reports.ReportStatus | None = None,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    alert: str | None = None,
    done_message: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        **LABELS,
        "receipt": receipt,
        "view": complaint,
        "status": report,
        "values": values or {},
        "errors": errors or [],
        "alert": alert,
        "done_message": done_message,
        "today": today_local(),
    }
    return render(request, "public/track.html", context, status_code=status_code)


def _lookup(
    request: Request, session: DbSession, principal: Principal, receipt: str, **extra: Any
) -> Response:
    """The complaint or report with this receipt code (complaints first: the two kinds of
    code look alike, and a person need not know which they hold)."""
    if not receipt:
        return _track_page(request, **extra)
    try:
        try:
            view = complaints.follow(session=session, actor=principal, receipt_code=receipt)
            return _track_page(
                request, receipt=view.complaint.receipt_code, complaint=view, **extra
            )
        except NotFoundError:
            status = reports.follow(session=session, actor=principal, receipt_code=receipt)
            return _track_page(request, receipt=status.report.receipt_code, report=status, **extra)
    except NotFoundError:
        problem = FieldProblem("receipt", NO_RECEIPT, code="not_found")
        return _track_page(request, receipt=receipt, errors=[problem], status_code=404)
    except ThrottledError as exc:
        return _throttled(request, lambda **kw: _track_page(request, receipt=receipt, **kw), exc)


@router.get("/track")
def track(
    request: Request, session: DbSession, principal: CurrentPrincipal, code: str = ""
) -> Response:
    """The look-up form; ``?code=`` (the link in a notification) looks the code up at once."""
    return _lookup(request, session, principal, code.strip())


@router.post("/track", dependencies=Csrf)
async def track_lookup(
    request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """The receipt code travels in the body when typed, so it stays out of logs."""
    values = _values(await request.form())
    return await run_in_threadpool(_lookup, request, session, principal, values.get("receipt", ""))


@router.post("/track/{action}", dependencies=Csrf)
async def track_action(
    request: Request, session: DbSession, principal: CurrentPrincipal, action: str
) -> Response:
    """A diner's step on their complaint: ``accept``, ``head``, ``regulator`` or ``rate``."""
    if action not in ACTION_DONE:
        raise NotFoundError(N_("No such page"))
    values = _values(await request.form())
    return await run_in_threadpool(_track_action, request, session, principal, action, values)


def _track_action(
    request: Request,
    session: DbSession,
    principal: Principal,
    action: str,
    values: dict[str, Any],
) -> Response:
    receipt = values.get("receipt", "")
    try:
        _take_step(session, principal, action, receipt, values)
    except ValidationFailed as exc:
        return _lookup(
            request,
            session,
            principal,
            receipt,
            values={**values, "action": action},
            errors=exc.problems,
            status_code=422,
        )
    except ConflictError as exc:
        alert = exc.render(translator(request))
        return _lookup(request, session, principal, receipt, alert=alert, status_code=409)
    except NotFoundError:
        problem = FieldProblem("receipt", NO_RECEIPT, code="not_found")
        return _track_page(request, receipt=receipt, errors=[problem], status_code=404)
    done = translator(request)(ACTION_DONE[action])
    return _lookup(request, session, principal, receipt, done_message=done)


def _take_step(
    session: DbSession, principal: Principal, action: str, receipt: str, values: dict[str, Any]
) -> None:
    reason = values.get("reason", "")
    if action == "accept":
        complaints.accept_answer(session=session, actor=principal, receipt_code=receipt)
    elif action == "head":
        complaints.escalate_to_head(
            session=session, actor=principal, receipt_code=receipt, reason=reason
        )
    elif action == "regulator":
        complaints.escalate_to_regulator(
            session=session, actor=principal, receipt_code=receipt, reason=reason
        )
    else:
        rating = values.get("rating", "")
        complaints.rate_handling(
            session=session,
            actor=principal,
            receipt_code=receipt,
            rating=int(rating) if rating.isdigit() else 0,
            comment=values.get("comment", ""),
        )


# A signed-in citizen's own submissions and whistleblower registration ------------------------


@router.get("/me/submissions")
def my_submissions(request: Request, session: DbSession, principal: SignedIn) -> Response:
    context = {
        **LABELS,
        "complaints": complaints.my_complaints(session=session, actor=principal),
        "reports": reports.my_reports(session=session, actor=principal),
    }
    return render(request, "public/my_submissions.html", context)


def _whistleblower_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    alert: str | None = None,
    done_message: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        **LABELS,
        "profile": profiles.own_profile(session=session, actor=principal),
        "groups": list(WhistleblowerGroup),
        "may_apply": principal.role is Role.PUBLIC,
        "REVOKED": ProfileStatus.REVOKED,
        "values": values or {},
        "errors": errors or [],
        "alert": alert,
        "done_message": done_message,
    }
    return render(request, "public/whistleblower.html", context, status_code=status_code)


@router.get("/me/whistleblower")
def whistleblower(request: Request, session: DbSession, principal: SignedIn) -> Response:
    return _whistleblower_page(request, session, principal)


@router.post("/me/whistleblower", dependencies=Csrf)
async def whistleblower_apply(
    request: Request, session: DbSession, principal: SignedIn
) -> Response:
    values = _values(await request.form())
    return await run_in_threadpool(_apply, request, session, principal, values)


def _apply(
    request: Request, session: DbSession, principal: Principal, values: dict[str, Any]
) -> Response:
    try:
        profiles.apply(
            session=session,
            actor=principal,
            group=values.get("group", ""),
            organisation=values.get("organisation", ""),
        )
    except ValidationFailed as exc:
        return _whistleblower_page(
            request, session, principal, values=values, errors=exc.problems, status_code=422
        )
    except ConflictError as exc:
        return _whistleblower_page(
            request,
            session,
            principal,
            alert=exc.render(translator(request)),
            status_code=409,
        )
    done = translator(request)(
        "Your application is recorded. An administrator checks your credentials and verifies it."
    )
    return _whistleblower_page(request, session, principal, done_message=done)
