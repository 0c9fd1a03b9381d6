"""Appending to and verifying the hash-chained audit trail (审计日志)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from sunshine.audit import repository
from sunshine.audit.models import AuditEntry
from sunshine.auth.principal import Principal
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import utc_now

GENESIS_HASH = "0" * 64


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """A JSON-ready copy of ``fields`` of ``obj`` for an audit before/after."""
    return {name: _jsonable(getattr(obj, name)) for name in fields}


def entry_digest(entry: AuditEntry) -> str:
    """The SHA-256 over an entry's content and its predecessor's hash."""
    payload = {
        "seq": entry.seq,
        "occurred_at": entry.occurred_at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "actor_role": entry.actor_role,
        "action": entry.action,
        "entity_type": entry.entity_type,
        "entity_id": entry.entity_id,
        "before": entry.before,
        "after": entry.after,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(
    *,
    session: Session,
    actor: Principal,
    action: str,
    entity_type: str,
    entity_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction; the chain tip is locked until commit."""
    head = repository.lock_head(session)
    occurred = utc_now()
    entry = AuditEntry(
        seq=head.last_seq + 1,
        occurred_at=occurred,
        actor_id=actor.user_id,
        actor_label=actor.label,
        actor_role=actor.role.value if actor.role else "anonymous",
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        ip=actor.ip,
        user_agent=(actor.user_agent or "")[:200] or None,
        prev_hash=head.last_hash,
    )
    entry.entry_hash = entry_digest(entry)
    session.add(entry)
    head.last_seq = entry.seq
    head.last_hash = entry.entry_hash
    return entry


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a chain check: ``ok``, or the first broken entry and why."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify(*, session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the chain in order; report the first entry altered, removed or out of place."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in repository.iter_entries(session, batch=batch):
        if entry.seq != expected_seq:
            return VerifyResult(
                False,
                checked,
                expected_seq,
                f"entry {expected_seq} is missing (next found is {entry.seq})",
            )
        if entry.prev_hash != expected_prev:
            return VerifyResult(
                False,
                checked,
                entry.seq,
                f"entry {entry.seq} does not link to entry {entry.seq - 1}",
            )
        if entry_digest(entry) != entry.entry_hash:
            return VerifyResult(
                False,
                checked,
                entry.seq,
                f"entry {entry.seq} was altered (its hash does not match)",
            )
        expected_prev = entry.entry_hash
        expected_seq += 1
        checked += 1
    head = repository.get_head(session)
    if head is not None and head.last_seq != checked:
        return VerifyResult(
            False,
            checked,
            checked + 1,
            f"entries after {checked} are missing (the chain tip is at {head.last_seq})",
        )
    return VerifyResult(True, checked)


def browse(
    *,
    session: Session,
    actor: Principal,
    entity_type: str | None,
    actor_name: str | None,
    action: str | None,
    page: PageRequest,
) -> Page[AuditEntry]:
    """Newest entries first, for administrators."""
    from sunshine.auth.access import require_admin

    require_admin(actor)
    rows, total = repository.page(
        session,
        entity_type=entity_type,
        actor=actor_name,
        action=action,
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=rows, total=total, request=page)
