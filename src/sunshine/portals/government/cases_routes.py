"""Government portal: the case workbench (案件工作台), case files and case statistics.

The workbench answers htmx requests (tabs, filters, pages, bulk assignment) with the
workbench fragment alone and any other request with the whole page, so it works without
scripts too. Forms on a case carry the version of the case the handler saw: a step taken
on an older version is refused with a conflict and the page comes back with what was
typed still in the form.
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from itertools import groupby
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from sunshine.cases import bulk, statistics, workbench
from sunshine.cases import notes as case_notes
from sunshine.cases import service as cases_service
from sunshine.cases.enums import CaseAction, CaseKind, CaseState
from sunshine.cases.limits import PauseKind
from sunshine.cases.repository import CaseQueue, WorkbenchFilter
from sunshine.cases.service import Step
from sunshine.cases.workflow import OPEN_STATES
from sunshine.cogovernance import case_view
from sunshine.core import evidence
from sunshine.core.errors import ConflictError, FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.time import today_local
from sunshine.portals.government.case_labels import (
    CASE_LABELS,
    EVENT_LABELS,
    LIMIT_LABELS,
    QUEUES,
    UNIT_LABELS,
    case_label,
)
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Regulator, check_csrf
from sunshine.portals.shared.labels import label
from sunshine.portals.shared.templating import render, translator
from sunshine.regions import directory
from sunshine.regions import repository as regions_repo
from sunshine.regions import service as regions_service
from sunshine.regions.enums import RegionLevel

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]


def _labels() -> dict[str, Any]:
    return {
        "case_label": case_label,
        "event_label": lambda action: EVENT_LABELS.get(action, action),
        "limit_label": lambda key: LIMIT_LABELS.get(key, key),
        "unit_label": lambda unit: UNIT_LABELS.get(unit, "{n}"),
        "queues": QUEUES,
        "kinds": list(CaseKind),
        "kind_by_value": {kind.value: kind for kind in CaseKind},
        "states": list(CaseState),
        "open_states": [s for s in CaseState if s in OPEN_STATES],
    }


# -- the workbench --------------------------------------------------------------------------


def _partial(request: Request) -> bool:
    """An htmx request for the workbench fragment (a history restore wants the page)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def _enum(value: str | None, cls: type[StrEnum], name: str, problems: list[FieldProblem]) -> Any:
    if not value:
        return None
    try:
        return cls(value)
    except ValueError:
        problems.append(
            FieldProblem(name, N_("'{value}' is not a valid choice"), params={"value": value})
        )
        return None


def _number(value: str | None, name: str, problems: list[FieldProblem]) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        problems.append(
            FieldProblem(name, N_("'{value}' is not a valid choice"), params={"value": value})
        )
        return None
    return int(value)


def _workbench_query(request: Request, session: DbSession) -> tuple[CaseQueue, WorkbenchFilter]:
    """The queue and filters from the query string (unknown values are refused by name)."""
    q = request.query_params
    problems: list[FieldProblem] = []
    name = q.get("queue") or "open"
    if name not in QUEUES:
        problems.append(
            FieldProblem("queue", N_("'{value}' is not a valid choice"), params={"value": name})
        )
        name = "open"
    kind = _enum(q.get("kind"), CaseKind, "kind", problems)
    state = _enum(q.get("state"), CaseState, "state", problems)
    area = _area(session, q.get("area"), problems)
    org_unit_id = _number(q.get("unit"), "unit", problems)
    assignee_id = _number(q.get("assignee"), "assignee", problems)
    if problems:
        raise ValidationFailed(problems)
    if state is not None and name != "mine":
        # A state is in either the open queues or the closed one: choosing it moves there.
        name = "closed" if state not in OPEN_STATES else ("open" if name == "closed" else name)
    text = (q.get("q") or "").strip()[:100] or None
    return (
        CaseQueue(name=name, kind=kind, state=state),
        WorkbenchFilter(area=area, org_unit_id=org_unit_id, assignee_id=assignee_id, text=text),
    )


def _area(
    session: DbSession, code: str | None, problems: list[FieldProblem]
) -> tuple[RegionLevel, str] | None:
    if not code:
        return None
    region = regions_repo.get_region(session, code) if code.isdigit() else None
    if region is None:
        problems.append(FieldProblem("area", N_("a region code has 6 or 9 digits")))
        return None
    return region.level, region.code


