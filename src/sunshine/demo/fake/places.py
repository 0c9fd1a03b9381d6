"""Geography: counties and townships with their short names, coordinates and addresses.

Coordinates are not real: they start from approximate provincial-capital centres (see
``wordlists.PROVINCES``) and are jittered per prefecture, county, township and business.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from sunshine.demo import wordlists as words
from sunshine.demo.fake.draws import Draws
from sunshine.demo.fake.model import (
    CITY_WEIGHT,
    MUNICIPALITIES,
    PSEUDO_PREFECTURES,
    RURAL_WEIGHT,
    URBAN_WEIGHT,
    RegionRef,
)


@dataclass
class Township:
    """A township-level division (乡镇街道) with its kind and centre."""

    code: str
    name: str
    short: str
    kind: str  # 'street' | 'town' | 'village'
    latitude: float
    longitude: float


@dataclass
class County:
    """A county-level division (区县) with its address parts, centre and townships."""

    code: str
    name: str
    short: str
    urban: bool
    weight: float
    address_prefix: str  # 四川省成都市武侯区
    city_prefix: str  # 成都市 (or 北京市 for municipal districts, '' when none)
    city_short: str
    province_short: str
    province_name: str
    latitude: float
    longitude: float
    townships: list[Township]
    township_cum_weights: list[float]
    streets: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)


def _short_name(name: str) -> str:
    """Drop the administrative suffix: 成都市 → 成都, 武侯区 → 武侯, 凉山彝族自治州 → 凉山."""
    if "自治" in name:
        return name[:2]
    for suffix in ("特别行政区", "省", "市", "地区", "新区", "林区", "区", "县", "盟", "州", "旗"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _township_kind(code: str, name: str) -> str:
    """'street', 'town' or 'village' from the NBS township number (001-099 街道, 100-199 镇)."""
    if len(code) == 9 and code[6:9].isdigit():
        number = int(code[6:9])
        if number < 100:
            return "street"
        return "town" if number < 200 else "village"
    if name.endswith("镇"):
        return "town"
    return "village" if name.endswith(("乡", "苏木")) else "street"


def _township_short(name: str) -> str:
    for suffix in ("街道办事处", "街道", "镇", "乡", "苏木"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _jitter(code: str, spread: float) -> tuple[float, float]:
    """Deterministic offset in degrees derived from a division code (not from the seed)."""
    local = random.Random(int(code) * 7919 + 104_729)
    return local.uniform(-spread, spread), local.uniform(-spread, spread)


def _county_centre(code: str) -> tuple[float, float]:
    _, base_lat, base_lon = words.PROVINCES.get(code[:2], ("", 35.0, 105.0))
    prefecture_lat, prefecture_lon = (0.0, 0.0)
    if code[2:4] != "01":
        prefecture_lat, prefecture_lon = _jitter(code[:4] + "00", 1.2)
    spread = 0.08 if _is_urban(code) else 0.3
    county_lat, county_lon = _jitter(code, spread)
    return base_lat + prefecture_lat + county_lat, base_lon + prefecture_lon + county_lon


def _is_urban(code: str) -> bool:
    """A 市辖区 (urban district): county digits 01-20 in GB/T 2260."""
    return 1 <= int(code[4:6]) <= 20


def _county_weight(code: str) -> float:
    if _is_urban(code):
        return URBAN_WEIGHT
    if int(code[4:6]) >= 81:
        return CITY_WEIGHT
    return RURAL_WEIGHT


_TOWNSHIP_KIND_WEIGHTS = {"street": 3.0, "town": 2.0, "village": 1.0}


def _make_townships(
    county_code: str, county_lat: float, county_lon: float, refs: list[RegionRef]
) -> tuple[list[Township], list[float]]:
    spread = 0.05 if _is_urban(county_code) else 0.15
    townships: list[Township] = []
    for ref in sorted(refs, key=lambda r: r.code):
        d_lat, d_lon = _jitter(ref.code, spread)
        townships.append(
            Township(
                code=ref.code,
                name=ref.name,
                short=_township_short(ref.name),
                kind=_township_kind(ref.code, ref.name),
                latitude=county_lat + d_lat,
                longitude=county_lon + d_lon,
            )
        )
    weights = [_TOWNSHIP_KIND_WEIGHTS[t.kind] for t in townships]
    return townships, list(itertools.accumulate(weights))


def _province_names(code: str, by_code: dict[str, RegionRef]) -> tuple[str, str]:
    """Full and short name of the province of ``code``."""
    ref = by_code.get(code[:2] + "0000")
    full = ref.name if ref else words.PROVINCES.get(code[:2], ("",))[0]
    short = words.PROVINCE_SHORT_NAMES.get(code[:2]) or _short_name(full)
    return full, short


def _city_name(code: str, by_code: dict[str, RegionRef], province: str) -> str:
    """Prefecture-level name used in addresses ('' for pseudo-prefectures like 市辖区)."""
    if code[2:4] == "00":
        return ""
    ref = by_code.get(code[:4] + "00")
    if ref is None or ref.code == code or ref.name in PSEUDO_PREFECTURES:
        return province if code[:2] in MUNICIPALITIES and ref is not None else ""
    return ref.name


def _build_county(
    ref: RegionRef, by_code: dict[str, RegionRef], township_refs: list[RegionRef]
) -> County:
    code = ref.code
    province, province_short = _province_names(code, by_code)
    city = _city_name(code, by_code, province)
    province_part = "" if code[:2] in MUNICIPALITIES and city == province else province
    latitude, longitude = _county_centre(code)
    townships, cum_weights = _make_townships(code, latitude, longitude, township_refs)
    return County(
        code=code,
        name=ref.name,
        short=_short_name(ref.name),
        urban=_is_urban(code),
        weight=_county_weight(code),
        address_prefix=f"{province_part}{city}{ref.name}",
        city_prefix=city,
        city_short=_short_name(city) if city else province_short,
        province_short=province_short,
        province_name=province,
        latitude=latitude,
        longitude=longitude,
        townships=townships,
        township_cum_weights=cum_weights,
    )


def build_geography(regions: Sequence[RegionRef]) -> list[County]:
    """The county-level divisions of ``regions``, sorted by code, with their townships.

    Prefecture-level cities without counties (东莞市, 中山市, ...) hold no businesses.
    """
    by_code = {ref.code: ref for ref in regions}
    townships: dict[str, list[RegionRef]] = {}
    for ref in regions:
        if ref.level == "township":
            townships.setdefault(ref.parent_code or ref.code[:6], []).append(ref)
    county_refs = sorted((ref for ref in regions if ref.level == "county"), key=lambda r: r.code)
    return [_build_county(ref, by_code, townships.get(ref.code, [])) for ref in county_refs]


class PlaceDraws(Draws):
    """Where a business is: its township, street address and coordinates."""

    def streets(self, county: County) -> list[str]:
        if not county.streets:
            stems = self.rng.sample(words.STREET_STEMS, 16)
            county.streets = [stem + self.pick(words.STREET_SUFFIXES) for stem in stems]
        return county.streets

    def township(self, county: County) -> Township | None:
        if not county.townships:
            return None
        return self.rng.choices(county.townships, cum_weights=county.township_cum_weights)[0]

    def address(self, county: County, township: Township | None) -> str:
        rng = self.rng
        kind = township.kind if township else ("street" if county.urban else "town")
        number = rng.randint(1, 399)
        if kind == "street" or (kind == "town" and rng.random() < 0.3):
            place = f"{rng.choice(self.streets(county))}{number}号"
        elif kind == "town" and rng.random() < 0.7:
            place = f"{rng.choice(words.TOWN_STREETS)}{number}号"
        else:
            place = f"{rng.choice(words.VILLAGE_STEMS)}村{rng.randint(1, 12)}组{number % 80 + 1}号"
        if rng.random() < 0.1:
            place += f"附{rng.randint(1, 12)}号"
        return f"{county.address_prefix}{township.name if township else ''}{place}"

    def coordinates(self, county: County, township: Township | None) -> tuple[float, float]:
        latitude = township.latitude if township else county.latitude
        longitude = township.longitude if township else county.longitude
        return (
            round(latitude + self.rng.uniform(-0.03, 0.03), 6),
            round(longitude + self.rng.uniform(-0.03, 0.03), 6),
        )
