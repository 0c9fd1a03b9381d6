"""Enterprise portal (企业端): the business's dashboard, profile, staff and QR code.

Every page works on the signed-in user's own business. A chain headquarters may add
``?business=<id>`` to work on one of its outlets; the registry service checks the id
against the access helpers, so any other id is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sunshine.auth.principal import Principal
from sunshine.core.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.validation import parse
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Enterprise, check_csrf
from sunshine.portals.shared.labels import LICENCE_STATES
from sunshine.portals.shared.templating import render, translator
from sunshine.regions import service as regions_service
from sunshine.registry import service as registry
from sunshine.registry.enums import (
    BusinessCategory,
    BusinessForm,
    BusinessScale,
    CertificateState,
    OperatingStatus,
)
from sunshine.registry.models import Business, Staff
from sunshine.registry.schemas import BusinessUpdate, StaffCreate

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]

STAFF_FIELDS = (
    "name",
    "position",
    "id_number",
    "gender",
    "phone",
    "health_cert_number",
    "health_cert_issue_date",
    "health_cert_expiry_date",
)


def _selected(request: Request) -> int | None:
    """The ``?business=`` a chain HQ chose (None: the user's own business)."""
    raw = request.query_params.get("business")
    if not raw:
        return None
    if not raw.isdigit():
        raise NotFoundError(N_("No such business"))
    return int(raw)


def _link(business: Business, principal: Principal, path: str, **params: object) -> str:
    """A portal URL that keeps working on ``business`` (an outlet, for a chain HQ)."""
    query = {k: str(v) for k, v in params.items() if v is not None and v != ""}
    if business.id != principal.business_id:
        query["business"] = str(business.id)
    return f"{path}?{urlencode(query)}" if query else path


def _page(
    request: Request, principal: Principal, current: Business, template: str, /, **ctx: Any
) -> Response:
    """Render a page about ``current`` with the scope helpers the layout needs."""
    status_code = ctx.pop("status_code", 200)
    context = {
        "current": current,
        "own_business": current.id == principal.business_id,
        "link": lambda path, **params: _link(current, principal, path, **params),
        **ctx,
    }
    return render(request, template, context, status_code=status_code)


def _flash(request: Request, messages: dict[str, str]) -> str | None:
    _ = translator(request)
    for key, message in messages.items():
        if request.query_params.get(key):
            return _(message)
    return None


# Dashboard -----------------------------------------------------------------------------------


@router.get("/")
def dashboard(request: Request, session: DbSession, principal: Enterprise) -> Response:
    data = registry.enterprise_dashboard(
        session=session,
        actor=principal,
        business_id=_selected(request),
        outlets=PageRequest(1, 20),
    )
    return _page(request, principal, data.business, "biz/dashboard.html", d=data)


@router.get("/outlets")
def outlets(request: Request, session: DbSession, principal: Enterprise) -> Response:
    result = registry.list_outlets(
        session=session, actor=principal, page=PageRequest(forms.page_number(request), 50)
    )
    own = registry.enterprise_business(session=session, actor=principal)
    return _page(request, principal, own, "biz/outlets.html", result=result)


# Business profile ----------------------------------------------------------------------------


def _profile_choices(session: DbSession, business: Business) -> dict[str, object]:
    return {
        "forms": list(BusinessForm),
        "categories": list(BusinessCategory),
        "scales": list(BusinessScale),
        "operating_statuses": list(OperatingStatus),
        "licence_states": LICENCE_STATES,
        "areas": registry.profile_areas(session=session, business=business),
    }


@router.get("/profile")
def profile(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = registry.enterprise_business(
        session=session, actor=principal, business_id=_selected(request)
    )
    return _page(
        request,
        principal,
        business,
        "biz/profile.html",
        b=registry.business_view(business),
        region_names=regions_service.region_names(
            session=session,
            codes=[business.prefecture_code, business.county_code, business.township_code],
        ),
        flash=_flash(request, {"saved": "Changes saved."}),
    )


@router.get("/profile/edit")
def edit_profile(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = registry.editable_business(
        session=session, actor=principal, business_id=_selected(request)
    )
    values = registry.business_view(business)
    values["licence_scope"] = "\n".join(business.licence_scope or [])
    values["region_code"] = business.township_code or business.county_code
    return _page(
        request,
        principal,
        business,
        "biz/profile_form.html",
        business=business,
        values=values,
        **_profile_choices(session, business),
    )


@router.post("/profile/edit", dependencies=Csrf)
def update_profile(
    request: Request, session: DbSession, principal: Enterprise, values: forms.FormValues
) -> Response:
    business = registry.editable_business(
        session=session, actor=principal, business_id=_selected(request)
    )
    data = {k: v for k, v in values.items() if k not in ("uscc", "is_chain_hq")}
    data["licence_scope"] = forms.scope_items(values.get("licence_scope"))
    try:
        registry.update_own_business(
            session=session,
            actor=principal,
            business_id=business.id,
            data=parse(BusinessUpdate, data),
        )
    except ValidationFailed as exc:
        return _page(
            request,
            principal,
            business,
            "biz/profile_form.html",
            business=business,
            values=values,
            errors=exc.problems,
            status_code=422,
            **_profile_choices(session, business),
        )
    return RedirectResponse(_link(business, principal, "/biz/profile", saved=1), status_code=303)


# Staff (人员库) --------------------------------------------------------------------------------


def _certificate_filter(request: Request) -> CertificateState | None:
    value = request.query_params.get("certificate")
    if not value:
        return None
    try:
        return CertificateState(value)
    except ValueError:
        raise ValidationFailed(
            [
                FieldProblem(
                    "certificate",
                    N_("'{value}' is not a certificate state"),
                    params={"value": value},
                )
            ]
        ) from None


def _conflict_problem(exc: ConflictError) -> FieldProblem:
    """The staff register's conflict (the same ID number twice), shown at the ID field."""
    return FieldProblem("id_number", exc.message, code="duplicate", params=exc.params)


def _staff_data(values: dict[str, Any]) -> dict[str, Any]:
    data = {name: values.get(name) for name in STAFF_FIELDS}
    data["direct_contact"] = bool(values.get("direct_contact"))
    return data


@router.get("/staff")
def staff_list(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = registry.enterprise_business(
        session=session, actor=principal, business_id=_selected(request)
    )
    certificate = _certificate_filter(request)
    staff = registry.enterprise_staff(
        session=session, actor=principal, business_id=business.id, certificate=certificate
    )
    return _page(
        request,
        principal,
        business,
        "biz/staff.html",
        staff=[registry.staff_view(s) for s in staff],
        certificate=certificate.value if certificate else "",
        certificate_states=list(CertificateState),
        flash=_flash(
            request,
            {
                "added": "Staff member added.",
                "saved": "Changes saved.",
                "deactivated": "Staff member taken off the register.",
            },
        ),
    )


@router.get("/staff/new")
def new_staff(request: Request, session: DbSession, principal: Enterprise) -> Response:
    business = registry.editable_business(
        session=session, actor=principal, business_id=_selected(request)
    )
    return _page(
        request,
        principal,
        business,
        "biz/staff_form.html",
        member=None,
        values={"direct_contact": True},
    )


def _save_staff(
    request: Request,
    principal: Principal,
    business: Business,
    member: Staff | None,
    values: dict[str, Any],
    save: Callable[[], object],
    *,
    done: str,
) -> Response:
    """Run ``save``; on bad input show the form again with every problem, else go back to
    the list with the ``done`` message."""
    try:
        save()
    except ValidationFailed as exc:
        problems, status_code = exc.problems, 422
    except ConflictError as exc:
        problems, status_code = [_conflict_problem(exc)], 409
    else:
        return RedirectResponse(
            _link(business, principal, "/biz/staff", **{done: 1}), status_code=303
        )
    return _page(
        request,
        principal,
        business,
        "biz/staff_form.html",
        member=member,
        values=values,
        errors=problems,
        status_code=status_code,
    )


@router.post("/staff/new", dependencies=Csrf)
def create_staff(
    request: Request, session: DbSession, principal: Enterprise, values: forms.FormValues
) -> Response:
    business = registry.editable_business(
        session=session, actor=principal, business_id=_selected(request)
    )
    return _save_staff(
        request,
        principal,
        business,
        None,
        values,
        lambda: registry.add_staff(
            session=session,
            actor=principal,
            business_id=business.id,
            data=parse(StaffCreate, _staff_data(values)),
        ),
        done="added",
    )


def _staff_business(session: DbSession, principal: Principal, member: Staff) -> Business:
    return registry.enterprise_business(
        session=session, actor=principal, business_id=member.business_id
    )


@router.get("/staff/{staff_id}/edit")
def edit_staff(
    request: Request, session: DbSession, principal: Enterprise, staff_id: int
) -> Response:
    member = registry.editable_staff(session=session, actor=principal, staff_id=staff_id)
    values = {**registry.staff_view(member), "phone": member.phone, "id_number": None}
    return _page(
        request,
        principal,
        _staff_business(session, principal, member),
        "biz/staff_form.html",
        member=member,
        values=values,
    )


@router.post("/staff/{staff_id}/edit", dependencies=Csrf)
def update_staff(
    request: Request,
    session: DbSession,
    principal: Enterprise,
    staff_id: int,
    values: forms.FormValues,
) -> Response:
    member = registry.editable_staff(session=session, actor=principal, staff_id=staff_id)
    business = _staff_business(session, principal, member)
    return _save_staff(
        request,
        principal,
        business,
        member,
        values,
        lambda: registry.edit_staff(
            session=session, actor=principal, staff_id=staff_id, data=_staff_data(values)
        ),
        done="saved",
    )


@router.get("/staff/{staff_id}/deactivate")
def confirm_deactivate(
    request: Request, session: DbSession, principal: Enterprise, staff_id: int
) -> Response:
    """Ask before taking someone off the register (no script needed to confirm)."""
    member = registry.editable_staff(session=session, actor=principal, staff_id=staff_id)
    return _page(
        request,
        principal,
        _staff_business(session, principal, member),
        "biz/staff_deactivate.html",
        member=registry.staff_view(member),
    )


@router.post("/staff/{staff_id}/deactivate", dependencies=Csrf)
def deactivate_staff(session: DbSession, principal: Enterprise, staff_id: int) -> Response:
    member = registry.deactivate_staff(session=session, actor=principal, staff_id=staff_id)
    business = _staff_business(session, principal, member)
    return RedirectResponse(
        _link(business, principal, "/biz/staff", deactivated=1), status_code=303
    )


@router.post("/staff/{staff_id}/reveal", dependencies=Csrf)
def reveal_id(
    request: Request, session: DbSession, principal: Enterprise, staff_id: int
) -> Response:
    id_number = registry.reveal_id_number(session=session, actor=principal, staff_id=staff_id)
    member = registry.editable_staff(session=session, actor=principal, staff_id=staff_id)
    response = _page(
        request,
        principal,
        _staff_business(session, principal, member),
        "biz/staff_reveal.html",
        member=registry.staff_view(member),
        id_number=id_number,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# One store, one code (一店一码) ----------------------------------------------------------------


@router.get("/qr")
def qr_page(request: Request, session: DbSession, principal: Enterprise) -> Response:
    qr = registry.store_qr(session=session, actor=principal, business_id=_selected(request))
    return _page(request, principal, qr.business, "biz/qr.html", qr=qr)


@router.get("/poster")
def poster(request: Request, session: DbSession, principal: Enterprise) -> Response:
    qr = registry.store_qr(session=session, actor=principal, business_id=_selected(request))
    if not qr.published:
        raise NotFoundError(N_("Only a store with a public page has a QR poster."))
    return _page(request, principal, qr.business, "biz/poster.html", qr=qr)
