"""Queries of users and org units."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from sunshine.auth.enums import Role
from sunshine.auth.models import User
from sunshine.regions.models import OrgUnit


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_user_by_username(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def username_taken(session: Session, username: str) -> bool:
    return get_user_by_username(session, username) is not None


def list_users(
    session: Session,
    *,
    org_unit_ids: Sequence[int] | None,
    business_ids: Sequence[int] | None,
    role: Role | None,
    search: str | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[User], int]:
    """Users of the given org units and/or businesses (None = no restriction on that axis)."""
    stmt = select(User)
    if org_unit_ids is not None or business_ids is not None:
        conditions = []
        if org_unit_ids is not None:
            conditions.append(User.org_unit_id.in_(list(org_unit_ids)))
        if business_ids is not None:
            conditions.append(User.business_id.in_(list(business_ids)))
        stmt = stmt.where(or_(*conditions))
    if role is not None:
        stmt = stmt.where(User.role == role)
    if search:
        like = f"%{search}%"
        stmt = stmt.where((User.username.like(like)) | (User.display_name.like(like)))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(stmt.order_by(User.username).offset(offset).limit(limit)).scalars()
    return rows.all(), total


def get_org_unit(session: Session, org_unit_id: int) -> OrgUnit | None:
    return session.get(OrgUnit, org_unit_id)


def users_by_ids(session: Session, ids: Collection[int]) -> Sequence[User]:
    if not ids:
        return []
    return session.execute(select(User).where(User.id.in_(list(ids)))).scalars().all()


def business_user_ids(session: Session, *, business_id: int, roles: Collection[Role]) -> list[int]:
    """Active accounts of ``business_id`` with one of ``roles`` (those a business's
    messages go to: who answers a complaint, a rectification order)."""
    stmt = select(User.id).where(
        User.business_id == business_id, User.role.in_(list(roles)), User.is_active.is_(True)
    )
    return list(session.execute(stmt).scalars())
