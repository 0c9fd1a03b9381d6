"""Government portal: the sampling database (抽检数据库).

The dashboard of failure rates, the sample list, the entry form of a new sample with its
test items (and their results, when the report is in), a sample's page with the form that
records its results, the import of finished samples from a CSV file, and the plans and
their tasks. A refused form comes back with what was typed and every problem named.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from sunshine.core import evidence
from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.time import to_local, today_local, utc_now
from sunshine.portals.government.case_labels import case_label
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Regulator, check_csrf
from sunshine.portals.shared.imports_routes import reject_oversized
from sunshine.portals.shared.templating import render, translator
from sunshine.registry import service as registry
from sunshine.sampling import planning, records, service, statistics
from sunshine.sampling.enums import (
    Comparator,
    Conclusion,
    ProductCategory,
    SampleStatus,
)
from sunshine.sampling.forms import ItemForm, ReportForm, ResultForm, ResultsForm, SampleForm
from sunshine.sampling.labels import (
    CATEGORY_LABELS,
    COMPARATOR_LABELS,
    VERDICT_LABELS,
    sampling_label,
)
from sunshine.sampling.repository import SampleFilter
from sunshine.sampling.rules import SYMBOLS

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
Upload = [Depends(reject_oversized), Depends(check_csrf)]

ITEM_FIELDS = (
    "name",
    "standard",
    "comparator",
    "limit",
    "unit",
    "method",
    "result",
    "result_unit",
    "verdict",
)
DEFAULT_ROWS = 4
MAX_ROWS = 30
#: How the forms name their fields in error lists (msgids).
FIELD_LABELS = {
    "business": N_("Business"),
    "product_name": N_("Product name"),
    "category": N_("Product category"),
    "batch_number": N_("Batch number"),
    "production_date": N_("Production date"),
    "sampled_at": N_("Sampled at"),
    "sampling_place": N_("Where sampled"),
    "sampling_agency": N_("Sampling agency"),
    "samplers": N_("Sampled by"),
    "sampling_number": N_("Sampling form number"),
    "task_id": N_("Sampling task"),
    "plan_id": N_("Sampling plan"),
    "lab_name": N_("Laboratory"),
    "report_number": N_("Report number"),
    "report_date": N_("Report date"),
    "report_files": N_("Report files"),
    "items": N_("Test items"),
    "name": N_("Test item"),
    "standard": N_("Standard"),
    "comparator": N_("Comparison"),
    "limit": N_("Limit"),
    "unit": N_("Unit"),
    "method": N_("Test method"),
    "result": N_("Result"),
    "result_unit": N_("Result unit"),
    "verdict": N_("Verdict"),
    "year": N_("Year"),
    "targets": N_("Targets"),
    "due_on": N_("Due on"),
    "notes": N_("Remarks"),
    "file": N_("File"),
    "item_name": N_("Test item"),
}
_ITEM = re.compile(r"^items\[(\d+)\]\.(\w+)$")


def labels_of(request: Request) -> dict[str, Any]:
    """What the sampling pages need to name values and fields."""
    _ = translator(request)

    def field_label(name: str) -> str:
        match = _ITEM.match(name)
        if match:
            return _(
                "Item {n}: {field}",
                n=int(match.group(1)) + 1,
                field=_(FIELD_LABELS.get(match.group(2), match.group(2))),
            )
        if name.startswith("targets."):
            return _(FIELD_LABELS["targets"])
        return _(FIELD_LABELS[name]) if name in FIELD_LABELS else name

    return {
        "sampling_label": sampling_label,
        "case_label": case_label,
        "field_label": field_label,
        "categories": list(ProductCategory),
        "category_labels": CATEGORY_LABELS,
        "comparators": list(Comparator),
        "comparator_labels": COMPARATOR_LABELS,
        "verdict_labels": VERDICT_LABELS,
        "symbols": SYMBOLS,
        "conclusions": list(Conclusion),
        "statuses": list(SampleStatus),
    }


# -- the dashboard -----------------------------------------------------------------------------


def _year(request: Request) -> int:
    raw = request.query_params.get("year") or str(today_local().year)
    if not raw.isdigit() or not 2000 <= int(raw) <= today_local().year + 1:
        raise ValidationFailed(
            [
                FieldProblem(
                    "year",
                    N_("a year from 2000 to {last}"),
                    params={"last": today_local().year + 1},
                )
            ]
        )
    return int(raw)


@router.get("/sampling")
def dashboard(request: Request, session: DbSession, principal: Regulator) -> Response:
    """Failure rates of the year's completed samples by category, test item and area."""
    year = _year(request)
    stats = statistics.sampling_statistics(session=session, actor=principal, year=year)
    tasks = planning.open_tasks(session=session, actor=principal)
    return render(
        request,
        "gov/sampling_dashboard.html",
        {
            "stats": stats,
            "charts": _charts(request, stats),
            "years": list(range(today_local().year, today_local().year - 5, -1)),
            "tasks": tasks[:10],
            "task_count": len(tasks),
            "today": today_local(),
            **labels_of(request),
        },
    )


