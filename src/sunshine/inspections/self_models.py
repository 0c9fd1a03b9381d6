"""Business self-inspections (主体自查), their item answers, the to-dos their problems open
(自查整改待办) and each business's short daily list (see :mod:`self_rules` for the rules)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import sunshine.inspections.models  # noqa: F401 - checklists and items the keys point at
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now
from sunshine.inspections.enums import ItemOutcome
from sunshine.inspections.self_rules import SelfCheckFrequency, TodoStatus


class SelfInspection(Base):
    """One self-inspection of one business for one period of its frequency (a day, an ISO
    week, a month), made with the checklist version in force. One per business, frequency
    and period: a second is refused (the unique key backs the service's check).

    The counts are kept with the record so the regulator's rates by area need no item rows.
    """

    __tablename__ = "self_inspections"
    __table_args__ = (
        UniqueConstraint("business_id", "frequency", "period_start"),
        Index("ix_self_inspections_period", "frequency", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    frequency: Mapped[SelfCheckFrequency] = mapped_column(str_enum(SelfCheckFrequency, 12))
    period_start: Mapped[date]
    period_end: Mapped[date]
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklists.id"))
    checked_on: Mapped[date]  # the local day the check was made
    checked_by_name: Mapped[str] = mapped_column(String(60))  # who walked the kitchen
    item_count: Mapped[int]
    passed: Mapped[int]
    failed: Mapped[int]
    not_applicable: Mapped[int]
    remarks: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)

    @property
    def answered(self) -> int:
        """Items judged (passed or failed); not-applicable items are left out of rates."""
        return self.passed + self.failed


class SelfInspectionAnswer(Base):
    """The answer to one checklist item in one self-inspection, with photos as evidence."""

    __tablename__ = "self_inspection_answers"

    self_inspection_id: Mapped[int] = mapped_column(
        ForeignKey("self_inspections.id"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"), primary_key=True)
    outcome: Mapped[ItemOutcome] = mapped_column(str_enum(ItemOutcome, 16))
    note: Mapped[str] = mapped_column(Text, default="")
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)  # evidence tokens


class SelfCheckTodo(Base):
    """A problem a self-inspection found, to be put right by ``due_on`` (自查整改待办).
    Open and past its due date it is overdue; the business closes it with a note and,
    if it likes, photos of the fix."""

    __tablename__ = "self_check_todos"
    __table_args__ = (
        Index("ix_self_check_todos_business", "business_id", "status"),
        Index("ix_self_check_todos_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    self_inspection_id: Mapped[int] = mapped_column(ForeignKey("self_inspections.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"))
    problem: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date]
    status: Mapped[TodoStatus] = mapped_column(str_enum(TodoStatus, 12), default=TodoStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closing_note: Mapped[str] = mapped_column(Text, default="")
    closing_photos: Mapped[list[str]] = mapped_column(JSON, default=list)  # evidence tokens

    def overdue(self, today: date) -> bool:
        return self.status is TodoStatus.OPEN and self.due_on < today


class SelfCheckDailyList(Base):
    """The items a business checks every day, chosen from one checklist version.

    Codes that are not in the version in force (the table changed) are skipped; with none
    left the default list applies (see :mod:`self_rules`).
    """

    __tablename__ = "self_check_daily_lists"

    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklists.id"))
    item_codes: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
