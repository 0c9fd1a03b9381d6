"""The sampling dashboard: failure rates (不合格率) by product category, test item and area.

Counted over the completed samples of one year (by the day sampled) in the regulator's
jurisdiction. A sample fails when any of its items fails; an item's rate is over the times
it was tested. Areas are one level below the jurisdiction (a county's townships, a city's
counties, a province's cities); a station sees its own township.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core.time import today_local
from sunshine.regions import service as regions_service
from sunshine.regions.enums import RegionLevel
from sunshine.sampling import repository as repo
from sunshine.sampling.enums import ProductCategory, SampleStatus

TOP_ITEMS = 15
_BELOW = {
    RegionLevel.PROVINCE: RegionLevel.PREFECTURE,
    RegionLevel.PREFECTURE: RegionLevel.COUNTY,
    RegionLevel.COUNTY: RegionLevel.TOWNSHIP,
    RegionLevel.TOWNSHIP: RegionLevel.TOWNSHIP,
}


@dataclass(frozen=True)
class Rate:
    """``failed`` of ``tested``; ``key`` is a category value, an item name or a region code."""

    key: str
    name: str
    tested: int
    failed: int

    @property
    def rate(self) -> float | None:
        return self.failed / self.tested if self.tested else None


@dataclass(frozen=True)
class SamplingStatistics:
    year: int
    area_level: RegionLevel
    completed: int
    awaiting: int
    failed: int
    by_category: list[Rate]
    by_item: list[Rate]
    by_area: list[Rate]

    @property
    def rate(self) -> float | None:
        return self.failed / self.completed if self.completed else None


def sampling_statistics(
    *, session: Session, actor: Principal, year: int | None = None
) -> SamplingStatistics:
    """The year's failure rates in the actor's jurisdiction (this year by default)."""
    access.require_regulator(actor)
    year = year or today_local().year
    scope = access.sample_condition(actor)
    level = _BELOW[actor.jurisdiction_level or RegionLevel.TOWNSHIP]
    order = list(ProductCategory)
    categories = sorted(
        repo.rates_by_category(session, scope=scope, year=year),
        key=lambda r: order.index(ProductCategory(r.key)),
    )
    items = repo.rates_by_item(session, scope=scope, year=year, limit=TOP_ITEMS)
    areas = repo.rates_by_area(session, scope=scope, year=year, level=level)
    names = dict(
        zip(
            [r.key for r in areas],
            _names(session, [r.key for r in areas]),
            strict=True,
        )
    )
    counts = repo.status_counts(session, scope=scope, year=year)
    return SamplingStatistics(
        year=year,
        area_level=level,
        completed=counts.get(SampleStatus.COMPLETED, 0),
        awaiting=counts.get(SampleStatus.SAMPLED, 0),
        failed=sum(r.failed for r in categories),
        by_category=[Rate(r.key, r.key, r.tested, r.failed) for r in categories],
        by_item=[Rate(r.key, r.key, r.tested, r.failed) for r in items],
        by_area=sorted(
            (Rate(r.key, names.get(r.key, ""), r.tested, r.failed) for r in areas),
            key=lambda r: (-(r.rate or 0), r.key),
        ),
    )


def _names(session: Session, codes: list[str]) -> list[str]:
    """Each code's name ("" for a blank or unknown code), in order."""
    out = []
    for code in codes:
        found = regions_service.region_names(session=session, codes=[code]) if code else []
        out.append(found[0] if found else "")
    return out
