"""Public portal: a store's inspection records (监督检查结果公示).

The store page's section reads the latest records through the template global
``store_inspections`` (the page belongs to the registry and is cached; recording an
inspection drops the cached copies); ``/s/{code}/inspections`` lists them all.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from sunshine.core.db import reading
from sunshine.core.errors import NotFoundError
from sunshine.core.pagination import PageRequest
from sunshine.inspections import public
from sunshine.inspections.service import KIND_LABELS, RESULT_LABELS
from sunshine.portals.shared.deps import DbSession
from sunshine.portals.shared.templating import ENV, render

router = APIRouter(include_in_schema=False)


def store_inspections_for_page(code: str) -> public.StoreInspections | None:
    """The store page's inspection section (read when the cached page is rendered)."""
    with reading() as session:
        try:
            return public.store_inspections(session=session, code=code)
        except NotFoundError:
            return None


ENV.globals["store_inspections"] = store_inspections_for_page
ENV.globals["inspection_result_labels"] = RESULT_LABELS
ENV.globals["inspection_kind_labels"] = KIND_LABELS


@router.get("/s/{code}/inspections")
def store_inspections(
    request: Request,
    session: DbSession,
    code: str,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Every inspection record of a store, the latest first."""
    shown = public.store_inspections(session=session, code=code, page=PageRequest(page, 20))
    return render(request, "public/store_inspections.html", {"shown": shown})
