"""Public portal: a store's hygiene rating (量化分级, shown as faces).

The store page's section reads the rating through the template global ``store_hygiene``
(the page belongs to the registry and is cached; recording an inspection drops the cached
copies); ``/s/{code}/hygiene`` shows the last 12 months' scores and how the rating is
given. The government business page shows the same face through ``business_hygiene``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sunshine.core.db import reading
from sunshine.core.errors import NotFoundError
from sunshine.inspections import hygiene
from sunshine.inspections.hygiene_models import HygieneGrade
from sunshine.portals.shared.deps import DbSession
from sunshine.portals.shared.templating import ENV, render

router = APIRouter(include_in_schema=False)


def store_hygiene_for_page(code: str) -> hygiene.HygieneRating | None:
    """The store page's hygiene section (read when the cached page is rendered)."""
    with reading() as session:
        try:
            return hygiene.store_rating(session=session, code=code)
        except NotFoundError:
            return None


def business_hygiene_for_page(business_id: int) -> hygiene.HygieneRating | None:
    """The government business page's face: only called by a page that has already
    checked that the regulator may see the business."""
    with reading() as session:
        return hygiene.business_rating(session=session, business_id=business_id)


ENV.globals["store_hygiene"] = store_hygiene_for_page
ENV.globals["business_hygiene"] = business_hygiene_for_page
ENV.globals["hygiene_grade_labels"] = hygiene.GRADE_LABELS
ENV.globals["hygiene_annual_labels"] = hygiene.ANNUAL_LABELS
ENV.globals["hygiene_no_grade_labels"] = hygiene.NO_GRADE_LABELS
ENV.globals["hygiene_grades"] = list(HygieneGrade)


@router.get("/s/{code}/hygiene")
def store_hygiene(request: Request, session: DbSession, code: str) -> Response:
    """A store's scores of the last 12 months and how the rating is given."""
    shown = hygiene.store_scores(session=session, code=code)
    return render(request, "public/store_hygiene.html", {"shown": shown})
