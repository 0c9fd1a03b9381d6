"""Deterministic demo data: a province's catering businesses, suppliers and staff (演示数据).

:func:`generate_province` turns a seed, a size and a list of administrative divisions into
plausible businesses with licences, addresses, coordinates and staff. It is pure: no database,
no global random state, no ``hash()`` of strings, so the same arguments always give the same
output, and it is cheap enough to produce 100,000 businesses in seconds.

Coordinates are not real: they start from approximate provincial-capital centres (see
``wordlists.PROVINCES``) and are jittered per prefecture, county, township and business.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from sunshine.core.identifiers import (
    id_check_char,
    make_jy_licence,
    make_sc_licence,
    make_uscc,
)
from sunshine.demo import wordlists as words

_T = TypeVar("_T")

__all__ = [
    "BUSINESS_CATEGORIES",
    "BUSINESS_FORMS",
    "BUSINESS_SCALES",
    "FakeBusiness",
    "FakeStaff",
    "FakeTraining",
    "RegionRef",
    "generate_province",
]

BUSINESS_FORMS = (
    "restaurant",
    "fast_food",
    "drinks",
    "school_canteen",
    "hospital_canteen",
    "company_canteen",
    "construction_canteen",
    "central_kitchen",
    "group_meal",
    "chain_outlet",
    "food_producer",
    "wholesaler",
    "market_vendor",
)
BUSINESS_CATEGORIES = ("caterer", "producer", "wholesaler", "market_vendor")
BUSINESS_SCALES = ("micro", "small", "medium", "large")


@dataclass(frozen=True)
class RegionRef:
    """An administrative division (行政区划) the generator may place businesses in."""

    code: str  # '510104' county or '510104001' township
    name: str
    level: str  # 'province' | 'prefecture' | 'county' | 'township'
    parent_code: str | None


@dataclass
class FakeTraining:
    """One food-safety training (食品安全培训) a staff member attended."""

    taken_date: date
    topic: str
    hours: int
    provider: str


@dataclass
class FakeStaff:
    """A staff member (从业人员) with a health certificate (健康证明) unless it is missing."""

    name: str
    gender: str  # 'male' | 'female'
    position: str
    id_number: str
    phone: str
    health_cert_number: str  # '' when the certificate is missing
    health_cert_issue_date: date | None
    health_cert_expiry_date: date | None
    direct_contact: bool
    trainings: list[FakeTraining]


@dataclass
class FakeBusiness:
    """A food business (食品生产经营者): a caterer or a supplier, with its licence and staff."""

    key: int  # 0..N-1, stable for a seed
    name: str
    uscc: str
    category: str  # 'caterer' | 'producer' | 'wholesaler' | 'market_vendor'
    form: str  # one of BUSINESS_FORMS
    scale: str  # 'micro' | 'small' | 'medium' | 'large'
    chain_hq_key: int | None  # key of the chain HQ this outlet belongs to
    is_chain_hq: bool
    licence_number: str  # JY... for caterers, wholesalers and vendors; SC... for producers
    licence_issue_date: date
    licence_expiry_date: date  # 5-year validity
    licence_status: str  # 'valid' | 'suspended' | 'revoked' (expired is derived from dates)
    licence_scope: list[str]
    address: str
    county_code: str
    township_code: str | None
    latitude: float
    longitude: float
    contact_name: str
    contact_phone: str
    food_safety_manager: str
    operating_status: str  # 'operating' | 'suspended' | 'closed'
    staff: list[FakeStaff]


# --------------------------------------------------------------------------------------------
# Tunable shares
# --------------------------------------------------------------------------------------------

SUPPLIER_SHARE = 0.15
SUPPLIER_SPLIT = (("producer", 0.3), ("wholesaler", 0.4), ("market_vendor", 0.3))
SUPPLIER_FORMS = {"producer": "food_producer", "wholesaler": "wholesaler"}
CATERER_FORM_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("restaurant", 45.0),
    ("fast_food", 22.0),
    ("drinks", 10.0),
    ("school_canteen", 7.0),
    ("hospital_canteen", 1.5),
    ("company_canteen", 5.0),
    ("construction_canteen", 3.0),
    ("central_kitchen", 0.7),
    ("group_meal", 1.5),
)
#: Weights of micro, small, medium, large per form ("chain_hq" for chain headquarters).
SCALE_WEIGHTS: dict[str, tuple[float, float, float, float]] = {
    "restaurant": (40, 42, 15, 3),
    "fast_food": (60, 35, 5, 0),
    "drinks": (70, 30, 0, 0),
    "school_canteen": (0, 30, 50, 20),
    "hospital_canteen": (0, 20, 60, 20),
    "company_canteen": (0, 40, 45, 15),
    "construction_canteen": (20, 60, 20, 0),
    "central_kitchen": (0, 0, 40, 60),
    "group_meal": (0, 20, 50, 30),
    "chain_outlet": (20, 60, 20, 0),
    "chain_hq": (0, 0, 50, 50),
    "food_producer": (20, 45, 25, 10),
    "wholesaler": (40, 45, 15, 0),
    "market_vendor": (100, 0, 0, 0),
}
#: Staff head-count range (low, high) per scale; medium and large lean towards the low end.
STAFF_RANGES: dict[str, tuple[int, int]] = {
    "micro": (2, 4),
    "small": (3, 8),
    "medium": (6, 20),
    "large": (15, 40),
}
CHAIN_OUTLET_SHARE = 0.07  # of caterers
CATERERS_PER_CHAIN = 30  # fewer caterers than this per brand means fewer brands
URBAN_WEIGHT, CITY_WEIGHT, RURAL_WEIGHT = 3.0, 1.6, 1.0
LICENCE_YEARS = 5
CERT_YEARS = 1
LICENCE_WARNING_DAYS = 60
CERT_WARNING_DAYS = 30
EARLIEST_BIRTH = date(1965, 1, 1)
LATEST_BIRTH = date(2004, 12, 31)
MIN_STAFF_AGE = 18
SAME_COUNTY_ID_SHARE = 0.65
PSEUDO_PREFECTURES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})


# --------------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------------


@dataclass
class _Township:
    code: str
    name: str
    short: str
    kind: str  # 'street' | 'town' | 'village'
    latitude: float
    longitude: float


@dataclass
class _County:
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
    townships: list[_Township]
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
) -> tuple[list[_Township], list[float]]:
    spread = 0.05 if _is_urban(county_code) else 0.15
    townships: list[_Township] = []
    for ref in sorted(refs, key=lambda r: r.code):
        d_lat, d_lon = _jitter(ref.code, spread)
        townships.append(
            _Township(
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
) -> _County:
    code = ref.code
    province, province_short = _province_names(code, by_code)
    city = _city_name(code, by_code, province)
    province_part = "" if code[:2] in MUNICIPALITIES and city == province else province
    latitude, longitude = _county_centre(code)
    townships, cum_weights = _make_townships(code, latitude, longitude, township_refs)
    return _County(
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


def _build_geography(regions: Sequence[RegionRef]) -> list[_County]:
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


# --------------------------------------------------------------------------------------------
# Planning: which county, category, form and chain each key gets
# --------------------------------------------------------------------------------------------


@dataclass
class _Slot:
    county: _County
    category: str
    form: str
    chain: int | None = None
    is_hq: bool = False


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, ties to the first)."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    quotas = [total * weight / weight_sum for weight in weights]
    shares = [int(quota) for quota in quotas]
    order = sorted(range(len(weights)), key=lambda i: (shares[i] - quotas[i], i))
    for index in order[: total - sum(shares)]:
        shares[index] += 1
    return shares


def _allocate(counties: list[_County], total: int, focus: Sequence[str]) -> list[int]:
    """Businesses per county: focus counties first, then one each, then by weight.

    Focus counties always get their quota (as far as ``total`` goes); every other county gets
    one when ``total`` covers that too, and the rest is shared in proportion to the weights.
    """
    position = {county.code: index for index, county in enumerate(counties)}
    counts = [0] * len(counties)
    remaining = total
    focus_need = max(3, total // 20)
    for code in dict.fromkeys(focus):
        given = min(focus_need, remaining)
        counts[position[code]] += given
        remaining -= given
    # One for each other county, busiest kind first if there are not enough to go round.
    empty = sorted(
        (index for index, count in enumerate(counts) if count == 0),
        key=lambda index: (-counties[index].weight, index),
    )
    for index in empty[:remaining]:
        counts[index] = 1
    remaining -= min(remaining, len(empty))
    extra = _apportion(remaining, [county.weight for county in counties])
    return [count + more for count, more in zip(counts, extra, strict=True)]


def _category_list(total: int) -> list[str]:
    suppliers = round(total * SUPPLIER_SHARE)
    split = _apportion(suppliers, [share for _, share in SUPPLIER_SPLIT])
    categories = ["caterer"] * (total - suppliers)
    for (category, _), count in zip(SUPPLIER_SPLIT, split, strict=True):
        categories.extend([category] * count)
    return categories


def _assign_chains(rng: random.Random, slots: list[_Slot]) -> None:
    """Turn some caterers into chain headquarters and outlets (连锁门店)."""
    caterers = [index for index, slot in enumerate(slots) if slot.category == "caterer"]
    brands = min(len(words.CHAIN_BRANDS), len(caterers) // CATERERS_PER_CHAIN)
    if brands == 0:
        return
    urban = [index for index in caterers if slots[index].county.urban]
    hq_pool = urban if len(urban) >= brands else caterers
    hqs = rng.sample(hq_pool, brands)
    taken = set(hqs)
    rest = [index for index in caterers if index not in taken]
    outlet_total = min(len(rest), max(2 * brands, round(len(caterers) * CHAIN_OUTLET_SHARE)))
    outlets = rng.sample(rest, outlet_total)
    extra = _apportion(outlet_total - 2 * brands, [1 / (rank + 1) for rank in range(brands)])
    sizes = [2 + more for more in extra]
    cursor = 0
    for chain, (hq, size) in enumerate(zip(hqs, sizes, strict=True)):
        kind = words.CHAIN_BRANDS[chain][1]
        slots[hq].chain, slots[hq].is_hq = chain, True
        slots[hq].form = "drinks" if kind == "drinks" else "central_kitchen"
        for index in outlets[cursor : cursor + size]:
            slots[index].chain, slots[index].form = chain, "chain_outlet"
        cursor += size


def _headquarters_first(slots: list[_Slot]) -> None:
    """Swap each chain's HQ in front of its outlets so consumers can stream the output."""
    first: dict[int, int] = {}
    hq_at: dict[int, int] = {}
    for index, slot in enumerate(slots):
        if slot.chain is None:
            continue
        first.setdefault(slot.chain, index)
        if slot.is_hq:
            hq_at[slot.chain] = index
    for chain, index in first.items():
        other = hq_at[chain]
        slots[index], slots[other] = slots[other], slots[index]


