"""Enumerations of the ingredients domain (产品库, 供货者, 进货查验记录)."""

from __future__ import annotations

from enum import StrEnum

from sunshine.core.i18n import N_


class ProductCategory(StrEnum):
    """Category of an ingredient. The first five are the article's key categories (重点品类:
    肉禽、蔬菜、水产品、酒类、乳制品), whose purchases are traced first."""

    MEAT_POULTRY = "meat_poultry"
    VEGETABLES = "vegetables"
    AQUATIC = "aquatic"
    LIQUOR = "liquor"
    DAIRY = "dairy"
    GRAIN_OIL = "grain_oil"
    EGGS = "eggs"
    CONDIMENTS = "condiments"
    OTHER = "other"


KEY_CATEGORIES = frozenset(
    {
        ProductCategory.MEAT_POULTRY,
        ProductCategory.VEGETABLES,
        ProductCategory.AQUATIC,
        ProductCategory.LIQUOR,
        ProductCategory.DAIRY,
    }
)
CATEGORY_LABELS = {
    ProductCategory.MEAT_POULTRY: N_("Meat and poultry"),
    ProductCategory.VEGETABLES: N_("Vegetables"),
    ProductCategory.AQUATIC: N_("Aquatic products"),
    ProductCategory.LIQUOR: N_("Liquor"),
    ProductCategory.DAIRY: N_("Dairy products"),
    ProductCategory.GRAIN_OIL: N_("Grain and oil"),
    ProductCategory.EGGS: N_("Eggs"),
    ProductCategory.CONDIMENTS: N_("Condiments"),
    ProductCategory.OTHER: N_("Other ingredients"),
}
#: The Chinese names (import files, the notes of the template).
CATEGORY_LABELS_ZH = {
    ProductCategory.MEAT_POULTRY: "肉禽",
    ProductCategory.VEGETABLES: "蔬菜",
    ProductCategory.AQUATIC: "水产品",
    ProductCategory.LIQUOR: "酒类",
    ProductCategory.DAIRY: "乳制品",
    ProductCategory.GRAIN_OIL: "粮油",
    ProductCategory.EGGS: "蛋类",
    ProductCategory.CONDIMENTS: "调味品",
    ProductCategory.OTHER: "其他",
}
CATEGORY_SYNONYMS_ZH = {
    "肉类": ProductCategory.MEAT_POULTRY,
    "畜禽肉": ProductCategory.MEAT_POULTRY,
    "肉及肉制品": ProductCategory.MEAT_POULTRY,
    "水产": ProductCategory.AQUATIC,
    "酒": ProductCategory.LIQUOR,
    "乳品": ProductCategory.DAIRY,
    "奶制品": ProductCategory.DAIRY,
    "粮食": ProductCategory.GRAIN_OIL,
    "食用油": ProductCategory.GRAIN_OIL,
    "蛋": ProductCategory.EGGS,
    "鸡蛋": ProductCategory.EGGS,
    "调料": ProductCategory.CONDIMENTS,
}


class DocumentKind(StrEnum):
    """Documents checked on receipt (随货证明文件查验, 索证索票); see ``rules.DOCUMENTS``."""

    LICENCE = "licence"  # 许可证 (food production or business licence), if any
    BUSINESS_LICENCE = "business_licence"  # 营业执照, if any
    VOUCHER = "voucher"  # 购货凭证: invoice, delivery note or receipt
    TEST_REPORT = "test_report"  # 产品检验报告 of the batch
    CONFORMITY = "conformity"  # 其他合格证明: 出厂合格证, 承诺达标合格证 ...
    QUARANTINE = "quarantine"  # 动物检疫合格证明 (meat)
    IMPORT_INSPECTION = "import_inspection"  # 入境货物检验检疫证明 (imported food)


class TestKind(StrEnum):
    """Own or commissioned tests of the goods (自检或委检情况)."""

    __test__ = False  # not a pytest class

    NONE = "none"
    OWN = "own"  # 自检: e.g. a rapid pesticide-residue test in the store
    COMMISSIONED = "commissioned"  # 委检: sent to a laboratory


class SupplierKind(StrEnum):
    """Where a supplier's details come from."""

    REGISTERED = "registered"  # a business of the registry (主体库)
    EXTERNAL = "external"  # not on the platform: its details are typed by the caterer


class LicenceState(StrEnum):
    """A supplier's licence as it stood on a purchase date (kept with each ledger line)."""

    VALID = "valid"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    NONE = "none"  # no licence recorded (e.g. a farmer selling own produce)


class SignalRule(StrEnum):
    """The big ledger's anomaly rules (see ``analytics.RULES`` for thresholds and sources)."""

    LICENCE_MISSING = "licence_missing"
    LICENCE_EXPIRED = "licence_expired"
    LICENCE_SCOPE = "licence_scope"
    EXPIRED_ON_RECEIPT = "expired_on_receipt"
    MISSING_DOCUMENTS = "missing_documents"
    BATCH_SPREAD = "batch_spread"
    MASS_BALANCE = "mass_balance"
    SHIPMENT_UNCONFIRMED = "shipment_unconfirmed"  # 线上下单、线下核查: not confirmed in time
    SHIPMENT_MISMATCH = "shipment_mismatch"  # received in part


class SignalStatus(StrEnum):
    """Where a risk signal stands."""

    OPEN = "open"
    CASE_OPENED = "case_opened"  # a lead case (线索) was opened from it
