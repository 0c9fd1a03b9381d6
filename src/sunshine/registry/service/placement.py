"""Where a business lies: its region placement at every level, and the jurisdiction check."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from sunshine.auth import access
from sunshine.auth.principal import Principal
from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.i18n import N_, Message
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import Region

#: How a level is named inside a sentence ("... is a province; give the county ...").
LEVEL_NAMES = {
    RegionLevel.PROVINCE: N_("province"),
    RegionLevel.PREFECTURE: N_("prefecture"),
    RegionLevel.COUNTY: N_("county"),
    RegionLevel.TOWNSHIP: N_("township"),
}


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
                    N_(
                        "{region_code} {region_name} is a {level}; "
                        "give the county or township where the business is"
                    ),
                    params={
                        "region_code": region.code,
                        "region_name": region.name,
                        "level": Message(LEVEL_NAMES[region.level]),
                    },
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
        raise ValidationFailed(
            [
                FieldProblem(
                    field,
                    N_("{region_code} is not a known region code"),
                    params={"region_code": code},
                )
            ]
        )
    return place(region)


def check_in_jurisdiction(actor: Principal, placement: RegionPlacement) -> None:
    """A regulator may only place a business inside its own jurisdiction."""
    if actor.is_regulator and not access.region_condition_allows(actor, placement.by_level()):
        raise ValidationFailed(
            [FieldProblem("region_code", N_("the business would lie outside your jurisdiction"))]
        )
