"""Government portal (政府端): jurisdiction dashboard, registry, offices, users, audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from sunshine.audit import service as audit_service
from sunshine.auth import service as auth_service
from sunshine.auth.enums import Role
from sunshine.core import exports
from sunshine.core.cache import current_version, get_cache, peek_version
from sunshine.core.db import reading
from sunshine.core.errors import ValidationFailed
from sunshine.core.pagination import PageRequest
from sunshine.core.time import today_local
from sunshine.core.validation import parse
from sunshine.ingredients import dashboard as ingredient_dashboard
from sunshine.portals.government.risk_views import business_risk
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Regulator, check_csrf
from sunshine.portals.shared.labels import LICENCE_STATES, label
from sunshine.portals.shared.templating import render, render_page, request_locale, translator
from sunshine.regions import org_units as org_units_service
from sunshine.regions import service as regions_service
from sunshine.registry import service as registry
from sunshine.registry import stats
from sunshine.registry.enums import (
    BusinessCategory,
    BusinessForm,
    BusinessScale,
    LicenceStatus,
    OperatingStatus,
)
from sunshine.registry.models import Business
from sunshine.registry.repository import BusinessFilter
from sunshine.registry.rules import certificate_state, effective_licence_status
from sunshine.registry.schemas import BusinessCreate, BusinessUpdate

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]


@router.get("/")
def dashboard(request: Request, session: DbSession, principal: Regulator) -> Response:
    data = stats.dashboard(session=session, actor=principal)
    _ = translator(request)
    charts = {
        "region": json.dumps(
            {
                "labels": [n for n, _c, _v in data.by_region[:15]],
                "values": [v for _n, _c, v in data.by_region[:15]],
            },
            ensure_ascii=False,
        ),
        "form": json.dumps(
            {
                "labels": [_(label(v)) for v, _n in data.by_form],
                "values": [n for _v, n in data.by_form],
            },
            ensure_ascii=False,
        ),
    }
    ingredients = ingredient_dashboard.alerts(session=session, actor=principal)
    return render(
        request,
        "gov/dashboard.html",
        {"stats": data, "charts": charts, "ingredients": ingredients},
    )


def _choices() -> dict[str, object]:
    return {
        "forms": list(BusinessForm),
        "categories": list(BusinessCategory),
        "scales": list(BusinessScale),
        "operating_statuses": list(OperatingStatus),
        "licence_states": LICENCE_STATES,
    }


LIST_CACHE_S = 300
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _licence_state(business: Business) -> LicenceStatus:
    return effective_licence_status(
        business.licence_status, business.licence_expiry_date, today_local()
    )


def _list_cache_key(request: Request, principal: Regulator, version: str) -> str:
    """Everything the result fragment depends on: data version, date (licence states
    derive from it), jurisdiction, language and the query. Not the user: regulators of
    one jurisdiction see the same list."""
    query = sorted((k, v) for k, v in request.query_params.multi_items() if k != "lang")
    return ":".join(
        (
            "gov-list",
            version,
            today_local().isoformat(),
            str(principal.jurisdiction_level),
            str(principal.jurisdiction_code),
            request_locale(request, principal),
            urlencode(query),
        )
    )


def _list_content(request: Request, principal: Regulator, filters: BusinessFilter) -> bytes:
    """The filters, table, count and pager of the list, cached until a business changes:
    lists are read far more often than businesses change, and counting is the costly part.
    Nothing in it depends on the user (only the page around it does)."""
    cache = get_cache()
    key = _list_cache_key(request, principal, current_version(registry.REGISTRY_VERSION))
    html = cache.get(key)
    if html is None:
        with reading() as session:
            result = registry.list_businesses(
                session=session,
                actor=principal,
                filters=filters,
                page=PageRequest(forms.page_number(request), 25),
            )
            areas = regions_service.areas_within(session=session, actor=principal)
        context = {"result": result, "filters": filters, "areas": areas, **_choices()}
        html = render_page(request, "gov/_business_list.html", context).encode("utf-8")
        cache.set(key, html, LIST_CACHE_S)
    return html


@router.get("/businesses")
async def businesses(request: Request, principal: Regulator) -> Response:
    """The business list. Regulators come back to the same views all day: a view this
    process holds is answered on the event loop; any other is built in a handler thread."""
    filters = forms.business_filter(request)
    version = peek_version(registry.REGISTRY_VERSION)
    held = get_cache().peek_local(_list_cache_key(request, principal, version)) if version else None
    if held is None:
        held = await run_in_threadpool(_list_content, request, principal, filters)
    content = Markup(held.decode("utf-8"))  # noqa: S704 - our own rendered template
    return render(request, "gov/businesses.html", {"content_html": content})


EXPORT_COLUMNS = (
    ("Name", "name"),
    ("Unified social credit code", "uscc"),
    ("Business form", "form"),
    ("Licence number", "licence_number"),
    ("Licence expiry", "licence_expiry_date"),
    ("Licence status", "licence_effective_status"),
    ("Address", "address"),
    ("County code", "county_code"),
    ("Township code", "township_code"),
    ("Contact", "contact_name"),
    ("Phone", "contact_phone"),
    ("Food-safety manager", "food_safety_manager"),
    ("Operating status", "operating_status"),
    ("Store code", "public_code"),
)


@router.get("/businesses/export.xlsx")
def export_businesses(request: Request, session: DbSession, principal: Regulator) -> Response:
    """The filtered list as a spreadsheet, in the list's order and language."""
    filters = forms.business_filter(request)
    _ = translator(request)

    def rows() -> Iterator[list[object]]:
        for business in registry.iter_businesses(session=session, actor=principal, filters=filters):
            view = registry.business_view(business)
            yield [
                _(label(view[key]))
                if key in ("form", "licence_effective_status", "operating_status")
                else view[key]
                for _title, key in EXPORT_COLUMNS
            ]

    content = exports.xlsx(
        sheet=_("Businesses"), headers=[_(t) for t, _k in EXPORT_COLUMNS], rows=rows()
    )
    return Response(
        content,
        media_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        headers={"Content-Disposition": 'attachment; filename="businesses.xlsx"'},
    )


