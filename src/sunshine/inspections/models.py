"""Checklists (检查要点表) as versioned data, with their sections and items."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import sunshine.auth.models  # noqa: F401 - the users table a foreign key names
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now
from sunshine.inspections.enums import ChecklistStatus

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
