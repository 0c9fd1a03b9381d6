"""Every query of the Open311 binding (its clients)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from sunshine.api.open311.models import Open311Client


def by_digest(session: Session, key_digest: str) -> Open311Client | None:
    stmt = select(Open311Client).where(Open311Client.key_digest == key_digest)
    return session.execute(stmt).scalar_one_or_none()


def by_name(session: Session, name: str) -> Open311Client | None:
    stmt = select(Open311Client).where(Open311Client.name == name)
    return session.execute(stmt).scalar_one_or_none()


def all_clients(session: Session) -> Sequence[Open311Client]:
    return session.execute(select(Open311Client).order_by(Open311Client.name)).scalars().all()
