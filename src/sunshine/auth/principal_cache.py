"""Signed-in principals kept briefly in the cache, so a page view needs no account query.

The key carries the account's credential version from the signed token: a password
change, a reset or a deactivation bumps that version, so a stale principal is never found.
"""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy.orm import Session

from sunshine.auth.enums import Role
from sunshine.auth.principal import Principal
from sunshine.core.cache import get_cache, invalidate_after_commit
from sunshine.regions.enums import RegionLevel

TTL_S = 300


def _key(user_id: int, auth_version: int) -> str:
    return f"principal:{user_id}:{auth_version}"


def peek(user_id: int, auth_version: int) -> Principal | None:
    """The principal if this process holds it (no I/O: safe on the event loop)."""
    raw = get_cache().peek_local(_key(user_id, auth_version))
    return None if raw is None else _principal(raw)


def get(user_id: int, auth_version: int) -> Principal | None:
    """The principal from this process or the shared cache."""
    raw = get_cache().get(_key(user_id, auth_version))
    return None if raw is None else _principal(raw)


def _principal(raw: bytes) -> Principal:
    data = json.loads(raw)
    return Principal(
        user_id=data["user_id"],
        username=data["username"],
        display_name=data["display_name"],
        role=Role(data["role"]) if data["role"] else None,
        org_unit_id=data["org_unit_id"],
        jurisdiction_code=data["jurisdiction_code"],
        jurisdiction_level=(
            RegionLevel(data["jurisdiction_level"]) if data["jurisdiction_level"] else None
        ),
        business_id=data["business_id"],
        locale=data["locale"],
    )


def put(principal: Principal, auth_version: int) -> None:
    if principal.user_id is None:
        return
    bare = replace(principal, ip=None, user_agent=None)
    data = {
        "user_id": bare.user_id,
        "username": bare.username,
        "display_name": bare.display_name,
        "role": bare.role.value if bare.role else None,
        "org_unit_id": bare.org_unit_id,
        "jurisdiction_code": bare.jurisdiction_code,
        "jurisdiction_level": bare.jurisdiction_level.value if bare.jurisdiction_level else None,
        "business_id": bare.business_id,
        "locale": bare.locale,
    }
    get_cache().set(
        _key(principal.user_id, auth_version),
        json.dumps(data, ensure_ascii=False).encode("utf-8"),
        TTL_S,
    )


def forget_after_commit(session: Session, user_id: int, auth_version: int) -> None:
    """Drop the cached principal of this credential version once the change commits."""
    invalidate_after_commit(session, _key(user_id, auth_version))
