"""Request-scoped dependencies shared by the API and the portals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from sunshine.auth import principal_cache, tokens
from sunshine.auth import service as auth_service
from sunshine.auth.principal import Principal
from sunshine.config import get_settings
from sunshine.core.db import reading, session_factory
from sunshine.core.errors import AuthenticationError, ForbiddenError
from sunshine.core.i18n import N_

SESSION_COOKIE = "sunshine_session"
LANG_COOKIE = "lang"


# Commits and rollbacks of request sessions run on threads of their own: a session that
# holds a pooled connection must never wait for a handler thread, since every handler
# thread may be waiting for that connection (see tests/test_concurrency.py).
_FINISHERS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="db-finish")


async def _finish(action: Callable[[], None]) -> None:
    await asyncio.get_running_loop().run_in_executor(_FINISHERS, action)


async def db_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: committed when the handler returns, else rolled back.

    Opened and closed on the event loop: a session connects only when first used, so it
    leaves the loop only to commit or roll back what the handler did. Written as a plain
    generator it would cost every request two more hops through the handler threads.
    Kept on ``request.state`` so what the page layout reads (the inbox badge) uses the
    request's connection instead of taking a second one from the pool.
    """
    session = session_factory()()
    request.state.db_session = session
    try:
        yield session
        if session.in_transaction():
            await _finish(session.commit)
    except BaseException:
        if session.in_transaction():
            await _finish(session.rollback)
        raise
    finally:
        session.close()


# scope="function": the commit happens before the response is sent, so a client never
# sees a success whose transaction then fails, nor races its own next request.
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def client_ip(request: Request) -> str | None:
    """The client address (nginx passes it in X-Real-IP; uvicorn trusts it via --proxy-headers)."""
    return request.client.host if request.client else None


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


async def current_principal(request: Request) -> Principal:
    """Who is calling: bearer token (API) or session cookie (portals), else anonymous.

    Checking the token and finding the account in the principal cache happen on the event
    loop. Only a cache miss reads the account, in a short transaction of its own in a worker
    thread: holding the request's connection from there to the handler's thread would let
    requests waiting for a thread hold every pooled connection.
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
    principal = None
    if claims:
        user_id, auth_version = claims[:2]
        principal = principal_cache.peek(user_id, auth_version)
        if principal is None:
            principal = await run_in_threadpool(_load_principal, user_id, auth_version)
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


def _load_principal(user_id: int, auth_version: int) -> Principal | None:
    principal = principal_cache.get(user_id, auth_version)
    if principal is not None:
        return principal
    with reading() as session:
        principal = auth_service.principal_for_claims(
            session, user_id=user_id, auth_version=auth_version
        )
    if principal is not None:
        principal_cache.put(principal, auth_version)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def signed_in(principal: CurrentPrincipal) -> Principal:
    if principal.is_anonymous:
        raise AuthenticationError()
    return principal


SignedIn = Annotated[Principal, Depends(signed_in)]


async def regulator(principal: SignedIn) -> Principal:
    if not principal.is_regulator:
        raise ForbiddenError(N_("This page is for regulators."))
    return principal


async def enterprise(principal: SignedIn) -> Principal:
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


# API calls authenticated by the credentials they carry, whatever cookie the browser sends.
_CREDENTIAL_PATHS = frozenset({"/api/v1/auth/token"})


async def check_api_csrf(request: Request, principal: CurrentPrincipal) -> None:
    """Reject a state-changing API call authenticated by the portal's session cookie (not a
    bearer token) unless it carries the session's CSRF token in ``X-CSRF-Token``.

    Such a call comes from a browser: without the token, a page of another site could make
    a signed-in officer's browser send it with the cookie. Integrations use bearer tokens
    and anonymous callers have no session, so neither is affected.
    """
    if request.method in {"GET", "HEAD", "OPTIONS"} or _bearer(request):
        return
    if principal.user_id is None or request.url.path in _CREDENTIAL_PATHS:
        return
    nonce = csrf_nonce(request)
    if nonce is None or not tokens.csrf_matches(nonce, request.headers.get("x-csrf-token")):
        raise ForbiddenError(
            N_(
                "An API call signed in with the portal's session must carry its CSRF token "
                "(X-CSRF-Token); integrations use a bearer token."
            )
        )


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
