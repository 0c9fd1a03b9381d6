"""The counts on the workbench's tabs, cached per jurisdiction until a case in it changes.

Every workbench page shows how many open cases each tab holds. Counting them is the
costliest part of a page for a county or a province (a province reads every one of its
tens of thousands of open cases), while the cases of one township change a few times a
day and those of a province every few seconds. So the counts of a jurisdiction are kept
under a version of that jurisdiction, which every change of a case placed in it, or held
by one of its offices, retires when its transaction commits: a count shown is never older
than the last committed change. The caller's own cases ("mine") are kept likewise under a
version of the officer, retired by every change of a case they hold or held.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, event, inspect
from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.cases import repository as repo
from sunshine.cases.enums import CaseKind, CaseState
from sunshine.cases.models import Case
from sunshine.cases.repository import StateTally, WorkbenchFilter
from sunshine.core.cache import (
    bump_version_after_commit,
    current_version,
    get_cache,
    version_changing,
)
from sunshine.regions.enums import RegionLevel
from sunshine.regions.models import OrgUnit, Region

# A lost invalidation (Redis restarting) leaves a count stale for at most this long.
_TTL_S = 120
_PLACE = {
    RegionLevel.PROVINCE: "province_code",
    RegionLevel.PREFECTURE: "prefecture_code",
    RegionLevel.COUNTY: "county_code",
    RegionLevel.TOWNSHIP: "township_code",
}
_REGION_COLUMN = {
    RegionLevel.PROVINCE: "province_code",
    RegionLevel.PREFECTURE: "prefecture_code",
    RegionLevel.COUNTY: "county_code",
    RegionLevel.TOWNSHIP: "code",
}


def _version_name(level: RegionLevel, code: str) -> str:
    return f"cases:{level.value}:{code}"


def _assignee_version(user_id: int) -> str:
    return f"cases:assignee:{user_id}"


def open_tallies(
    *,
    session: Session,
    actor: Principal,
    scope: ColumnElement[bool],
    filters: WorkbenchFilter,
    kind: CaseKind | None,
    today: date,
    due_soon_until: date,
) -> list[StateTally]:
    """The open cases of ``scope`` (the actor's jurisdiction's) by state, with those
    overdue, due soon and the actor's: :func:`repo.tally_open_cases`, the jurisdiction's
    part cached."""
    level, code = actor.jurisdiction_level, actor.jurisdiction_code
    if level is None or code is None:  # no jurisdiction: no case in scope
        return []

    def count() -> list[StateTally]:
        return repo.tally_open_cases(
            session,
            scope=scope,
            filters=filters,
            kind=kind,
            today=today,
            due_soon_until=due_soon_until,
            user_id=None,
        )

    filtered = [
        kind.value if kind else "",
        filters.area[1] if filters.area else "",
        str(filters.org_unit_id or ""),
        str(filters.assignee_id or ""),
        (filters.text or "").replace(":", "::"),
    ]
    raw = _cached(
        session,
        _version_name(level, code),
        ["tallies", level.value, code, today.isoformat(), due_soon_until.isoformat(), *filtered],
        lambda: [asdict(t) for t in count()],
    )
    shared = [_tally(item) for item in raw]
    if actor.user_id is None:
        return shared
    user_id = actor.user_id
    mine = _cached(
        session,
        _assignee_version(user_id),
        ["mine", str(user_id), level.value, code, *filtered],
        lambda: [
            [state.value, n]
            for state, n in repo.tally_mine(
                session, scope=scope, filters=filters, kind=kind, user_id=user_id
            ).items()
        ],
    )
    own = {CaseState(state): int(n) for state, n in mine}
    return [replace(t, mine=own.get(t.state, 0)) for t in shared]


def _cached(
    session: Session, version: str, parts: list[str], build: Callable[[], list[Any]]
) -> list[Any]:
    """``build()`` (JSON) cached under ``parts`` and the current ``version`` of its data,
    or built afresh when this transaction changed that data (the cache cannot know yet)."""
    if version_changing(session, version):
        return build()
    key = ":".join([parts[0], current_version(version), *parts[1:]])
    cache = get_cache()
    raw = cache.get(key)
    if raw is not None:
        value: list[Any] = json.loads(raw)
        return value
    value = build()
    cache.set(key, json.dumps(value).encode("utf-8"), _TTL_S)
    return value


def _tally(item: dict[str, Any]) -> StateTally:
    return StateTally(
        state=CaseState(item["state"]),
        total=int(item["total"]),
        overdue=int(item["overdue"]),
        due_soon=int(item["due_soon"]),
        mine=0,
    )


# -- retiring the counts of the jurisdictions a changed case belongs to --------------------


@event.listens_for(Session, "before_flush")
def _cases_changing(session: Session, _context: object, _instances: object) -> None:
    changed = [
        obj
        for obj in (*session.new, *session.dirty, *session.deleted)
        if isinstance(obj, Case) and (obj not in session.dirty or session.is_modified(obj))
    ]
    if not changed:
        return
    with session.no_autoflush:
        names = {name for case in changed for name in _jurisdictions_of(session, case)}
    for name in names:
        bump_version_after_commit(session, name)


def _jurisdictions_of(session: Session, case: Case) -> Iterator[str]:
    """The versions of every jurisdiction that sees ``case``, before and after the change
    (those of its place and those above each office that held or holds it), and of each
    officer who held or holds it."""
    state = inspect(case)
    for level, column in _PLACE.items():
        history = state.attrs[column].history
        for code in (*history.unchanged, *history.added, *history.deleted):
            if code:
                yield _version_name(level, code)
    history = state.attrs["assignee_id"].history
    for user_id in {*history.unchanged, *history.added, *history.deleted}:
        if user_id is not None:
            yield _assignee_version(user_id)
    history = state.attrs["org_unit_id"].history
    for unit_id in {*history.unchanged, *history.added, *history.deleted}:
        unit = session.get(OrgUnit, unit_id) if unit_id is not None else None
        region = session.get(Region, unit.region_code) if unit is not None else None
        if region is None:
            continue
        for level, column in _REGION_COLUMN.items():
            code = getattr(region, column)
            if code and (level is not RegionLevel.TOWNSHIP or region.level is level):
                yield _version_name(level, code)
