"""Queries of the audit trail."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sunshine.audit.models import AuditEntry, AuditHead

HEAD_ID = 1


def lock_head(session: Session) -> AuditHead:
    """The chain tip, locked FOR UPDATE so concurrent writers append one at a time."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=HEAD_ID, last_seq=0, last_hash="0" * 64)
        session.add(head)
        session.flush()
    return head


def get_head(session: Session) -> AuditHead | None:
    return session.get(AuditHead, HEAD_ID)


def iter_entries(session: Session, *, batch: int) -> Iterator[AuditEntry]:
    """Every entry in sequence order, fetched in batches (keyset pagination)."""
    last = 0
    while True:
        rows = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.seq > last)
                .order_by(AuditEntry.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def page(
    session: Session,
    *,
    entity_type: str | None,
    actor: str | None,
    action: str | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[AuditEntry], int]:
    """Newest first, filtered; with the total count."""
    stmt = select(AuditEntry)
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if actor:
        stmt = stmt.where(AuditEntry.actor_label == actor)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = (
        session.execute(stmt.order_by(AuditEntry.seq.desc()).offset(offset).limit(limit))
        .scalars()
        .all()
    )
    return rows, total
