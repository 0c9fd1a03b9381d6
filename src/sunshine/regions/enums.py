"""Enumerations of the regions domain."""

from enum import StrEnum


class RegionLevel(StrEnum):
    """Level of an administrative division (GB/T 2260 and the NBS township extension)."""

    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"
    TOWNSHIP = "township"


LEVEL_ORDER = (
    RegionLevel.PROVINCE,
    RegionLevel.PREFECTURE,
    RegionLevel.COUNTY,
    RegionLevel.TOWNSHIP,
)


class OrgUnitKind(StrEnum):
    """Kind of regulator office (市场监管局 / 市场监管所)."""

    PROVINCIAL_BUREAU = "provincial_bureau"
    CITY_BUREAU = "city_bureau"
    COUNTY_BUREAU = "county_bureau"
    STATION = "station"
