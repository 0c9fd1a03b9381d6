"""Request-scoped dependencies shared by the API and the portals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from sunshine.auth import principal_cache, tokens
from sunshine.auth import service as auth_service
from sunshine.auth.principal import Principal
from sunshine.config import get_settings
from sunshine.core.db import unit_of_work
from sunshine.core.errors import AuthenticationError, ForbiddenError
from sunshine.core.i18n import N_

SESSION_COOKIE = "sunshine_session"
LANG_COOKIE = "lang"


def db_session() -> Iterator[Session]:
    """The request's unit of work: committed when the handler returns, else rolled back."""
    with unit_of_work() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session)]


def client_ip(request: Request) -> str | None:
    """The client address (nginx passes it in X-Real-IP; uvicorn trusts it via --proxy-headers)."""
    return request.client.host if request.client else None


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


def current_principal(request: Request) -> Principal:
    """Who is calling: bearer token (API) or session cookie (portals), else anonymous.

    The account is read in a short transaction of its own (or found in the principal
    cache): holding the request's connection from this thread hop to the handler's would
    let requests waiting for a thread hold every pooled connection while the threads wait
    for a connection.
    """
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    settings = get_settings()
    ip, agent = client_ip(request), request.headers.get("user-agent")
    bearer = _bearer(request)
    token = bearer or request.cookies.get(SESSION_COOKIE)
    salt = tokens.TOKEN_SALT if bearer else tokens.SESSION_SALT
    max_age = settings.token_max_age_s if bearer else settings.session_max_age_s
    claims = tokens.read(token, salt=salt, max_age_s=max_age) if token else None
    principal = _signed_in(*claims[:2]) if claims else None
    if bearer and principal is None:
        raise AuthenticationError(N_("The bearer token is invalid or has expired."))
    if principal is None:
        principal = Principal(
            user_id=None, username="anonymous", display_name="anonymous", role=None
        )
    elif not bearer and claims:
        request.state.session_nonce = claims[2]
    principal = replace(principal, ip=ip, user_agent=agent)
    request.state.principal = principal
    return principal


def _signed_in(user_id: int, auth_version: int) -> Principal | None:
    principal = principal_cache.get(user_id, auth_version)
    if principal is None:
        with unit_of_work() as session:
            principal = auth_service.principal_for_claims(
                session, user_id=user_id, auth_version=auth_version
            )
        if principal is not None:
            principal_cache.put(principal, auth_version)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def signed_in(principal: CurrentPrincipal) -> Principal:
    if principal.is_anonymous:
        raise AuthenticationError()
    return principal


SignedIn = Annotated[Principal, Depends(signed_in)]


def regulator(principal: SignedIn) -> Principal:
    if not principal.is_regulator:
        raise ForbiddenError(N_("This page is for regulators."))
    return principal


def enterprise(principal: SignedIn) -> Principal:
    if not principal.is_enterprise:
        raise ForbiddenError(N_("This page is for businesses."))
    return principal


Regulator = Annotated[Principal, Depends(regulator)]
Enterprise = Annotated[Principal, Depends(enterprise)]


CSRF_COOKIE = "sunshine_csrf"


def csrf_nonce(request: Request) -> str | None:
    """What the CSRF token is bound to: the signed-in session, else the pre-session cookie."""
    nonce = getattr(request.state, "session_nonce", None)
    if isinstance(nonce, str):
        return nonce
    cookie = getattr(request.state, "csrf_cookie", None) or request.cookies.get(CSRF_COOKIE)
    return cookie if isinstance(cookie, str) and len(cookie) >= 16 else None


def csrf_for(request: Request) -> str:
    nonce = csrf_nonce(request)
    return tokens.csrf_token(nonce) if nonce else ""


async def check_csrf(request: Request, _principal: CurrentPrincipal) -> None:
    """Reject a state-changing portal request whose CSRF token does not match the session.

    Depends on the principal so the session (and its nonce) is read first.
    """
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    nonce = csrf_nonce(request)
    candidate = request.headers.get("x-csrf-token")
    if candidate is None:
        form = await request.form()
        value = form.get("csrf_token")
        candidate = value if isinstance(value, str) else None
    if nonce is None or not tokens.csrf_matches(nonce, candidate):
        raise ForbiddenError(
            N_(
                "The form has expired or did not come from this site; "
                "reload the page and try again."
            )
        )
