"""Enterprise portal: the purchase ledger (进货查验记录) and its suppliers and products.

* ``/biz/ledger``: the ledger list (date range, category, supplier, product; paginated),
  with ``/biz/ledger/export.csv`` under the same filters;
* ``/biz/ledger/new``: the phone form (recent products and suppliers first, a barcode typed or
  scanned with the camera where the browser has ``BarcodeDetector``, photos or PDFs of the
  documents checked);
* ``/biz/ledger/{id}``: one line, its documents and versions; ``/biz/ledger/{id}/correct``:
  the correction form (a new line that declares this one wrong);
* ``/biz/ledger/suppliers`` and ``/biz/ledger/products``: the store's suppliers (registry
  businesses or external) and the product library, with their add forms;
* ``/biz/ledger/products/lookup?gtin=``: the product a barcode names (JSON, for the form).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from sunshine.auth.principal import Principal
from sunshine.config import get_settings
from sunshine.core import evidence, storage
from sunshine.core.errors import (
    ConflictError,
    FieldProblem,
    NotFoundError,
    ValidationFailed,
)
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.storage import UploadRejected, human_size
from sunshine.core.time import today_local
from sunshine.core.validation import blank_to_none, parse
from sunshine.ingredients import access, catalog, rules, service, views
from sunshine.ingredients import imports as ledger_imports
from sunshine.ingredients import repository as repo
from sunshine.ingredients import tasks as ledger_tasks
from sunshine.ingredients.enums import CATEGORY_LABELS, DocumentKind, ProductCategory, TestKind
from sunshine.ingredients.models import LedgerLine
from sunshine.ingredients.schemas import LedgerLineIn
from sunshine.ingredients.uploads import document_files
from sunshine.portals.shared import forms, imports_routes
from sunshine.portals.shared.deps import DbSession, Enterprise, check_csrf
from sunshine.portals.shared.imports_routes import reject_oversized
from sunshine.portals.shared.templating import render, translator
from sunshine.registry import imports as registry_imports
from sunshine.registry.imports import ImportKind
from sunshine.registry.models import Business, ImportJob
from sunshine.registry.service import enterprise_business

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
Upload = [Depends(reject_oversized), Depends(check_csrf)]
PER_PAGE = 30
FLASHES = {
    "recorded": N_("Purchase recorded in the ledger."),
    "corrected": N_("Correction recorded; the old line is kept and marked corrected."),
    "supplier": N_("Supplier added."),
    "product": N_("Product added to your library."),
}
_CONTEXT = {
    "category_labels": CATEGORY_LABELS,
    "document_rules": rules.DOCUMENTS,
    "test_labels": views.TEST_LABELS,
    "licence_labels": views.LICENCE_LABELS,
    "flag_labels": service.FLAG_LABELS,
    "display_gtin": rules.display_gtin,
    "field_labels": views.FIELD_LABELS,
}


def _page(request: Request, business: Business, template: str, /, **ctx: Any) -> Response:
    status_code = ctx.pop("status_code", 200)
    _ = translator(request)
    flash = next((_(m) for k, m in FLASHES.items() if request.query_params.get(k)), None)
    context = {
        "current": business,
        "own_business": True,
        "today": today_local(),
        "flash": flash,
        **_CONTEXT,
        **ctx,
    }
    return render(request, template, context, status_code=status_code)


def _store(session: DbSession, principal: Principal) -> Business:
    return enterprise_business(session=session, actor=principal)


# The list ----------------------------------------------------------------------------------


def line_filter(request: Request) -> repo.LineFilter:
    """The list's filters from the query string (a bad value is named, not ignored)."""
    q = request.query_params
    problems: list[FieldProblem] = []

    def day(name: str) -> date | None:
        raw = q.get(name) or ""
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            problems.append(FieldProblem(name, N_("Enter a valid date (YYYY-MM-DD)")))
            return None

    category = None
    if q.get("category"):
        try:
            category = ProductCategory(q["category"])
        except ValueError:
            problems.append(
                FieldProblem(
                    "category",
                    N_("'{value}' is not a valid choice"),
                    params={"value": q["category"]},
                )
            )
    supplier = q.get("supplier") or ""
    if supplier and not supplier.isdigit():
        problems.append(FieldProblem("supplier", N_("This value is not valid")))
    found = repo.LineFilter(
        date_from=day("date_from"),
        date_to=day("date_to"),
        category=category,
        supplier_id=int(supplier) if supplier.isdigit() else None,
        product=(q.get("product") or "").strip()[:120] or None,
    )
    if problems:
        raise ValidationFailed(problems)
    return found