@router.get("/businesses/new")
def new_business(request: Request, session: DbSession, principal: Regulator) -> Response:
    return render(
        request,
        "gov/business_form.html",
        {
            "business": None,
            "values": {},
            **_choices(),
            "areas": regions_service.areas_within(session=session, actor=principal, townships=True),
        },
    )


@router.post("/businesses/new", dependencies=Csrf)
def create_business(
    request: Request, session: DbSession, principal: Regulator, values: forms.FormValues
) -> Response:
    data = dict(
        values,
        licence_scope=forms.scope_items(values.get("licence_scope")),
        is_chain_hq=bool(values.get("is_chain_hq")),
    )
    try:
        business = registry.create_business(
            session=session, actor=principal, data=parse(BusinessCreate, data)
        )
    except ValidationFailed as exc:
        return render(
            request,
            "gov/business_form.html",
            {
                "business": None,
                "values": values,
                "errors": exc.problems,
                **_choices(),
                "areas": regions_service.areas_within(
                    session=session, actor=principal, townships=True
                ),
            },
            status_code=422,
        )
    return RedirectResponse(f"/gov/businesses/{business.id}?created=1", status_code=303)


@router.get("/businesses/{business_id}")
def business_detail(
    request: Request, session: DbSession, principal: Regulator, business_id: int
) -> Response:
    business = registry.get_business(session=session, actor=principal, business_id=business_id)
    staff = [
        registry.staff_view(s)
        for s in registry.list_staff(session=session, actor=principal, business_id=business_id)
    ]
    _ = translator(request)
    return render(
        request,
        "gov/business_detail.html",
        {
            "b": registry.business_view(business),
            "staff": staff,
            "risk": business_risk(session=session, actor=principal, business_id=business.id),
            "region_names": regions_service.region_names(
                session=session,
                codes=[business.prefecture_code, business.county_code, business.township_code],
            ),
            "flash": _("Business registered.")
            if request.query_params.get("created")
            else (_("Changes saved.") if request.query_params.get("saved") else None),
        },
    )


@router.get("/businesses/{business_id}/edit")
def edit_business(
    request: Request, session: DbSession, principal: Regulator, business_id: int
) -> Response:
    business = registry.get_business(session=session, actor=principal, business_id=business_id)
    values = registry.business_view(business)
    values["licence_scope"] = "\n".join(business.licence_scope or [])
    values["region_code"] = business.township_code or business.county_code
    return render(
        request,
        "gov/business_form.html",
        {
            "business": business,
            "values": values,
            **_choices(),
            "areas": regions_service.areas_within(session=session, actor=principal, townships=True),
        },
    )


