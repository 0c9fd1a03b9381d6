"""Public portal: writing a review from the store page, reading them, following one's own.

* ``/s/{code}/review``: the phone-first form (scores, text, photos), anonymous or signed in;
* ``/s/{code}/reviews``: every shown review of a store, and its folded ones with the reason;
* ``/reviews/receipt``: the author follows a review by receipt code and appeals a fold;
* ``/reviews/mine``: the same for a signed-in author.

The store page (cached, see ``routes.store``) shows the scores and recent reviews through
``public/_store_reviews.html``, which reads them with :func:`store_reviews_for_page`.
"""

from __future__ import annotations

import secrets
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from sunshine.auth.principal import Principal
from sunshine.cogovernance.intake import normalise_receipt_code
from sunshine.cogovernance.reviews import service as reviews
from sunshine.cogovernance.reviews.antiabuse import HONEYPOT_FIELD, Source
from sunshine.cogovernance.reviews.enums import (
    APPEAL_LABELS,
    FOLD_REASON_LABELS,
    ReviewStatus,
)
from sunshine.cogovernance.reviews.schemas import (
    STATEMENT_MAX,
    TEXT_MAX,
    TEXT_MIN,
    AppealIn,
    ReviewCreate,
)
from sunshine.config import get_settings
from sunshine.core import evidence
from sunshine.core.db import reading
from sunshine.core.errors import (
    ConflictError,
    FieldProblem,
    NotFoundError,
    ThrottledError,
    ValidationFailed,
)
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.storage import human_size
from sunshine.core.validation import parse
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import (
    CurrentPrincipal,
    DbSession,
    SignedIn,
    check_csrf,
    client_ip,
)
from sunshine.portals.shared.templating import ENV, render, translator

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
DEVICE_COOKIE = "sunshine_device"
DEVICE_MAX_AGE_S = 365 * 86_400
SCORE_FIELDS = (
    ("environment_score", N_("Environment")),
    ("quality_score", N_("Food quality")),
    ("service_score", N_("Service")),
)
#: Field labels of the review forms' error lists.
REVIEW_FIELD_LABELS = {
    "environment_score": N_("Environment"),
    "quality_score": N_("Food quality"),
    "service_score": N_("Service"),
    "text": N_("Your review"),
    "photos": N_("Photos"),
    "statement": N_("Why the review should be shown"),
    "receipt": N_("Receipt code"),
    HONEYPOT_FIELD: N_("Leave this field empty"),
    "form_stamp": N_("Form"),
}
COMMON = {
    "fold_labels": FOLD_REASON_LABELS,
    "appeal_labels": APPEAL_LABELS,
    "field_labels": REVIEW_FIELD_LABELS,
    "score_fields": SCORE_FIELDS,
    "VISIBLE": ReviewStatus.VISIBLE,
}


def store_reviews_for_page(code: str) -> reviews.StoreReviews | None:
    """The store page's reviews section (read when the cached page is rendered).

    A global of the templates, so the store page's section stays in this module's hands:
    the page itself belongs to the registry. ``None`` for an unknown store.
    """
    with reading() as session:
        try:
            return reviews.store_reviews(session=session, code=code)
        except NotFoundError:
            return None


ENV.globals["store_reviews"] = store_reviews_for_page
ENV.globals["review_fold_labels"] = FOLD_REASON_LABELS


def _source(request: Request, principal: Principal) -> Source:
    return Source(
        ip=client_ip(request),
        device=request.cookies.get(DEVICE_COOKIE),
        account_id=principal.user_id,
    )


def _with_device_cookie(request: Request, response: Response) -> Response:
    """Give a phone its device id the first time it opens a form (one year, this site)."""
    if not request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(16),
            max_age=DEVICE_MAX_AGE_S,
            httponly=True,
            samesite="lax",
            secure=get_settings().secure_cookies,
        )
    return response


# The form ---------------------------------------------------------------------------------------


def _form_page(
    request: Request,
    store: reviews.Store,
    stamp: str,
    *,
    values: dict[str, Any] | None = None,
    errors: list[FieldProblem] | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> Response:
    settings = get_settings()
    context = {
        **COMMON,
        "store": store,
        "stamp": stamp,
        "values": values or {},
        "errors": errors or [],
        "alert": alert,
        "honeypot": HONEYPOT_FIELD,
        "max_photos": reviews.MAX_PHOTOS,
        "photo_limit": human_size(settings.evidence_photo_max_bytes),
        "text_min": TEXT_MIN,
        "text_max": TEXT_MAX,
    }
    response = render(request, "public/review_form.html", context, status_code=status_code)
    return _with_device_cookie(request, response)


@router.get("/s/{code}/review")
def review_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, code: str
) -> Response:
    store, stamp = reviews.review_form_stamp(session=session, code=code)
    return _form_page(request, store, stamp)


def _values(form: FormData) -> dict[str, Any]:
    return {
        key: (value.strip() or None)
        for key, value in form.items()
        if isinstance(value, str) and key != "csrf_token"
    }


def _uploads(form: FormData) -> list[evidence.Upload]:
    return [
        evidence.Upload(filename=item.filename, source=item.file)
        for item in form.getlist("photos")
        if isinstance(item, UploadFile) and item.filename
    ]


@router.post("/s/{code}/review", dependencies=Csrf)
async def submit_review(
    request: Request, session: DbSession, principal: CurrentPrincipal, code: str
) -> Response:
    return await forms.with_upload_form(
        request, partial(_submit, request, session, principal, code)
    )


