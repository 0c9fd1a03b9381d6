"""The hygiene rating rules (餐饮服务食品安全量化分级) as data, and the pure arithmetic.

The scoring table ships as ``checklists/hygiene-jiangsu-2016.json``: the Jiangsu 量化分级
评分表 with its per-item points for four business types (columns L / S / C / U), read from
a deployed app's template (``../shared/regulations/risk-grading.md`` §3, corroborated).
It scores inspections made with the 2016 national catering checklist (表1-3), whose 30
items it numbers the same way. Its rule, quoted in the file: a failed item loses all its
points; a not-applicable item (合理缺项) comes out of the maximum; score = achieved /
applicable × 100 to one decimal; 90 / 75 / 60 → 优秀 / 良好 / 一般 (faces 大笑 / 微笑 /
平脸, 2012 guidance, §4). What the file marks unverified (the form → column mapping, the
"two failed key items → no grade" rule taken from Hainan, the annual averaging taken from
the 2011 draft, and the project's treatment of the judgement items 31–32) is said so on
the public page too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib.resources import files
from typing import Any

from sunshine.inspections.enums import ItemOutcome
from sunshine.inspections.hygiene_models import AnnualGrade, HygieneGrade, NoGradeReason
from sunshine.registry.enums import BusinessForm, BusinessScale

BUNDLED_TABLES = ("hygiene-jiangsu-2016.json",)


@dataclass(frozen=True)
class HygieneTable:
    """One scoring table: the points of each checklist item (by its code) per column."""

    code: str
    checklist_code: str
    checklist_version: str
    points: Mapping[str, Mapping[str, int | None]]  # item code -> column -> points
    excellent: int
    good: int
    average: int
    key_failures_no_grade: int
    new_licence_months: int
    annual_months: int
    annual_thresholds: Mapping[AnnualGrade, int]
    by_form: Mapping[str, str]
    by_scale: Mapping[str, str]
    scaled_forms: frozenset[str]

    def column_for(self, form: BusinessForm, scale: BusinessScale) -> str | None:
        """The column that scores a business of this form and scale (None: not a caterer
        the table covers). The mapping is an inference, marked unverified in the file."""
        if form.value in self.by_form:
            return self.by_form[form.value]
        if form.value in self.scaled_forms:
            return self.by_scale.get(scale.value)
        return None


def _read(name: str) -> HygieneTable:
    doc: dict[str, Any] = json.loads(
        (files("sunshine.inspections") / "checklists" / name).read_text("utf-8")
    )
    rule = doc["rule"]
    forms = doc["forms"]
    thresholds = rule["thresholds"]
    return HygieneTable(
        code=doc["code"],
        checklist_code=doc["checklist"]["code"],
        checklist_version=doc["checklist"]["version"],
        points={item["code"]: dict(item["points"]) for item in doc["items"]},
        excellent=int(thresholds["excellent"]),
        good=int(thresholds["good"]),
        average=int(thresholds["average"]),
        key_failures_no_grade=int(rule["no_grade"]["key_failures_at_least"]),
        new_licence_months=int(rule["new_licence_months"]),
        annual_months=int(rule["annual"]["months"]),
        annual_thresholds={AnnualGrade(k): int(v) for k, v in rule["annual"]["thresholds"].items()},
        by_form=dict(forms["by_form"]),
        by_scale=dict(forms["by_scale"]),
        scaled_forms=frozenset(forms["scaled_forms"]),
    )


@cache
def tables() -> tuple[HygieneTable, ...]:
    """The shipped scoring tables (read once)."""
    return tuple(_read(name) for name in BUNDLED_TABLES)


def table_for(checklist_code: str, checklist_version: str) -> HygieneTable | None:
    """The table that scores inspections made with this checklist version; None: such
    inspections get no hygiene score (e.g. the 2022 draft, which no table numbers yet)."""
    for table in tables():
        if (table.checklist_code, table.checklist_version) == (checklist_code, checklist_version):
            return table
    return None


@dataclass(frozen=True)
class Score:
    achieved: int
    applicable: int
    tenths: int  # the score x 10, rounded half up (保留小数点后一位)
    key_failed: int

    @property
    def value(self) -> float:
        return self.tenths / 10


def score(
    table: HygieneTable, column: str, outcomes: Iterable[tuple[str, bool, ItemOutcome]]
) -> Score | None:
    """The score of one inspection from its items' (code, key, outcome).

    Every item the table scores must be answered: a flying inspection that checked only
    some items gives no score (None), as the table standardises for 合理缺项 only. Items
    the column has no points for ("–") count for nothing either way. The judgement items
    31–32 are not recorded, so they are not applicable (out of the maximum, see the file).
    """
    answered = {code: (key, outcome) for code, key, outcome in outcomes}
    achieved = applicable = key_failed = 0
    for code, by_column in table.points.items():
        if code not in answered:
            return None
        key, outcome = answered[code]
        if outcome is ItemOutcome.FAIL and key:
            key_failed += 1
        points = by_column.get(column)
        if points is None or outcome is ItemOutcome.NOT_APPLICABLE:
            continue
        applicable += points
        if outcome is ItemOutcome.PASS:
            achieved += points
    if applicable == 0:
        return None
    tenths = (Decimal(achieved * 1000) / Decimal(applicable)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return Score(achieved, applicable, int(tenths), key_failed)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has 28 days


def dynamic_grade(
    table: HygieneTable, result: Score, *, inspected_on: date, licence_issued_on: date | None
) -> tuple[HygieneGrade | None, NoGradeReason | None]:
    """The dynamic grade of a score, or why there is none: within 3 months of a new
    licence (2012 guidance), 2 or more key items failed (Hainan), or under 60."""
    if licence_issued_on is not None and inspected_on < add_months(
        licence_issued_on, table.new_licence_months
    ):
        return None, NoGradeReason.NEW_LICENCE
    if result.key_failed >= table.key_failures_no_grade:
        return None, NoGradeReason.KEY_ITEMS
    return grade_of(table, result.tenths)


def grade_of(table: HygieneTable, tenths: int) -> tuple[HygieneGrade | None, NoGradeReason | None]:
    if tenths >= table.excellent * 10:
        return HygieneGrade.EXCELLENT, None
    if tenths >= table.good * 10:
        return HygieneGrade.GOOD, None
    if tenths >= table.average * 10:
        return HygieneGrade.AVERAGE, None
    return None, NoGradeReason.BELOW_MINIMUM


def annual_grade(
    table: HygieneTable, scores_tenths: Iterable[int]
) -> tuple[AnnualGrade | None, int | None]:
    """The annual grade from the last 12 months' scores: their mean (to one decimal, half
    up) against 90 / 75 / 60 → A / B / C (2011 draft, unverified); none under 60 or when
    there is no score. Returns the grade and the mean x 10."""
    values = list(scores_tenths)
    if not values:
        return None, None
    mean = (Decimal(sum(values)) / Decimal(len(values))).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    tenths = int(mean)
    for grade, threshold in sorted(table.annual_thresholds.items(), key=lambda kv: -kv[1]):
        if tenths >= threshold * 10:
            return grade, tenths
    return None, tenths
