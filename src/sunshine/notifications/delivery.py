"""Sending deliveries: claim one for an attempt, send it outside any transaction, record how
it went. The jobs in :mod:`.tasks` own the transactions around these steps.

Retries back off exponentially: after a failed attempt ``n`` the next is due
``RETRY_DELAYS[n - 1]`` later; the attempt after the last delay is the final one. The time
is reserved when the delivery is claimed, so a worker that dies while sending leaves the
delivery due again at that time instead of stuck.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from sunshine.core import crypto
from sunshine.notifications import channels, repository
from sunshine.notifications.enums import Channel, DeliveryStatus

RETRY_DELAYS = tuple(timedelta(minutes=m) for m in (1, 5, 25, 125, 625))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
ERROR_MAX = 500


@dataclass(frozen=True)
class Claimed:
    """A delivery taken for one attempt, with everything needed to send it (the address
    still encrypted: a value that cannot be decrypted fails the attempt, not the claim)."""

    delivery_id: int
    attempt: int
    channel: Channel
    encrypted_address: str
    subject: str | None
    body: str


@dataclass(frozen=True)
class Outcome:
    status: DeliveryStatus
    provider_message_id: str | None = None
    error: str | None = None
    permanent: bool = False


def retry_delay(attempt: int) -> timedelta:
    """How long after failed attempt ``attempt`` (1-based) the next one is due."""
    return RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]


def claim(*, session: Session, delivery_id: int, now: datetime) -> Claimed | None:
    """Take a pending, due delivery for its next attempt (``None``: not due, or taken)."""
    delivery = repository.get_delivery(session, delivery_id)
    if delivery is None or delivery.status is not DeliveryStatus.PENDING:
        return None
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
        return None
    attempt = delivery.attempts + 1
    if not repository.claim_delivery(
        session,
        delivery_id=delivery_id,
        seen_attempts=delivery.attempts,
        next_attempt_at=now + retry_delay(attempt),
    ):
        return None
    return Claimed(
        delivery_id=delivery.id,
        attempt=attempt,
        channel=delivery.channel,
        encrypted_address=delivery.address,
        subject=delivery.subject,
        body=delivery.body,
    )


def send(claimed: Claimed) -> Outcome:
    """Send through the delivery's channel; every failure becomes an outcome, none escapes."""
    try:
        address = crypto.decrypt(claimed.encrypted_address)
        if claimed.channel is Channel.EMAIL:
            message_id = channels.send_email(
                to=address, subject=claimed.subject or "", body=claimed.body
            )
        else:
            message_id = channels.send_sms(phone=address, text=claimed.body)
    except channels.DeliverySkipped as exc:
        return Outcome(DeliveryStatus.SKIPPED, error=str(exc))
    except channels.PermanentDeliveryError as exc:
        return Outcome(DeliveryStatus.FAILED, error=_describe(exc), permanent=True)
    except Exception as exc:
        return Outcome(DeliveryStatus.PENDING, error=_describe(exc))
    return Outcome(DeliveryStatus.SENT, provider_message_id=message_id[:200])


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_MAX]


def record(
    *, session: Session, claimed: Claimed, outcome: Outcome, now: datetime
) -> DeliveryStatus:
    """Store how the attempt went; a failed attempt with none left makes the delivery failed."""
    delivery = repository.get_delivery(session, claimed.delivery_id)
    if delivery is None:
        return outcome.status
    status = outcome.status
    if status is DeliveryStatus.PENDING and claimed.attempt >= MAX_ATTEMPTS:
        status = DeliveryStatus.FAILED
    delivery.status = status
    delivery.last_error = outcome.error
    if status is DeliveryStatus.SENT:
        delivery.sent_at = now
        delivery.provider_message_id = outcome.provider_message_id
    if status is not DeliveryStatus.PENDING:
        delivery.next_attempt_at = None
    session.flush()
    return status
