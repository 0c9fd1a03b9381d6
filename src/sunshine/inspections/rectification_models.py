"""Rectification orders (责令整改通知) and the penalty decisions (行政处罚决定) of the
enforcement cases they lead to.

An inspection whose result is 基本符合 or 不符合 orders the business, in writing, to put the
failed items right by a deadline (SAMR Order 49 art. 33 ¶1; 行政处罚法 art. 28 ¶1 for the
findings that go on to an investigation). The business answers item by item with evidence;
the regulator accepts the answer on a desk review (书面审查) or sends it back, or a follow-up
inspection (复查) closes it. An order left unresolved after its deadline, or a serious
finding (a key item failed, Order 49 art. 32), becomes an enforcement case (立案查处) in the
case engine, on which the penalty decisions are recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

# The tables the foreign keys point at must be in the metadata whoever imports this first.
import sunshine.cases.models
import sunshine.inspections.models  # noqa: F401
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now
from sunshine.inspections.rectification_enums import (
    AnswerOutcome,
    ClosedBy,
    OrderEventKind,
    OrderState,
)


class RectificationOrder(Base):
    """The written order to rectify (责令限期整改) that one inspection gave one business.

    The place (region codes, copied from the inspection) decides which regulators see it.
    ``version`` guards against a review and an answer crossing: the second write is refused.
    """

    __tablename__ = "rectification_orders"
    __table_args__ = (
        Index("ix_rectification_orders_county_state", "county_code", "state"),
        Index("ix_rectification_orders_township_state", "township_code", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), unique=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    province_code: Mapped[str] = mapped_column(String(6))
    prefecture_code: Mapped[str | None] = mapped_column(String(6))
    county_code: Mapped[str | None] = mapped_column(String(6))
    township_code: Mapped[str | None] = mapped_column(String(12))
    issued_on: Mapped[date]
    rectify_by: Mapped[date]
    serious: Mapped[bool]  # a key item failed (Order 49 art. 32: investigate)
    state: Mapped[OrderState] = mapped_column(str_enum(OrderState, 12))
    state_since: Mapped[date]
    closed_by: Mapped[ClosedBy | None] = mapped_column(str_enum(ClosedBy, 12))
    follow_up_inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    follow_up_failed: Mapped[bool] = mapped_column(default=False)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own attribute


class RectificationOrderItem(Base):
    """One failed checklist item the order names, with what the inspector found."""

    __tablename__ = "rectification_order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("rectification_orders.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"))
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(12))
    key: Mapped[bool]
    finding: Mapped[str] = mapped_column(Text, default="")


class RectificationAnswer(Base):
    """One answer (整改报告) of the business, and the regulator's desk review of it."""

    __tablename__ = "rectification_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("rectification_orders.id"), index=True)
    round: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utc_now)
    outcome: Mapped[AnswerOutcome] = mapped_column(str_enum(AnswerOutcome, 12))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_reason: Mapped[str] = mapped_column(Text, default="")


class RectificationAnswerItem(Base):
    """What the business did about one item; its photos and PDFs are evidence files of
    owner ``rectification_item``."""

    __tablename__ = "rectification_answer_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("rectification_answers.id"), index=True)
    order_item_id: Mapped[int] = mapped_column(ForeignKey("rectification_order_items.id"))
    action: Mapped[str] = mapped_column(Text)


class RectificationEvent(Base):
    """One step on an order's timeline (who, what, when, why; the inspection or case)."""

    __tablename__ = "rectification_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("rectification_orders.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utc_now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[OrderEventKind] = mapped_column(str_enum(OrderEventKind, 20))
    reason: Mapped[str] = mapped_column(Text, default="")
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))


class PenaltyDecision(Base):
    """A penalty decision (行政处罚决定书) on an enforcement case: its number, the penalties
    (types from 行政处罚法 art. 9, see ``rectification_penalties.PENALTY_TYPES``), amounts in
    yuan, the legal basis of the violation and of the penalty, and the days it was decided,
    served (送达) and executed or paid. Published on the store page (行政处罚信息公示)
    without personal data; its documents (PDF) are evidence files of owner
    ``penalty_decision``."""

    __tablename__ = "penalty_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    penalty_types: Mapped[list[str]] = mapped_column(JSON)
    fine_yuan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    confiscated_income_yuan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    confiscated_property: Mapped[str] = mapped_column(Text, default="")
    violation: Mapped[str] = mapped_column(Text)
    violated_law: Mapped[str] = mapped_column(String(200))
    violated_article: Mapped[str] = mapped_column(String(60))
    penalty_law: Mapped[str] = mapped_column(String(200))
    penalty_article: Mapped[str] = mapped_column(String(60))
    decided_on: Mapped[date]
    served_on: Mapped[date | None]
    executed_on: Mapped[date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)
