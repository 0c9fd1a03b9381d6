"""The staff directory as pickers show it: the offices and the officers of a jurisdiction.

Every workbench page offers hundreds of offices and dozens of officers to filter by or to
assign to, while offices and regulator accounts change a few times a month. The choices
are therefore cached, shared by all workers, under a version that every change of an
office or of a regulator account retires when its transaction commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.core.cache import bump_version_after_commit, current_version, get_cache

STAFF_VERSION = "staff"
_TTL_S = 6 * 3600  # a version retires entries at once; the TTL only bounds stale memory


def changed_after_commit(session: Session) -> None:
    """Retire the cached choices once this transaction (a change of staff) commits."""
    bump_version_after_commit(session, STAFF_VERSION)


def cached_choices(key: str, build: Callable[[], list[Any]]) -> list[Any]:
    """``build()`` (a JSON-serialisable list) cached under ``key`` and the staff version."""
    cache = get_cache()
    full_key = f"staff:{current_version(STAFF_VERSION)}:{key}"
    raw = cache.get(full_key)
    if raw is not None:
        value: list[Any] = json.loads(raw)
        return value
    value = build()
    cache.set(full_key, json.dumps(value, ensure_ascii=False).encode("utf-8"), _TTL_S)
    return value


def office_choices(*, session: Session, actor: Principal) -> list[tuple[int, str]]:
    """(id, name) of the offices the actor may filter by: those of
    :func:`sunshine.regions.service.org_units_for_select`."""
    from sunshine.regions import service

    level, code = actor.jurisdiction_level, actor.jurisdiction_code
    if level is None or code is None:
        return []
    rows = cached_choices(
        f"offices:{level.value}:{code}",
        lambda: [
            [unit.id, unit.name]
            for unit in service.org_units_for_select(session=session, actor=actor)
        ],
    )
    return [(int(unit_id), str(name)) for unit_id, name in rows]
