"""Inspection plans (年度监督检查计划), 双随机 draws (随机抽取检查对象、随机选派执法检查人员),
declared conflicts of interest (回避) and inspection tasks (检查任务)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

# The tables the foreign keys point at must be in the metadata whoever imports this first.
import sunshine.auth.models
import sunshine.cases.models
import sunshine.regions.models
import sunshine.registry.models  # noqa: F401
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now
from sunshine.inspections.enums import InspectionKind
from sunshine.inspections.plan_enums import DrawStatus, RiskLevel, TaskSource, TaskStatus
from sunshine.regions.enums import RegionLevel


class InspectionPlan(Base):
    """One office's yearly inspection plan for its jurisdiction: each operating business
    with the level it was graded and how many inspections that level asks for (a line per
    business, :class:`InspectionPlanItem`). ``rules_version`` names the rules it was made
    with (:mod:`sunshine.inspections.plan_rules`); refreshing it re-grades every business."""

    __tablename__ = "inspection_plans"
    __table_args__ = (UniqueConstraint("org_unit_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    region_code: Mapped[str] = mapped_column(String(12))
    region_level: Mapped[RegionLevel] = mapped_column(str_enum(RegionLevel, 12))
    year: Mapped[int]
    rules_version: Mapped[str] = mapped_column(String(40))
    businesses: Mapped[int]
    required: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    refreshed_at: Mapped[datetime] = mapped_column(default=utc_now)


class InspectionPlanItem(Base):
    """A business in a plan: its level, the rule that gave it, and the inspections the
    level asks for in the year (at least ``required``, at most ``maximum``)."""

    __tablename__ = "inspection_plan_items"
    __table_args__ = (Index("ix_inspection_plan_items_plan_area", "plan_id", "area_code", "level"),)

    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id"), primary_key=True)
    business_id: Mapped[int] = mapped_column(
        ForeignKey("businesses.id"), primary_key=True, index=True
    )
    area_code: Mapped[str] = mapped_column(String(12))  # the division one level below the plan's
    level: Mapped[RiskLevel] = mapped_column(str_enum(RiskLevel, 1))
    rule_key: Mapped[str] = mapped_column(String(40))
    required: Mapped[int]
    maximum: Mapped[int | None]


class InspectorConflict(Base):
    """A conflict of interest (利害关系, 回避) an officer declared with a business: the
    officer is never drawn to inspect it while the declaration stands."""

    __tablename__ = "inspector_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(default=utc_now)
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RandomDraw(Base):
    """One 双随机 draw, with everything needed to reproduce it: the filters, the ordered
    candidate ids (and their SHA-256), the businesses left out and why, the seed, the
    algorithm's version and the SHA-256 of the result. See :mod:`sunshine.inspections.draws`."""

    __tablename__ = "random_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12))
    region_level: Mapped[RegionLevel] = mapped_column(str_enum(RegionLevel, 12))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[DrawStatus] = mapped_column(str_enum(DrawStatus, 12))
    filters: Mapped[dict[str, Any]] = mapped_column(JSON)
    quantity_kind: Mapped[str] = mapped_column(String(8))  # count | percent
    quantity: Mapped[str] = mapped_column(String(12))  # decimal text: "50", "12.5"
    group_size: Mapped[int]
    due_on: Mapped[date]
    as_of: Mapped[date]  # the local day of the draw (the 3-month look-back counts from it)
    seed: Mapped[str] = mapped_column(String(64))
    algorithm: Mapped[str] = mapped_column(String(40))
    candidate_ids: Mapped[list[int]] = mapped_column(JSON)
    candidate_count: Mapped[int]
    candidates_sha256: Mapped[str] = mapped_column(String(64))
    excluded: Mapped[dict[str, list[int]]] = mapped_column(JSON)
    drawn_count: Mapped[int]
    result_sha256: Mapped[str] = mapped_column(String(64))
    drawn_at: Mapped[datetime] = mapped_column(default=utc_now)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RandomDrawEntry(Base):
    """A drawn business, in draw order, with the officers it could be given (``pool``,
    sorted), those left out and why (``excluded``: conflict, last_inspection) and the
    group drawn from the pool (empty when the pool held fewer than the group size)."""

    __tablename__ = "random_draw_entries"

    draw_id: Mapped[int] = mapped_column(ForeignKey("random_draws.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    pool: Mapped[list[int]] = mapped_column(JSON)
    excluded: Mapped[dict[str, list[int]]] = mapped_column(JSON)
    inspector_ids: Mapped[list[int]] = mapped_column(JSON)


class InspectionTask(Base):
    """An inspection to be made: of one business, by its station (the most local office
    covering it) and the officers named, by a due date. It comes from a draw or a case and
    is fulfilled by the inspection that names it (``Inspection.task_id``). The place codes
    are the business's, so a regulator's scope is one indexed equality, as for inspections."""

    __tablename__ = "inspection_tasks"
    __table_args__ = (
        Index("ix_inspection_tasks_county_status_due", "county_code", "status", "due_on"),
        Index("ix_inspection_tasks_township_status_due", "township_code", "status", "due_on"),
        Index("ix_inspection_tasks_business_status", "business_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[TaskSource] = mapped_column(str_enum(TaskSource, 8))
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("random_draws.id"), index=True)
    draw_position: Mapped[int | None]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    kind: Mapped[InspectionKind] = mapped_column(str_enum(InspectionKind, 16))
    province_code: Mapped[str] = mapped_column(String(6), index=True)
    prefecture_code: Mapped[str] = mapped_column(String(6), index=True)
    county_code: Mapped[str] = mapped_column(String(6))
    township_code: Mapped[str | None] = mapped_column(String(12))
    due_on: Mapped[date]
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus, 12))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]


class InspectionTaskInspector(Base):
    """An officer assigned to a task."""

    __tablename__ = "inspection_task_inspectors"

    task_id: Mapped[int] = mapped_column(ForeignKey("inspection_tasks.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    position: Mapped[int]
