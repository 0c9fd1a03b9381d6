"""Enterprise portal: the business's own sampling records (抽检记录), read-only.

A chain headquarters adds ``?business=<id>`` to read one of its outlets' records; any
other id is a 404 (the registry service checks it).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sunshine.auth.principal import Principal
from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.pagination import PageRequest
from sunshine.portals.shared import forms
from sunshine.portals.shared.deps import DbSession, Enterprise
from sunshine.portals.shared.templating import render
from sunshine.registry import service as registry
from sunshine.registry.models import Business
from sunshine.sampling import public, records
from sunshine.sampling.labels import CATEGORY_LABELS, sampling_label
from sunshine.sampling.rules import SYMBOLS

router = APIRouter(include_in_schema=False)


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


@router.get("/sampling")
def sampling_records(request: Request, session: DbSession, principal: Enterprise) -> Response:
    """The samples taken at the business, the latest first, with each failed item."""
    business = registry.enterprise_business(
        session=session, actor=principal, business_id=_selected(request)
    )
    result, failed = records.business_samples(
        session=session,
        actor=principal,
        business=business,
        page=PageRequest(forms.page_number(request), 20),
    )
    return render(
        request,
        "biz/sampling.html",
        {
            "current": business,
            "own_business": business.id == principal.business_id,
            "link": lambda path, **params: _link(business, principal, path, **params),
            "result": result,
            "failed": {k: [public.plain_failure(i) for i in v] for k, v in failed.items()},
            "category_labels": CATEGORY_LABELS,
            "sampling_label": sampling_label,
            "symbols": SYMBOLS,
        },
    )
