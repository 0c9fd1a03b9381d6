"""What the generator produces (its dataclasses) and the shares and limits that tune it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
MIN_CATERERS_FOR_A_CHAIN = 8  # below this a demo has no chain at all
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
#: Canteens (食堂) and group caterers: canteen staff positions and licence scopes.
CANTEEN_FORMS = frozenset(
    {
        "school_canteen",
        "hospital_canteen",
        "company_canteen",
        "construction_canteen",
        "central_kitchen",
        "group_meal",
    }
)
