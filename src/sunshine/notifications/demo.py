"""Demo inbox messages: a welcome for every demo account, and a licence reminder for the
owners whose licence runs out within half a year. Deterministic: the same data and day
give the same messages."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from sunshine.auth.enums import Role
from sunshine.core.time import SHANGHAI
from sunshine.notifications import kinds, repository
from sunshine.notifications.service import notify
from sunshine.registry.models import Business

REMIND_WITHIN = timedelta(days=180)


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def seed_notifications(*, session: Session, usernames: list[str], today: date) -> int:
    """Add the demo messages for the accounts ``usernames``; returns how many were added."""
    added = 0
    for user in repository.users_by_username(session, usernames):
        welcome = notify(
            session=session,
            kind=kinds.ACCOUNT_WELCOME.key,
            recipients=[user.id],
            params={"username": user.username},
        )
        for notification in welcome:
            notification.created_at = _at(today - timedelta(days=3), 9, 0)
        added += len(welcome)
        business = session.get(Business, user.business_id) if user.business_id else None
        if user.role is not Role.ENTERPRISE_OWNER or business is None:
            continue
        if not today <= business.licence_expiry_date <= today + REMIND_WITHIN:
            continue
        reminder = notify(
            session=session,
            kind=kinds.LICENCE_EXPIRING.key,
            recipients=[user.id],
            params={
                "business": business.name,
                "licence_number": business.licence_number,
                "expiry_date": business.licence_expiry_date.isoformat(),
            },
            link="/biz/profile",
        )
        for notification in reminder:
            notification.created_at = _at(today - timedelta(days=1), 10, 30)
        added += len(reminder)
    session.flush()
    return added
