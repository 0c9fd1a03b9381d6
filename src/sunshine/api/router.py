"""JSON API under /api/v1 (OpenAPI at /api/openapi.json)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel

from sunshine.auth import service as auth_service
from sunshine.config import get_settings
from sunshine.core.pagination import PageRequest
from sunshine.portals.shared.deps import CurrentPrincipal, DbSession, SignedIn, client_ip
from sunshine.registry import service as registry
from sunshine.registry.enums import BusinessCategory, BusinessForm, OperatingStatus
from sunshine.registry.repository import SORTABLE, BusinessFilter
from sunshine.registry.schemas import (
    BusinessCreate,
    BusinessPage,
    BusinessRead,
    BusinessUpdate,
    StaffCreate,
    StaffRead,
)

router = APIRouter()
oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class MeOut(BaseModel):
    id: int | None
    username: str
    display_name: str
    role: str | None
    org_unit_id: int | None
    jurisdiction_code: str | None
    business_id: int | None


def _bearer_documented(_token: Annotated[str | None, Depends(oauth2)]) -> None:
    """Declares the OAuth2 scheme in OpenAPI; the principal dependency does the checking."""


Authed = [Depends(_bearer_documented)]


@router.post("/auth/token", response_model=TokenOut, tags=["auth"])
def token(
    request: Request, session: DbSession, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenOut:
    """OAuth2 password flow: exchange a username and password for a bearer token."""
    user = auth_service.authenticate(
        session=session,
        username=form.username,
        password=form.password,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    return TokenOut(
        access_token=auth_service.issue_api_token(user), expires_in=get_settings().token_max_age_s
    )


@router.get("/me", response_model=MeOut, tags=["auth"], dependencies=Authed)
def me(principal: SignedIn) -> MeOut:
    return MeOut(
        id=principal.user_id,
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role.value if principal.role else None,
        org_unit_id=principal.org_unit_id,
        jurisdiction_code=principal.jurisdiction_code,
        business_id=principal.business_id,
    )


@router.get("/businesses", response_model=BusinessPage, tags=["registry"], dependencies=Authed)
def list_businesses(
    session: DbSession,
    principal: SignedIn,
    q: str | None = None,
    region: Annotated[str | None, Query(pattern=r"^\d{6}(\d{3})?$")] = None,
    form: BusinessForm | None = None,
    category: BusinessCategory | None = None,
    licence_state: Annotated[
        str | None, Query(pattern="^(valid|expiring|expired|suspended|revoked)$")
    ] = None,
    operating_status: OperatingStatus | None = None,
    chain_hq_id: int | None = None,
    sort: Annotated[str, Query(pattern="^(" + "|".join(SORTABLE) + ")$")] = "name",
    descending: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 20,
) -> BusinessPage:
    """Businesses the caller may see, filtered, sorted and paginated."""
    filters = BusinessFilter(
        q=q,
        region_code=region,
        form=form,
        category=category,
        licence_state=licence_state,
        operating_status=operating_status,
        chain_hq_id=chain_hq_id,
        sort=sort,
        descending=descending,
    )
    result = registry.list_businesses(
        session=session,
        actor=principal,
        filters=filters,
        page=PageRequest(page, per_page),
        count_cap=None,  # integrators rely on exact totals
    )
    return BusinessPage(
        items=[BusinessRead.model_validate(registry.business_view(b)) for b in result.items],
        total=result.total,
        page=result.page,
        per_page=result.request.per_page,
        pages=result.pages,
    )


@router.post(
    "/businesses",
    response_model=BusinessRead,
    status_code=201,
    tags=["registry"],
    dependencies=Authed,
)
def create_business(session: DbSession, principal: SignedIn, body: BusinessCreate) -> Any:
    business = registry.create_business(session=session, actor=principal, data=body)
    return BusinessRead.model_validate(registry.business_view(business))


@router.get(
    "/businesses/{business_id}", response_model=BusinessRead, tags=["registry"], dependencies=Authed
)
def get_business(session: DbSession, principal: SignedIn, business_id: int) -> Any:
    business = registry.get_business(session=session, actor=principal, business_id=business_id)
    return BusinessRead.model_validate(registry.business_view(business))


@router.put(
    "/businesses/{business_id}", response_model=BusinessRead, tags=["registry"], dependencies=Authed
)
def update_business(
    session: DbSession, principal: SignedIn, business_id: int, body: BusinessUpdate
) -> Any:
    business = registry.update_business(
        session=session, actor=principal, business_id=business_id, data=body
    )
    return BusinessRead.model_validate(registry.business_view(business))


@router.get(
    "/businesses/{business_id}/staff",
    response_model=list[StaffRead],
    tags=["registry"],
    dependencies=Authed,
)
def list_staff(session: DbSession, principal: SignedIn, business_id: int) -> Any:
    staff = registry.list_staff(session=session, actor=principal, business_id=business_id)
    return [StaffRead.model_validate(registry.staff_view(s)) for s in staff]


@router.post(
    "/businesses/{business_id}/staff",
    response_model=StaffRead,
    status_code=201,
    tags=["registry"],
    dependencies=Authed,
)
def add_staff(session: DbSession, principal: SignedIn, business_id: int, body: StaffCreate) -> Any:
    staff = registry.add_staff(session=session, actor=principal, business_id=business_id, data=body)
    return StaffRead.model_validate(registry.staff_view(staff))


@router.get("/public/stores/{code}", tags=["public"])
def public_store(session: DbSession, principal: CurrentPrincipal, code: str) -> dict[str, Any]:
    """The published facts of a store (what its QR code page shows)."""
    from dataclasses import asdict

    from sunshine.registry import public

    return asdict(public.store_page(session=session, code=code))
