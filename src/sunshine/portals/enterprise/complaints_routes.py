"""Enterprise portal: the complaints inbox (投诉) and the business's food-safety insurance.

* ``/biz/complaints``: the complaints about the business (a chain HQ: its outlets, and those
  escalated to it), in tabs; ``/biz/complaints/{id}``: one complaint with the diner's text
  and photos (the copies without metadata), the diner's contact masked, the timeline, and
  the answer form of whoever answers now: the store's owner or manager, or, once escalated,
  the company head (the chain HQ, or the owner of a standalone store). An answer carries the
  version of the complaint it was written against; a stale one is refused, the text kept.
* ``/biz/insurance``: the business's liability policies and the form to record one (the
  store page shows the cover in force).

Who may see and answer what is decided by the complaint and insurance services.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.cogovernance.complaints import service as complaints
from sunshine.cogovernance.complaints.enums import FINISHED_STATES, ComplaintState
from sunshine.cogovernance.complaints.models import Complaint
from sunshine.cogovernance.insurance import repository as insurance_repo
from sunshine.cogovernance.insurance import service as insurance
from sunshine.core import evidence
from sunshine.core.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.evidence_models import MEDIA_KINDS
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.time import today_local
from sunshine.portals.public.submissions_routes import LABELS
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Enterprise, check_csrf
from sunshine.portals.shared.templating import render, translator
from sunshine.registry import service as registry
from sunshine.registry.models import Business

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
PER_PAGE = 20

#: The inbox tabs: what the business must answer now (the store or its head), what it has
#: answered (the diner decides), what went to the regulator, and what is over.
TABS: dict[str, tuple[str, frozenset[ComplaintState]]] = {
    "waiting": (
        N_("Waiting for us"),
        frozenset({ComplaintState.WITH_MERCHANT, ComplaintState.WITH_HEAD}),
    ),
    "answered": (
        N_("Answered"),
        frozenset({ComplaintState.MERCHANT_ANSWERED, ComplaintState.HEAD_ANSWERED}),
    ),
    "escalated": (N_("With the regulator"), frozenset({ComplaintState.WITH_REGULATOR})),
    "finished": (N_("Finished"), FINISHED_STATES),
}
ANSWER_FILES = evidence.EvidenceRules(kinds=MEDIA_KINDS, max_files=6, field="files")
ANSWER_FIELD_LABELS = {
    "text": N_("Your answer"),
    "files": N_("Photos and videos"),
    "insurer": N_("Insurer"),
    "policy_number": N_("Policy number"),
    "cover_amount": N_("Cover (yuan per year)"),
    "start_on": N_("Cover starts"),
    "end_on": N_("Cover ends"),
    "claims_email": N_("Claims email"),
    "claims_phone": N_("Claims phone"),
}


def _context(**extra: Any) -> dict[str, Any]:
    return {**LABELS, "field_labels": {**LABELS["field_labels"], **ANSWER_FIELD_LABELS}, **extra}


# The inbox -----------------------------------------------------------------------------------


@router.get("/complaints")
def inbox(request: Request, session: DbSession, principal: Enterprise) -> Response:
    tab = request.query_params.get("tab", "waiting")
    if tab not in TABS:
        tab = "waiting"
    own = registry.enterprise_business(session=session, actor=principal)
    result = complaints.list_for_business(
        session=session,
        actor=principal,
        states=TABS[tab][1],
        page=PageRequest(forms.page_number(request), PER_PAGE),
    )
    context = _context(
        current=own,
        own_business=True,
        tabs=TABS,
        tab=tab,
        result=result,
        stores=_store_names(session, principal, result.items),
        is_hq=principal.role is Role.CHAIN_HQ,
        today=today_local(),
    )
    return render(request, "biz/complaints.html", context)


def _store_names(
    session: DbSession, principal: Principal, rows: Sequence[Complaint]
) -> dict[int, str]:
    """The name of each complaint's store (a chain HQ's inbox spans its outlets)."""
    names: dict[int, str] = {}
    for business_id in {row.business_id for row in rows}:
        try:
            business = registry.get_business(
                session=session, actor=principal, business_id=business_id
            )
        except NotFoundError:
            continue
        names[business_id] = business.name
    return names


# One complaint -----------------------------------------------------------------------------


def _answering_as(principal: Principal, complaint: Complaint) -> str | None:
    """Whose answer the complaint waits for, if it is this user's to give: ``"store"`` or
    ``"head"`` (the services check the same again when the answer is sent)."""
    if (
        complaint.state is ComplaintState.WITH_MERCHANT
        and principal.role in complaints.ANSWERING_ROLES
        and complaint.business_id == principal.business_id
    ):
        return "store"
    if (
        complaint.state is ComplaintState.WITH_HEAD
        and principal.role in complaints.HEAD_ROLES
        and complaint.head_business_id == principal.business_id
    ):
        return "head"
    return None


def _detail_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    complaint_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    alert: str | None = None,
    flash: str | None = None,
    status_code: int = 200,
) -> Response:
    complaint, events = complaints.complaint_for_business(
        session=session, actor=principal, complaint_id=complaint_id
    )
    store = registry.get_business(
        session=session, actor=principal, business_id=complaint.business_id
    )
    files = evidence.files_of(session, owner_type=complaints.OWNER, owner_ids=[complaint.id])
    answers = evidence.files_of(
        session, owner_type=complaints.ANSWER_OWNER, owner_ids=[complaint.id]
    )
    context = _context(
        current=store,
        own_business=store.id == principal.business_id,
        complaint=complaint,
        store=store,
        events=events,
        files=files.get(complaint.id, []),
        answer_files=answers.get(complaint.id, []),
        answering_as=_answering_as(principal, complaint),
        is_hq=principal.role is Role.CHAIN_HQ,
        values=values or {},
        errors=errors or [],
        alert=alert,
        flash=flash,
        today=today_local(),
        max_files=ANSWER_FILES.max_files,
        answer_limit=complaints.ANSWER_LIMIT,
    )
    return render(request, "biz/complaints_detail.html", context, status_code=status_code)


@router.get("/complaints/{complaint_id}")
def detail(
    request: Request, session: DbSession, principal: Enterprise, complaint_id: int
) -> Response:
    flash = None
    if request.query_params.get("answered"):
        flash = translator(request)("Your answer has been sent to the diner.")
    return _detail_page(request, session, principal, complaint_id, flash=flash)


@router.post("/complaints/{complaint_id}/answer", dependencies=Csrf)
async def send_answer(
    request: Request, session: DbSession, principal: Enterprise, complaint_id: int
) -> Response:
    return await forms.with_upload_form(
        request, partial(_send_answer, request, session, principal, complaint_id)
    )


def _send_answer(
    request: Request,
    session: DbSession,
    principal: Principal,
    complaint_id: int,
    form: FormData,
) -> Response:
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    version = values.get("expected_version", "")
    answer = complaints.head_answer if values.get("as") == "head" else complaints.answer
    try:
        files = evidence.prepare(
            session=session,
            uploads=[
                evidence.Upload(filename=item.filename, source=item.file)
                for item in form.getlist("files")
                if isinstance(item, UploadFile) and item.filename
            ],
            rules=ANSWER_FILES,
        )
        answer(
            session=session,
            actor=principal,
            complaint_id=complaint_id,
            text=values.get("text", ""),
            expected_version=int(version) if version.isdigit() else -1,
            files=files,
        )
    except (ValidationFailed, evidence.EvidenceRejected) as exc:
        return _detail_page(
            request,
            session,
            principal,
            complaint_id,
            values=values,
            errors=exc.problems,
            status_code=exc.status,
        )
    except ConflictError as exc:
        session.rollback()  # the stale write is undone; show the complaint as it stands
        return _detail_page(
            request,
            session,
            principal,
            complaint_id,
            values=values,
            alert=exc.render(translator(request)),
            status_code=409,
        )
    link = f"/biz/complaints/{complaint_id}?{urlencode({'answered': 1})}"
    return RedirectResponse(link, status_code=303)


# Insurance -----------------------------------------------------------------------------------


def _selected(request: Request) -> int | None:
    """The ``?business=`` a chain HQ chose (None: the user's own business)."""
    raw = request.query_params.get("business")
    if not raw:
        return None
    if not raw.isdigit():
        raise NotFoundError(N_("No such business"))
    return int(raw)


def _link(business: Business, principal: Principal, path: str, **params: object) -> str:
    query = {k: str(v) for k, v in params.items() if v is not None and v != ""}
    if business.id != principal.business_id:
        query["business"] = str(business.id)
    return f"{path}?{urlencode(query)}" if query else path


def _insurance_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    business = registry.enterprise_business(
        session=session, actor=principal, business_id=_selected(request)
    )
    flash = None
    if request.query_params.get("saved"):
        flash = translator(request)("The policy is recorded and shown on the store page.")
    context = _context(
        current=business,
        own_business=business.id == principal.business_id,
        link=lambda path, **params: _link(business, principal, path, **params),
        policies=insurance_repo.policies_of(session, business.id),
        today=today_local(),
        values=values or {},
        errors=errors or [],
        flash=flash,
    )
    return render(request, "biz/insurance.html", context, status_code=status_code)


@router.get("/insurance")
def insurance_list(request: Request, session: DbSession, principal: Enterprise) -> Response:
    return _insurance_page(request, session, principal)


@router.post("/insurance", dependencies=Csrf)
def record_policy(
    request: Request, session: DbSession, principal: Enterprise, values: forms.FormValues
) -> Response:
    business = registry.enterprise_business(
        session=session, actor=principal, business_id=_selected(request)
    )
    try:
        problems: list[FieldProblem] = []
        start_on = _day(values, "start_on", problems)
        end_on = _day(values, "end_on", problems)
        if problems:
            raise ValidationFailed(problems)
        insurance.record_policy(
            session=session,
            actor=principal,
            business_id=business.id,
            form=insurance.PolicyForm(
                insurer=values.get("insurer") or "",
                policy_number=values.get("policy_number") or "",
                cover_amount=values.get("cover_amount") or "",
                start_on=start_on,
                end_on=end_on,
                claims_email=values.get("claims_email") or "",
                claims_phone=values.get("claims_phone") or "",
            ),
        )
    except ValidationFailed as exc:
        return _insurance_page(
            request,
            session,
            principal,
            values=values,
            errors=[_claims_field(p) for p in exc.problems],
            status_code=422,
        )
    return RedirectResponse(_link(business, principal, "/biz/insurance", saved=1), status_code=303)


def _claims_field(problem: FieldProblem) -> FieldProblem:
    """The insurance service checks the claims contact as a contact (``phone``, ``email``);
    on this form those are the insurer's claims phone and email."""
    field = {"phone": "claims_phone", "email": "claims_email"}.get(problem.field)
    if field is None:
        return problem
    return FieldProblem(field, problem.message, problem.row, problem.code, problem.params)


def _day(values: dict[str, Any], field: str, problems: list[FieldProblem]) -> date | None:
    try:
        return forms.parse_date(values.get(field))
    except ValueError:
        problems.append(FieldProblem(field, N_("Enter a date.")))
        return None