def _submit(
    request: Request, session: DbSession, principal: Principal, code: str, form: FormData
) -> Response:
    values = _values(form)
    try:
        draft = parse(ReviewCreate, {k: values.get(k) for k in ReviewCreate.model_fields})
        done = reviews.submit_review(
            session=session,
            actor=principal,
            code=code,
            draft=draft,
            guard=reviews.FormGuard(
                stamp=values.get("form_stamp"), honeypot=values.get(HONEYPOT_FIELD)
            ),
            source=_source(request, principal),
            uploads=_uploads(form),
        )
    except (ValidationFailed, evidence.EvidenceRejected) as exc:
        store, stamp = reviews.review_form_stamp(session=session, code=code)
        return _form_page(
            request, store, stamp, values=values, errors=exc.problems, status_code=exc.status
        )
    except ThrottledError as exc:
        store, stamp = reviews.review_form_stamp(session=session, code=code)
        response = _form_page(
            request, store, stamp, values=values, alert=_message(request, exc), status_code=429
        )
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    store = reviews.find_store(session=session, code=code)
    context = {**COMMON, "store": store, "review": done.review, "receipt": done.receipt_code}
    return render(request, "public/review_done.html", context, status_code=201)


def _message(request: Request, exc: ThrottledError) -> str:
    return exc.render(translator(request))


# Reading a store's reviews ----------------------------------------------------------------------


@router.get("/s/{code}/reviews")
def store_reviews(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    code: str,
    folded: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    header, result = reviews.public_reviews(
        session=session, code=code, folded=folded, page=PageRequest(page, 20)
    )
    context = {**COMMON, "store": header, "result": result, "folded": folded}
    return render(request, "public/review_list.html", context)


# The author's receipt ---------------------------------------------------------------------------


def _receipt_page(
    request: Request,
    *,
    view: reviews.ReceiptView | None = None,
    receipt: str = "",
    errors: list[FieldProblem] | None = None,
    alert: str | None = None,
    flash: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        **COMMON,
        "view": view,
        "receipt": receipt,
        "errors": errors or [],
        "alert": alert,
        "flash": flash,
        "statement_max": STATEMENT_MAX,
    }
    return render(request, "public/review_receipt.html", context, status_code=status_code)


@router.get("/reviews/receipt")
def receipt_form(request: Request, principal: CurrentPrincipal) -> Response:
    return _receipt_page(request)


@router.post("/reviews/receipt", dependencies=Csrf)
async def receipt_lookup(
    request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """The receipt code travels in the body, not the URL, so it stays out of logs."""
    form = await request.form()
    receipt = normalise_receipt_code(str(form.get("receipt") or ""))
    return await run_in_threadpool(_lookup, request, session, principal, receipt)


def _lookup(
    request: Request, session: DbSession, principal: Principal, receipt: str, **extra: Any
) -> Response:
    try:
        view = reviews.by_receipt(
            session=session, receipt=receipt, source=_source(request, principal)
        )
    except NotFoundError as exc:
        problem = FieldProblem("receipt", exc.message, code="not_found")
        return _receipt_page(request, receipt=receipt, errors=[problem], status_code=404)
    except ThrottledError as exc:
        response = _receipt_page(request, alert=_message(request, exc), status_code=429)
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    return _receipt_page(request, view=view, receipt=receipt, **extra)


@router.post("/reviews/appeal", dependencies=Csrf)
async def appeal(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    form = await request.form()
    values = _values(form)
    return await run_in_threadpool(_appeal, request, session, principal, values)


def _appeal(
    request: Request, session: DbSession, principal: Principal, values: dict[str, Any]
) -> Response:
    receipt = values.get("receipt")
    review_id = values.get("review_id")
    try:
        body = parse(AppealIn, {"statement": values.get("statement")})
        reviews.file_appeal(
            session=session,
            actor=principal,
            statement=body.statement,
            receipt=receipt,
            review_id=int(review_id) if review_id and review_id.isdigit() else None,
            source=_source(request, principal),
        )
    except ThrottledError as exc:
        response = _receipt_page(request, alert=_message(request, exc), status_code=429)
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    except (ValidationFailed, ConflictError, NotFoundError) as exc:
        field = "receipt" if isinstance(exc, NotFoundError) else "statement"
        problems = exc.problems or [FieldProblem(field, exc.message, params=exc.params)]
        if receipt and not isinstance(exc, NotFoundError):
            return _lookup(
                request, session, principal, receipt, errors=problems, status_code=exc.status
            )
        if receipt or principal.is_anonymous:
            return _receipt_page(
                request, receipt=receipt or "", errors=problems, status_code=exc.status
            )
        return _mine(request, session, principal, errors=problems, status_code=exc.status)
    flash = translator(request)("Your appeal has been sent. A regulator will decide on it.")
    if receipt:
        return _lookup(request, session, principal, receipt, flash=flash)
    return _mine(request, session, principal, flash=flash)


@router.get("/reviews/mine")
def mine(request: Request, session: DbSession, principal: SignedIn) -> Response:
    return _mine(request, session, principal)


def _mine(request: Request, session: DbSession, principal: Principal, **extra: Any) -> Response:
    page = forms.page_number(request) if request.method == "GET" else 1
    result = reviews.my_reviews(session=session, actor=principal, page=PageRequest(page, 20))
    status_code = extra.pop("status_code", 200)
    context = {**COMMON, "result": result, "errors": [], "statement_max": STATEMENT_MAX, **extra}
    return render(request, "public/review_mine.html", context, status_code=status_code)
