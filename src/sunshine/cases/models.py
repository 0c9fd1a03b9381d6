"""Cases (案件) and their timeline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from sunshine.cases.enums import CaseKind, CaseState
from sunshine.cases.limits import PauseKind
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now

# The states of the workbench's open queues and of its closed queue. Partial indexes hold
# the cases of each; the queue queries repeat these conditions literally so that both
# PostgreSQL and SQLite see that an index applies.
OPEN_QUEUE_STATES = tuple(s for s in CaseState if s not in (CaseState.CLOSED, CaseState.REJECTED))
CLOSED_QUEUE_STATES = (CaseState.CLOSED, CaseState.REJECTED)
# The columns a regulator's scope tests: the place at each level, the responsible office.
_SCOPE_COLUMNS = ("province_code", "prefecture_code", "county_code", "township_code", "org_unit_id")


def _state_in(*states: CaseState) -> str:
    return "state IN (" + ", ".join(f"'{state.value}'" for state in states) + ")"


def _queue_index(
    name: str, order: tuple[str, ...], carried: tuple[str, ...], where: str | None = None
) -> Index:
    """An index in a queue's order (ending with the unique id) that carries the columns the
    queue's conditions test as further key columns: after the id they change no order,
    and PostgreSQL and SQLite alike read a page's ids and count a queue from the index
    alone instead of reading each case they pass over."""
    condition = None if where is None else text(where)
    return Index(name, *order, *carried, postgresql_where=condition, sqlite_where=condition)


class Case(Base):
    """One complaint, report or lead on the closed-loop workflow.

    The place (region codes, like a business's) decides which regulators see it; the
    responsible org unit decides whose queue it is in. ``due_on`` is the due date of the
    statutory clock running in the current state (none once no clock runs), kept on the row
    so the workbench can sort and filter by it. ``version`` guards against two handlers
    acting at once: the second write finds another version and is refused.
    """

    __tablename__ = "cases"
    __table_args__ = (
        # The open queues (open, due soon, overdue; a few percent of all cases) in their
        # order, and "mine" (an officer's open cases) in the same order.
        _queue_index(
            "ix_cases_open_queue",
            ("due_on", "received_on", "id"),
            ("state", "kind", "assignee_id", *_SCOPE_COLUMNS),
            where=_state_in(*OPEN_QUEUE_STATES),
        ),
        _queue_index(
            "ix_cases_open_mine",
            ("assignee_id", "due_on", "received_on", "id"),
            ("state", "kind", *_SCOPE_COLUMNS),
            where=f"assignee_id IS NOT NULL AND {_state_in(*OPEN_QUEUE_STATES)}",
        ),
        # The closed queue (nearly all cases) in its order, most recently closed or
        # rejected first: by each column a scope tests, so a jurisdiction's page and count
        # are read from its own part of an index (these serve look-ups by the column too,
        # the office's replacing the index on office, state and due date); as a whole, for
        # the scopes that hold most cases; and the rejected alone.
        *(
            _queue_index(
                f"ix_cases_{column}_state_since", (column, "state_since", "id"), ("state", "kind")
            )
            for column in _SCOPE_COLUMNS
        ),
        _queue_index(
            "ix_cases_closed_queue",
            ("state_since", "id"),
            ("state", "kind", *_SCOPE_COLUMNS),
            where=_state_in(*CLOSED_QUEUE_STATES),
        ),
        _queue_index(
            "ix_cases_rejected",
            ("state_since", "id"),
            ("kind", *_SCOPE_COLUMNS),
            where=_state_in(CaseState.REJECTED),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    # No index of their own on kind and state: three and eight values over a million
    # cases (nine in ten closed) pick out too much to help; the queues' indexes carry them.
    kind: Mapped[CaseKind] = mapped_column(str_enum(CaseKind, 16))
    state: Mapped[CaseState] = mapped_column(str_enum(CaseState, 16))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"), index=True)
    # Indexed with the closed queue's order (see ``__table_args__``).
    province_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    county_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    township_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    escalations: Mapped[int] = mapped_column(default=0)
    # 1: filed by a verified whistleblower group (journalists, teachers, ...): handled first.
    priority: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
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
