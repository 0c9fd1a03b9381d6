"""The vocabularies of sampling (抽检): product categories, limits, verdicts, conclusions."""

from __future__ import annotations

from enum import StrEnum


class ProductCategory(StrEnum):
    """The food category of a sample (食品类别), as caterers' supervisory sampling groups them."""

    CATERING_FOOD = "catering_food"  # 餐饮食品 (made on the premises)
    TABLEWARE = "tableware"  # 餐饮具 (复用餐饮具: reused, disinfected tableware)
    AGRICULTURAL = "agricultural"  # 食用农产品 (meat, vegetables, aquatic products, eggs)
    GRAIN = "grain"  # 粮食加工品
    EDIBLE_OIL = "edible_oil"  # 食用油、油脂及其制品
    CONDIMENT = "condiment"  # 调味品
    MEAT_PRODUCT = "meat_product"  # 肉制品
    SOY_PRODUCT = "soy_product"  # 豆制品
    DAIRY = "dairy"  # 乳制品
    BEVERAGE = "beverage"  # 饮料
    OTHER = "other"  # 其他


class Comparator(StrEnum):
    """How a test item's result is held against its limit (判定依据)."""

    AT_MOST = "le"  # ≤ limit (限量: lead, preservatives, acid value)
    BELOW = "lt"  # < limit
    AT_LEAST = "ge"  # ≥ limit (minimums: protein, alcohol content)
    ABOVE = "gt"  # > limit
    NOT_DETECTED = "not_detected"  # 不得检出 (banned substances, pathogens)
    QUALITATIVE = "qualitative"  # 定性: e.g. 阴性; the laboratory states the verdict


class Verdict(StrEnum):
    """The verdict of one test item (单项判定)."""

    PASS = "pass"  # noqa: S105 - 合格 / 符合, not a password
    FAIL = "fail"  # 不合格 / 不符合


class Conclusion(StrEnum):
    """The conclusion of a sample (检验结论): any failed item makes it unqualified."""

    QUALIFIED = "qualified"  # 合格
    UNQUALIFIED = "unqualified"  # 不合格


class SampleStatus(StrEnum):
    """Where a sample stands: taken and sent to the laboratory, or its results recorded."""

    SAMPLED = "sampled"  # 已抽样, 检验中
    COMPLETED = "completed"  # 检验完成: the conclusion is known (and published)


class TaskStatus(StrEnum):
    """A sampling task (抽检任务): open until a sample is recorded for it."""

    OPEN = "open"
    DONE = "done"
