"""Every query of the notifications domain."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from sunshine.auth.models import User
from sunshine.core.pagination import Page, PageRequest
from sunshine.notifications.enums import DeliveryStatus
from sunshine.notifications.models import Delivery, Notification


def users_by_id(session: Session, ids: Collection[int]) -> dict[int, User]:
    if not ids:
        return {}
    users = session.execute(select(User).where(User.id.in_(ids))).scalars()
    return {user.id: user for user in users}


def inbox_page(
    session: Session, *, user_id: int, page: PageRequest, unread_only: bool = False
) -> Page[Notification]:
    """A user's notifications, newest first."""
    condition = [Notification.recipient_user_id == user_id]
    if unread_only:
        condition.append(Notification.read_at.is_(None))
    items = (
        session.execute(
            select(Notification)
            .where(*condition)
            .order_by(Notification.id.desc())
            .offset(page.offset)
            .limit(page.per_page)
        )
        .scalars()
        .all()
    )
    total = session.execute(
        select(func.count()).select_from(Notification).where(*condition)
    ).scalar_one()
    return Page(items=items, total=total, request=page)


def count_unread(session: Session, *, user_id: int, cap: int) -> int:
    """How many of a user's notifications are unread, counting no further than ``cap``
    (a badge shows "99+"; counting a neglected inbox of thousands would be wasted work)."""
    unread = (
        select(Notification.id)
        .where(Notification.recipient_user_id == user_id, Notification.read_at.is_(None))
        .limit(cap)
        .subquery()
    )
    return session.execute(select(func.count()).select_from(unread)).scalar_one()


def own_notification(
    session: Session, *, user_id: int, notification_id: int
) -> Notification | None:
    return session.execute(
        select(Notification).where(
            Notification.id == notification_id, Notification.recipient_user_id == user_id
        )
    ).scalar_one_or_none()


def mark_all_read(session: Session, *, user_id: int, at: datetime) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.recipient_user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=at)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def notifications_of_case(session: Session, case_id: int) -> Sequence[Notification]:
    """Every notification about a case with its deliveries, oldest first (the timeline)."""
    return (
        session.execute(
            select(Notification)
            .where(Notification.case_id == case_id)
            .options(selectinload(Notification.deliveries))
            .order_by(Notification.id)
        )
        .scalars()
        .all()
    )


def deliveries_of(session: Session, notification_id: int) -> Sequence[Delivery]:
    return (
        session.execute(
            select(Delivery)
            .where(Delivery.notification_id == notification_id)
            .order_by(Delivery.id)
        )
        .scalars()
        .all()
    )


def due_delivery_ids(
    session: Session, *, now: datetime, limit: int, notification_id: int | None = None
) -> list[int]:
    """Pending deliveries whose next attempt is due, the longest waiting first."""
    statement = select(Delivery.id).where(
        Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now
    )
    if notification_id is not None:
        statement = statement.where(Delivery.notification_id == notification_id)
    statement = statement.order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)
    return list(session.execute(statement).scalars())


def claim_delivery(
    session: Session, *, delivery_id: int, seen_attempts: int, next_attempt_at: datetime
) -> bool:
    """Take a pending delivery for one attempt; ``False`` when another worker took it first
    (its attempt count moved on) or it is no longer pending."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.attempts == seen_attempts,
        )
        .values(attempts=seen_attempts + 1, next_attempt_at=next_attempt_at)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def get_delivery(session: Session, delivery_id: int) -> Delivery | None:
    return session.get(Delivery, delivery_id)


def users_by_username(session: Session, usernames: Collection[str]) -> list[User]:
    return list(
        session.execute(
            select(User).where(User.username.in_(usernames)).order_by(User.id)
        ).scalars()
    )
