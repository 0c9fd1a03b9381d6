"""The ASGI application: JSON API, the three portals and static assets."""

from __future__ import annotations

import gc
import gzip
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sunshine import __version__
from sunshine.config import get_settings
from sunshine.core.errors import AuthenticationError, DomainError, ValidationFailed
from sunshine.core.validation import problems_of

COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".txt")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        b"script-src 'self' 'unsafe-eval'; frame-ancestors 'self'; form-action 'self'; "
        # hls.js plays the public kitchen streams through Media Source Extensions (blob:).
        b"media-src 'self' blob:",
    ),
]


class SecurityHeaders:
    """Adds security headers to every response (pure ASGI: no per-request task overhead)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CachedStatic(StaticFiles):
    """Vendored assets change only with a release: let browsers keep them, and send text
    assets gzip-compressed (Bootstrap's CSS is 232 KB raw, 31 KB compressed) so a phone's
    first scan stays light even where no nginx compresses in front of us."""

    _gzipped: ClassVar[dict[str, bytes]] = {}

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=604800"
        return response

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        accepts = dict(scope.get("headers", [])).get(b"accept-encoding", b"")
        if (
            not isinstance(response, FileResponse)
            or response.status_code != 200
            or b"gzip" not in accepts
            or not path.endswith(COMPRESSIBLE)
        ):
            return response
        body = self._gzipped.get(str(response.path))
        if body is None:
            body = gzip.compress(Path(response.path).read_bytes(), compresslevel=9, mtime=0)
            self._gzipped[str(response.path)] = body
        headers = {
            k: v for k, v in response.headers.items() if k.lower() not in ("content-length",)
        }
        headers.update(
            {
                "Content-Encoding": "gzip",
                "Vary": "Accept-Encoding",
                "Cache-Control": "public, max-age=604800",
            }
        )
        return Response(body, headers=headers, media_type=response.media_type)


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return not path.startswith(("/api/", "/epcis/")) and "text/html" in request.headers.get(
        "accept", "text/html"
    )


def _problem(error: DomainError, request: Request) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://sunshine.example/problems/{error.slug}",
        "title": error.slug.replace("-", " ").capitalize(),
        "status": error.status,
        "detail": error.text,
        "instance": request.url.path,
    }
    if error.problems:
        body["errors"] = [p.as_dict() for p in error.problems]
    headers = {}
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    retry = getattr(error, "retry_after_s", None)
    if retry:
        headers["Retry-After"] = str(retry)
    return JSONResponse(
        body, status_code=error.status, headers=headers, media_type="application/problem+json"
    )


def _error_page(request: Request, exc: DomainError) -> Response:
    """The error inside the portal the person was using, so they keep their menu."""
    from sunshine.portals.shared.templating import render

    principal = getattr(request.state, "principal", None)
    path = request.url.path
    portal = None
    if principal is not None and path.startswith("/gov/") and principal.is_regulator:
        portal = ("gov/layout.html", "/gov/")
    elif principal is not None and path.startswith("/biz/") and principal.is_enterprise:
        portal = ("biz/layout.html", "/biz/")
    if portal is None:
        return render(request, "shared/error.html", {"error": exc}, status_code=exc.status)
    return render(
        request,
        "shared/error_portal.html",
        {"error": exc, "layout": portal[0], "home": portal[1]},
        status_code=exc.status,
    )


def _install_error_handlers(app: FastAPI) -> None:
    async def domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        if not _wants_html(request):
            return _problem(exc, request)
        if isinstance(exc, AuthenticationError):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return _error_page(request, exc)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        # loc starts with where the value came from ("body", "query", "path", "form").
        problems = problems_of(exc.errors(), skip=1)
        return await domain_error(request, ValidationFailed(problems))

    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)


def _freeze_loaded_objects() -> None:
    """Keep what the worker has loaded (modules, routes, mappers: some 200,000 objects) out
    of the garbage collector's oldest generation. Each full collection otherwise walks all
    of them, stalling whatever request is running for about a tenth of a second; measured
    on the case workbench, those stalls were most of its slowest percent of pages."""
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Size the pool of handler threads (see ``Settings.handler_threads``) and open the
    worker's asyncio Redis client for cache reads on the event loop."""
    from sunshine.core.cache import get_cache

    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = get_settings().handler_threads
    cache = get_cache()
    await cache.start_async()
    _freeze_loaded_objects()
    try:
        yield
    finally:
        await cache.stop_async()


def routers() -> list[tuple[APIRouter, str]]:  # noqa: PLR0915 - one import per router
    """Every router with its prefix, in matching order: routes are tried one by one, so the
    most requested come first (the store page behind every QR scan, then the portals).
    No two routers answer the same path, so the order changes nothing else (tested)."""
    from sunshine.api.open311.routes import router as open311_router
    from sunshine.api.router import router as api_router
    from sunshine.cases import api_more as cases_api_more
    from sunshine.cases.api import router as cases_api_router
    from sunshine.cogovernance.reviews.api import router as reviews_api_router
    from sunshine.cogovernance.submissions.api import router as submissions_api_router
    from sunshine.ingredients.api import router as ledger_api_router
    from sunshine.ingredients.shipments_api import router as shipments_api_router
    from sunshine.inspections.api import router as inspections_api_router
    from sunshine.inspections.tasks_api import router as inspection_tasks_api_router
    from sunshine.kitchen.api import router as kitchen_api_router
    from sunshine.notifications.api import router as inbox_api_router
    from sunshine.portals.enterprise.complaints_routes import router as biz_complaints_router
    from sunshine.portals.enterprise.inspections_routes import router as biz_inspections_router
    from sunshine.portals.enterprise.kitchen_routes import router as biz_kitchen_router
    from sunshine.portals.enterprise.ledger_export_routes import router as biz_ledger_exports
    from sunshine.portals.enterprise.ledger_routes import router as biz_ledger_router
    from sunshine.portals.enterprise.recall_routes import router as biz_recall_router
    from sunshine.portals.enterprise.rectification_routes import router as biz_rectification_router
    from sunshine.portals.enterprise.reviews_routes import router as biz_reviews_router
    from sunshine.portals.enterprise.routes import router as enterprise_router
    from sunshine.portals.enterprise.sampling_routes import router as biz_sampling_router
    from sunshine.portals.enterprise.selfcheck_routes import router as biz_selfcheck_router
    from sunshine.portals.enterprise.shipments_routes import router as biz_shipments_router
    from sunshine.portals.government import (
        cases_routes,
        checklists_routes,
        inspections_routes,
        lives_routes,
    )
    from sunshine.portals.government.enforcement_routes import router as gov_enforcement_router
    from sunshine.portals.government.inspector_app_routes import router as inspector_app_router
    from sunshine.portals.government.kitchen_routes import router as gov_kitchen_router
    from sunshine.portals.government.ledger_routes import router as gov_ledger_router
    from sunshine.portals.government.ledger_views_routes import router as gov_ledger_views
    from sunshine.portals.government.plans_routes import router as gov_plans_router
    from sunshine.portals.government.problems_routes import router as gov_problems_router
    from sunshine.portals.government.rectification_routes import router as gov_rectification_router
    from sunshine.portals.government.routes import router as government_router
    from sunshine.portals.government.sampling_plans_routes import router as gov_sampling_plans
    from sunshine.portals.government.sampling_routes import router as gov_sampling_router
    from sunshine.portals.government.selfcheck_routes import router as gov_selfcheck_router
    from sunshine.portals.government.shipments_routes import router as gov_shipments_router
    from sunshine.portals.government.submissions_routes import router as gov_submissions_router
    from sunshine.portals.government.tasks_routes import router as gov_tasks_router
    from sunshine.portals.government.trace_routes import router as gov_trace_router
    from sunshine.portals.public.draws_routes import router as public_draws_router
    from sunshine.portals.public.hygiene_routes import router as public_hygiene_router
    from sunshine.portals.public.ingredients_routes import router as public_ingredients_router
    from sunshine.portals.public.inspections_routes import router as public_inspections_router
    from sunshine.portals.public.kitchen_routes import router as public_kitchen_router
    from sunshine.portals.public.recall_routes import router as public_recall_router
    from sunshine.portals.public.reviews_routes import router as public_reviews_router
    from sunshine.portals.public.routes import router as public_router
    from sunshine.portals.public.sampling_routes import router as public_sampling_router
    from sunshine.portals.public.submissions_routes import router as public_submissions_router
    from sunshine.portals.shared import inbox_routes
    from sunshine.portals.shared.evidence_routes import router as evidence_router
    from sunshine.portals.shared.imports_routes import biz_router as biz_imports_router
    from sunshine.portals.shared.imports_routes import gov_router as gov_imports_router
    from sunshine.portals.shared.training_routes import biz_router as biz_training_router
    from sunshine.portals.shared.training_routes import gov_router as gov_training_router
    from sunshine.risk.api import router as risk_api_router
    from sunshine.sampling.api import router as sampling_api_router
    from sunshine.traceability.epcis.api import router as epcis_router

    return [
        (public_router, ""),
        # The intake API next: integrations send thousands of submissions a minute.
        (submissions_api_router, "/api/v1"),
        (public_reviews_router, ""),
        (public_submissions_router, ""),
        (public_sampling_router, ""),
        (public_recall_router, ""),
        (public_inspections_router, ""),
        (public_hygiene_router, ""),
        (public_ingredients_router, ""),
        (public_draws_router, ""),
        (public_kitchen_router, ""),
        (evidence_router, ""),
        (government_router, "/gov"),
        (cases_routes.router, "/gov"),
        (checklists_routes.router, "/gov"),
        (lives_routes.router, "/gov"),
        (inspections_routes.router, "/gov"),
        (gov_problems_router, "/gov"),
        (gov_rectification_router, "/gov"),
        (gov_enforcement_router, "/gov"),
        (gov_selfcheck_router, "/gov"),
        (inspector_app_router, "/gov"),
        (gov_plans_router, "/gov"),
        (gov_tasks_router, "/gov"),
        (enterprise_router, "/biz"),
        (biz_reviews_router, "/biz"),
        (biz_complaints_router, "/biz"),
        (biz_sampling_router, "/biz"),
        (biz_inspections_router, "/biz"),
        (biz_rectification_router, "/biz"),
        (biz_selfcheck_router, "/biz"),
        (gov_submissions_router, "/gov"),
        (gov_sampling_router, "/gov"),
        (gov_sampling_plans, "/gov"),
        (gov_imports_router, "/gov"),
        (biz_imports_router, "/biz"),
        (gov_training_router, "/gov"),
        (biz_training_router, "/biz"),
        (api_router, "/api/v1"),
        (cases_api_router, "/api/v1"),
        (reviews_api_router, "/api/v1"),
        (cases_api_more.router, "/api/v1"),
        (inspections_api_router, "/api/v1"),
        (inspection_tasks_api_router, "/api/v1"),
        (sampling_api_router, "/api/v1"),
        (kitchen_api_router, "/api/v1"),
        (risk_api_router, "/api/v1"),
        (gov_kitchen_router, "/gov"),
        (biz_kitchen_router, "/biz"),
        (inbox_routes.gov_router, "/gov"),
        (inbox_routes.biz_router, "/biz"),
        (inbox_routes.public_router, ""),
        (inbox_api_router, "/api/v1"),
        (open311_router, "/open311/v2"),
        (epcis_router, ""),
        (biz_ledger_exports, "/biz"),
        (biz_ledger_router, "/biz"),
        (gov_ledger_views, "/gov"),
        (gov_ledger_router, "/gov"),
        (gov_trace_router, "/gov"),
        (biz_recall_router, "/biz"),
        (ledger_api_router, "/api/v1"),
        (biz_shipments_router, "/biz"),
        (gov_shipments_router, "/gov"),
        (shipments_api_router, "/api/v1"),
    ]


def create_app() -> FastAPI:
    """Build the application (settings and database are read lazily, per process)."""
    telemetry = get_settings().opentelemetry
    app = FastAPI(
        lifespan=_lifespan,
        title="Sunshine Food Safety API",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        # FastAPI's native OpenTelemetry looks up its providers on every request (about a
        # tenth of a cheap request's time); it is on only where a collector is configured.
        telemetry={"tracing": telemetry, "metrics": telemetry, "logs": telemetry},
    )
    from sunshine.portals.shared.deps import check_api_csrf

    # A browser's state-changing API calls (session cookie) need the CSRF token too.
    api_csrf = [Depends(check_api_csrf)]
    for router, prefix in routers():
        app.include_router(
            router, prefix=prefix, dependencies=api_csrf if prefix == "/api/v1" else None
        )
    app.mount("/static", CachedStatic(directory=str(files("sunshine") / "static")), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        from sunshine.core.health import check

        return check()

    _install_error_handlers(app)
    app.add_middleware(SecurityHeaders)
    return app