@router.get("/ledger")
def ledger(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = _store(session, principal)
    filters = line_filter(request)
    result = service.list_lines(
        session=session,
        actor=principal,
        filters=filters,
        page=PageRequest(forms.page_number(request), PER_PAGE),
    )
    suppliers = catalog.suppliers_of(session=session, actor=principal, business_id=business.id)
    return _page(
        request,
        business,
        "biz/ledger.html",
        result=result,
        filters=filters,
        suppliers=suppliers,
        categories=views.category_choices(),
        flags={line.id: service.flags_of(line) for line in result.items},
        may_record=access.may_record(principal, business.id),
        may_import=access.may_import(principal),
        export_query=request.url.query,
    )


@router.get("/ledger/export.csv")
def export(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = _store(session, principal)
    lines = service.iter_lines(session=session, actor=principal, filters=line_filter(request))
    content = views.export_csv(lines, translator(request))
    name = f"ledger-{business.public_code}-{today_local().isoformat()}.csv"
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# The phone form ------------------------------------------------------------------------------


def _form_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    business: Business,
    *,
    values: dict[str, Any],
    errors: list[FieldProblem] | None = None,
    correcting: LedgerLine | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> Response:
    choices = views.form_choices(session=session, actor=principal, business_id=business.id)
    return _page(
        request,
        business,
        "biz/ledger_form.html",
        choices=choices,
        product_data={
            p.id: views.product_json(p)
            for p in [*choices.products.recent, *choices.products.others]
        },
        values=values,
        errors=errors or [],
        bad={p.field.split(".")[0] for p in errors or []},
        correcting=correcting,
        alert=alert,
        test_kinds=list(TestKind),
        status_code=status_code,
    )


@router.get("/ledger/new")
def new_line(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = _store(session, principal)
    access.require_recorder(principal, business.id)
    values = {
        "purchase_date": today_local().isoformat(),
        "recorder_name": principal.display_name,
        "appearance_ok": "yes",
    }
    return _form_page(request, session, principal, business, values=values)


def line_input(values: dict[str, str]) -> LedgerLineIn:
    """The form's values as a line (types checked; the service checks the rules)."""
    data: dict[str, Any] = blank_to_none(
        {k: v for k, v in values.items() if k in LedgerLineIn.model_fields}
    )
    data["documents"] = [k.value for k in DocumentKind if values.get(f"doc_{k.value}")]
    data["appearance_ok"] = {"yes": True, "no": False}.get(values.get("appearance_ok", ""))
    data["no_shelf_life"] = bool(values.get("no_shelf_life"))
    for text in ("appearance_note", "test_result", "remarks"):
        data[text] = values.get(text, "").strip()
    data["test_kind"] = data.get("test_kind") or TestKind.NONE.value
    return parse(LedgerLineIn, data)


async def _with_form(request: Request, handler: Any, *args: Any) -> Response:
    result: Response = await forms.with_upload_form(
        request, lambda form: handler(request, form, *args)
    )
    return result


@router.post("/ledger/new", dependencies=Upload)
async def record(request: Request, session: DbSession, principal: Enterprise) -> Response:
    return await _with_form(request, _record, session, principal, None)


@router.get("/ledger/{line_id:int}/correct")
def correct_form(
    request: Request, session: DbSession, principal: Enterprise, line_id: int
) -> Response:
    business = _store(session, principal)
    found = service.line_file(session=session, actor=principal, line_id=line_id)
    access.require_recorder(principal, found.line.business_id)
    values = views.form_values(found.line)
    values["recorder_name"] = principal.display_name
    return _form_page(request, session, principal, business, values=values, correcting=found.line)


@router.post("/ledger/{line_id:int}/correct", dependencies=Upload)
async def correct(
    request: Request, session: DbSession, principal: Enterprise, line_id: int
) -> Response:
    return await _with_form(request, _record, session, principal, line_id)


def _record(
    request: Request,
    form: FormData,
    session: DbSession,
    principal: Principal,
    corrects: int | None,
) -> Response:
    business = _store(session, principal)
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    old = None
    if corrects is not None:
        old = service.line_file(session=session, actor=principal, line_id=corrects).line
    try:
        data = line_input(values)
        files = document_files(form)
        if old is None:
            line = service.record_line(
                session=session, actor=principal, business_id=business.id, data=data, files=files
            )
        else:
            line = service.correct_line(
                session=session,
                actor=principal,
                line_id=old.id,
                data=data,
                reason=values.get("reason", ""),
                files=files,
            )
    except (ValidationFailed, evidence.EvidenceRejected) as exc:
        return _form_page(
            request, session, principal, business, values=values, errors=exc.problems,
            correcting=old, status_code=exc.status,
        )  # fmt: skip
    except ConflictError as exc:
        return _form_page(
            request, session, principal, business, values=values, correcting=old,
            alert=exc.render(translator(request)), status_code=409,
        )  # fmt: skip
    flag = "recorded" if old is None else "corrected"
    return RedirectResponse(f"/biz/ledger/{line.id}?{flag}=1", status_code=303)


@router.get("/ledger/{line_id:int}")
def detail(request: Request, session: DbSession, principal: Enterprise, line_id: int) -> Response:
    business = _store(session, principal)
    found = service.line_file(session=session, actor=principal, line_id=line_id)
    return _page(
        request,
        business,
        "biz/ledger_detail.html",
        f=found,
        may_correct=access.may_record(principal, found.line.business_id) and found.line.current,
    )


# Products ------------------------------------------------------------------------------------


@router.get("/ledger/products/lookup")
def lookup(session: DbSession, principal: Enterprise, gtin: str = "") -> Response:
    """The product a barcode names, for the phone form (404 when none is listed)."""
    try:
        product = catalog.product_by_gtin(session=session, actor=principal, gtin=gtin)
    except ValidationFailed as exc:
        return JSONResponse({"error": exc.problems[0].text}, status_code=422)
    if product is None:
        return JSONResponse({"error": "not listed"}, status_code=404)
    return JSONResponse(views.product_json(product))


def _products_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    business = _store(session, principal)
    q = (request.query_params.get("q") or "").strip()[:60] or None
    choices = catalog.product_choices(
        session=session, actor=principal, business_id=business.id, q=q
    )
    return _page(
        request,
        business,
        "biz/ledger_products.html",
        products=[*choices.recent, *choices.others],
        q=q or "",
        categories=views.category_choices(),
        values=values or {},
        errors=errors or [],
        may_record=access.may_record(principal, business.id),
        status_code=status_code,
    )


@router.get("/ledger/products")
def products(request: Request, session: DbSession, principal: Enterprise) -> Response:
    return _products_page(request, session, principal)


@router.post("/ledger/products", dependencies=Csrf)
def add_product(
    request: Request, session: DbSession, principal: Enterprise, values: forms.FormValues
) -> Response:
    text = {k: str(v or "") for k, v in values.items()}
    problems: list[FieldProblem] = []
    days: int | None = None
    if text.get("shelf_life_days"):
        if text["shelf_life_days"].isdigit():
            days = int(text["shelf_life_days"])
        else:
            problems.append(FieldProblem("shelf_life_days", N_("Enter a whole number")))
    category = None
    if text.get("category") in {c.value for c in ProductCategory}:
        category = ProductCategory(text["category"])
    try:
        if problems:
            raise ValidationFailed(problems)
        catalog.add_product(
            session=session,
            actor=principal,
            data=catalog.ProductInput(
                name=text.get("name", ""),
                category=category,
                specification=text.get("specification", ""),
                gtin=text.get("gtin", ""),
                shelf_life_days=days,
                producer_name=text.get("producer_name", ""),
            ),
        )
    except ValidationFailed as exc:
        return _products_page(
            request, session, principal, values=text, errors=exc.problems, status_code=422
        )
    return RedirectResponse("/biz/ledger/products?product=1", status_code=303)


# Suppliers -----------------------------------------------------------------------------------


def _suppliers_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: list[FieldProblem] | None = None,
    status_code: int = 200,
) -> Response:
    business = _store(session, principal)
    q = (request.query_params.get("q") or "").strip()[:60]
    listed = catalog.suppliers_of(session=session, actor=principal, business_id=business.id)
    upstream = {
        s.id: catalog.upstreams(session=session, actor=principal, supplier_id=s.id) for s in listed
    }
    candidates = catalog.supplier_candidates(session=session, actor=principal, q=q) if q else []
    return _page(
        request,
        business,
        "biz/ledger_suppliers.html",
        suppliers=listed,
        upstream=upstream,
        candidates=candidates,
        q=q,
        values=values or {},
        errors=errors or [],
        may_record=access.may_record(principal, business.id),
        status_code=status_code,
    )


@router.get("/ledger/suppliers")
def suppliers(request: Request, session: DbSession, principal: Enterprise) -> Response:
    return _suppliers_page(request, session, principal)


@router.post("/ledger/suppliers/registered", dependencies=Csrf)
def add_registered(
    request: Request, session: DbSession, principal: Enterprise, values: forms.FormValues
) -> Response:
    raw = str(values.get("supplier_business_id") or "")
    if not raw.isdigit():
        raise NotFoundError(N_("No such business"))
    catalog.add_registered_supplier(session=session, actor=principal, supplier_business_id=int(raw))
    return RedirectResponse("/biz/ledger/suppliers?supplier=1", status_code=303)


@router.post("/ledger/suppliers/external", dependencies=Csrf)
def add_external(
    request: Request, session: DbSession, principal: Enterprise, values: forms.FormValues
) -> Response:
    text = {k: str(v or "") for k, v in values.items()}
    try:
        expiry = forms.parse_date(text.get("licence_expiry_date") or None)
    except ValueError:
        expiry = None
    upstream = text.get("upstream_id", "")
    try:
        catalog.add_external_supplier(
            session=session,
            actor=principal,
            data=catalog.ExternalSupplierInput(
                name=text.get("name", ""),
                address=text.get("address", ""),
                contact_name=text.get("contact_name", ""),
                contact_phone=text.get("contact_phone", ""),
                licence_number=text.get("licence_number", ""),
                licence_expiry_date=expiry,
                licence_scope=forms.scope_items(text.get("licence_scope")),
                upstream_id=int(upstream) if upstream.isdigit() else None,
            ),
        )
    except ValidationFailed as exc:
        return _suppliers_page(
            request, session, principal, values=text, errors=exc.problems, status_code=422
        )
    return RedirectResponse("/biz/ledger/suppliers?supplier=1", status_code=303)


# Imports of ledger files (the shared import pages, under /biz/ledger/imports) -------------

LEDGER_IMPORTS = imports_routes.Portal(
    prefix="/biz/ledger",
    kind=ImportKind.LEDGER,
    title=N_("Import a ledger file"),
    intro=N_(
        "Add many purchases at once from a spreadsheet. Every row is checked as the phone form "
        "checks a purchase; if any row has a problem, nothing is stored and you get a list of "
        "the problems by row and column. Name each supplier as on your supplier list."
    ),
    layout="biz/layout.html",
)


def _imports_context(**extra: object) -> dict[str, object]:
    return {
        "portal": LEDGER_IMPORTS,
        "layout": "biz/layout.html",
        "bare_layout": False,
        "status_labels": imports_routes.STATUS_LABELS,
        **extra,
    }


def _imports_index(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    upload_error: str | None = None,
    status_code: int = 200,
) -> Response:
    access.require_importer(principal)
    jobs = ledger_imports.list_imports(session=session, actor=principal)
    context = _imports_context(
        jobs=jobs, upload_error=upload_error, limit=human_size(get_settings().upload_max_bytes)
    )
    return render(request, "shared/imports.html", context, status_code=status_code)


@router.get("/ledger/imports")
def ledger_imports_page(request: Request, session: DbSession, principal: Enterprise) -> Response:
    return _imports_index(request, session, principal)


def _create_and_enqueue(session: DbSession, principal: Principal, upload: UploadFile) -> str:
    job = ledger_imports.create_import(
        session=session, actor=principal, filename=upload.filename or "", source=upload.file
    )
    token, job_id = job.token, job.id
    session.commit()  # the job must exist for the worker before it is queued
    try:
        ledger_tasks.enqueue_import(job_id)
    except Exception:
        stored = registry_imports.fail(
            session=session,
            job_id=job_id,
            actor=principal,
            problems=[
                registry_imports.Problem(
                    None, "", "", N_("the job queue is not reachable: try later")
                )
            ],
        )
        session.commit()
        storage.delete(stored)
    return token


@router.post("/ledger/imports", dependencies=Upload)
async def ledger_import_upload(
    request: Request, session: DbSession, principal: Enterprise
) -> Response:
    _ = translator(request)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        message = _("Choose a .csv or .xlsx file to upload.")
        return _imports_index(request, session, principal, upload_error=message, status_code=400)
    try:
        token = await run_in_threadpool(_create_and_enqueue, session, principal, upload)
    except UploadRejected as exc:
        return _imports_index(
            request, session, principal, upload_error=exc.render(_), status_code=exc.status
        )
    finally:
        await upload.close()
    return RedirectResponse(f"/biz/ledger/imports/{token}", status_code=303)


@router.get("/ledger/imports/template.xlsx")
def ledger_import_template(request: Request, principal: Enterprise) -> Response:
    return Response(
        ledger_imports.template_xlsx(translator(request)),
        media_type=registry_imports.XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="ledger-template.xlsx"'},
    )


def _job_context(job: ImportJob) -> dict[str, object]:
    return _imports_context(
        job=job,
        active=registry_imports.is_active(job),
        percent=registry_imports.percent(job),
        problems=registry_imports.job_problems(job, limit=imports_routes.SHOWN_PROBLEMS),
        problem_count=len(job.errors or []),
    )


@router.get("/ledger/imports/{token}")
def ledger_import_job(
    request: Request, session: DbSession, principal: Enterprise, token: str
) -> Response:
    job = ledger_imports.get_import(session=session, actor=principal, token=token)
    return render(request, "shared/imports_job.html", _job_context(job))


@router.get("/ledger/imports/{token}/progress")
def ledger_import_progress(
    request: Request, session: DbSession, principal: Enterprise, token: str
) -> Response:
    job = ledger_imports.get_import(session=session, actor=principal, token=token)
    response = render(request, "shared/imports_progress.html", _job_context(job))
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/ledger/imports/{token}/errors.{fmt}")
def ledger_import_errors(
    request: Request, session: DbSession, principal: Enterprise, token: str, fmt: str
) -> Response:
    job = ledger_imports.get_import(session=session, actor=principal, token=token)
    _ = translator(request)
    headings = [_(h) for h in registry_imports.REPORT_HEADINGS]
    if fmt == "csv":
        content = registry_imports.error_report_csv(job, headings, _)
        media_type = "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        content = registry_imports.error_report_xlsx(job, headings, _("Problems"), _)
        media_type = registry_imports.XLSX_MEDIA_TYPE
    else:
        raise NotFoundError(N_("No such import"))
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="ledger-{job.token[:8]}-problems.{fmt}"'
        },
    )