def _plan(rng: random.Random, counties: list[_County], counts: list[int]) -> list[_Slot]:
    total = sum(counts)
    categories = _category_list(total)
    rng.shuffle(categories)
    forms, form_weights = zip(*CATERER_FORM_WEIGHTS, strict=True)
    caterer_forms = iter(rng.choices(forms, weights=form_weights, k=categories.count("caterer")))
    placed = itertools.chain.from_iterable(
        itertools.repeat(county, count) for county, count in zip(counties, counts, strict=True)
    )
    slots = [
        _Slot(
            county=county,
            category=category,
            form=next(caterer_forms)
            if category == "caterer"
            else SUPPLIER_FORMS.get(category, category),
        )
        for county, category in zip(placed, categories, strict=True)
    ]
    _assign_chains(rng, slots)
    rng.shuffle(slots)
    _headquarters_first(slots)
    return slots


# --------------------------------------------------------------------------------------------
# Building businesses
# --------------------------------------------------------------------------------------------

_SURNAMES = tuple(name for name, _ in words.SURNAMES)
_SURNAME_CUM = tuple(itertools.accumulate(share for _, share in words.SURNAMES))
_SURNAME_TOTAL = _SURNAME_CUM[-1]
_MALE_GIVEN = words.GIVEN_MALE * 3 + words.GIVEN_NEUTRAL
_FEMALE_GIVEN = words.GIVEN_FEMALE * 3 + words.GIVEN_NEUTRAL
_SCALE_CUM = {form: tuple(itertools.accumulate(weights)) for form, weights in SCALE_WEIGHTS.items()}


