"""Sampling plans and tasks, samples and their test items (抽检数据库)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

# The tables the foreign keys point at must be in the metadata whoever imports this first.
import sunshine.auth.models
import sunshine.cases.models
import sunshine.regions.models
import sunshine.registry.models  # noqa: F401
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now
from sunshine.regions.enums import RegionLevel
from sunshine.sampling.enums import (
    Comparator,
    Conclusion,
    ProductCategory,
    SampleStatus,
    TaskStatus,
    Verdict,
)

#: Values as laboratories report them: up to 12 digits before the point and 6 after.
VALUE = Numeric(18, 6)


class SamplingPlan(Base):
    """A year's sampling plan (抽检计划) of one office's jurisdiction: how many samples of
    which product categories it means to take (:class:`SamplingTarget`).

    The office's region is kept with its level and the codes above it, so a plan is seen
    by regulators of its area and of the areas above and below it.
    """

    __tablename__ = "sampling_plans"
    __table_args__ = (Index("ix_sampling_plans_region_year", "region_code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12))
    region_level: Mapped[RegionLevel] = mapped_column(str_enum(RegionLevel, 12))
    province_code: Mapped[str] = mapped_column(String(6))
    prefecture_code: Mapped[str | None] = mapped_column(String(6))
    county_code: Mapped[str | None] = mapped_column(String(6))
    township_code: Mapped[str | None] = mapped_column(String(12))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class SamplingTarget(Base):
    """How many samples of one product category a plan means to take."""

    __tablename__ = "sampling_targets"

    plan_id: Mapped[int] = mapped_column(ForeignKey("sampling_plans.id"), primary_key=True)
    category: Mapped[ProductCategory] = mapped_column(
        str_enum(ProductCategory, 24), primary_key=True
    )
    target_count: Mapped[int]


class SamplingTask(Base):
    """One sampling task (抽检任务): sample this business (a product of this category) by
    this day; the office responsible for the business's place does it."""

    __tablename__ = "sampling_tasks"
    __table_args__ = (Index("ix_sampling_tasks_county_due", "county_code", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("sampling_plans.id"), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    category: Mapped[ProductCategory] = mapped_column(str_enum(ProductCategory, 24))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    due_on: Mapped[date]
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus, 8))
    province_code: Mapped[str] = mapped_column(String(6))
    prefecture_code: Mapped[str | None] = mapped_column(String(6))
    county_code: Mapped[str | None] = mapped_column(String(6))
    township_code: Mapped[str | None] = mapped_column(String(12))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Sample(Base):
    """One sample (样品) taken at a business: the product and batch, where, when and by whom
    it was sampled, the laboratory's report and the conclusion its test items give.

    The place of the business is copied (as for inspections) so a regulator's scope and
    the failure rates by area are one indexed column each. ``case_id`` is the verification
    and disposal case (核查处置) a failed sample opened.
    """

    __tablename__ = "samples"
    __table_args__ = (
        Index("ix_samples_business_on", "business_id", "sampled_on"),
        Index("ix_samples_county_on", "county_code", "sampled_on"),
        Index("ix_samples_prefecture_on", "prefecture_code", "sampled_on"),
        Index("ix_samples_township_on", "township_code", "sampled_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    # The number of the sampling form (抽样单编号) when the national system gave one.
    sampling_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("sampling_plans.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("sampling_tasks.id"), unique=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    province_code: Mapped[str] = mapped_column(String(6))
    prefecture_code: Mapped[str | None] = mapped_column(String(6))
    county_code: Mapped[str | None] = mapped_column(String(6))
    township_code: Mapped[str | None] = mapped_column(String(12))
    product_name: Mapped[str] = mapped_column(String(100))
    category: Mapped[ProductCategory] = mapped_column(str_enum(ProductCategory, 24))
    batch_number: Mapped[str] = mapped_column(String(60))
    production_date: Mapped[date | None]
    sampled_at: Mapped[datetime]
    sampled_on: Mapped[date]  # the local day of ``sampled_at`` (years and lists use it)
    sampling_place: Mapped[str] = mapped_column(String(120))
    sampling_agency: Mapped[str] = mapped_column(String(120))
    samplers: Mapped[str] = mapped_column(String(120))
    status: Mapped[SampleStatus] = mapped_column(str_enum(SampleStatus, 12))
    conclusion: Mapped[Conclusion | None] = mapped_column(str_enum(Conclusion, 12))
    failed_items: Mapped[int] = mapped_column(default=0)
    lab_name: Mapped[str | None] = mapped_column(String(120))
    report_number: Mapped[str | None] = mapped_column(String(60))
    report_date: Mapped[date | None]
    completed_at: Mapped[datetime | None]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own attribute


class SampleItem(Base):
    """One test item (检验项目) of a sample: what was tested, against which standard's limit
    and by which method, what the laboratory found and the verdict.

    The limit and the result are kept as written (``limit_text``, ``result_text``: "0.2",
    "未检出", "阴性") and, when they are numbers, as values for comparing and counting. The
    verdict is computed from a numeric result and its limit; for a qualitative item it is
    the one the laboratory states.
    """

    __tablename__ = "sample_items"
    __table_args__ = (UniqueConstraint("sample_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100), index=True)
    standard: Mapped[str] = mapped_column(String(120))  # 判定依据, e.g. GB 2762-2022
    method: Mapped[str] = mapped_column(String(120))  # 检验方法, e.g. GB 5009.12-2023
    comparator: Mapped[Comparator] = mapped_column(str_enum(Comparator, 16))
    limit_text: Mapped[str] = mapped_column(String(40))
    limit_value: Mapped[Decimal | None] = mapped_column(VALUE)
    unit: Mapped[str] = mapped_column(String(24))
    result_text: Mapped[str | None] = mapped_column(String(40))
    result_value: Mapped[Decimal | None] = mapped_column(VALUE)
    result_unit: Mapped[str | None] = mapped_column(String(24))
    verdict: Mapped[Verdict | None] = mapped_column(str_enum(Verdict, 8))
