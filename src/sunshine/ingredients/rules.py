"""The rules of the purchase ledger (进货查验记录), as data with their sources (pure functions).

Sources are files of ``../shared/regulations/`` and their sections; the status words are
that file's: **verified** (law text read in full), **secondary** (quoted on a public page),
**unverified**.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sunshine.core.i18n import N_
from sunshine.ingredients.enums import DocumentKind, LicenceState, ProductCategory

SOURCE_LAW = "kitchen-and-ingredients.md §2.1 (食品安全法 Arts 50, 53; verified)"
SOURCE_FORM = "kitchen-and-ingredients.md §2.1 (进货查验记录表 layout; unverified)"
SOURCE_DOCS = "kitchen-and-ingredients.md §2.2 (索证索票; secondary)"


@dataclass(frozen=True)
class FieldRule:
    """A field of the ledger line, why it is there and whether it must be filled in."""

    field: str
    label: str  # English msgid
    required: bool
    source: str


#: Every field of a line (食品安全法 Art. 53 ¶2 lists 名称、规格、数量、生产日期或者生产批号、
#: 保质期、进货日期以及供货者名称、地址、联系方式; the form adds the producer, the documents
#: checked, the goods-in check, own or commissioned tests and the recorder).
FIELDS: tuple[FieldRule, ...] = (
    FieldRule("purchase_date", N_("Purchase date"), True, SOURCE_LAW),
    FieldRule("product_name", N_("Ingredient product name"), True, SOURCE_LAW),
    FieldRule("category", N_("Ingredient category"), True, "issue 5 §1 (key categories)"),
    FieldRule("specification", N_("Specification"), True, SOURCE_LAW),
    FieldRule("quantity", N_("Quantity"), True, SOURCE_LAW),
    FieldRule("unit", N_("Unit of quantity"), True, SOURCE_LAW),
    # 生产日期或者生产批号: one of the two (checked together, see ``missing_batch``).
    FieldRule("production_date", N_("Production date"), False, SOURCE_LAW),
    FieldRule("batch_number", N_("Batch number"), False, SOURCE_LAW),
    # 保质期: a shelf life or an expiry date, or an explicit "no stated shelf life" (Art. 50 ¶2
    # names that case).
    FieldRule("shelf_life_days", N_("Shelf life in days"), False, SOURCE_LAW),
    FieldRule("expiry_date", N_("Use-by date"), False, SOURCE_LAW),
    FieldRule("supplier", N_("Supplier"), True, SOURCE_LAW),
    FieldRule("producer_name", N_("Producer of the goods"), False, SOURCE_FORM),
    FieldRule("documents", N_("Documents checked"), False, SOURCE_FORM),
    FieldRule("appearance_ok", N_("Appearance check"), True, SOURCE_FORM),
    FieldRule("temperature_c", N_("Temperature on receipt (°C)"), False, SOURCE_FORM),
    FieldRule("test_kind", N_("Own or commissioned test"), False, SOURCE_FORM),
    FieldRule("recorder_name", N_("Recorded by"), True, SOURCE_FORM),
)


@dataclass(frozen=True)
class DocumentRule:
    kind: DocumentKind
    label: str  # English msgid
    label_zh: str
    source: str


DOCUMENTS: tuple[DocumentRule, ...] = (
    DocumentRule(DocumentKind.LICENCE, N_("Supplier's food licence"), "许可证", SOURCE_LAW),
    DocumentRule(
        DocumentKind.BUSINESS_LICENCE, N_("Supplier's business licence"), "营业执照", SOURCE_FORM
    ),
    DocumentRule(DocumentKind.VOUCHER, N_("Invoice or purchase voucher"), "购货凭证", SOURCE_DOCS),
    DocumentRule(
        DocumentKind.TEST_REPORT, N_("Test report of the batch"), "产品检验报告", SOURCE_FORM
    ),
    DocumentRule(
        DocumentKind.CONFORMITY, N_("Other proof of conformity"), "其他合格证明", SOURCE_LAW
    ),
    DocumentRule(
        DocumentKind.QUARANTINE,
        N_("Animal quarantine certificate"),
        "动物检疫合格证明",
        SOURCE_DOCS,
    ),
    DocumentRule(
        DocumentKind.IMPORT_INSPECTION,
        N_("Entry inspection and quarantine certificate"),
        "入境货物检验检疫证明",
        SOURCE_DOCS,
    ),
)
DOCUMENT_LABELS = {rule.kind: rule.label for rule in DOCUMENTS}
DOCUMENT_LABELS_ZH = {rule.kind: rule.label_zh for rule in DOCUMENTS}

#: What a key-category purchase is expected to come with. Art. 53 ¶1 (verified): the
#: supplier's licence and the 出厂检验合格证 or other proof of conformity (a test report of
#: the batch counts as one). Meat: the animal quarantine certificate (secondary, §2.2). A
#: line without them is stored (the ledger records what happened) and flagged: the big
#: ledger's anomaly rules turn the flags into risk signals.
PROOF_OF_CONFORMITY = frozenset({DocumentKind.CONFORMITY, DocumentKind.TEST_REPORT})
EXPECTED_BY_CATEGORY: dict[ProductCategory, frozenset[DocumentKind]] = {
    ProductCategory.MEAT_POULTRY: frozenset({DocumentKind.LICENCE, DocumentKind.QUARANTINE}),
    ProductCategory.VEGETABLES: frozenset(),  # 食用农产品: a 承诺达标合格证 or voucher, below
    ProductCategory.AQUATIC: frozenset({DocumentKind.LICENCE}),
    ProductCategory.LIQUOR: frozenset({DocumentKind.LICENCE}),
    ProductCategory.DAIRY: frozenset({DocumentKind.LICENCE}),
}

# Retention (食品安全法 Art. 50 ¶2, applied to caterers by Art. 53 ¶2; verified): records and
# vouchers are kept at least six months after the shelf life ends, and at least two years
# where there is no stated shelf life. The issue keeps the later of both for every line.
RETAIN_MONTHS_AFTER_EXPIRY = 6
RETAIN_YEARS_MINIMUM = 2
RETENTION_SOURCE = "kitchen-and-ingredients.md §2.1 (食品安全法 Art. 50 ¶2; verified)"

MAX_SHELF_LIFE_DAYS = 3650  # liquor may keep for years; ten years is a typing error's bound
TEMPERATURE_RANGE = (-60.0, 100.0)
MAX_TEXT = 200
MAX_NOTE = 500


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, kept inside the month (31 Aug + 6 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retain_until(*, expiry: date | None, entered_on: date) -> date:
    """The day until which a line and its vouchers are kept: the later of the expiry plus
    six months and the entry plus two years (see ``RETENTION_SOURCE``)."""
    minimum = add_months(entered_on, 12 * RETAIN_YEARS_MINIMUM)
    if expiry is None:
        return minimum
    return max(add_months(expiry, RETAIN_MONTHS_AFTER_EXPIRY), minimum)


def expiry_of(
    *, production_date: date | None, shelf_life_days: int | None, expiry_date: date | None
) -> date | None:
    """The use-by date given, or the one the production date and shelf life make (the last
    day of the shelf life: made on the 1st with 3 days' shelf life, good until the 3rd)."""
    if expiry_date is not None:
        return expiry_date
    if production_date is not None and shelf_life_days is not None:
        return production_date + timedelta(days=shelf_life_days - 1)
    return None


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of ``body`` (a GTIN without its last digit): weights 3
    and 1 alternate from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


GTIN_LENGTHS = (8, 12, 13, 14)


def normalise_gtin(raw: str) -> str:
    """A GTIN-8, -12 (UPC), -13 (EAN, the barcodes on Chinese goods) or -14 as its 14-digit
    form; raises ``ValueError`` with a msgid naming what is wrong."""
    text = raw.strip().replace(" ", "")
    if not text.isascii() or not text.isdigit():
        raise ValueError(N_("a GTIN has digits only"))
    if len(text) not in GTIN_LENGTHS:
        raise ValueError(N_("a GTIN has 8, 12, 13 or 14 digits"))
    if gtin_check_digit(text[:-1]) != int(text[-1]):
        raise ValueError(N_("the GTIN's check digit is wrong"))
    return text.zfill(14)


def display_gtin(gtin14: str) -> str:
    """The GTIN as printed under the barcode: a GTIN-13 without the leading zero."""
    return gtin14[1:] if gtin14.startswith("0") else gtin14


def licence_state_on(
    *, status: str | None, expiry: date | None, number: str | None, on: date
) -> LicenceState:
    """A supplier's licence on the purchase date (a licence recorded valid whose expiry
    passed is expired on that day)."""
    if not number:
        return LicenceState.NONE
    if status in (LicenceState.SUSPENDED, LicenceState.REVOKED, LicenceState.EXPIRED):
        return LicenceState(status)
    if expiry is not None and expiry < on:
        return LicenceState.EXPIRED
    return LicenceState.VALID


def missing_documents(
    category: ProductCategory, checked: frozenset[DocumentKind]
) -> list[DocumentKind]:
    """Documents a line of ``category`` is expected to carry and does not (see
    ``EXPECTED_BY_CATEGORY``); empty outside the key categories."""
    if category not in EXPECTED_BY_CATEGORY:
        return []
    missing = sorted(EXPECTED_BY_CATEGORY[category] - checked, key=list(DocumentKind).index)
    proof = PROOF_OF_CONFORMITY
    if category is ProductCategory.MEAT_POULTRY:
        proof = proof | {DocumentKind.QUARANTINE}  # the quarantine certificate proves the meat
    if category is not ProductCategory.VEGETABLES and not checked & proof:
        missing.append(DocumentKind.CONFORMITY)
    if category is ProductCategory.VEGETABLES and not checked & (
        PROOF_OF_CONFORMITY | {DocumentKind.VOUCHER}
    ):
        missing.append(DocumentKind.VOUCHER)
    return missing


# Licence scope (经营项目 / 食品类别) ---------------------------------------------------------

SOURCE_SCOPE = (
    "食品经营许可管理办法 (2015: 预包装/散装食品销售 items, 含/不含冷藏冷冻; 2023 catalogue) "
    "and 食品生产许可分类目录 (SC food classes); from memory, unverified"
)


class ScopeVerdict(StrEnum):
    """Whether a licence's scope covers what was bought."""

    COVERED = "covered"
    NOT_COVERED = "not_covered"  # every entry understood, none covers it: a clear mismatch
    UNKNOWN = "unknown"  # empty, or an entry the table does not know: nothing is judged


@dataclass(frozen=True)
class ScopeClass:
    """A kind of scope entry, known by the words it contains, and the key categories it
    covers (``None``: any food)."""

    words: str
    covers: frozenset[ProductCategory] | None


_MEAT, _AQUATIC = ProductCategory.MEAT_POULTRY, ProductCategory.AQUATIC
_LIQUOR, _DAIRY = ProductCategory.LIQUOR, ProductCategory.DAIRY
_NONE: frozenset[ProductCategory] = frozenset()

#: Scope entries the rule understands (``SOURCE_SCOPE``). A business licence's selling
#: items cover any food; its catering items (制售: meals made and sold) cover no ingredient
#: sold on; a production licence's food class covers the categories it can make. Where a
#: class might hold a category (速冻食品 holds frozen meat and fish, 饮料 milk drinks, 罐头
#: canned fish) it covers it: only a clear mismatch is flagged. The first class whose words
#: an entry contains is the entry's; an entry matching none makes the scope unknown.
SCOPE_CLASSES: tuple[ScopeClass, ...] = (
    # Business licence (食品经营许可证, JY): selling and catering items.
    ScopeClass("预包装食品", None),
    ScopeClass("散装食品", None),
    ScopeClass("特殊食品销售", frozenset({_DAIRY})),  # infant formula is a dairy product
    ScopeClass("保健食品", _NONE),
    ScopeClass("食品销售", None),
    ScopeClass("热食类食品制售", _NONE),
    ScopeClass("冷食类食品制售", _NONE),
    ScopeClass("生食类食品制售", _NONE),
    ScopeClass("糕点类食品制售", _NONE),
    ScopeClass("自制饮品制售", _NONE),
    # Production licence (食品生产许可证, SC): food classes.
    ScopeClass("肉制品", frozenset({_MEAT})),
    ScopeClass("水产制品", frozenset({_AQUATIC})),
    ScopeClass("酒类", frozenset({_LIQUOR})),
    ScopeClass("乳制品", frozenset({_DAIRY})),
    ScopeClass("婴幼儿配方食品", frozenset({_DAIRY})),
    ScopeClass("速冻食品", frozenset({_MEAT, _AQUATIC})),
    ScopeClass("罐头", frozenset({_MEAT, _AQUATIC})),
    ScopeClass("方便食品", frozenset({_MEAT, _AQUATIC})),
    ScopeClass("饮料", frozenset({_DAIRY})),
    ScopeClass("冷冻饮品", frozenset({_DAIRY})),
    ScopeClass("粮食加工品", _NONE),
    ScopeClass("食用油", _NONE),
    ScopeClass("调味品", _NONE),
    ScopeClass("薯类和膨化食品", _NONE),
    ScopeClass("茶叶", _NONE),
    ScopeClass("蔬菜制品", _NONE),
    ScopeClass("水果制品", _NONE),
    ScopeClass("炒货食品及坚果制品", _NONE),
    ScopeClass("糕点", _NONE),
    ScopeClass("饼干", _NONE),
    ScopeClass("糖果制品", _NONE),
    ScopeClass("豆制品", _NONE),
    ScopeClass("蛋制品", _NONE),
    ScopeClass("淀粉", _NONE),
    ScopeClass("食糖", _NONE),
    ScopeClass("蜂产品", _NONE),
    ScopeClass("食品添加剂", _NONE),
)
#: The categories the scope rule judges: the key categories a licence is needed for
#: (vegetables, 食用农产品, may be sold by a farmer without one).
SCOPE_JUDGED = frozenset({_MEAT, _AQUATIC, _LIQUOR, _DAIRY})
#: A selling item that says it excludes chilled and frozen food (不含冷藏冷冻食品) does not
#: cover goods kept chilled or frozen; the goods are known by these words of their name or
#: specification.
CHILLED_WORDS = ("冷冻", "冷藏", "冷鲜", "冻")
EXCLUDES_CHILLED = "不含冷藏冷冻"


def is_chilled(product_name: str, specification: str) -> bool:
    return any(w in product_name or w in specification for w in CHILLED_WORDS)


def scope_class(entry: str) -> ScopeClass | None:
    return next((c for c in SCOPE_CLASSES if c.words in entry), None)


def scope_verdict(
    scope: Sequence[str] | None, *, category: ProductCategory, chilled: bool
) -> ScopeVerdict:
    """Whether the scope entries cover goods of ``category`` (kept chilled or not): not
    covered only when every entry is understood and none covers them."""
    entries = [e.strip() for e in scope or () if e.strip()]
    if category not in SCOPE_JUDGED or not entries:
        return ScopeVerdict.UNKNOWN
    classes = [scope_class(e) for e in entries]
    if any(c is None for c in classes):
        return ScopeVerdict.UNKNOWN
    for entry, found in zip(entries, classes, strict=True):
        assert found is not None
        if found.covers is not None and category not in found.covers:
            continue
        if chilled and found.covers is None and EXCLUDES_CHILLED in entry:
            continue
        return ScopeVerdict.COVERED
    return ScopeVerdict.NOT_COVERED