def _charts(request: Request, stats: statistics.SamplingStatistics) -> dict[str, str]:
    """The charts' figures as JSON for ``static/cases.js`` (failure rates in percent; the
    tables beside them carry the same numbers)."""
    _ = translator(request)

    def bars(rows: list[statistics.Rate], names: list[str]) -> str:
        data = {
            "labels": names,
            "series": [
                {
                    "name": _("Failure rate (%)"),
                    "values": [round(100 * (r.rate or 0), 1) for r in rows],
                }
            ],
        }
        return json.dumps(data, ensure_ascii=False)

    return {
        "category": bars(
            stats.by_category,
            [_(CATEGORY_LABELS[ProductCategory(r.key)]) for r in stats.by_category],
        ),
        "item": bars(stats.by_item, [r.name for r in stats.by_item]),
        "area": bars(stats.by_area, [r.name or _("No township recorded") for r in stats.by_area]),
    }


# -- samples -----------------------------------------------------------------------------------


def _filters(request: Request) -> SampleFilter:
    q = request.query_params
    problems: list[FieldProblem] = []

    def choice(name: str, cls: Any) -> Any:
        return forms.query_choice(request, name, cls, problems)

    year = q.get("year") or None
    if year and not (year.isdigit() and 2000 <= int(year) <= 2100):
        problems.append(
            FieldProblem("year", N_("a year from 2000 to {last}"), params={"last": 2100})
        )
        year = None
    business = q.get("business") or None
    if business and not business.isdigit():
        problems.append(
            FieldProblem(
                "business", N_("'{value}' is not a valid choice"), params={"value": business}
            )
        )
        business = None
    filters = SampleFilter(
        year=int(year) if year else None,
        status=choice("status", SampleStatus),
        conclusion=choice("conclusion", Conclusion),
        category=choice("category", ProductCategory),
        text=(q.get("q") or "").strip()[:60] or None,
        business_id=int(business) if business else None,
    )
    if problems:
        raise ValidationFailed(problems)
    return filters


@router.get("/sampling/samples")
def sample_list(request: Request, session: DbSession, principal: Regulator) -> Response:
    filters = _filters(request)
    result = records.list_samples(
        session=session,
        actor=principal,
        filters=filters,
        page=PageRequest(forms.page_number(request), 30),
    )
    return render(
        request,
        "gov/sampling_samples.html",
        {"result": result, "filters": filters, **labels_of(request)},
    )


