"""Public portal: a store's ingredients (阳光食材).

The store page's section reads the main suppliers and recent key-category purchases through
the template global ``store_ingredients`` (so the section stays in the ingredients domain's
hands while the page belongs to the registry); ``/s/{code}/ingredients`` lists every
key-category purchase. The cached store page is dropped when a ledger line is recorded or
corrected, when a sample of a bought batch fails, and on the day a shown supplier licence
expires (see :mod:`sunshine.ingredients.public`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from sunshine.core.db import reading
from sunshine.core.errors import NotFoundError
from sunshine.core.pagination import PageRequest
from sunshine.ingredients import public
from sunshine.ingredients.enums import CATEGORY_LABELS
from sunshine.portals.shared.deps import DbSession
from sunshine.portals.shared.templating import ENV, render

router = APIRouter(include_in_schema=False)


def store_ingredients_for_page(code: str) -> public.StoreIngredients | None:
    """The store page's ingredients section (read when the cached page is rendered);
    ``None`` for an unknown store."""
    with reading() as session:
        try:
            return public.store_ingredients(session=session, code=code)
        except NotFoundError:
            return None


ENV.globals["store_ingredients"] = store_ingredients_for_page
ENV.globals["ingredient_category_labels"] = CATEGORY_LABELS
ENV.globals["ingredient_licence_labels"] = public.LICENCE_LABELS


@router.get("/s/{code}/ingredients")
def store_ingredients(
    request: Request,
    session: DbSession,
    code: str,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """The store's suppliers and every key-category purchase, the latest first."""
    shown = public.store_ingredients(session=session, code=code, page=PageRequest(page, 30))
    return render(request, "public/store_ingredients.html", {"ingredients": shown})
