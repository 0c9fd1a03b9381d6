"""Government portal: enforcement cases (立案查处) and their penalty decisions (行政处罚决定).

``/gov/enforcement`` lists the jurisdiction's enforcement cases; ``/gov/enforcement/{id}``
shows one with the rectification order and inspection it came from, its decision clock, its
penalty decisions and the form that records one (types, amounts, legal basis, dates and the
decision's PDF documents). The case's workflow itself stays on the case page
(``/gov/cases/{id}``), which links here.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from sunshine.auth.principal import Principal
from sunshine.core import evidence
from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.pagination import PageRequest
from sunshine.core.time import today_local
from sunshine.inspections import rectification
from sunshine.inspections import rectification_penalties as penalties
from sunshine.inspections import rectification_repository as repo
from sunshine.inspections.rectification_access import order_condition
from sunshine.portals.government.case_labels import LIMIT_LABELS, case_label
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Regulator, check_csrf
from sunshine.portals.shared.imports_routes import reject_oversized
from sunshine.portals.shared.templating import render, translator

router = APIRouter(include_in_schema=False)
Upload = [Depends(reject_oversized), Depends(check_csrf)]
PER_PAGE = 50
TEXT_FIELDS = (
    "number",
    "fine_yuan",
    "confiscated_income_yuan",
    "confiscated_property",
    "violation",
    "violated_law",
    "violated_article",
    "penalty_law",
    "penalty_article",
    "decided_on",
    "served_on",
    "executed_on",
)


def _context(request: Request) -> dict[str, Any]:
    _ = translator(request)
    return {
        "case_label": case_label,
        "limit_labels": LIMIT_LABELS,
        "penalty_types": penalties.PENALTY_TYPES,
        "types_by_code": penalties.TYPES,
        "penalty_source": penalties.PENALTY_SOURCE,
        "field_label": lambda name: (
            _(penalties.FIELD_LABELS[name]) if name in penalties.FIELD_LABELS else name
        ),
    }


@router.get("/enforcement")
def case_list(request: Request, session: DbSession, principal: Regulator) -> Response:
    listed = penalties.list_enforcement_cases(
        session=session, actor=principal, page=PageRequest(forms.page_number(request), PER_PAGE)
    )
    return render(
        request,
        "gov/enforcement.html",
        {"result": listed, "today": today_local(), **_context(request)},
    )


def _detail_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    case_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    case = penalties.enforcement_case(session=session, actor=principal, case_id=case_id)
    order = repo.order_of_case(session, case_id=case.id, scope=order_condition(principal))
    decisions = penalties.penalties_of(session=session, actor=principal, case_id=case.id)
    documents = evidence.files_of(
        session, owner_type=penalties.OWNER, owner_ids=[d.id for d in decisions]
    )
    _ = translator(request)
    flash = None
    if request.query_params.get("filed"):
        flash = _("The enforcement case is filed; the 90-day decision clock runs from today.")
    elif request.query_params.get("recorded"):
        flash = _("The penalty decision is recorded and published on the store page.")
    return render(
        request,
        "gov/enforcement_detail.html",
        {
            "case": case,
            "order": order,
            "order_status": rectification.public_status(order, today_local()) if order else None,
            "decisions": decisions,
            "documents": documents,
            "values": values or {},
            "chosen": (values or {}).get("penalty_types", []),
            "errors": errors or [],
            "flash": flash,
            "state_labels": rectification.STATE_LABELS,
            **_context(request),
        },
        status_code=status_code,
    )


@router.get("/enforcement/{case_id}")
def case_detail(
    request: Request, session: DbSession, principal: Regulator, case_id: int
) -> Response:
    return _detail_page(request, session, principal, case_id)


@router.post("/enforcement/{case_id}/penalties", dependencies=Upload)
async def record_penalty(
    request: Request, session: DbSession, principal: Regulator, case_id: int
) -> Response:
    form = await request.form()
    try:
        return await run_in_threadpool(_record, request, session, principal, case_id, form)
    finally:
        for _key, item in form.multi_items():
            if isinstance(item, UploadFile):
                await item.close()


def _record(
    request: Request, session: DbSession, principal: Principal, case_id: int, form: FormData
) -> Response:
    values: dict[str, Any] = {name: str(form.get(name) or "") for name in TEXT_FIELDS}
    values["penalty_types"] = [str(v) for v in form.getlist("penalty_types")]
    try:
        penalties.record_penalty(
            session=session,
            actor=principal,
            case_id=case_id,
            form=penalties.PenaltyForm(
                **{name: values[name] for name in TEXT_FIELDS},
                penalty_types=values["penalty_types"],
                documents=[
                    evidence.Upload(f.filename, f.file)
                    for f in form.getlist("documents")
                    if isinstance(f, UploadFile) and f.filename
                ],
            ),
        )
    except (ValidationFailed, evidence.EvidenceRejected) as exc:
        session.rollback()
        return _detail_page(
            request,
            session,
            principal,
            case_id,
            values=values,
            errors=exc.problems,
            status_code=exc.status,
        )
    return RedirectResponse(f"/gov/enforcement/{case_id}?recorded=1", status_code=303)