def _workbench_page(
    request: Request,
    session: DbSession,
    principal: Regulator,
    *,
    outcomes: list[bulk.Outcome] | None = None,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    queue, filters = _workbench_query(request, session)
    bench = workbench.list_workbench(
        session=session,
        actor=principal,
        queue=queue,
        filters=filters,
        page=PageRequest(forms.page_number(request), workbench.PER_PAGE),
    )
    dispatcher = workbench.may_assign(principal)
    people = workbench.assignees(
        session=session,
        actor=principal,
        office_id=filters.org_unit_id,
        chosen_id=filters.assignee_id,
    )
    context = {
        "bench": bench,
        "result": bench.page,
        "queue": queue,
        "filters": filters,
        "area_code": request.query_params.get("area") or "",
        "areas": regions_service.areas_within(session=session, actor=principal),
        "units": directory.office_choices(session=session, actor=principal),
        "officer_groups": lambda with_role: _officer_groups(request, people, with_role),
        "may_assign": dispatcher,
        "outcomes": outcomes,
        "assigned": sum(o.assigned for o in outcomes or []),
        "errors": errors,
        # Links of tabs and pages go to the workbench, also from the answer to a POST.
        "url_with": lambda **changes: _workbench_url(request, **changes),
        **_labels(),
    }
    template = "gov/cases_workbench.html" if _partial(request) else "gov/cases.html"
    response = render(request, template, context, status_code=status_code)
    response.headers["Vary"] = "HX-Request"
    return response


def _officer_groups(
    request: Request, people: list[workbench.Assignee], with_role: bool
) -> list[tuple[str, list[tuple[int, str]]]]:
    """The officers as (office, [(id, name)]) groups for ``grouped_options``; with their
    roles for the bulk assignment, where one chooses who will do the work."""
    _ = translator(request)
    return [
        (
            group[0].unit,
            [(p.id, f"{p.name} · {_(label(p.role))}" if with_role else p.name) for p in group],
        )
        for group in (list(g) for _, g in groupby(people, key=lambda p: p.unit_id))
    ]


def _workbench_url(request: Request, **changes: Any) -> str:
    """The workbench's address with the current query changed (None drops a parameter)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    return f"/gov/cases?{urlencode(params)}" if params else "/gov/cases"


@router.get("/cases")
def cases(request: Request, session: DbSession, principal: Regulator) -> Response:
    """The workbench: a queue of cases with its filters, most urgent first."""
    return _workbench_page(request, session, principal)


async def _bulk_form(request: Request) -> dict[str, Any]:
    return await forms.form_dict(request, lists=("case",))


BulkForm = Annotated[dict[str, Any], Depends(_bulk_form)]


@router.post("/cases/assign", dependencies=Csrf)
def bulk_assign(
    request: Request, session: DbSession, principal: Regulator, values: BulkForm
) -> Response:
    """Assign the selected cases to one officer; the workbench comes back (same queue and
    filters) with what became of each case."""
    try:
        outcomes = bulk.assign_cases(
            session=session,
            actor=principal,
            assignee_id=_int_or_none(values.get("assignee_id")),
            targets=_targets(values.get("case") or []),
        )
    except ValidationFailed as exc:
        return _workbench_page(request, session, principal, errors=exc.problems, status_code=422)
    return _workbench_page(request, session, principal, outcomes=outcomes)


def _targets(values: list[str]) -> list[bulk.Target]:
    """Checkbox values ``<case id>:<version seen>``."""
    targets = []
    for value in values:
        case_id, _, version = value.partition(":")
        if not (case_id.isdigit() and version.isdigit()):
            raise ValidationFailed(
                [
                    FieldProblem(
                        "cases", N_("'{value}' is not a valid choice"), params={"value": value}
                    )
                ]
            )
        targets.append(bulk.Target(case_id=int(case_id), expected_version=int(version)))
    return targets


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# -- statistics -----------------------------------------------------------------------------


@router.get("/cases/stats")
def case_stats(request: Request, session: DbSession, principal: Regulator) -> Response:
    """Volumes, response times and overdue rates of the jurisdiction's cases."""
    raw = request.query_params.get("months") or str(statistics.DEFAULT_MONTHS)
    if not raw.isdigit() or not 1 <= int(raw) <= statistics.MAX_MONTHS:
        raise ValidationFailed(
            [
                FieldProblem(
                    "months",
                    N_("Choose between 1 and {limit} months."),
                    params={"limit": statistics.MAX_MONTHS},
                )
            ]
        )
    stats = statistics.case_statistics(session=session, actor=principal, months=int(raw))
    return render(
        request,
        "gov/cases_stats.html",
        {"stats": stats, "charts": _charts(request, stats), "months": int(raw), **_labels()},
    )


def _charts(request: Request, stats: statistics.CaseStatistics) -> dict[str, str]:
    """The figures of the charts as JSON for ``static/cases.js`` (tables beside them carry
    the same numbers)."""
    _ = translator(request)
    months = [f"{year}-{month:02d}" for year, month in stats.months]
    volumes = {
        "labels": months,
        "series": [
            {"name": _(case_label(kind)), "values": values}
            for kind, values in stats.volumes.items()
        ],
    }
    response = {
        "labels": [_(case_label(r.kind)) if r.kind else _("All kinds") for r in stats.response],
        "series": [
            {
                "name": _("Median to acceptance"),
                "values": [r.to_acceptance.median for r in stats.response],
            },
            {
                "name": _("90th percentile to acceptance"),
                "values": [r.to_acceptance.p90 for r in stats.response],
            },
            {
                "name": _("Median to closing"),
                "values": [r.to_closing.median for r in stats.response],
            },
            {
                "name": _("90th percentile to closing"),
                "values": [r.to_closing.p90 for r in stats.response],
            },
        ],
    }
    areas = [r for r in stats.by_area if r.open]
    overdue = {
        "labels": [r.name or _("No township recorded") for r in areas],
        "series": [
            {
                "name": _("Overdue rate (%)"),
                "values": [round(100 * (r.overdue_rate or 0), 1) for r in areas],
            }
        ],
    }
    return {
        name: json.dumps(data, ensure_ascii=False)
        for name, data in (("volumes", volumes), ("response", response), ("overdue", overdue))
    }


# -- the case file --------------------------------------------------------------------------


def _case_page(
    request: Request,
    session: DbSession,
    principal: Regulator,
    case_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    conflict: ConflictError | None = None,
    status_code: int = 200,
) -> Response:
    file = workbench.case_file(session=session, actor=principal, case_id=case_id)
    side = case_view.case_side(session=session, actor=principal, case_id=case_id)
    _ = translator(request)
    done = request.query_params.get("done")
    flash = _("Recorded: {step}.", step=_(EVENT_LABELS[done])) if done in EVENT_LABELS else None
    return render(
        request,
        "gov/case_detail.html",
        {
            "file": file,
            "side": side,
            "case": file.case,
            "today": today_local(),
            "values": values or {},
            "errors": errors,
            "conflict": conflict,
            "flash": flash,
            "is_approver": principal.role in workbench.EXTENSION_APPROVERS,
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/cases/{case_id}")
def case_detail(
    request: Request, session: DbSession, principal: Regulator, case_id: int
) -> Response:
    """A case file: facts, statutory clock, the steps open to the viewer, the timeline."""
    return _case_page(request, session, principal, case_id)


def _refused(
    request: Request,
    session: DbSession,
    principal: Regulator,
    case_id: int,
    values: dict[str, Any],
    error: ValidationFailed | ConflictError,
) -> Response:
    """The case page again after a refused step: nothing was stored, the form keeps what was
    typed, and the page shows the case as it stands now."""
    session.rollback()
    if isinstance(error, ConflictError):
        return _case_page(
            request, session, principal, case_id, values=values, conflict=error, status_code=409
        )
    return _case_page(
        request, session, principal, case_id, values=values, errors=error.problems, status_code=422
    )


def _version(values: dict[str, Any]) -> int:
    raw = values.get("expected_version") or ""
    if not raw.isdigit():
        raise ValidationFailed([FieldProblem("expected_version", N_("Required"), code="required")])
    return int(raw)


def _done(case_id: int, step: str) -> Response:
    return RedirectResponse(f"/gov/cases/{case_id}?done={step}#timeline", status_code=303)


@router.post("/cases/{case_id}/notes", dependencies=Csrf)
async def add_note(
    request: Request, session: DbSession, principal: Regulator, case_id: int
) -> Response:
    """A note and its files on the timeline (the files are read on the event loop, checked
    and stored in a handler thread)."""
    form = await request.form()
    try:
        return await run_in_threadpool(_add_note, request, session, principal, case_id, form)
    finally:
        for _key, item in form.multi_items():
            if isinstance(item, UploadFile):
                await item.close()


def _add_note(
    request: Request, session: DbSession, principal: Regulator, case_id: int, form: FormData
) -> Response:
    text = str(form.get("text") or "")
    try:
        files = evidence.prepare(
            session=session,
            uploads=[
                evidence.Upload(filename=item.filename, source=item.file)
                for item in form.getlist("files")
                if isinstance(item, UploadFile) and item.filename
            ],
            rules=case_notes.FILES,
        )
        case_notes.add_note(
            session=session, actor=principal, case_id=case_id, text=text, files=files
        )
    except (ValidationFailed, evidence.EvidenceRejected) as exc:
        session.rollback()
        return _case_page(
            request,
            session,
            principal,
            case_id,
            values={"form": "note", "text": text},
            errors=exc.problems,
            status_code=exc.status,
        )
    return _done(case_id, "note")


@router.post("/cases/{case_id}/steps", dependencies=Csrf)
def take_step(
    request: Request,
    session: DbSession,
    principal: Regulator,
    case_id: int,
    values: forms.FormValues,
) -> Response:
    """One step of the workflow on the version of the case the handler saw."""
    try:
        problems: list[FieldProblem] = []
        action = _enum(values.get("action"), CaseAction, "action", problems)
        if problems or action is None:
            raise ValidationFailed(problems or [FieldProblem("action", N_("Required"))])
        cases_service.act(
            session=session,
            actor=principal,
            case_id=case_id,
            step=Step(
                action=action,
                expected_version=_version(values),
                reason=values.get("reason"),
                assignee_id=_int_or_none(values.get("assignee_id")),
                to_org_unit_id=_int_or_none(values.get("to_org_unit_id")),
            ),
        )
    except (ValidationFailed, ConflictError) as exc:
        return _refused(request, session, principal, case_id, values, exc)
    return _done(case_id, action.value)


@router.post("/cases/{case_id}/pause", dependencies=Csrf)
def pause_clock(
    request: Request,
    session: DbSession,
    principal: Regulator,
    case_id: int,
    values: forms.FormValues,
) -> Response:
    """Stop the statutory clock (e.g. while a sample is tested)."""
    try:
        problems: list[FieldProblem] = []
        kind = _enum(values.get("kind"), PauseKind, "kind", problems)
        start_on = _date(values.get("start_on"), "start_on", problems)
        if problems or kind is None:
            raise ValidationFailed(problems or [FieldProblem("kind", N_("Required"))])
        workbench.pause(
            session=session,
            actor=principal,
            case_id=case_id,
            expected_version=_version(values),
            kind=kind,
            reason=values.get("reason") or "",
            start_on=start_on,
        )
    except (ValidationFailed, ConflictError) as exc:
        return _refused(request, session, principal, case_id, dict(values, form="pause"), exc)
    return _done(case_id, "pause")


@router.post("/cases/{case_id}/resume", dependencies=Csrf)
def resume_clock(
    request: Request,
    session: DbSession,
    principal: Regulator,
    case_id: int,
    values: forms.FormValues,
) -> Response:
    """Restart the statutory clock after its stop."""
    try:
        problems: list[FieldProblem] = []
        end_on = _date(values.get("end_on"), "end_on", problems)
        if problems:
            raise ValidationFailed(problems)
        workbench.resume(
            session=session,
            actor=principal,
            case_id=case_id,
            expected_version=_version(values),
            end_on=end_on,
        )
    except (ValidationFailed, ConflictError) as exc:
        return _refused(request, session, principal, case_id, dict(values, form="resume"), exc)
    return _done(case_id, "resume")


@router.post("/cases/{case_id}/extend", dependencies=Csrf)
def extend_clock(
    request: Request,
    session: DbSession,
    principal: Regulator,
    case_id: int,
    values: forms.FormValues,
) -> Response:
    """Record the extension of the time limit approved by the head of the bureau."""
    try:
        workbench.extend(
            session=session,
            actor=principal,
            case_id=case_id,
            expected_version=_version(values),
            reason=values.get("reason") or "",
        )
    except (ValidationFailed, ConflictError) as exc:
        return _refused(request, session, principal, case_id, dict(values, form="extend"), exc)
    return _done(case_id, "extend")


def _date(value: str | None, name: str, problems: list[FieldProblem]) -> date | None:
    try:
        return forms.parse_date(value)
    except ValueError:
        problems.append(FieldProblem(name, N_("Enter a date as YYYY-MM-DD.")))
        return None


__all__ = ["CASE_LABELS", "EVENT_LABELS", "case_label", "router"]
