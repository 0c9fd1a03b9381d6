"""Public portal (公众端): store search, the store page reached by QR code, sign-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sunshine.auth import service as auth_service
from sunshine.auth.models import User
from sunshine.config import get_settings
from sunshine.core import qrcodes
from sunshine.core.cache import get_cache
from sunshine.core.db import reading
from sunshine.core.errors import AuthenticationError, ThrottledError, ValidationFailed
from sunshine.core.pagination import PageRequest
from sunshine.portals.shared.deps import (
    SESSION_COOKIE,
    CurrentPrincipal,
    DbSession,
    SignedIn,
    check_csrf,
    client_ip,
)
from sunshine.portals.shared.templating import html_response, render, render_page, request_locale
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import RegionLevel
from sunshine.registry import public

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    q: str | None = None,
    region: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    result = None
    if q or region:
        result = public.search_stores(
            session=session, q=q, region_code=region, page=PageRequest(page, 20)
        )
    province = get_settings().default_province
    areas = regions_repo.regions_at_level(
        session, level=RegionLevel.COUNTY, within=(RegionLevel.PROVINCE, province)
    )
    prefectures = {
        r.code: r.name
        for r in regions_repo.regions_at_level(
            session, level=RegionLevel.PREFECTURE, within=(RegionLevel.PROVINCE, province)
        )
    }
    return render(
        request,
        "public/index.html",
        {
            "q": q or "",
            "region": region or "",
            "result": result,
            "areas": areas,
            "prefectures": prefectures,
        },
    )


def _store_html(request: Request, code: str, key: str) -> bytes:
    cache = get_cache()
    html = cache.get(key)
    if html is None:
        with reading() as session:
            page = public.store_page(session=session, code=code)
        html = render_page(request, "public/store.html", {"store": page}).encode("utf-8")
        cache.set(key, html, public.store_page_ttl(page))
    return html


@router.get("/s/{code}")
async def store(request: Request, code: str) -> Response:
    """The store page. It is the same for everyone, so it is cached per store and language
    (shared through Redis in server mode) and dropped when the store's records change.
    A cached page is answered on the event loop; rendering one runs in a handler thread."""
    key = public.store_cache_key(code, request_locale(request))
    html = await get_cache().aget(key)
    if html is None:
        html = await run_in_threadpool(_store_html, request, code, key)
    response = html_response(request, html)
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@router.get("/s/{code}/qr.png")
def store_qr_png(session: DbSession, code: str) -> Response:
    canonical = public.store_exists(session=session, code=code)
    return Response(
        qrcodes.png(qrcodes.store_url(canonical)),
        media_type="image/png",
        headers={
            "Cache-Control": "public, max-age=86400",
            "Content-Disposition": f'inline; filename="{canonical}.png"',
        },
    )


@router.get("/s/{code}/qr.svg")
def store_qr_svg(session: DbSession, code: str) -> Response:
    canonical = public.store_exists(session=session, code=code)
    return Response(
        qrcodes.svg(qrcodes.store_url(canonical), title=canonical),
        media_type="image/svg+xml",
        headers={
            "Cache-Control": "public, max-age=86400",
            "Content-Disposition": f'inline; filename="{canonical}.svg"',
        },
    )


def _start_session(response: Response, user: User) -> None:
    """Give the browser a fresh signed session cookie for ``user``."""
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        auth_service.issue_session(user),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=settings.session_max_age_s,
    )


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@router.get("/login")
def login_form(request: Request, principal: CurrentPrincipal, next: str | None = None) -> Response:
    return render(request, "shared/login.html", {"next": _safe_next(next)})


def _home_for(principal_role_is_regulator: bool, is_enterprise: bool) -> str:
    if principal_role_is_regulator:
        return "/gov/"
    if is_enterprise:
        return "/biz/"
    return "/"


@router.post("/login", dependencies=[Depends(check_csrf)])
def login(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str | None, Form()] = None,
) -> Response:
    try:
        user = auth_service.authenticate(
            session=session,
            username=username,
            password=password,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
    except (AuthenticationError, ThrottledError) as exc:
        session.commit()  # keep the failure count and the audit entry
        return render(
            request,
            "shared/login.html",
            {"error": _login_error(request, exc), "username": username, "next": _safe_next(next)},
            status_code=exc.status,
        )
    signed_in = auth_service.principal_for(session, user)
    target = _safe_next(next) or _home_for(signed_in.is_regulator, signed_in.is_enterprise)
    response = RedirectResponse(target, status_code=303)
    _start_session(response, user)
    return response


def _login_error(request: Request, exc: Exception) -> str:
    from sunshine.core.i18n import Translator
    from sunshine.portals.shared.templating import request_locale

    _ = Translator(request_locale(request))
    if isinstance(exc, ThrottledError):
        return _(
            "Too many failed sign-ins. Try again in {minutes} minutes.",
            minutes=max(1, exc.retry_after_s // 60),
        )
    return _("Wrong username or password.")


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(principal: CurrentPrincipal) -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _layout_for(principal: SignedIn) -> str:
    if principal.is_regulator:
        return "gov/layout.html"
    if principal.is_enterprise:
        return "biz/layout.html"
    return "public/layout.html"


@router.get("/account/password")
def password_form(request: Request, principal: SignedIn) -> Response:
    return render(request, "shared/password.html", {"layout": _layout_for(principal)})


@router.post("/account/password", dependencies=[Depends(check_csrf)])
def password_change(
    request: Request,
    session: DbSession,
    principal: SignedIn,
    current_password: Annotated[str, Form()],
    new_password: Annotated[str, Form()],
) -> Response:
    try:
        user = auth_service.change_password(
            session=session,
            actor=principal,
            current_password=current_password,
            new_password=new_password,
        )
    except ValidationFailed as exc:
        return render(
            request,
            "shared/password.html",
            {"layout": _layout_for(principal), "errors": exc.problems},
            status_code=422,
        )
    response = render(
        request,
        "shared/password.html",
        {"layout": _layout_for(principal), "flash": _password_changed(request)},
    )
    _start_session(response, user)
    return response


def _password_changed(request: Request) -> str:
    from sunshine.core.i18n import Translator
    from sunshine.portals.shared.templating import request_locale

    return Translator(request_locale(request))("Your password has been changed.")
