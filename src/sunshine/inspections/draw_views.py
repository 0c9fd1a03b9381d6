"""Reading 双随机 draws: a draw's page in the government portal, and the published draws
of the public page with, once inspected, each business's result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.cases import repository as cases_repo
from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.inspections import plan_repository as repo
from sunshine.inspections.draws import draw_document, get_draw
from sunshine.inspections.plan_models import RandomDraw
from sunshine.regions import repository as regions_repo

__all__ = [
    "DrawPage",
    "PublicDraw",
    "draw_page",
    "office_names",
    "public_document",
    "public_draw",
    "published_draws",
]


@dataclass(frozen=True)
class DrawPage:
    draw: RandomDraw
    office_name: str
    rows: Page[repo.DrawnBusiness]
    officer_names: dict[int, str]
    area_names: dict[str, str]
    tasks: dict[str, int]


def _names(session: Session, rows: Sequence[repo.DrawnBusiness]) -> dict[str, str]:
    codes = sorted({c for r in rows for c in (r.county_code, r.township_code) if c})
    return {code: region.name for code, region in regions_repo.get_regions(session, codes).items()}


def draw_page(*, session: Session, actor: Principal, draw_id: int, page: PageRequest) -> DrawPage:
    draw = get_draw(session=session, actor=actor, draw_id=draw_id)
    rows = repo.drawn_businesses(session, draw_id=draw.id, offset=page.offset, limit=page.per_page)
    officers = {u for r in rows for u in r.inspector_ids}
    unit = regions_repo.get_org_unit(session, draw.org_unit_id)
    return DrawPage(
        draw=draw,
        office_name=unit.name if unit else "",
        rows=Page(items=rows, total=draw.drawn_count, request=page),
        officer_names=cases_repo.user_names(session, officers),
        area_names=_names(session, rows),
        tasks={s.value: n for s, n in repo.task_counts_of_draw(session, draw.id).items()},
    )


def published_draws(*, session: Session, page: PageRequest) -> Page[RandomDraw]:
    """Published draws, newest first (the public page)."""
    items, total = repo.page_published_draws(session, offset=page.offset, limit=page.per_page)
    return Page(items=items, total=total, request=page)


def office_names(*, session: Session, draws: Sequence[RandomDraw]) -> dict[int, str]:
    return cases_repo.unit_names(session, {d.org_unit_id for d in draws})


@dataclass(frozen=True)
class PublicDraw:
    draw: RandomDraw
    office_name: str
    rows: Page[repo.DrawnBusiness]
    area_names: dict[str, str]


def public_draw(*, session: Session, reference: str, page: PageRequest) -> PublicDraw:
    """A published draw with its businesses and, once inspected, their results (the
    officers are shown by number only)."""
    draw = repo.published_draw(session, reference)
    if draw is None:
        raise NotFoundError(N_("No such draw"))
    rows = repo.drawn_businesses(session, draw_id=draw.id, offset=page.offset, limit=page.per_page)
    unit = regions_repo.get_org_unit(session, draw.org_unit_id)
    return PublicDraw(
        draw=draw,
        office_name=unit.name if unit else "",
        rows=Page(items=rows, total=draw.drawn_count, request=page),
        area_names=_names(session, rows),
    )


def public_document(*, session: Session, reference: str) -> dict[str, Any]:
    draw = repo.published_draw(session, reference)
    if draw is None:
        raise NotFoundError(N_("No such draw"))
    return draw_document(draw, repo.entries_of(session, draw.id))
