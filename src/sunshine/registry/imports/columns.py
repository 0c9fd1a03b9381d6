"""The columns of an import file: English keys or Chinese headings, and reading their cells."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sunshine.core.errors import TranslatableValueError
from sunshine.core.i18n import N_
from sunshine.registry.enums import BusinessCategory, BusinessForm, BusinessScale
from sunshine.registry.imports.model import ImportKind

FORM_LABELS_ZH = {
    BusinessForm.RESTAURANT: "餐馆",
    BusinessForm.FAST_FOOD: "快餐店",
    BusinessForm.DRINKS: "饮品店",
    BusinessForm.SCHOOL_CANTEEN: "学校食堂",
    BusinessForm.HOSPITAL_CANTEEN: "医院食堂",
    BusinessForm.COMPANY_CANTEEN: "单位食堂",
    BusinessForm.CONSTRUCTION_CANTEEN: "建筑工地食堂",
    BusinessForm.CENTRAL_KITCHEN: "中央厨房",
    BusinessForm.GROUP_MEAL: "集体用餐配送单位",
    BusinessForm.CHAIN_OUTLET: "连锁门店",
    BusinessForm.FOOD_PRODUCER: "食品生产企业",
    BusinessForm.WHOLESALER: "食品批发企业",
    BusinessForm.MARKET_VENDOR: "集贸市场摊贩",
}
FORM_SYNONYMS_ZH = {
    "餐厅": BusinessForm.RESTAURANT,
    "饭店": BusinessForm.RESTAURANT,
    "快餐": BusinessForm.FAST_FOOD,
    "饮品": BusinessForm.DRINKS,
    "机关食堂": BusinessForm.COMPANY_CANTEEN,
    "企业食堂": BusinessForm.COMPANY_CANTEEN,
    "职工食堂": BusinessForm.COMPANY_CANTEEN,
    "工地食堂": BusinessForm.CONSTRUCTION_CANTEEN,
}
SCALE_LABELS_ZH = {
    BusinessScale.MICRO: "微型",
    BusinessScale.SMALL: "小型",
    BusinessScale.MEDIUM: "中型",
    BusinessScale.LARGE: "大型",
}
CATEGORY_LABELS_ZH = {
    BusinessCategory.CATERER: "餐饮服务",
    BusinessCategory.PRODUCER: "食品生产",
    BusinessCategory.WHOLESALER: "食品批发",
    BusinessCategory.MARKET_VENDOR: "市场摊贩",
}
YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "有"})
NO = frozenset({"否", "n", "no", "false", "0", "×", "✗", "无"})
GENDERS = {"男": "male", "女": "female", "m": "male", "f": "female"}
GENDERS.update({"male": "male", "female": "female"})
_LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")
_DATE_TEXT = re.compile(r"^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[ T]0{1,2}:00(?::00)?)?$")
_EXCEL_SERIALS = (20_000, 80_000)  # 1954..2119: a date cell that lost its date format
_LONGEST_EXACT_NUMBER = 10**15  # Excel keeps 15 significant digits
_DATE_EXPECTED = N_("expected a date as YYYY-MM-DD or YYYY/MM/DD")


class CellError(TranslatableValueError):
    """A cell that cannot be read as its column's type (a translatable template)."""

    code = "cell"


def _lookup(labels: Mapping[Any, str], synonyms: Mapping[str, Any] | None = None) -> dict[str, str]:
    table = {str(value): str(value) for value in labels}
    table.update({label: str(value) for value, label in labels.items()})
    table.update({label: str(value) for label, value in (synonyms or {}).items()})
    return table


@dataclass(frozen=True)
class Column:
    """One column of an import file: its key, its Chinese heading, how to read its cells."""

    key: str
    heading: str
    required: bool = False
    kind: str = "text"  # text | code | date | enum | bool | gender | list
    hint: str = ""  # English msgid for the template's notes
    aliases: tuple[str, ...] = ()
    choices: Mapping[str, str] = field(default_factory=dict)  # cell text -> value (enums)

    @property
    def choice_text(self) -> str:
        """The Chinese label of each choice (synonyms are accepted but not listed)."""
        labels: dict[str, str] = {}
        for text, value in self.choices.items():
            if not text.isascii():
                labels.setdefault(value, text)
        return "、".join(labels.values())


