"""Open311 GeoReport v2 routes under ``/open311/v2`` (https://wiki.open311.org/GeoReport_v2).

Every resource answers in the format its URL ends with (``.json`` or ``.xml``). Errors are the
spec's array of ``{code, description}`` (``<errors><error>…``) with HTTP 400 for a bad
request, 403 for a missing or wrong ``api_key``, 404 for an unknown service, request or
token, and 429 (with ``Retry-After``) when a throttle says wait; each problem names the
GeoReport field at fault. A request that fails is rolled back before the error is sent:
returning a response (rather than raising) would otherwise let the request's unit of work
commit what a domain service had flushed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from sunshine.api.open311 import filing, following, formats, incoming
from sunshine.api.open311 import services as catalogue
from sunshine.api.open311.formats import Format
from sunshine.api.open311.incoming import Incoming
from sunshine.auth.principal import ANONYMOUS, Principal
from sunshine.config import get_settings
from sunshine.core.errors import DomainError, ThrottledError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.portals.shared.deps import DbSession

router = APIRouter(tags=["open311"])

#: Statuses GeoReport names; any other refusal (a conflict, a validation) is its "400".
_SPEC_STATUSES = frozenset({400, 403, 404, 429})


def _error(call: Incoming, fmt: Format, exc: DomainError) -> Response:
    tr = call.translate
    if isinstance(exc, ValidationFailed) and exc.problems:
        texts = [f"{p.field}: {p.render(tr)}" for p in exc.problems]
    else:
        texts = [exc.render(tr)]
    status = 403 if exc.status == 401 else exc.status
    status = status if status in _SPEC_STATUSES else 400
    headers = {}
    if isinstance(exc, ThrottledError) and exc.retry_after_s:
        headers["Retry-After"] = str(exc.retry_after_s)
    return formats.errors(fmt, status, texts, headers=headers)


def _answer(
    session: Session | None, call: Incoming, root: str, work: Callable[[], Any]
) -> Response:
    """Run ``work`` and render what it returns under ``root``; a domain error becomes the
    spec's error array after everything the request did is rolled back."""
    if call.fmt is None:
        # XML is the format GeoReport requires every server to speak.
        return formats.errors(
            Format.XML,
            400,
            [call.translate(N_("Unknown format: end the address with .json or .xml."))],
        )
    try:
        data = work()
    except DomainError as exc:
        if session is not None and session.in_transaction():
            session.rollback()
        return _error(call, call.fmt, exc)
    return formats.respond(call.fmt, root, data)


def _public(call: Incoming) -> Principal:
    return replace(ANONYMOUS, ip=call.ip, user_agent=call.user_agent)


@router.get("/discovery.{fmt}", summary="GeoReport service discovery")
async def discovery(request: Request, fmt: str) -> Response:
    call = await incoming.read(request, fmt, with_body=False)
    settings = get_settings()
    return _answer(
        None,
        call,
        "discovery",
        lambda: catalogue.discovery(
            call.translate, base_url=settings.base_url, production=not settings.demo
        ),
    )


@router.get("/services.{fmt}", summary="GeoReport service list")
async def services(request: Request, fmt: str) -> Response:
    call = await incoming.read(request, fmt, with_body=False)
    return _answer(None, call, "services", lambda: catalogue.service_list(call.translate))


@router.get("/services/{service_code}.{fmt}", summary="GeoReport service definition")
async def service_definition(request: Request, service_code: str, fmt: str) -> Response:
    call = await incoming.read(request, fmt, with_body=False)
    return _answer(
        None,
        call,
        "service_definition",
        lambda: catalogue.definition(catalogue.get_service(service_code), call.translate),
    )


@router.post("/requests.{fmt}", summary="GeoReport: file a service request")
async def post_request(request: Request, session: DbSession, fmt: str) -> Response:
    call = await incoming.read(request, fmt, with_body=True)

    def work() -> list[dict[str, Any]]:
        filed = filing.file_request(
            session=session,
            params=call.params,
            ip=call.ip,
            user_agent=call.user_agent,
            tr=call.translate,
        )
        return [
            {
                "service_request_id": filed.service_request_id,
                "service_notice": filed.service_notice,
                "account_id": None,
            }
        ]

    return await run_in_threadpool(_answer, session, call, "service_requests", work)


@router.get("/requests.{fmt}", summary="GeoReport: follow service requests by id")
async def get_requests(request: Request, session: DbSession, fmt: str) -> Response:
    call = await incoming.read(request, fmt, with_body=False)

    def work() -> list[dict[str, Any]]:
        following.check_optional_key(session=session, params=call.params)
        return following.find_many(
            session=session, actor=_public(call), params=call.params, tr=call.translate
        )

    return await run_in_threadpool(_answer, session, call, "service_requests", work)


@router.get("/requests/{service_request_id}.{fmt}", summary="GeoReport: follow a request")
async def get_request(
    request: Request, session: DbSession, service_request_id: str, fmt: str
) -> Response:
    call = await incoming.read(request, fmt, with_body=False)

    def work() -> list[dict[str, Any]]:
        following.check_optional_key(session=session, params=call.params)
        found = following.find(
            session=session,
            actor=_public(call),
            request_id=service_request_id,
            tr=call.translate,
        )
        return [found]

    return await run_in_threadpool(_answer, session, call, "service_requests", work)


@router.get("/tokens/{token}.{fmt}", summary="GeoReport: service_request_id from a token")
async def get_token(request: Request, session: DbSession, token: str, fmt: str) -> Response:
    call = await incoming.read(request, fmt, with_body=False)

    def work() -> list[dict[str, Any]]:
        following.check_optional_key(session=session, params=call.params)
        found = following.find_token(
            session=session, actor=_public(call), token=token, tr=call.translate
        )
        return [found]

    return await run_in_threadpool(_answer, session, call, "service_requests", work)
