"""Enterprise portal: the business reads its reviews and replies (商家回复), once, editable.

Every enterprise role reads; the owner, the manager and the chain HQ (for its outlets)
reply. A chain HQ adds ``?business=<id>`` to work on one outlet, as on the other pages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sunshine.auth.principal import Principal
from sunshine.cogovernance.reviews import moderation
from sunshine.cogovernance.reviews import service as reviews
from sunshine.cogovernance.reviews.access import REPLIERS
from sunshine.cogovernance.reviews.enums import (
    APPEAL_LABELS,
    FOLD_REASON_LABELS,
    STATUS_LABELS,
    ReviewStatus,
)
from sunshine.cogovernance.reviews.moderation import ReviewFilter
from sunshine.cogovernance.reviews.schemas import REPLY_MAX, ReplyIn
from sunshine.core.errors import FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.core.validation import parse
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Enterprise, check_csrf
from sunshine.portals.shared.templating import render, translator
from sunshine.registry import service as registry
from sunshine.registry.models import Business

router = APIRouter(include_in_schema=False)
Csrf = [Depends(check_csrf)]
PER_PAGE = 20


def _selected(request: Request) -> int | None:
    raw = request.query_params.get("business")
    if not raw:
        return None
    if not raw.isdigit():
        raise NotFoundError(N_("No such business"))
    return int(raw)


def _link(business: Business, principal: Principal, path: str, **params: object) -> str:
    query = {k: str(v) for k, v in params.items() if v is not None and v != ""}
    if business.id != principal.business_id:
        query["business"] = str(business.id)
    return f"{path}?{urlencode(query)}" if query else path


def _status(request: Request) -> ReviewStatus | None:
    raw = request.query_params.get("status")
    try:
        return ReviewStatus(raw) if raw else None
    except ValueError:
        return None


def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    errors: dict[int, list[FieldProblem]] | None = None,
    drafts: dict[int, str] | None = None,
    status_code: int = 200,
) -> Response:
    business = registry.enterprise_business(
        session=session, actor=principal, business_id=_selected(request)
    )
    status = _status(request)
    result = moderation.list_reviews(
        session=session,
        actor=principal,
        filters=ReviewFilter(business_id=business.id, status=status),
        page=PageRequest(forms.page_number(request), PER_PAGE),
    )
    replied = request.query_params.get("replied")
    flash = translator(request)("Your reply is published.") if replied else None
    context: dict[str, Any] = {
        "current": business,
        "own_business": business.id == principal.business_id,
        "link": lambda path, **params: _link(business, principal, path, **params),
        "result": result,
        "status": status,
        "summary": reviews.ScoreSummary.of(moderation.summary(session, business.id)),
        "can_reply": principal.role in REPLIERS,
        "errors": errors or {},
        "drafts": drafts or {},
        "reply_max": REPLY_MAX,
        "fold_labels": FOLD_REASON_LABELS,
        "status_labels": STATUS_LABELS,
        "appeal_labels": APPEAL_LABELS,
        "statuses": list(ReviewStatus),
        "flash": flash,
    }
    return render(request, "biz/reviews.html", context, status_code=status_code)


@router.get("/reviews")
def review_list(request: Request, session: DbSession, principal: Enterprise) -> Response:
    return _page(request, session, principal)


@router.post("/reviews/{review_id}/reply", dependencies=Csrf)
def reply(
    request: Request,
    session: DbSession,
    principal: Enterprise,
    review_id: int,
    values: forms.FormValues,
) -> Response:
    text = values.get("text")
    try:
        body = parse(ReplyIn, {"text": text})
        review = moderation.reply(
            session=session, actor=principal, review_id=review_id, text=body.text
        )
    except ValidationFailed as exc:
        return _page(
            request,
            session,
            principal,
            errors={review_id: exc.problems},
            drafts={review_id: text or ""},
            status_code=422,
        )
    business = registry.enterprise_business(
        session=session, actor=principal, business_id=review.business_id
    )
    target = _link(business, principal, "/biz/reviews", replied=1)
    return RedirectResponse(f"{target}#review-{review.id}", status_code=303)