def _weighted_table(pairs: Sequence[tuple[str, float]]) -> tuple[tuple[str, ...], list[float]]:
    return tuple(name for name, _ in pairs), list(itertools.accumulate(w for _, w in pairs))


_POSITION_TABLES = {
    "catering": _weighted_table(words.CATERING_POSITIONS),
    "drinks": _weighted_table(words.DRINKS_POSITIONS),
    "canteen": _weighted_table(words.CANTEEN_POSITIONS),
    "producer": _weighted_table(words.PRODUCER_POSITIONS),
    "trade": _weighted_table(words.TRADE_POSITIONS),
}
_CANTEEN_FORMS = frozenset(
    {
        "school_canteen",
        "hospital_canteen",
        "company_canteen",
        "construction_canteen",
        "central_kitchen",
        "group_meal",
    }
)


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


_ONE_DAY = timedelta(days=1)
_FIRST_DAY_OFFSET = -730  # earliest day drawn relative to today (trainings, expired documents)
_LAST_DAY_OFFSET = 365 * LICENCE_YEARS  # latest (licence expiry)


class _Counter:
    """Per-county sequence numbers with random gaps that never repeat."""

    def __init__(self, rng: random.Random, start_max: int, gap_max: int) -> None:
        self.value = rng.randrange(1, start_max)
        self.gap_max = max(1, gap_max)

    def next(self, rng: random.Random) -> int:
        self.value += rng.randint(1, self.gap_max)
        return self.value


@dataclass
class _CountyState:
    """Sequence counters and used names of one county while generating."""

    licence: _Counter
    production: _Counter
    certificates: int
    names: dict[str, int]  # name -> how many businesses in the county share its base name


