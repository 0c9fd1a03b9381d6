"""Where a business lies: its region placement at every level, and the jurisdiction check."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import Region


@dataclass(frozen=True)
class RegionPlacement:
    """All levels of a business's location, resolved from its most precise region code."""

    province_code: str
    prefecture_code: str
    county_code: str
    township_code: str | None

    def by_level(self) -> dict[RegionLevel, str | None]:
        return {
            RegionLevel.PROVINCE: self.province_code,
            RegionLevel.PREFECTURE: self.prefecture_code,
            RegionLevel.COUNTY: self.county_code,
            RegionLevel.TOWNSHIP: self.township_code,
        }


def place(region: Region) -> RegionPlacement:
    """Resolve a county or township region into every level's code."""
    if region.level not in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP):
        raise ValidationFailed(
            [
                FieldProblem(
                    "region_code",
                    f"{region.code} {region.name} is a {region.level.value}; "
                    "give the county or township where the business is",
                )
            ]
        )
    assert region.prefecture_code is not None
    county = region.code if region.level is RegionLevel.COUNTY else region.county_code
    assert county is not None
    return RegionPlacement(
        province_code=region.province_code,
        prefecture_code=region.prefecture_code,
        county_code=county,
        township_code=region.code if region.level is RegionLevel.TOWNSHIP else None,
    )


def resolve_region(session: Session, code: str, field: str = "region_code") -> RegionPlacement:
    region = regions_repo.get_region(session, code)
    if region is None:
        raise ValidationFailed([FieldProblem(field, f"{code} is not a known region code")])
    return place(region)


def check_in_jurisdiction(actor: Principal, placement: RegionPlacement) -> None:
    """A regulator may only place a business inside its own jurisdiction."""
    if actor.is_regulator and not access.region_condition_allows(actor, placement.by_level()):
        raise ValidationFailed(
            [FieldProblem("region_code", "the business would lie outside your jurisdiction")]
        )
