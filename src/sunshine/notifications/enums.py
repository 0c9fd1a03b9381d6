"""Channels and delivery states of notifications (通知)."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """An outbound channel. The in-app inbox is not one: every notification to a user is in
    their inbox from the moment the transaction that made it commits."""

    EMAIL = "email"
    SMS = "sms"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its first or next attempt
    SENT = "sent"  # accepted by the SMTP server or the SMS gateway
    FAILED = "failed"  # refused for good, or every attempt failed
    SKIPPED = "skipped"  # not attempted, for the reason recorded (e.g. no SMTP server set up)