def _new_page(
    request: Request,
    session: DbSession,
    principal: Regulator,
    *,
    values: dict[str, Any],
    items: list[dict[str, str]],
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    business = None
    if values.get("business_id"):
        business = registry.get_business(
            session=session, actor=principal, business_id=int(values["business_id"])
        )
    task = None
    if values.get("task_id"):
        task = planning.get_task(session=session, actor=principal, task_id=int(values["task_id"]))
    plans = planning.list_plans(session=session, actor=principal, year=today_local().year)
    return render(
        request,
        "gov/sampling_sample_form.html",
        {
            "values": values,
            "items": items,
            "errors": errors,
            "business": business,
            "task": task,
            "plans": plans,
            "max_rows": MAX_ROWS,
            **labels_of(request),
        },
        status_code=status_code,
    )


@router.get("/sampling/samples/new")
def new_sample(request: Request, session: DbSession, principal: Regulator) -> Response:
    """The entry form; ``?business=`` (from a business's page) or ``?task=`` fill it in."""
    q = request.query_params
    values: dict[str, Any] = {
        "sampled_at": to_local(utc_now()).strftime("%Y-%m-%dT%H:%M"),
    }
    if q.get("task", "").isdigit():
        task = planning.get_task(session=session, actor=principal, task_id=int(q["task"]))
        values.update(task_id=str(task.id), business_id=str(task.business_id))
        values["category"] = task.category.value
    elif q.get("business", "").isdigit():
        values["business_id"] = q["business"]
    rows = q.get("rows", "")
    count = min(int(rows), MAX_ROWS) if rows.isdigit() and int(rows) > 0 else DEFAULT_ROWS
    items = [dict.fromkeys(ITEM_FIELDS, "") for _ in range(count)]
    return _new_page(request, session, principal, values=values, items=items)


def _items_of(form: FormData, *, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """The item rows of a form (``items-0-name``, ...), blank rows left out."""
    rows = []
    for n in range(MAX_ROWS):
        row = {name: str(form.get(f"items-{n}-{name}") or "").strip() for name in fields}
        if any(v for k, v in row.items() if k not in ("comparator", "verdict")):
            rows.append(row)
    return rows


def _uploads(form: FormData, name: str) -> list[evidence.Upload]:
    return [
        evidence.Upload(f.filename, f.file)
        for f in form.getlist(name)
        if isinstance(f, UploadFile) and f.filename
    ]


def _report(form: FormData) -> ReportForm:
    return ReportForm(
        lab_name=str(form.get("lab_name") or ""),
        report_number=str(form.get("report_number") or ""),
        report_date=str(form.get("report_date") or ""),
        files=_uploads(form, "report_files"),
    )


_SAMPLE_FIELDS = (
    "business_id",
    "business",
    "product_name",
    "category",
    "batch_number",
    "production_date",
    "sampled_at",
    "sampling_place",
    "sampling_agency",
    "samplers",
    "sampling_number",
    "task_id",
    "plan_id",
    "lab_name",
    "report_number",
    "report_date",
)


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@router.post("/sampling/samples", dependencies=Upload)
async def create_sample(request: Request, session: DbSession, principal: Regulator) -> Response:
    form = await request.form()
    values = {name: str(form.get(name) or "").strip() for name in _SAMPLE_FIELDS}
    items = _items_of(form, fields=ITEM_FIELDS)
    if form.get("more"):  # more item rows: the form again, as typed (nothing is stored)
        blank = dict.fromkeys(ITEM_FIELDS, "")
        shown = items + [dict(blank) for _ in range(min(4, MAX_ROWS - len(items)))]
        return _new_page(request, session, principal, values=values, items=shown)
    sample_form = SampleForm(
        business_id=_number(values["business_id"]),
        business=values["business"],
        product_name=values["product_name"],
        category=values["category"],
        batch_number=values["batch_number"],
        production_date=values["production_date"],
        sampled_at=values["sampled_at"],
        sampling_place=values["sampling_place"],
        sampling_agency=values["sampling_agency"],
        samplers=values["samplers"],
        sampling_number=values["sampling_number"],
        task_id=_number(values["task_id"]),
        plan_id=_number(values["plan_id"]),
        items=[ItemForm(**row) for row in items],
        report=_report(form),
    )
    try:
        sample = service.record_sample(session=session, actor=principal, form=sample_form)
    except (ValidationFailed, evidence.EvidenceRejected) as exc:
        session.rollback()
        shown = items + [dict.fromkeys(ITEM_FIELDS, "") for _ in range(max(0, 2 - len(items)))]
        return _new_page(
            request,
            session,
            principal,
            values=values,
            items=shown,
            errors=exc.problems,
            status_code=exc.status,
        )
    return RedirectResponse(f"/gov/sampling/samples/{sample.id}?recorded=1", status_code=303)


def _sample_page(
    request: Request,
    session: DbSession,
    principal: Regulator,
    sample_id: int,
    *,
    values: dict[str, Any] | None = None,
    results: list[dict[str, str]] | None = None,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    shown = records.sample_file(session=session, actor=principal, sample_id=sample_id)
    _ = translator(request)
    flash = None
    if request.query_params.get("recorded"):
        flash = _("Sample recorded.")
    elif request.query_params.get("completed"):
        flash = _("Results recorded.")
    if flash and shown.case is not None:
        flash += " " + _(
            "The sample failed: verification and disposal case {reference} was opened.",
            reference=shown.case.reference,
        )
    return render(
        request,
        "gov/sampling_sample.html",
        {
            "shown": shown,
            "sample": shown.sample,
            "values": values or {},
            "results": results or [{} for _ in shown.items],
            "errors": errors,
            "flash": flash,
            "flash_kind": "warning" if shown.case is not None and flash else "success",
            **labels_of(request),
        },
        status_code=status_code,
    )


@router.get("/sampling/samples/{sample_id}")
def sample_detail(
    request: Request, session: DbSession, principal: Regulator, sample_id: int
) -> Response:
    return _sample_page(request, session, principal, sample_id)


@router.post("/sampling/samples/{sample_id}/results", dependencies=Upload)
async def record_results(
    request: Request, session: DbSession, principal: Regulator, sample_id: int
) -> Response:
    form = await request.form()
    shown = records.sample_file(session=session, actor=principal, sample_id=sample_id)
    fields = ("result", "result_unit", "verdict", "method")
    results = [
        {name: str(form.get(f"items-{n}-{name}") or "").strip() for name in fields}
        for n in range(len(shown.items))
    ]
    report = _report(form)
    version = str(form.get("version") or "")
    try:
        service.record_results(
            session=session,
            actor=principal,
            sample_id=sample_id,
            form=ResultsForm(
                items=[ResultForm(**row) for row in results],
                report=report,
                expected_version=int(version) if version.isdigit() else None,
            ),
        )
    except (ValidationFailed, evidence.EvidenceRejected) as exc:
        session.rollback()
        values = {
            "lab_name": report.lab_name,
            "report_number": report.report_number,
            "report_date": report.report_date,
        }
        return _sample_page(
            request,
            session,
            principal,
            sample_id,
            values=values,
            results=results,
            errors=exc.problems,
            status_code=exc.status,
        )
    return RedirectResponse(f"/gov/sampling/samples/{sample_id}?completed=1", status_code=303)


@router.get("/sampling/by-case/{case_id}")
def sample_of_case(
    request: Request, session: DbSession, principal: Regulator, case_id: int
) -> Response:
    """The sample behind a verification and disposal case."""
    sample = records.sample_of_case(session=session, actor=principal, case_id=case_id)
    return RedirectResponse(f"/gov/sampling/samples/{sample.id}", status_code=303)
