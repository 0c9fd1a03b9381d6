"""Enterprise portal: self-inspection (主体自查).

* ``/biz/selfcheck``: what is due today, this week and this month, and the checks so far;
* ``/biz/selfcheck/new?frequency=daily``: the phone form, one card per item (pass, fail or
  not applicable; a failed item says what is wrong, may carry a photo taken on the spot and
  a due date for its to-do);
* ``/biz/selfcheck/{id}``: one self-inspection with its answers, photos and to-dos;
* ``/biz/selfcheck/todos``: the to-dos (open, overdue highlighted, closed) and their close form;
* ``/biz/selfcheck/daily-list``: the owner's or a manager's choice of daily items.

A chain HQ adds ``?business=<id>`` to read an outlet's; who may do what is decided by
:mod:`sunshine.inspections.self_access`.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from sunshine.auth.principal import Principal
from sunshine.core import evidence
from sunshine.core.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.time import today_local
from sunshine.inspections import self_access, self_service, self_views
from sunshine.inspections.enums import ItemOutcome
from sunshine.inspections.self_rules import (
    FREQUENCY_LABELS,
    FREQUENCY_SHORT,
    SOURCES,
    SelfCheckFrequency,
    TodoStatus,
)
from sunshine.inspections.self_service import SelfAnswer, SelfInspectionForm, SelfPhoto
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Enterprise, check_csrf
from sunshine.portals.shared.imports_routes import reject_oversized
from sunshine.portals.shared.templating import render, translator
from sunshine.registry import service as registry
from sunshine.registry.models import Business

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
Upload = [Depends(reject_oversized), Depends(check_csrf)]

OUTCOME_LABELS = {
    ItemOutcome.PASS: N_("Meets the requirement"),
    ItemOutcome.FAIL: N_("Problem found"),
    ItemOutcome.NOT_APPLICABLE: N_("Not applicable here"),
}
FLASHES = {
    "recorded": N_("Self-inspection recorded."),
    "closed": N_("To-do closed."),
    "saved": N_("Daily self-check list saved."),
}


def _selected(request: Request) -> int | None:
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


def _business(request: Request, session: DbSession, principal: Principal) -> Business:
    return registry.enterprise_business(
        session=session, actor=principal, business_id=_selected(request)
    )


def _page(
    request: Request, principal: Principal, business: Business, template: str, /, **ctx: Any
) -> Response:
    status_code = ctx.pop("status_code", 200)
    _ = translator(request)
    flash = next((_(m) for k, m in FLASHES.items() if request.query_params.get(k)), None)
    context = {
        "current": business,
        "own_business": business.id == principal.business_id,
        "link": lambda path, **params: _link(business, principal, path, **params),
        "frequency_labels": FREQUENCY_LABELS,
        "frequency_short": FREQUENCY_SHORT,
        "outcome_labels": OUTCOME_LABELS,
        "today": today_local(),
        "flash": ctx.pop("flash", None) or flash,
        **ctx,
    }
    return render(request, template, context, status_code=status_code)


def _frequency(raw: str | None) -> SelfCheckFrequency:
    try:
        return SelfCheckFrequency(raw or "daily")
    except ValueError:
        raise NotFoundError(N_("No such self-inspection frequency")) from None


# Overview ------------------------------------------------------------------------------------


@router.get("/selfcheck")
def overview(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = _business(request, session, principal)
    data = self_views.overview(
        session=session,
        actor=principal,
        business=business,
        page=PageRequest(forms.page_number(request), 20),
    )
    return _page(request, principal, business, "biz/selfcheck.html", d=data, sources=SOURCES)


@router.get("/selfcheck/new")
def new_form(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = _business(request, session, principal)
    frequency = _frequency(request.query_params.get("frequency"))
    return _form_page(request, session, principal, business, frequency)


def _form_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    business: Business,
    frequency: SelfCheckFrequency,
    *,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    bad_items: set[str] | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> Response:
    view = self_views.form_view(
        session=session, actor=principal, business=business, frequency=frequency
    )
    return _page(
        request,
        principal,
        business,
        "biz/selfcheck_form.html",
        v=view,
        due=self_service.due_dates(frequency, today_local()),
        values=values or {"checked_by_name": principal.display_name},
        errors=errors or [],
        bad_items=bad_items or set(),
        alert=alert,
        status_code=status_code,
    )


@router.post("/selfcheck/new", dependencies=Upload)
async def record(request: Request, session: DbSession, principal: Enterprise) -> Response:
    return await forms.with_upload_form(request, partial(_record, request, session, principal))


def _record(request: Request, session: DbSession, principal: Principal, form: FormData) -> Response:
    business = _business(request, session, principal)
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    frequency = _frequency(values.get("frequency"))
    view = self_views.form_view(
        session=session, actor=principal, business=business, frequency=frequency
    )
    codes = [item.code for _, items in view.sections for item in items]
    problems: list[FieldProblem] = []
    answers = _answers(values, codes, problems)
    if problems:
        return _form_page(
            request, session, principal, business, frequency,
            values=values, errors=problems, bad_items=_bad(problems, codes), status_code=422,
        )  # fmt: skip
    submitted = SelfInspectionForm(
        business_id=business.id,
        frequency=frequency,
        answers=answers,
        checked_by_name=values.get("checked_by_name", ""),
        remarks=values.get("remarks", ""),
        photos=_photos(form, codes),
    )
    try:
        saved = self_service.record_self_inspection(
            session=session, actor=principal, form=submitted
        )
    except (ValidationFailed, evidence.EvidenceRejected) as exc:
        return _form_page(
            request, session, principal, business, frequency,
            values=values, errors=exc.problems, bad_items=_bad(exc.problems, codes),
            status_code=exc.status,
        )  # fmt: skip
    except ConflictError as exc:
        return _form_page(
            request, session, principal, business, frequency,
            values=values, alert=exc.render(translator(request)), status_code=409,
        )  # fmt: skip
    link = _link(business, principal, f"/biz/selfcheck/{saved.id}", recorded=1)
    return RedirectResponse(link, status_code=303)


def _answers(
    values: dict[str, str], codes: list[str], problems: list[FieldProblem]
) -> list[SelfAnswer]:
    """The items' answers in list order; an item left unanswered or with a bad date is
    named here (the service names the rest)."""
    answers = []
    for n, code in enumerate(codes):
        raw = values.get(f"outcome_{code}", "")
        try:
            outcome = ItemOutcome(raw)
        except ValueError:
            problems.append(
                FieldProblem(
                    f"items[{n}].outcome",
                    N_("choose an answer for item {code}"),
                    params={"code": code},
                )
            )
            continue
        due: date | None = None
        raw_due = values.get(f"due_{code}", "").strip()
        if raw_due and outcome is ItemOutcome.FAIL:
            due = forms.parse_date(raw_due)
            if due is None:
                problems.append(
                    FieldProblem(
                        f"items[{n}].due_on",
                        N_("the due date of item {code} is not a date"),
                        params={"code": code},
                    )
                )
        answers.append(SelfAnswer(code, outcome, values.get(f"note_{code}", ""), due))
    return answers


def _photos(form: FormData, codes: list[str]) -> list[SelfPhoto]:
    return [
        SelfPhoto(code, evidence.Upload(filename=item.filename, source=item.file))
        for code in codes
        for item in form.getlist(f"photo_{code}")
        if isinstance(item, UploadFile) and item.filename
    ]


def _bad(problems: list[FieldProblem], codes: list[str]) -> set[str]:
    """The item codes the problems are about (to mark their cards)."""
    bad = set()
    for problem in problems:
        params = problem.params or {}
        code = params.get("code") or params.get("name")
        if isinstance(code, str) and code in codes:
            bad.add(code)
        elif problem.field.startswith("items["):
            index = problem.field[6:].split("]")[0]
            if index.isdigit() and int(index) < len(codes):
                bad.add(codes[int(index)])
    return bad


# One self-inspection ---------------------------------------------------------------------------


@router.get("/selfcheck/todos")
def todos(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = _business(request, session, principal)
    return _todos_page(request, session, principal, business)


def _todos_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    business: Business,
    *,
    errors: dict[int, list[FieldProblem]] | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        principal,
        business,
        "biz/selfcheck_todos.html",
        open_todos=self_views.open_todos(session=session, actor=principal, business=business),
        closed=self_views.closed_todos(session=session, actor=principal, business=business),
        may_close=self_access.may_record(principal, business.id),
        errors=errors or {},
        alert=alert,
        status_code=status_code,
    )


@router.post("/selfcheck/todos/{todo_id}/close", dependencies=Upload)
async def close(
    request: Request, session: DbSession, principal: Enterprise, todo_id: int
) -> Response:
    return await forms.with_upload_form(
        request, partial(_close, request, session, principal, todo_id)
    )


def _close(
    request: Request, session: DbSession, principal: Principal, todo_id: int, form: FormData
) -> Response:
    todo = self_views.todo_of(session=session, actor=principal, todo_id=todo_id)
    business = registry.get_business(session=session, actor=principal, business_id=todo.business_id)
    note = form.get("closing_note")
    photos = [
        evidence.Upload(filename=item.filename, source=item.file)
        for item in form.getlist("photos")
        if isinstance(item, UploadFile) and item.filename
    ]
    try:
        self_service.close_todo(
            session=session,
            actor=principal,
            todo_id=todo_id,
            note=note if isinstance(note, str) else "",
            photos=photos,
        )
    except (ValidationFailed, evidence.EvidenceRejected) as exc:
        return _todos_page(
            request, session, principal, business,
            errors={todo_id: exc.problems}, status_code=exc.status,
        )  # fmt: skip
    except ConflictError as exc:
        return _todos_page(
            request, session, principal, business,
            alert=exc.render(translator(request)), status_code=409,
        )  # fmt: skip
    return RedirectResponse(_link(business, principal, "/biz/selfcheck/todos", closed=1), 303)


# The daily list ----------------------------------------------------------------------------------


@router.get("/selfcheck/daily-list")
def daily_list(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = _business(request, session, principal)
    return _daily_page(request, session, principal, business)


def _daily_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    business: Business,
    *,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    view = self_views.daily_list_view(session=session, actor=principal, business=business)
    return _page(
        request,
        principal,
        business,
        "biz/selfcheck_daily_list.html",
        v=view,
        may_configure=self_access.may_configure(principal),
        errors=errors or [],
        status_code=status_code,
    )


@router.post("/selfcheck/daily-list", dependencies=Csrf)
async def save_daily_list(request: Request, session: DbSession, principal: Enterprise) -> Response:
    form = await request.form()
    codes = [v for v in form.getlist("items") if isinstance(v, str)]
    return await run_in_threadpool(_save_daily_list, request, session, principal, codes)


def _save_daily_list(
    request: Request, session: DbSession, principal: Principal, codes: list[str]
) -> Response:
    business = _business(request, session, principal)
    try:
        self_service.configure_daily_list(
            session=session, actor=principal, business_id=business.id, item_codes=codes
        )
    except ValidationFailed as exc:
        return _daily_page(
            request, session, principal, business, errors=exc.problems, status_code=422
        )
    return RedirectResponse(_link(business, principal, "/biz/selfcheck/daily-list", saved=1), 303)


@router.get("/selfcheck/{self_inspection_id}")
def detail(
    request: Request, session: DbSession, principal: Enterprise, self_inspection_id: int
) -> Response:
    shown = self_views.self_inspection_file(
        session=session, actor=principal, self_inspection_id=self_inspection_id
    )
    return _page(
        request,
        principal,
        shown.business,
        "biz/selfcheck_detail.html",
        f=shown,
        statuses=TodoStatus,
    )
