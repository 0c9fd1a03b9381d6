"""Training records of a staff member, in the enterprise and the government portals."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sunshine.auth.principal import Principal
from sunshine.core.errors import ValidationFailed
from sunshine.core.validation import parse
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Enterprise, Regulator, check_csrf
from sunshine.portals.shared.templating import render
from sunshine.registry import service as registry
from sunshine.registry.service import training

biz_router = APIRouter(include_in_schema=False)
gov_router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]


def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    staff_id: int,
    portal: str,
    **extra: object,
) -> Response:
    staff, records = training.staff_training(session=session, actor=principal, staff_id=staff_id)
    back = (
        f"/gov/businesses/{staff.business_id}"
        if portal == "gov"
        else f"/biz/staff?business={staff.business_id}"
    )
    context = {
        "layout": f"{portal}/layout.html",
        "staff": registry.staff_view(staff),
        "records": records,
        "can_add": principal.can_edit_business,
        "back": back,
        "values": {},
        **extra,
    }
    return render(
        request,
        "shared/staff_training.html",
        context,
        status_code=422 if extra.get("errors") else 200,
    )


def _add(
    request: Request,
    session: DbSession,
    principal: Principal,
    staff_id: int,
    portal: str,
    values: dict[str, Any],
) -> Response:
    try:
        training.add_training(
            session=session,
            actor=principal,
            staff_id=staff_id,
            data=parse(training.TrainingCreate, values),
        )
    except ValidationFailed as exc:
        return _page(
            request, session, principal, staff_id, portal, errors=exc.problems, values=values
        )
    return RedirectResponse(f"/{portal}/staff/{staff_id}/training", status_code=303)


@biz_router.get("/staff/{staff_id}/training")
def biz_training(
    request: Request, session: DbSession, principal: Enterprise, staff_id: int
) -> Response:
    return _page(request, session, principal, staff_id, "biz")


@biz_router.post("/staff/{staff_id}/training", dependencies=Csrf)
def biz_add_training(
    request: Request,
    session: DbSession,
    principal: Enterprise,
    staff_id: int,
    values: forms.FormValues,
) -> Response:
    return _add(request, session, principal, staff_id, "biz", values)


@gov_router.get("/staff/{staff_id}/training")
def gov_training(
    request: Request, session: DbSession, principal: Regulator, staff_id: int
) -> Response:
    return _page(request, session, principal, staff_id, "gov")


@gov_router.post("/staff/{staff_id}/training", dependencies=Csrf)
def gov_add_training(
    request: Request,
    session: DbSession,
    principal: Regulator,
    staff_id: int,
    values: forms.FormValues,
) -> Response:
    return _add(request, session, principal, staff_id, "gov", values)
