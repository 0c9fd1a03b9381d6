"""The rules behind inspection plans and 双随机 draws, kept as data with their sources.

Each rule says where it comes from (document, article, the copies read) and how sure we are
of it (:class:`RuleStatus`, the legend of ``../shared/regulations/risk-grading.md``). Where
the regulation notes are incomplete the rule still has a value, so the product works, but
it is marked ``unverified`` with what it was inferred from; the plan board shows every rule
with its status.

* Inspection frequency per risk level (:data:`FREQUENCIES`): A at least 1 a year, B 1-2,
  C 2-3, D 3-4 (2016 press on the 《食品生产经营风险分级管理办法（试行）》, corroborated).
* The static level (:data:`STATIC_LEVEL_RULES`): until dynamic risk grading exists, a level
  from the business form and scale. The national static table (40 points) is only partly
  known (risk-grading.md §2: only 业态和规模 has values) and the score bands apply to
  static + dynamic together, so only the D-level groups named by the 2016 press are
  corroborated; every other level is our inference and says so.
* Order 49 (《食品生产经营监督检查管理办法》, SAMR Order 49, verified): full coverage every
  2 years (art. 22), at least two inspectors (art. 23), no repeat by a lower level within
  3 months of an upper level's inspection (art. 42).
* The avoidance rules of the draw (declared conflicts; not the last inspection's officers)
  come from the issue that asked for the feature; the notes quote no article for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sunshine.inspections.enums import InspectionKind
from sunshine.inspections.plan_enums import RiskLevel, RuleStatus
from sunshine.registry.enums import BusinessForm, BusinessScale

__all__ = [
    "AVOID_CONFLICTS",
    "AVOID_LAST_INSPECTORS",
    "FREQUENCIES",
    "FULL_COVERAGE",
    "MIN_GROUP",
    "NO_REPEAT_AFTER_UPPER_LEVEL",
    "PLAN_COUNTED_KINDS",
    "RULES_VERSION",
    "STATIC_LEVEL_RULES",
    "Frequency",
    "NumberRule",
    "Source",
    "StaticLevelRule",
    "frequency",
    "static_level",
]

#: Stored with each plan: a change of any rule below is a new version.
RULES_VERSION = "plan-rules/2026-11-30"


@dataclass(frozen=True)
class Source:
    """Where a rule comes from: the document, its article and the copies read."""

    document: str
    article: str | None
    where: tuple[str, ...]
    status: RuleStatus
    note: str = ""


@dataclass(frozen=True)
class Frequency:
    """How many inspections a year a level asks for: at least ``minimum``, at most
    ``maximum`` (None: no upper bound given)."""

    level: RiskLevel
    minimum: int
    maximum: int | None
    source: Source


@dataclass(frozen=True)
class StaticLevelRule:
    """The level of the businesses of ``forms`` and ``scales`` (None: any scale)."""

    key: str
    forms: frozenset[BusinessForm]
    scales: frozenset[BusinessScale] | None
    level: RiskLevel
    source: Source

    def matches(self, form: BusinessForm, scale: BusinessScale) -> bool:
        return form in self.forms and (self.scales is None or scale in self.scales)


@dataclass(frozen=True)
class NumberRule:
    """A number a regulation sets (a count, a number of years or months)."""

    key: str
    value: int
    source: Source


# -- sources ---------------------------------------------------------------------------------

_NOTES = "../shared/regulations/risk-grading.md"
_CHECKLIST_NOTES = "../shared/regulations/catering-inspection-checklist.md"
_MEASURES_2016 = "《食品生产经营风险分级管理办法（试行）》(CFDA, 2016)"
_PRESS_2016 = (
    "dzb.xfrb.com.cn/Html/2016-10-17/36532.html",
    "工人日报 repost 2016-09-13",
    "wangxiaoyu92/zhsyj_V_2_0:src/dbscript/201608/20180608_表数据添加_zy.sql",
    f"{_NOTES} §1.4",
)
_STATIC_PRESS = (
    "dzb.xfrb.com.cn/Html/2016-10-17/36532.html",
    "cardozapub.com/CateringTraining/rcoqctilwn.html",
    f"{_NOTES} §1.2",
)
_STATIC_TABLE = (
    "yzwku.com/doc/691354.html",
    "m.boteman.cn/paper/222389671.html",
    f"{_NOTES} §1.2, §2",
)
_ORDER_49 = "《食品生产经营监督检查管理办法》(SAMR Order 49, 2021-12-24)"
_ORDER_49_TEXT = (
    "LawRefBook/Laws:部门规章/市场监督管理总局/食品生产经营监督检查管理办法(2021-12-24).md",
    f"{_CHECKLIST_NOTES} §1",
)

_FREQUENCY_SOURCE = Source(
    document=_MEASURES_2016,
    article=None,
    where=_PRESS_2016,
    status=RuleStatus.CORROBORATED,
    note="A级原则上每年至少监督检查1次；B级1-2次；C级2-3次；D级3-4次 (press; article text "
    "not read). A deployed county system stores 1/2/3/4 a year per level.",
)

#: Inspections a year per level (2016 press, corroborated).
FREQUENCIES: tuple[Frequency, ...] = (
    Frequency(RiskLevel.A, 1, None, _FREQUENCY_SOURCE),
    Frequency(RiskLevel.B, 1, 2, _FREQUENCY_SOURCE),
    Frequency(RiskLevel.C, 2, 3, _FREQUENCY_SOURCE),
    Frequency(RiskLevel.D, 3, 4, _FREQUENCY_SOURCE),
)

_CATERING = frozenset({BusinessForm.RESTAURANT, BusinessForm.FAST_FOOD, BusinessForm.CHAIN_OUTLET})
_COLLECTIVE = frozenset({BusinessForm.CENTRAL_KITCHEN, BusinessForm.GROUP_MEAL})
_UNIT_CANTEENS = frozenset({BusinessForm.COMPANY_CANTEEN, BusinessForm.CONSTRUCTION_CANTEEN})
_LARGE = frozenset({BusinessScale.LARGE})
_NOT_LARGE = frozenset({BusinessScale.MICRO, BusinessScale.SMALL, BusinessScale.MEDIUM})

#: The static level of each business form and scale; the first rule that matches applies
#: (every form and scale is matched by one: tested).
STATIC_LEVEL_RULES: tuple[StaticLevelRule, ...] = (
    StaticLevelRule(
        key="special_groups",
        forms=frozenset({BusinessForm.SCHOOL_CANTEEN, BusinessForm.HOSPITAL_CANTEEN}),
        scales=None,
        level=RiskLevel.D,
        source=Source(
            document=_MEASURES_2016,
            article=None,
            where=_STATIC_PRESS,
            status=RuleStatus.CORROBORATED,
            note="D级: 为特定人群（病人、老人、学生等）提供餐饮服务的 (2016 press).",
        ),
    ),
    StaticLevelRule(
        key="large_collective",
        forms=_COLLECTIVE | _UNIT_CANTEENS,
        scales=_LARGE,
        level=RiskLevel.D,
        source=Source(
            document=_MEASURES_2016,
            article=None,
            where=_STATIC_PRESS,
            status=RuleStatus.CORROBORATED,
            note="D级: 大规模或者为大量消费者提供就餐服务的中央厨房、用餐配送单位、单位食堂 "
            "(2016 press); 大规模 is read as the registry's scale 'large'.",
        ),
    ),
    StaticLevelRule(
        key="collective",
        forms=_COLLECTIVE,
        scales=_NOT_LARGE,
        level=RiskLevel.C,
        source=Source(
            document=_ORDER_49,
            article="22",
            where=(*_ORDER_49_TEXT, f"{_NOTES} §1.4"),
            status=RuleStatus.UNVERIFIED,
            note="Inference: Order 49 art. 22 (verified) puts central kitchens and group-meal "
            "delivery units under key supervision whatever their level; their level below "
            "大规模 is not in the notes. C is our choice, to be replaced by the province's table.",
        ),
    ),
    StaticLevelRule(
        key="unit_canteens",
        forms=_UNIT_CANTEENS,
        scales=_NOT_LARGE,
        level=RiskLevel.C,
        source=Source(
            document=_MEASURES_2016,
            article=None,
            where=_STATIC_TABLE,
            status=RuleStatus.UNVERIFIED,
            note="Inference: the static table scores 单位食堂 by meals served (≤50 → 2 … >500 → "
            "10 of the 10 points of 业态和规模); the other 30 points (类别和数量) and the "
            "static-only bands are not in the notes. C is our choice.",
        ),
    ),
    StaticLevelRule(
        key="drinks",
        forms=frozenset({BusinessForm.DRINKS}),
        scales=None,
        level=RiskLevel.A,
        source=Source(
            document=_MEASURES_2016,
            article=None,
            where=_STATIC_PRESS,
            status=RuleStatus.UNVERIFIED,
            note="Inference: 自制饮品制售 is the lowest static tier (Ⅰ档, corroborated); that "
            "the tier alone gives level A is our reading.",
        ),
    ),
    StaticLevelRule(
        key="catering_large",
        forms=_CATERING,
        scales=frozenset({BusinessScale.MEDIUM, BusinessScale.LARGE}),
        level=RiskLevel.C,
        source=Source(
            document=_MEASURES_2016,
            article=None,
            where=_STATIC_TABLE,
            status=RuleStatus.UNVERIFIED,
            note="Inference: 业态和规模 points rise with the business area (501-1000 m² → 6, "
            "≥3001 m² → 10); the registry's scale stands for the area. C is our choice.",
        ),
    ),
    StaticLevelRule(
        key="catering_small",
        forms=_CATERING,
        scales=frozenset({BusinessScale.MICRO, BusinessScale.SMALL}),
        level=RiskLevel.B,
        source=Source(
            document=_MEASURES_2016,
            article=None,
            where=_STATIC_TABLE,
            status=RuleStatus.UNVERIFIED,
            note="Inference: ≤150 m² → 2 and 151-500 m² → 4 of the 10 points of 业态和规模; "
            "hot, pastry and cold food without high-risk perishables is static tier Ⅱ. B is "
            "our choice.",
        ),
    ),
    StaticLevelRule(
        key="food_chain_suppliers",
        forms=frozenset(
            {BusinessForm.FOOD_PRODUCER, BusinessForm.WHOLESALER, BusinessForm.MARKET_VENDOR}
        ),
        scales=None,
        level=RiskLevel.B,
        source=Source(
            document=_MEASURES_2016,
            article="3",
            where=(f"{_NOTES} §1.1, §2",),
            status=RuleStatus.UNVERIFIED,
            note="Inference: the 办法 covers production and sales too (art. 3, verified), but "
            "their static tables are not encoded. B is our choice.",
        ),
    ),
)

#: Full-coverage inspection of every business at least once every 2 years (art. 22).
FULL_COVERAGE = NumberRule(
    key="full_coverage_years",
    value=2,
    source=Source(
        document=_ORDER_49,
        article="22",
        where=_ORDER_49_TEXT,
        status=RuleStatus.VERIFIED,
        note="每两年对所有经营者至少一次覆盖全部检查要点的检查. Counted: an inspection that is "
        "not a flying inspection (only flying inspections may cover some items, art. 27).",
    ),
)

#: At least two inspectors (art. 23); the draw's group size cannot be lower.
MIN_GROUP = NumberRule(
    key="min_inspectors",
    value=2,
    source=Source(
        document=_ORDER_49,
        article="23",
        where=_ORDER_49_TEXT,
        status=RuleStatus.VERIFIED,
        note="监督检查应当由2名以上检查人员实施.",
    ),
)

#: A lower level does not repeat, within 3 months, an inspection an upper level made (art. 42).
NO_REPEAT_AFTER_UPPER_LEVEL = NumberRule(
    key="no_repeat_months",
    value=3,
    source=Source(
        document=_ORDER_49,
        article="42",
        where=_ORDER_49_TEXT,
        status=RuleStatus.VERIFIED,
        note="上级已检查的，下级原则上3个月内不重复检查已检项目. A draw leaves out the "
        "businesses an office above the drawing office inspected within the 3 months.",
    ),
)

_ISSUE = Source(
    document="Issue 4 §3 (Plans and 双随机 tasks)",
    article=None,
    where=(),
    status=RuleStatus.UNVERIFIED,
    note="Asked for by the product's issue; the regulation notes quote no article for it.",
)

#: An officer who declared a conflict of interest with a business is not drawn for it.
AVOID_CONFLICTS = NumberRule(key="avoid_declared_conflicts", value=1, source=_ISSUE)
#: The officers of a business's last inspection are not drawn for it again.
AVOID_LAST_INSPECTORS = NumberRule(key="avoid_last_inspectors", value=1, source=_ISSUE)

#: The inspections a plan's progress counts. Follow-up (复查) and complaint-driven
#: inspections answer a finding, not the frequency; the notes do not say, so this is ours.
PLAN_COUNTED_KINDS = frozenset(
    {InspectionKind.ROUTINE, InspectionKind.FLYING, InspectionKind.SYSTEM}
)
#: The inspections that cover every item (Order 49 art. 27: all but flying inspections).
FULL_COVERAGE_KINDS = frozenset(
    kind for kind in InspectionKind if kind is not InspectionKind.FLYING
)


def static_level(form: BusinessForm, scale: BusinessScale) -> StaticLevelRule:
    """The rule that grades a business of this form and scale."""
    for rule in STATIC_LEVEL_RULES:
        if rule.matches(form, scale):
            return rule
    raise LookupError(f"no static level rule for {form.value}/{scale.value}")


def frequency(level: RiskLevel) -> Frequency:
    """The inspections a year ``level`` asks for."""
    return next(f for f in FREQUENCIES if f.level is level)


def forms_and_scales_of(levels: frozenset[RiskLevel]) -> list[tuple[BusinessForm, BusinessScale]]:
    """Every (form, scale) pair graded at one of ``levels`` (a level filter as the
    registry's own columns, so the database can apply it)."""
    return [
        (form, scale)
        for form in BusinessForm
        for scale in BusinessScale
        if static_level(form, scale).level in levels
    ]
