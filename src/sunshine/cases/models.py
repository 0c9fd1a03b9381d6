"""Cases (案件) and their timeline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sunshine.cases.enums import CaseKind, CaseState
from sunshine.cases.limits import PauseKind
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now


class Case(Base):
    """One complaint, report or lead on the closed-loop workflow.

    The place (region codes, like a business's) decides which regulators see it; the
    responsible org unit decides whose queue it is in. ``due_on`` is the due date of the
    statutory clock running in the current state (none once no clock runs), kept on the row
    so the workbench can sort and filter by it. ``version`` guards against two handlers
    acting at once: the second write finds another version and is refused.
    """

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_org_unit_state_due", "org_unit_id", "state", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[CaseKind] = mapped_column(str_enum(CaseKind, 16), index=True)
    state: Mapped[CaseState] = mapped_column(str_enum(CaseState, 16), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"), index=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    township_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    escalations: Mapped[int] = mapped_column(default=0)
    received_on: Mapped[date]
    state_since: Mapped[date]  # local date the current state was entered
    due_on: Mapped[date | None] = mapped_column(index=True)
    due_limit_key: Mapped[str | None] = mapped_column(String(48))
    # The due dates already warned about and escalated for, so the sweep acts once each.
    warned_for_due_on: Mapped[date | None]
    escalated_for_due_on: Mapped[date | None]
    received_at: Mapped[datetime] = mapped_column(default=utc_now)
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own attribute


class CaseEvent(Base):
    """One step on a case's timeline (who did what, when, from which state and unit)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utc_now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the scheduler
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[CaseState | None] = mapped_column(str_enum(CaseState, 16))
    to_state: Mapped[CaseState] = mapped_column(str_enum(CaseState, 16))
    from_org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    to_org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)


class CasePause(Base):
    """An interval a statutory clock does not count (e.g. waiting for a lab result, 检测)."""

    __tablename__ = "case_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[PauseKind] = mapped_column(str_enum(PauseKind, 24))
    start_on: Mapped[date]
    end_on: Mapped[date | None]
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class CaseExtension(Base):
    """An approved extension (延长) of the clock ``rule_key`` extends (who approved, why)."""

    __tablename__ = "case_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    limit_key: Mapped[str] = mapped_column(String(48))  # the clock extended
    rule_key: Mapped[str] = mapped_column(String(48))  # the extension's own rule
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