@router.post("/businesses/{business_id}/edit", dependencies=Csrf)
def update_business(
    request: Request,
    session: DbSession,
    principal: Regulator,
    business_id: int,
    values: forms.FormValues,
) -> Response:
    business = registry.get_business(session=session, actor=principal, business_id=business_id)
    data = {k: v for k, v in values.items() if k not in ("uscc", "is_chain_hq")}
    data["licence_scope"] = forms.scope_items(values.get("licence_scope"))
    try:
        registry.update_business(
            session=session,
            actor=principal,
            business_id=business_id,
            data=parse(BusinessUpdate, data),
        )
    except ValidationFailed as exc:
        return render(
            request,
            "gov/business_form.html",
            {
                "business": business,
                "values": values,
                "errors": exc.problems,
                **_choices(),
                "areas": regions_service.areas_within(
                    session=session, actor=principal, townships=True
                ),
            },
            status_code=422,
        )
    return RedirectResponse(f"/gov/businesses/{business_id}?saved=1", status_code=303)


@router.get("/expiring")
def expiring(request: Request, session: DbSession, principal: Regulator) -> Response:
    overview = registry.expiring_documents(
        session=session, actor=principal, page=PageRequest(forms.page_number(request), 50)
    )
    return render(
        request, "gov/expiring.html", {"overview": overview, "page_obj": overview.certificates}
    )


def _all_expiring(session: DbSession, principal: Regulator) -> Iterator[registry.ExpiryOverview]:
    """Every page of the expiring-documents overview (for exports)."""
    page = 1
    while True:
        overview = registry.expiring_documents(
            session=session, actor=principal, page=PageRequest(page, 200)
        )
        yield overview
        if not (overview.licences.has_next or overview.certificates.has_next):
            return
        page += 1


