"""Enumerations of the registry (主体库, 人员库)."""

from enum import StrEnum


class BusinessCategory(StrEnum):
    """Place in the food chain: caterers and the suppliers that feed them."""

    CATERER = "caterer"
    PRODUCER = "producer"
    WHOLESALER = "wholesaler"
    MARKET_VENDOR = "market_vendor"


class BusinessForm(StrEnum):
    """Business form (主体业态)."""

    RESTAURANT = "restaurant"
    FAST_FOOD = "fast_food"
    DRINKS = "drinks"
    SCHOOL_CANTEEN = "school_canteen"
    HOSPITAL_CANTEEN = "hospital_canteen"
    COMPANY_CANTEEN = "company_canteen"
    CONSTRUCTION_CANTEEN = "construction_canteen"
    CENTRAL_KITCHEN = "central_kitchen"
    GROUP_MEAL = "group_meal"
    CHAIN_OUTLET = "chain_outlet"
    FOOD_PRODUCER = "food_producer"
    WHOLESALER = "wholesaler"
    MARKET_VENDOR = "market_vendor"


class BusinessScale(StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class LicenceStatus(StrEnum):
    """Recorded licence status; ``expired`` is also derived from the expiry date."""

    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


class LicenceKind(StrEnum):
    BUSINESS = "JY"  # 食品经营许可证
    PRODUCTION = "SC"  # 食品生产许可证


class OperatingStatus(StrEnum):
    OPERATING = "operating"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class CertificateState(StrEnum):
    """Health-certificate state as shown to businesses and regulators."""

    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    MISSING = "missing"
