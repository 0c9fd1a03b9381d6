"""What a sample form, a results form and a file row carry, and how their words are read.

Values arrive as typed (strings), so that the portal form, the API and a CSV file are
checked by the same rules and every problem is named at once (see :mod:`.service`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sunshine.core import evidence
from sunshine.core.errors import FieldProblem
from sunshine.core.i18n import N_, Message, ParamValue
from sunshine.core.time import SHANGHAI
from sunshine.sampling.enums import ProductCategory, Verdict
from sunshine.sampling.labels import CATEGORY_LABELS
from sunshine.sampling.rules import VERDICT_WORDS

#: Product categories as they are written in files and forms (value, English or Chinese).
CATEGORY_WORDS: dict[str, ProductCategory] = {
    **{c.value: c for c in ProductCategory},
    **{label.lower(): c for c, label in CATEGORY_LABELS.items()},
    "餐饮食品": ProductCategory.CATERING_FOOD,
    "餐饮具": ProductCategory.TABLEWARE,
    "复用餐饮具": ProductCategory.TABLEWARE,
    "食用农产品": ProductCategory.AGRICULTURAL,
    "粮食加工品": ProductCategory.GRAIN,
    "食用油、油脂及其制品": ProductCategory.EDIBLE_OIL,
    "食用油": ProductCategory.EDIBLE_OIL,
    "调味品": ProductCategory.CONDIMENT,
    "肉制品": ProductCategory.MEAT_PRODUCT,
    "豆制品": ProductCategory.SOY_PRODUCT,
    "乳制品": ProductCategory.DAIRY,
    "饮料": ProductCategory.BEVERAGE,
    "其他": ProductCategory.OTHER,
}


@dataclass(frozen=True)
class ItemForm:
    """One test item as typed: what is tested, against which limit, and (once the
    laboratory has reported) what it found. ``comparator`` and ``verdict`` take the
    words of :data:`sunshine.sampling.rules.COMPARATOR_WORDS` and ``VERDICT_WORDS``."""

    name: str
    standard: str
    comparator: str
    limit: str
    unit: str = ""
    method: str = ""
    result: str = ""
    result_unit: str = ""
    verdict: str = ""

    @property
    def has_result(self) -> bool:
        return bool(self.result.strip())


@dataclass(frozen=True)
class ReportForm:
    """The laboratory's report (检验报告): who tested, its number and date, its files."""

    lab_name: str = ""
    report_number: str = ""
    report_date: str = ""
    files: Sequence[evidence.Upload] = ()

    @property
    def given(self) -> bool:
        return bool(self.lab_name.strip() or self.report_number.strip() or self.report_date.strip())


@dataclass(frozen=True)
class SampleForm:
    """A sample as the regulator records it. The business is named by id (a page opened
    from the business) or by its store code, licence number or credit code (``business``).
    Results may come with it (a file of finished tests) or later (:class:`ResultsForm`)."""

    product_name: str
    category: str
    batch_number: str
    sampled_at: str
    sampling_place: str
    sampling_agency: str
    samplers: str
    items: Sequence[ItemForm]
    business_id: int | None = None
    business: str = ""
    production_date: str = ""
    sampling_number: str = ""
    task_id: int | None = None
    plan_id: int | None = None
    report: ReportForm = field(default_factory=ReportForm)


@dataclass(frozen=True)
class ResultForm:
    """The laboratory's finding for one item of a sample already recorded."""

    result: str
    result_unit: str = ""
    verdict: str = ""
    method: str = ""


@dataclass(frozen=True)
class ResultsForm:
    """The results of every item of a sample, in the sample's item order, and the report.
    ``expected_version`` is the version of the sample the regulator saw."""

    items: Sequence[ResultForm]
    report: ReportForm
    expected_version: int | None = None


@dataclass
class Check:
    """Problems found so far; each names its field (``items[2].limit``)."""

    problems: list[FieldProblem] = field(default_factory=list)

    def add(self, where: str, message: str, code: str = "invalid", **params: ParamValue) -> None:
        self.problems.append(FieldProblem(where, message, code=code, params=dict(params)))

    def required(self, where: str, value: str, limit: int) -> str:
        text = value.strip()
        if not text:
            self.add(where, N_("Required"), code="required")
        elif len(text) > limit:
            self.add(where, N_("At most {limit} characters"), code="too_long", limit=limit)
        return text

    def optional(self, where: str, value: str, limit: int) -> str:
        text = value.strip()
        if len(text) > limit:
            self.add(where, N_("At most {limit} characters"), code="too_long", limit=limit)
        return text

    def day(self, where: str, value: str) -> date | None:
        text = value.strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text.replace("/", "-"))
        except ValueError:
            self.add(where, N_("'{value}' is not a date (YYYY-MM-DD)"), code="date", value=text)
            return None

    def moment(self, where: str, value: str) -> datetime | None:
        """A moment with its offset, or a local time in China (``2026-11-30 10:30``); a day
        alone is its start in China."""
        text = value.strip().replace("/", "-")
        if not text:
            self.add(where, N_("Required"), code="required")
            return None
        try:
            if len(text) == 10:
                return datetime.combine(date.fromisoformat(text), time.min, tzinfo=SHANGHAI)
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.add(
                where,
                N_("'{value}' is not a time (YYYY-MM-DD HH:MM)"),
                code="datetime",
                value=value.strip(),
            )
            return None
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=SHANGHAI)

    def category(self, where: str, value: str) -> ProductCategory | None:
        text = value.strip()
        found = CATEGORY_WORDS.get(text) or CATEGORY_WORDS.get(text.lower())
        if found is None:
            self.add(
                where,
                N_("'{value}' is not a product category"),
                code="choice",
                value=text or Message(N_("(blank)")),
            )
        return found

    def verdict(self, where: str, value: str) -> Verdict | None:
        text = value.strip()
        if not text:
            return None
        found = VERDICT_WORDS.get(text.lower())
        if found is None:
            self.add(
                where, N_("'{value}' is not a verdict (合格 or 不合格)"), code="choice", value=text
            )
        return found
