"""The hygiene rating (餐饮服务食品安全量化分级) each scored inspection gives.

One row per inspection scored with a scoring table (see :mod:`sunshine.inspections.hygiene`):
the points achieved and applicable, the score, and the dynamic grade (动态等级) or why there
is none. Written in the transaction that records the inspection (a listener) or by the
backfill; never edited by hand. The annual grade (年度等级) is read from these rows.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

import sunshine.inspections.models  # noqa: F401 - the inspections table first
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now


class HygieneGrade(StrEnum):
    """The dynamic grade (动态等级) of one inspection, shown as a face."""

    EXCELLENT = "excellent"  # 优秀 · 大笑
    GOOD = "good"  # 良好 · 微笑
    AVERAGE = "average"  # 一般 · 平脸


class AnnualGrade(StrEnum):
    """The annual grade (年度等级) over the last 12 months."""

    A = "A"  # 优秀
    B = "B"  # 良好
    C = "C"  # 一般


class NoGradeReason(StrEnum):
    """Why a scored inspection gives no dynamic grade (不评定等级)."""

    BELOW_MINIMUM = "below_minimum"  # score under 60
    KEY_ITEMS = "key_items"  # 2 or more key items failed (Hainan rule, unverified)
    NEW_LICENCE = "new_licence"  # within 3 months of a new licence (2012 guidance)


class HygieneScore(Base):
    """The hygiene score of one inspection (量化评分) and its dynamic grade."""

    __tablename__ = "hygiene_scores"
    __table_args__ = (
        # The store page reads a business's latest score and its last 12 months.
        Index("ix_hygiene_scores_business_on", "business_id", "inspected_on"),
    )

    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    inspected_on: Mapped[date]
    table_code: Mapped[str] = mapped_column(String(40))  # the scoring table, e.g. jiangsu-2016
    column: Mapped[str] = mapped_column(String(2))  # L / S / C / U of the table
    achieved_points: Mapped[int]
    applicable_points: Mapped[int]
    score_tenths: Mapped[int]  # the score x 10: 1000 is 100.0 (kept exact, one decimal)
    key_failed: Mapped[int]
    grade: Mapped[HygieneGrade | None] = mapped_column(str_enum(HygieneGrade, 12))
    no_grade_reason: Mapped[NoGradeReason | None] = mapped_column(str_enum(NoGradeReason, 16))
    scored_at: Mapped[datetime] = mapped_column(default=utc_now)

    @property
    def score(self) -> float:
        return self.score_tenths / 10