BUSINESS_COLUMNS = (
    Column("name", "名称", True, hint="Registered name of the business"),
    Column("uscc", "统一社会信用代码", True, "code", "18-character unified social credit code"),
    Column(
        "licence_number",
        "许可证编号",
        True,
        "code",
        "Food licence number: JY or SC followed by 14 digits",
        ("license_number",),
    ),
    Column(
        "form",
        "业态",
        True,
        "enum",
        "Business form, one of:",
        choices=_lookup(FORM_LABELS_ZH, FORM_SYNONYMS_ZH),
    ),
    Column(
        "region_code", "行政区划代码", True, "code", "County (6 digits) or township (9 digits) code"
    ),
    Column("address", "地址", True, hint="Street address"),
    Column(
        "licence_issue_date",
        "发证日期",
        True,
        "date",
        "Date as YYYY-MM-DD or YYYY/MM/DD",
        ("license_issue_date",),
    ),
    Column(
        "licence_expiry_date",
        "有效期至",
        True,
        "date",
        "Date as YYYY-MM-DD or YYYY/MM/DD",
        ("license_expiry_date",),
    ),
    Column("contact_name", "联系人", True, hint="Contact person"),
    Column("contact_phone", "联系电话", True, "code", "Mobile or landline number"),
    Column("food_safety_manager", "食品安全管理员", True, hint="Food-safety manager"),
    Column(
        "licence_scope",
        "经营项目",
        False,
        "list",
        "Licensed activities, separated by 、",
        ("license_scope",),
    ),
    Column("scale", "规模", False, "enum", "Scale, one of:", choices=_lookup(SCALE_LABELS_ZH)),
    Column(
        "category",
        "类别",
        False,
        "enum",
        "Category, one of:",
        choices=_lookup(CATEGORY_LABELS_ZH),
    ),
)
STAFF_COLUMNS = (
    Column("name", "姓名", True, hint="Full name"),
    Column("position", "岗位", True, hint="Position, e.g. 厨师"),
    Column(
        "id_number",
        "身份证号",
        True,
        "code",
        "18-character resident ID number, entered as text",
        ("身份证号码", "公民身份号码"),
    ),
    Column("gender", "性别", False, "gender", "男 or 女"),
    Column("phone", "手机号", False, "code", "Mobile number", ("手机号码", "联系电话")),
    Column(
        "direct_contact",
        "直接接触入口食品",
        False,
        "bool",
        "Handles ready-to-eat food: 是 or 否 (blank means 是)",
    ),
    Column("health_cert_number", "健康证编号", False, "code", "Health certificate number"),
    Column(
        "health_cert_issue_date",
        "健康证发证日期",
        False,
        "date",
        "Date as YYYY-MM-DD or YYYY/MM/DD",
    ),
    Column(
        "health_cert_expiry_date",
        "健康证有效期至",
        False,
        "date",
        "Date as YYYY-MM-DD or YYYY/MM/DD",
    ),
)
#: Headings shown in the template (with the hint of what a yes/no column takes).
TEMPLATE_SUFFIX = {"direct_contact": "(是/否)"}


def _normal_heading(text: str) -> str:
    value = re.sub(r"\s*[（(][^）)]*[）)]\s*$", "", text.strip())  # a trailing "(是/否)" hint
    value = value.strip().strip("*＊").strip().lower()
    return re.sub(r"[\s\-]+", "_", value)


def heading_key(text: str, columns: Sequence[Column]) -> str | None:
    """The key of the column a heading names (English key, Chinese heading or an alias)."""
    wanted = _normal_heading(text)
    for column in columns:
        names = (column.key, column.heading, *column.aliases)
        if wanted in {_normal_heading(n) for n in names}:
            return column.key
    return None


def cell_text(value: object) -> str:
    """A cell as text: dates in ISO form, whole numbers without ``.0``, strings stripped."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _code(value: object) -> str:
    if isinstance(value, float) and not isinstance(value, bool):
        if not value.is_integer() or abs(value) >= _LONGEST_EXACT_NUMBER:
            raise CellError(
                N_("enter this as text: Excel keeps only 15 digits of a number, so it is damaged")
            )
        return str(int(value))
    return cell_text(value)


def _date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _EXCEL_SERIALS[0] <= value <= _EXCEL_SERIALS[1]:
            from openpyxl.utils.datetime import from_excel

            converted = from_excel(value)
            return converted.date() if isinstance(converted, datetime) else converted
        raise CellError(_DATE_EXPECTED)
    match = _DATE_TEXT.match(cell_text(value))
    if match is None:
        raise CellError(_DATE_EXPECTED)
    try:
        return date(int(match[1]), int(match[3]), int(match[4]))
    except ValueError:
        raise CellError(N_("not a real date")) from None


def convert_cell(column: Column, value: object) -> object | None:
    """A cell's value as the schema wants it; ``None`` for a blank cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if column.kind == "date":
        return _date(value)
    if column.kind == "code":
        return _code(value)
    text = cell_text(value)
    if column.kind == "enum":
        found = column.choices.get(text) or column.choices.get(text.lower())
        if found is None:
            raise CellError(N_("not one of: {choices}"), choices=column.choice_text)
        return found
    if column.kind == "bool":
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
        raise CellError(N_("enter 是 or 否"))
    if column.kind == "gender":
        gender = GENDERS.get(text.lower())
        if gender is None:
            raise CellError(N_("enter 男 or 女"))
        return gender
    if column.kind == "list":
        return [item.strip() for item in _LIST_SEPARATORS.split(text) if item.strip()]
    return text


COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    ImportKind.BUSINESSES: BUSINESS_COLUMNS,
    ImportKind.STAFF: STAFF_COLUMNS,
}
