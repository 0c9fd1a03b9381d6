"""Public portal: a store's sampling results (抽检结果).

The store page's section reads the latest results through the template global
``store_sampling`` (so the section stays in this module's hands while the page belongs to
the registry); ``/s/{code}/sampling`` lists them all. Only completed samples are shown, and
the sampling service drops the cached store page when a result is recorded.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from sunshine.core.db import reading
from sunshine.core.errors import NotFoundError
from sunshine.core.pagination import PageRequest
from sunshine.portals.shared.deps import DbSession
from sunshine.portals.shared.templating import ENV, render
from sunshine.sampling import public
from sunshine.sampling.labels import CATEGORY_LABELS, sampling_label

router = APIRouter(include_in_schema=False)


def store_sampling_for_page(code: str) -> public.StoreSampling | None:
    """The store page's sampling section (read when the cached page is rendered); ``None``
    for an unknown store."""
    with reading() as session:
        try:
            return public.store_sampling(session=session, code=code)
        except NotFoundError:
            return None


ENV.globals["store_sampling"] = store_sampling_for_page
ENV.globals["sampling_label"] = sampling_label
ENV.globals["sampling_category_labels"] = CATEGORY_LABELS


@router.get("/s/{code}/sampling")
def store_sampling(
    request: Request,
    session: DbSession,
    code: str,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Every completed sampling result of a store, the latest first."""
    shown = public.store_sampling(session=session, code=code, page=PageRequest(page, 20))
    return render(request, "public/store_sampling.html", {"sampling": shown})