def _xlsx(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/expiring/licences.xlsx")
def export_expiring_licences(
    request: Request, session: DbSession, principal: Regulator
) -> Response:
    _ = translator(request)
    rows = [
        [
            b.name,
            b.uscc,
            b.licence_number,
            b.licence_expiry_date,
            _(label(_licence_state(b))),
            b.address,
            b.county_code,
        ]
        for overview in _all_expiring(session, principal)
        for b in overview.licences.items
    ]
    headers = [
        "Name",
        "Unified social credit code",
        "Licence number",
        "Expiry date",
        "Status",
        "Address",
        "County code",
    ]
    return _xlsx(
        exports.xlsx(sheet=_("Licences"), headers=[_(h) for h in headers], rows=rows),
        "expiring-licences.xlsx",
    )


@router.get("/expiring/certificates.xlsx")
def export_expiring_certificates(
    request: Request, session: DbSession, principal: Regulator
) -> Response:
    _ = translator(request)
    today = today_local()
    rows = [
        [
            b.name,
            s.name,
            s.position,
            s.id_number_masked,
            s.health_cert_number,
            s.health_cert_expiry_date,
            _(label(certificate_state(s.health_cert_expiry_date, today))),
        ]
        for overview in _all_expiring(session, principal)
        for s, b in overview.certificates.items
    ]
    headers = [
        "Business",
        "Full name",
        "Position",
        "ID number",
        "Health certificate",
        "Valid until",
        "Status",
    ]
    return _xlsx(
        exports.xlsx(sheet=_("Health certificates"), headers=[_(h) for h in headers], rows=rows),
        "expiring-certificates.xlsx",
    )


def _org_units_page(
    request: Request, session: DbSession, principal: Regulator, focus: str | None, **extra: object
) -> Response:
    tree = regions_service.org_unit_tree(session=session, actor=principal, focus=focus)
    divisions = (
        org_units_service.child_divisions(
            session=session, actor=principal, org_unit_id=tree.focus.id
        )
        if principal.is_admin
        else []
    )
    return render(
        request,
        "gov/org_units.html",
        {"tree": tree, "divisions": divisions, **extra},
        status_code=422 if extra.get("errors") else 200,
    )


@router.post("/org-units/new", dependencies=Csrf)
def create_org_unit(
    request: Request,
    session: DbSession,
    principal: Regulator,
    parent_id: Annotated[int, Form()],
    name: Annotated[str, Form()],
    region_code: Annotated[str, Form()],
) -> Response:
    try:
        unit = org_units_service.create_org_unit(
            session=session,
            actor=principal,
            parent_id=parent_id,
            name=name,
            region_code=region_code,
        )
    except ValidationFailed as exc:
        session.rollback()
        return _org_units_page(request, session, principal, str(parent_id), errors=exc.problems)
    return RedirectResponse(f"/gov/org-units?under={unit.id}", status_code=303)


@router.post("/org-units/{org_unit_id}/rename", dependencies=Csrf)
def rename_org_unit(
    request: Request,
    session: DbSession,
    principal: Regulator,
    org_unit_id: int,
    name: Annotated[str, Form()],
) -> Response:
    try:
        org_units_service.rename_org_unit(
            session=session, actor=principal, org_unit_id=org_unit_id, name=name
        )
    except ValidationFailed as exc:
        session.rollback()
        return _org_units_page(request, session, principal, str(org_unit_id), errors=exc.problems)
    return RedirectResponse(f"/gov/org-units?under={org_unit_id}", status_code=303)


@router.post("/org-units/{org_unit_id}/active", dependencies=Csrf)
def set_org_unit_active(
    request: Request,
    session: DbSession,
    principal: Regulator,
    org_unit_id: int,
    active: Annotated[str, Form()],
) -> Response:
    try:
        unit = org_units_service.set_org_unit_active(
            session=session, actor=principal, org_unit_id=org_unit_id, active=active == "1"
        )
    except ValidationFailed as exc:
        session.rollback()
        return _org_units_page(request, session, principal, None, errors=exc.problems)
    return RedirectResponse(f"/gov/org-units?under={unit.parent_id or unit.id}", status_code=303)


@router.get("/org-units")
def org_units(request: Request, session: DbSession, principal: Regulator) -> Response:
    return _org_units_page(request, session, principal, request.query_params.get("under"))


@router.get("/users")
def users(request: Request, session: DbSession, principal: Regulator) -> Response:
    role = request.query_params.get("role") or None
    result = auth_service.list_users(
        session=session,
        actor=principal,
        search=request.query_params.get("q") or None,
        role=Role(role) if role in set(Role) else None,
        page=PageRequest(forms.page_number(request), 50),
    )
    units = regions_service.org_units_for_select(session=session, actor=principal)
    return render(
        request,
        "gov/users.html",
        {"result": result, "roles": list(Role), "units": units, "values": {}},
    )


@router.post("/users", dependencies=Csrf)
def create_user(
    request: Request, session: DbSession, principal: Regulator, values: forms.FormValues
) -> Response:
    _ = translator(request)
    try:
        role = Role(values.get("role") or "")
    except ValueError:
        role = None
    try:
        if role is None:
            from sunshine.core.errors import FieldProblem

            raise ValidationFailed([FieldProblem("role", "choose a role")])
        auth_service.create_user(
            session=session,
            actor=principal,
            data=auth_service.NewUser(
                username=values.get("username") or "",
                display_name=values.get("display_name") or "",
                password=values.get("password") or "",
                role=role,
                org_unit_id=_int(values.get("org_unit_id")),
                business_id=_int(values.get("business_id")),
                phone=values.get("phone"),
            ),
        )
    except ValidationFailed as exc:
        result = auth_service.list_users(
            session=session, actor=principal, search=None, role=None, page=PageRequest(1, 50)
        )
        units = regions_service.org_units_for_select(session=session, actor=principal)
        return render(
            request,
            "gov/users.html",
            {
                "result": result,
                "roles": list(Role),
                "units": units,
                "values": values,
                "errors": exc.problems,
            },
            status_code=422,
        )
    return RedirectResponse("/gov/users?created=1", status_code=303)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@router.post("/users/{user_id}/active", dependencies=Csrf)
def set_active(
    session: DbSession, principal: Regulator, user_id: int, active: Annotated[str, Form()]
) -> Response:
    auth_service.set_user_active(
        session=session, actor=principal, user_id=user_id, active=active == "1"
    )
    return RedirectResponse("/gov/users", status_code=303)


@router.post("/users/{user_id}/password", dependencies=Csrf)
def reset_password(
    request: Request,
    session: DbSession,
    principal: Regulator,
    user_id: int,
    new_password: Annotated[str, Form()],
) -> Response:
    auth_service.reset_password(
        session=session, actor=principal, user_id=user_id, new_password=new_password
    )
    return RedirectResponse("/gov/users?reset=1", status_code=303)


@router.get("/audit")
def audit_trail(request: Request, session: DbSession, principal: Regulator) -> Response:
    q = request.query_params
    result = audit_service.browse(
        session=session,
        actor=principal,
        entity_type=q.get("entity_type") or None,
        actor_name=q.get("actor") or None,
        action=q.get("action") or None,
        page=PageRequest(forms.page_number(request), 50),
    )
    return render(request, "gov/audit.html", {"result": result})
