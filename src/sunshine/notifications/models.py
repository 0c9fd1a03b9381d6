"""Notifications (通知) and their deliveries by email and SMS."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The tables the foreign keys point at must be in the metadata whoever imports this first.
import sunshine.auth.models
import sunshine.cases.models  # noqa: F401
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now
from sunshine.notifications.enums import Channel, DeliveryStatus


class Notification(Base):
    """One message to one recipient: a user (then it is in their inbox) or a contact
    without an account (an anonymous complainant, an insurer's claims desk).

    ``subject`` and ``body`` are the message rendered in the recipient's language when it
    was made, from ``kind`` and ``params`` (kept so a page can show it in another
    language). ``contact_hint`` is the masked address of a contact, for the case timeline.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        # The unread badge on every portal page counts with this index alone.
        Index("ix_notifications_recipient_unread", "recipient_user_id", "read_at"),
        # The inbox lists a user's notifications newest first.
        Index("ix_notifications_recipient_newest", "recipient_user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    contact_hint: Mapped[str | None] = mapped_column(String(120))
    locale: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    read_at: Mapped[datetime | None]

    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="notification",
        lazy="raise",
        order_by="Delivery.id",
        cascade="all, delete-orphan",
    )


class Delivery(Base):
    """One notification sent by one channel: what was sent, to whom, and how it went.

    ``address`` is encrypted (``sunshine.core.crypto``); ``address_hint`` is its masked form.
    ``subject``/``body`` are exactly the text sent. A delivery is claimed for an attempt by
    raising ``attempts`` and moving ``next_attempt_at`` to when the attempt after it is due,
    so a worker that dies while sending leaves it to be retried, never lost.
    """

    __tablename__ = "notification_deliveries"
    __table_args__ = (Index("ix_notification_deliveries_status_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 8))
    address: Mapped[str] = mapped_column(String(500))
    address_hint: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, 8), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    notification: Mapped[Notification] = relationship(back_populates="deliveries", lazy="raise")
