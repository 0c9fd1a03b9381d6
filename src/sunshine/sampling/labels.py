"""English labels (message ids) of the sampling vocabularies; pages translate them."""

from __future__ import annotations

from enum import StrEnum

from sunshine.core.i18n import N_
from sunshine.sampling.enums import (
    Comparator,
    Conclusion,
    ProductCategory,
    SampleStatus,
    TaskStatus,
    Verdict,
)

CATEGORY_LABELS = {
    ProductCategory.CATERING_FOOD: N_("Catering food"),
    ProductCategory.TABLEWARE: N_("Reused tableware"),
    ProductCategory.AGRICULTURAL: N_("Edible agricultural products"),
    ProductCategory.GRAIN: N_("Grain products"),
    ProductCategory.EDIBLE_OIL: N_("Edible oils and fats"),
    ProductCategory.CONDIMENT: N_("Condiments"),
    ProductCategory.MEAT_PRODUCT: N_("Meat products"),
    ProductCategory.SOY_PRODUCT: N_("Soy products"),
    ProductCategory.DAIRY: N_("Dairy products"),
    ProductCategory.BEVERAGE: N_("Beverages"),
    ProductCategory.OTHER: N_("Other foods"),
}
COMPARATOR_LABELS = {
    Comparator.AT_MOST: N_("at most (≤)"),
    Comparator.BELOW: N_("below (<)"),
    Comparator.AT_LEAST: N_("at least (≥)"),
    Comparator.ABOVE: N_("above (>)"),
    Comparator.NOT_DETECTED: N_("must not be detected"),
    Comparator.QUALITATIVE: N_("qualitative (verdict stated)"),
}
VERDICT_LABELS = {Verdict.PASS: N_("Item passed"), Verdict.FAIL: N_("Item failed")}
CONCLUSION_LABELS = {
    Conclusion.QUALIFIED: N_("Qualified"),
    Conclusion.UNQUALIFIED: N_("Unqualified"),
}
STATUS_LABELS = {
    SampleStatus.SAMPLED: N_("Awaiting results"),
    SampleStatus.COMPLETED: N_("Results recorded"),
    TaskStatus.OPEN: N_("Not yet sampled"),
    TaskStatus.DONE: N_("Sample taken"),
}

_ALL: dict[StrEnum, str] = {}
for _labels in (
    CATEGORY_LABELS,
    COMPARATOR_LABELS,
    VERDICT_LABELS,
    CONCLUSION_LABELS,
    STATUS_LABELS,
):
    for _key, _label in _labels.items():
        _ALL[_key] = _label


def sampling_label(value: object) -> str:
    """The English label (a msgid) of a sampling value, or the value itself."""
    if isinstance(value, StrEnum) and value in _ALL:
        return _ALL[value]
    return str(value)
