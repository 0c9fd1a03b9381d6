"""Checklists (检查要点表) as versioned data, and the inspections made with them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

# The tables the foreign keys point at must be in the metadata whoever imports this first.
import sunshine.auth.models
import sunshine.regions.models
import sunshine.registry.models  # noqa: F401
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now
from sunshine.inspections.enums import (
    ChecklistStatus,
    InspectionKind,
    InspectionResult,
    ItemOutcome,
)

#: ``Checklist.jurisdiction`` of the national tables (a province's refinement holds its code).
NATIONAL = "national"


class Checklist(Base):
    """One version of a checklist, loaded from a file (see :mod:`sunshine.inspections.files`).

    A province may refine a national version (Order 49 art. 14): its own version names the
    national one as ``base_id`` and holds all items, the added ones marked. The rule that
    derives an inspection's result from its items and what follows each result are data of
    the version, with the sources they were read from.
    """

    __tablename__ = "checklists"
    __table_args__ = (UniqueConstraint("code", "version", "jurisdiction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))  # catering, sales, production
    version: Mapped[str] = mapped_column(String(40))
    jurisdiction: Mapped[str] = mapped_column(String(12), default=NATIONAL)
    base_id: Mapped[int | None] = mapped_column(ForeignKey("checklists.id"))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    document: Mapped[str] = mapped_column(String(400))
    business_category: Mapped[str] = mapped_column(String(24))
    status: Mapped[ChecklistStatus] = mapped_column(str_enum(ChecklistStatus, 12))
    complete: Mapped[bool]
    note_zh: Mapped[str] = mapped_column(Text, default="")
    note_en: Mapped[str] = mapped_column(Text, default="")
    result_rule: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    consequences: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    missing: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    file_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(default=utc_now)
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ChecklistSection(Base):
    __tablename__ = "checklist_sections"
    __table_args__ = (UniqueConstraint("checklist_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklists.id"), index=True)
    code: Mapped[str] = mapped_column(String(12))
    position: Mapped[int]
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))


class ChecklistItem(Base):
    """One item (检查内容): key (重点项) or general (一般项), with its legal basis and the
    business forms it applies to (none: every business the checklist covers)."""

    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("checklist_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklists.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("checklist_sections.id"))
    code: Mapped[str] = mapped_column(String(12))
    position: Mapped[int]
    key: Mapped[bool]
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    applies_to: Mapped[list[str] | None] = mapped_column(JSON)
    basis: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    sources: Mapped[list[str]] = mapped_column(JSON)
    uncertain: Mapped[str | None] = mapped_column(Text)
    provincial: Mapped[bool] = mapped_column(default=False)  # added by a province's refinement


class Inspection(Base):
    """One supervision inspection of one business with one checklist version: who inspected
    (at least two officers, Order 49 art. 23), when and where, each item's outcome and the
    result the checklist's rule derives from them (never typed), what follows from it and
    by when it must be published (20 working days, Order 49 art. 39).

    ``client_key`` is the key the inspector's device gave the record: a record sent again
    (a phone that lost its answer) finds the stored one instead of making a second.
    """

    __tablename__ = "inspections"
    __table_args__ = (
        Index("ix_inspections_business_on", "business_id", "inspected_on"),
        Index("ix_inspections_county_on", "county_code", "inspected_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklists.id"))
    kind: Mapped[InspectionKind] = mapped_column(str_enum(InspectionKind, 16))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    province_code: Mapped[str] = mapped_column(String(6))
    prefecture_code: Mapped[str | None] = mapped_column(String(6))
    county_code: Mapped[str | None] = mapped_column(String(6))
    township_code: Mapped[str | None] = mapped_column(String(12))
    inspected_on: Mapped[date]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    location_accuracy_m: Mapped[float | None]
    result: Mapped[InspectionResult] = mapped_column(str_enum(InspectionResult, 24))
    key_failed: Mapped[int]
    general_failed: Mapped[int]
    general_checked: Mapped[int]
    not_applicable: Mapped[int]
    rectify_by: Mapped[date | None]  # the deadline of a written rectification order
    publish_by: Mapped[date]
    representative_name: Mapped[str] = mapped_column(String(60))
    representative_signature: Mapped[str] = mapped_column(String(32))  # evidence token
    remarks: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_tasks.id"), index=True)


class InspectionInspector(Base):
    """An officer who inspected (and signed) an inspection."""

    __tablename__ = "inspection_inspectors"

    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    position: Mapped[int]
    signature: Mapped[str] = mapped_column(String(32))  # evidence token of the drawn signature


class InspectionItemResult(Base):
    """The outcome of one checklist item in one inspection, with the inspector's note."""

    __tablename__ = "inspection_item_results"
    __table_args__ = (
        # Problems by checklist item (problems_repository): only the rows that did not pass
        # (a few per cent of ten million) are read, with everything the count needs.
        Index(
            "ix_inspection_item_results_not_passed",
            "item_id",
            "outcome",
            "inspection_id",
            postgresql_where=text("outcome <> 'pass'"),
            sqlite_where=text("outcome <> 'pass'"),
        ),
    )

    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"), primary_key=True)
    outcome: Mapped[ItemOutcome] = mapped_column(str_enum(ItemOutcome, 16))
    note: Mapped[str] = mapped_column(Text, default="")
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)  # evidence tokens