class _Builder:
    """Builds businesses one by one from the plan, sharing one seeded RNG.

    The per-person code is the hot path (about six people per business), so it draws with
    ``random()`` arithmetic instead of ``randint``/``choice``, which cost several times more.
    """

    def __init__(
        self, rng: random.Random, counties: list[_County], counts: list[int], today: date
    ) -> None:
        self.rng = rng
        self.random = rng.random
        self.counties = counties
        self.today = today
        self.today_ordinal = today.toordinal()
        self.days = [
            date.fromordinal(self.today_ordinal + offset)
            for offset in range(_FIRST_DAY_OFFSET, _LAST_DAY_OFFSET + 1)
        ]
        self.validity: dict[tuple[date, int], tuple[date, date]] = {}
        latest = min(LATEST_BIRTH, _shift_years(today, -MIN_STAFF_AGE))
        first_birth = EARLIEST_BIRTH.toordinal()
        self.birth_texts = [
            f"{born:%Y%m%d}"
            for born in map(
                date.fromordinal, range(first_birth, max(latest, EARLIEST_BIRTH).toordinal() + 1)
            )
        ]
        self.county_codes = [county.code for county in counties]
        self.expected = {county.code: count for county, count in zip(counties, counts, strict=True)}
        self.states: dict[str, _CountyState] = {}
        self.usccs: set[str] = set()
        self.id_numbers: set[str] = set()

    # -- shared helpers ---------------------------------------------------------------------

    def pick(self, items: Sequence[_T]) -> _T:
        """A uniformly chosen item (cheaper than ``Random.choice``)."""
        return items[int(self.random() * len(items))]

    def between(self, low: int, high: int) -> int:
        """A uniformly chosen integer in ``low..high`` inclusive."""
        return low + int(self.random() * (high - low + 1))

    def state(self, county: _County) -> _CountyState:
        state = self.states.get(county.code)
        if state is None:
            expected = max(1, self.expected[county.code])
            state = _CountyState(
                licence=_Counter(self.rng, 5000, min(40, 890_000 // expected)),
                production=_Counter(self.rng, 200, min(5, 9_700 // expected)),
                certificates=self.rng.randrange(1, 3000),
                names={},
            )
            self.states[county.code] = state
        return state

    def days_from_today(self, low: int, high: int) -> date:
        """A uniformly chosen day ``low..high`` days from today (within the precomputed span)."""
        return self.days[low - _FIRST_DAY_OFFSET + int(self.random() * (high - low + 1))]

    def validity_ending(self, expiry: date, years: int) -> tuple[date, date]:
        """Issue and expiry dates of a document valid ``years``, expiring on or near ``expiry``.

        The expiry is the last valid day: one day before the issue date's anniversary. Around
        29 February the wanted expiry may have no issue date, so it can move by a day.
        """
        key = (expiry, years)
        dates = self.validity.get(key)
        if dates is None:
            issued = _shift_years(expiry + _ONE_DAY, -years)
            dates = issued, _shift_years(issued, years) - _ONE_DAY
            self.validity[key] = dates
        return dates

    def phone(self) -> str:
        return f"{self.pick(words.MOBILE_PREFIXES)}{int(self.random() * 100_000_000):08d}"

    def surname(self) -> str:
        return _SURNAMES[bisect.bisect_right(_SURNAME_CUM, self.random() * _SURNAME_TOTAL)]

    def streets(self, county: _County) -> list[str]:
        if not county.streets:
            stems = self.rng.sample(words.STREET_STEMS, 16)
            county.streets = [stem + self.pick(words.STREET_SUFFIXES) for stem in stems]
        return county.streets

    def providers(self, county: _County) -> list[str]:
        if not county.providers:
            county.providers = [
                f"{county.name}市场监督管理局",
                f"{county.city_prefix or county.province_name}市场监督管理局",
                f"{county.province_name}餐饮行业协会",
                "企业内部培训",
            ]
        return county.providers

    # -- staff -------------------------------------------------------------------------------

    def staff_count(self, scale: str) -> int:
        low, high = STAFF_RANGES[scale]
        if scale in ("micro", "small"):
            return self.between(low, high)
        return round(self.rng.triangular(low, high, low))

    def positions(self, count: int, scale: str, form: str) -> list[str]:
        fixed = [words.POSITION_MANAGER]
        if scale != "micro":
            fixed.append(words.POSITION_SAFETY_MANAGER)
        if scale in ("medium", "large"):
            fixed.append(words.POSITION_BUYER)
        table = _POSITION_TABLES[_position_group(form)]
        others = self.rng.choices(table[0], cum_weights=table[1], k=max(0, count - len(fixed)))
        return (fixed + others)[:count]

    def person(self, position: str, county: _County, direct_contact: bool) -> FakeStaff:
        draw = self.random
        male = draw() < words.MALE_SHARE[position]
        pool = _MALE_GIVEN if male else _FEMALE_GIVEN
        size = len(pool)
        given = pool[int(draw() * size)]
        if draw() < 0.75:
            given += pool[int(draw() * size)]
        cert_number, issued, expires = self.health_certificate(county)
        # Positional arguments: this constructor runs ~6 times per business.
        return FakeStaff(
            self.surname() + given,
            "male" if male else "female",
            position,
            self.id_number(county, male),
            self.phone(),
            cert_number,
            issued,
            expires,
            direct_contact,
            self.trainings(county, position),
        )

    def id_number(self, county: _County, male: bool) -> str:
        """A unique resident ID number (居民身份证号码) registered in the province.

        Same layout as :func:`make_id_number`, built from precomputed birth-date digits
        because this runs for every person.
        """
        draw = self.random
        while True:
            region = county.code if draw() < SAME_COUNTY_ID_SHARE else self.pick(self.county_codes)
            born = self.birth_texts[int(draw() * len(self.birth_texts))]
            sequence = int(draw() * 500) * 2 + male or 2
            first17 = f"{region}{born}{sequence:03d}"
            number = first17 + id_check_char(first17)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def health_certificate(self, county: _County) -> tuple[str, date | None, date | None]:
        """Health certificate (健康证明): ~2% missing, ~4% expired, ~6% expiring in 30 days."""
        draw = self.random()
        if draw < 0.02:
            return "", None, None
        if draw < 0.06:
            expires = self.days_from_today(-180, -1)
        elif draw < 0.12:
            expires = self.days_from_today(0, CERT_WARNING_DAYS)
        else:
            expires = self.days_from_today(CERT_WARNING_DAYS + 1, 364)
        issued, expires = self.validity_ending(expires, CERT_YEARS)
        state = self.state(county)
        state.certificates += 1
        return f"{county.code}{issued.year}{state.certificates:07d}", issued, expires

    def trainings(self, county: _County, position: str) -> list[FakeTraining]:
        """Food-safety trainings: managers 2-4, others 0-3 (about one on average)."""
        draw = self.random()
        if position == words.POSITION_SAFETY_MANAGER:
            count = 2 + int(draw * 3)
        elif draw < 0.35:
            return []
        else:
            count = 1 if draw < 0.75 else 2 if draw < 0.95 else 3
        providers = self.providers(county)
        return [
            FakeTraining(
                self.days_from_today(-730, -1),
                self.pick(words.TRAINING_TOPICS),
                self.pick(words.TRAINING_HOURS),
                self.pick(providers),
            )
            for _ in range(count)
        ]

    def staff(self, slot: _Slot, scale: str) -> list[FakeStaff]:
        positions = self.positions(self.staff_count(scale), scale, slot.form)
        trade = slot.category in ("wholesaler", "market_vendor")
        return [
            self.person(
                position,
                slot.county,
                direct_contact=not trade and position in words.DIRECT_CONTACT_POSITIONS,
            )
            for position in positions
        ]

    # -- licence -----------------------------------------------------------------------------

    def licence_dates(self) -> tuple[date, date, str]:
        """Issue date, expiry date and status of a 5-year licence."""
        draw = self.rng.random()
        status = "valid"
        if draw < 0.003:
            status = "revoked"
        elif draw < 0.013:
            status = "suspended"
        if 0.013 <= draw < 0.033:
            expires = self.days_from_today(-400, -1)
        elif 0.033 <= draw < 0.063:
            expires = self.days_from_today(0, LICENCE_WARNING_DAYS)
        else:
            expires = self.days_from_today(LICENCE_WARNING_DAYS + 1, 365 * LICENCE_YEARS)
        issued, expires = self.validity_ending(expires, LICENCE_YEARS)
        return issued, expires, status

    def operating_status(self, licence_status: str, expires: date) -> str:
        draw = self.rng.random()
        if licence_status == "revoked":
            return "closed"
        if licence_status == "suspended":
            return "suspended"
        if expires < self.today:
            return "closed" if draw < 0.5 else "operating"
        return "closed" if draw < 0.01 else "suspended" if draw < 0.02 else "operating"

    def licence_number(self, slot: _Slot, sc_category: str | None) -> str:
        state = self.state(slot.county)
        if sc_category is not None:
            return make_sc_licence(
                rng=self.rng,
                category=sc_category,
                county_code=slot.county.code,
                sequence=state.production.next(self.rng),
            )
        return make_jy_licence(
            rng=self.rng,
            form_digit=2 if slot.category == "caterer" else 1,
            county_code=slot.county.code,
            sequence=state.licence.next(self.rng),
        )

    def uscc(self, slot: _Slot, scale: str) -> str:
        authority, category = _uscc_kind(self.rng, slot.form, scale, slot.is_hq)
        while True:
            code = make_uscc(
                rng=self.rng, region_code=slot.county.code, category=category, authority=authority
            )
            if code not in self.usccs:
                self.usccs.add(code)
                return code

    # -- place -------------------------------------------------------------------------------

    def township(self, county: _County) -> _Township | None:
        if not county.townships:
            return None
        return self.rng.choices(county.townships, cum_weights=county.township_cum_weights)[0]

    def address(self, county: _County, township: _Township | None) -> str:
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

    def coordinates(self, county: _County, township: _Township | None) -> tuple[float, float]:
        latitude = township.latitude if township else county.latitude
        longitude = township.longitude if township else county.longitude
        return (
            round(latitude + self.rng.uniform(-0.03, 0.03), 6),
            round(longitude + self.rng.uniform(-0.03, 0.03), 6),
        )

    # -- the business ------------------------------------------------------------------------

    def scale(self, slot: _Slot) -> str:
        key = "chain_hq" if slot.is_hq else slot.form
        chain_kind = words.CHAIN_BRANDS[slot.chain][1] if slot.chain is not None else None
        if slot.form == "chain_outlet" and chain_kind == "drinks":
            key = "drinks"
        return self.rng.choices(BUSINESS_SCALES, cum_weights=_SCALE_CUM[key])[0]

    def unique_name(
        self, slot: _Slot, place: str, surname: str, scale: str, sc: _ScCategory | None
    ) -> str:
        """A business name not yet used in the county; repeats get a numbered variant."""
        names = self.state(slot.county).names
        for _ in range(4):
            candidate = _business_name(self.rng, slot, place, surname, scale, sc)
            if candidate not in names:
                names[candidate] = 1
                return candidate
        base = candidate
        while candidate in names:
            names[base] += 1
            candidate = _name_variant(base, names[base])
        names[candidate] = 1
        return candidate

    def build(self, key: int, slot: _Slot, hq_keys: dict[int, int]) -> FakeBusiness:
        rng = self.rng
        county = slot.county
        scale = self.scale(slot)
        staff = self.staff(slot, scale)
        township = self.township(county)
        place = township.short if township and rng.random() < 0.6 else county.short
        sc = rng.choice(words.SC_CATEGORIES) if slot.category == "producer" else None
        name = self.unique_name(slot, place, _surname_of(staff[0].name), scale, sc)
        issued, expires, licence_status = self.licence_dates()
        latitude, longitude = self.coordinates(county, township)
        manager = next(
            (s.name for s in staff if s.position == words.POSITION_SAFETY_MANAGER), staff[0].name
        )
        return FakeBusiness(
            key=key,
            name=name,
            uscc=self.uscc(slot, scale),
            category=slot.category,
            form=slot.form,
            scale=scale,
            chain_hq_key=hq_keys[slot.chain] if slot.chain is not None and not slot.is_hq else None,
            is_chain_hq=slot.is_hq,
            licence_number=self.licence_number(slot, sc[0] if sc else None),
            licence_issue_date=issued,
            licence_expiry_date=expires,
            licence_status=licence_status,
            licence_scope=[sc[1]] if sc else _jy_scope(rng, slot),
            address=self.address(county, township),
            county_code=county.code,
            township_code=township.code if township else None,
            latitude=latitude,
            longitude=longitude,
            contact_name=staff[0].name,
            contact_phone=staff[0].phone,
            food_safety_manager=manager,
            operating_status=self.operating_status(licence_status, expires),
            staff=staff,
        )


def _name_variant(base: str, number: int) -> str:
    """The ``number``-th business sharing ``base``: 二店, 第二食堂, 第二分公司, ..."""
    numeral = words.CHINESE_NUMERALS[number - 1] if number <= len(words.CHINESE_NUMERALS) else ""
    numeral = numeral or str(number)
    if base.endswith("店）"):
        return f"{base[:-2]}{numeral}店）"
    if base.endswith("食堂"):
        return f"{base[:-2]}第{numeral}食堂"
    if base.endswith("有限公司"):
        return f"{base}第{numeral}分公司"
    return f"{base}（{numeral}店）"


def _surname_of(name: str) -> str:
    return name[:2] if name[:2] in _COMPOUND_SURNAMES else name[0]


_COMPOUND_SURNAMES = frozenset(name for name in _SURNAMES if len(name) == 2)


def _position_group(form: str) -> str:
    if form == "drinks":
        return "drinks"
    if form in _CANTEEN_FORMS:
        return "canteen"
    if form == "food_producer":
        return "producer"
    if form in ("wholesaler", "market_vendor"):
        return "trade"
    return "catering"


_SOLE_TRADER_FORMS = frozenset({"restaurant", "fast_food", "drinks", "market_vendor", "wholesaler"})


def _uscc_kind(rng: random.Random, form: str, scale: str, is_hq: bool) -> tuple[str, str]:
    """Registration authority and entity category (positions 1-2) for a business."""
    draw = rng.random()
    if form == "school_canteen":
        return ("5", "2") if draw < 0.3 else ("1", "2")  # private (民办) or public school
    if form == "hospital_canteen":
        return ("9", "1") if draw < 0.2 else ("1", "2")
    sole_trader_share = {"micro": 0.85, "small": 0.5}.get(scale, 0.0)
    if not is_hq and form in _SOLE_TRADER_FORMS and draw < sole_trader_share:
        return "9", "2"
    return "9", "1"


# --------------------------------------------------------------------------------------------
# Names and licence scopes
# --------------------------------------------------------------------------------------------


def _dish_name(rng: random.Random, dishes: Sequence[str], place: str, surname: str) -> str:
    dish = rng.choice(dishes)
    draw = rng.random()
    if draw < 0.2:
        return f"{surname}记{dish}"
    if draw < 0.35:
        return f"老{surname}家{dish}"
    if draw < 0.5:
        return f"{surname}{rng.choice(words.KIN_TERMS)}{dish}"
    if draw < 0.8:
        return f"{rng.choice(words.FANCY_WORDS)}{dish}"
    return f"{place}{dish}"


def _restaurant_name(rng: random.Random, place: str, surname: str, scale: str) -> str:
    if scale in ("medium", "large") and rng.random() < 0.5:
        return f"{rng.choice(words.FANCY_WORDS)}{rng.choice(words.RESTAURANT_WORDS)}"
    return _dish_name(rng, words.RESTAURANT_DISHES, place, surname)


def _numeral(rng: random.Random, top: int = 10) -> str:
    return rng.choice(words.CHINESE_NUMERALS[:top])


def _school_name(rng: random.Random, county: _County, place: str) -> str:
    draw = rng.random()
    city = county.city_prefix
    if draw < 0.3:
        return f"{city}{county.name}第{_numeral(rng)}幼儿园食堂"
    if draw < 0.45:
        return f"{county.name}实验小学食堂"
    if draw < 0.6:
        return f"{county.name}{place}小学食堂"
    if draw < 0.8:
        return f"{city}第{_numeral(rng, 20)}中学食堂"
    if draw < 0.9:
        return f"{county.name}{place}中学食堂"
    if draw < 0.95:
        return f"{county.name}职业技术学校食堂"
    subject = rng.choice(("工商", "信息", "艺术", "医学", "师范", "农业", "交通"))
    return f"{county.city_short}{subject}职业学院第{_numeral(rng, 5)}食堂"


def _hospital_name(rng: random.Random, county: _County, place: str) -> str:
    draw = rng.random()
    if draw < 0.3:
        return f"{county.name}人民医院职工食堂"
    if draw < 0.45:
        return f"{county.name}中医医院食堂"
    if draw < 0.55:
        return f"{county.name}妇幼保健院食堂"
    if draw < 0.7:
        return f"{county.city_prefix}第{_numeral(rng)}人民医院食堂"
    if draw < 0.85:
        return f"{county.name}{place}卫生院食堂"
    specialty = rng.choice(("骨科", "眼科", "妇产", "口腔", "康复", "中西医结合"))
    return f"{county.city_short}{rng.choice(words.COMPANY_WORDS)}{specialty}医院食堂"


def _company(rng: random.Random, county: _County) -> str:
    region = county.province_short if rng.random() < 0.5 else county.city_short
    return f"{region}{rng.choice(words.COMPANY_WORDS)}"


_ScCategory = tuple[str, str, tuple[str, ...], tuple[str, ...]]


def _producer_name(
    rng: random.Random, county: _County, sc: _ScCategory, surname: str, scale: str
) -> str:
    if scale in ("micro", "small") and rng.random() < 0.5:
        return f"{county.short}{surname}记{rng.choice(sc[3])}"
    return f"{_company(rng, county)}{rng.choice(sc[2])}有限公司"


def _wholesaler_name(rng: random.Random, county: _County, surname: str) -> str:
    kind = rng.choice(words.WHOLESALE_KINDS)
    if kind.endswith("有限公司"):
        return f"{_company(rng, county)}{kind}"
    owner = f"{surname}记" if rng.random() < 0.5 else rng.choice(words.COMPANY_WORDS)
    return f"{county.short}{owner}{kind}"


def _vendor_name(rng: random.Random, place: str, surname: str) -> str:
    market = place if rng.random() < 0.7 else rng.choice(words.VILLAGE_STEMS)
    goods = rng.choice(words.MARKET_GOODS)
    return f"{market}农贸市场{surname}记{goods}{rng.choice(words.MARKET_SUFFIXES)}"


def _chain_name(rng: random.Random, slot: _Slot, place: str) -> str:
    brand = words.CHAIN_BRANDS[slot.chain or 0][0]
    if slot.is_hq:
        return f"{slot.county.province_short}{brand}餐饮管理有限公司"
    draw = rng.random()
    if draw < 0.55:
        branch = place
    elif draw < 0.85 and slot.county.urban:  # shopping-mall branches only in urban districts
        branch = f"{slot.county.short}{rng.choice(words.MALL_NAMES)}"
    else:
        branch = rng.choice(words.STREET_STEMS)
    return f"{brand}（{branch}店）"


def _business_name(
    rng: random.Random, slot: _Slot, place: str, surname: str, scale: str, sc: _ScCategory | None
) -> str:
    county, form = slot.county, slot.form
    if slot.chain is not None:
        return _chain_name(rng, slot, place)
    if form == "restaurant":
        return _restaurant_name(rng, place, surname, scale)
    if form == "fast_food":
        return _dish_name(rng, words.FAST_FOOD_DISHES, place, surname)
    if form == "drinks":
        return _dish_name(rng, words.DRINK_ITEMS, place, surname)
    if form == "school_canteen":
        return _school_name(rng, county, place)
    if form == "hospital_canteen":
        return _hospital_name(rng, county, place)
    if form == "company_canteen":
        return f"{_company(rng, county)}{rng.choice(words.INDUSTRIES)}有限公司职工食堂"
    if form == "construction_canteen":
        project = rng.choice(words.PROJECT_KINDS)
        return f"{_company(rng, county)}建设工程有限公司{place}{project}项目部食堂"
    if form == "central_kitchen":
        return f"{_company(rng, county)}餐饮管理有限公司中央厨房"
    if form == "group_meal":
        kind = rng.choice(("团餐服务有限公司", "餐饮配送有限公司", "学生营养餐配送中心"))
        return f"{_company(rng, county)}{kind}"
    if sc is not None:
        return _producer_name(rng, county, sc, surname, scale)
    if form == "wholesaler":
        return _wholesaler_name(rng, county, surname)
    return _vendor_name(rng, place, surname)


def _maybe(rng: random.Random, share: float, item: str) -> list[str]:
    return [item] if rng.random() < share else []


def _jy_scope(rng: random.Random, slot: _Slot) -> list[str]:
    """Business items (经营项目) on a JY licence."""
    form = slot.form
    if slot.chain is not None:
        form = words.CHAIN_BRANDS[slot.chain][1]
    if form == "drinks":
        return [
            words.SCOPE_DRINKS,
            *_maybe(rng, 0.3, words.SCOPE_COLD),
            *_maybe(rng, 0.3, words.SCOPE_PASTRY),
            *_maybe(rng, 0.6, words.SCOPE_PREPACKED),
        ]
    if form == "wholesaler":
        return [
            words.SCOPE_PREPACKED_COLD,
            *_maybe(rng, 0.6, words.SCOPE_BULK_COLD),
            *_maybe(rng, 0.1, words.SCOPE_HEALTH_FOOD),
        ]
    if form == "market_vendor":
        return [rng.choice((words.SCOPE_BULK, words.SCOPE_BULK_COLD, words.SCOPE_BULK_COOKED))]
    if form == "school_canteen":
        return [words.SCOPE_HOT, *_maybe(rng, 0.2, words.SCOPE_PASTRY)]
    if form in _CANTEEN_FORMS:
        return [words.SCOPE_HOT, *_maybe(rng, 0.3, words.SCOPE_COLD)]
    return [
        words.SCOPE_HOT,
        *_maybe(rng, 0.4, words.SCOPE_COLD),
        *_maybe(rng, 0.03, words.SCOPE_RAW),
        *_maybe(rng, 0.5, words.SCOPE_PREPACKED),
        *_maybe(rng, 0.1, words.SCOPE_DRINKS),
    ]


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def generate_province(
    *,
    seed: int,
    businesses: int,
    regions: Sequence[RegionRef],
    today: date,
    focus_counties: Sequence[str] = (),
) -> Iterator[FakeBusiness]:
    """Generate ``businesses`` food businesses spread over the counties in ``regions``.

    The same arguments always give the same businesses, in the same order, with keys
    ``0..businesses-1``; a chain HQ always comes before its outlets. Every county gets a
    business when ``businesses`` covers the focus counties' quota plus one per other county;
    each focus county gets at least ``max(3, businesses // 20)`` (as far as ``businesses``
    allows). Arguments are checked at once; businesses are built lazily while iterating.
    """
    if businesses < 0:
        raise ValueError(f"businesses must be >= 0, got {businesses}")
    counties = _build_geography(regions)
    if not counties:
        raise ValueError("regions contain no county-level division to place businesses in")
    known = {county.code for county in counties}
    unknown = [code for code in focus_counties if code not in known]
    if unknown:
        raise ValueError(f"focus counties not among the regions' counties: {', '.join(unknown)}")
    rng = random.Random(seed)
    counts = _allocate(counties, businesses, focus_counties)
    slots = _plan(rng, counties, counts)
    return _emit(_Builder(rng, counties, counts, today), slots)


def _emit(builder: _Builder, slots: list[_Slot]) -> Iterator[FakeBusiness]:
    hq_keys = {
        slot.chain: key for key, slot in enumerate(slots) if slot.is_hq and slot.chain is not None
    }
    for key, slot in enumerate(slots):
        yield builder.build(key, slot, hq_keys)
