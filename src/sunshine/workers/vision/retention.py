"""Retention of kitchen alert media: by age and by a byte quota.

Rules (docs/design/sunshine-kitchen.md §4.9):

1. media older than ``vision_evidence_retention_days`` go, snapshots and clips alike;
2. while the media take more than ``vision_media_quota_bytes`` (plus the bytes about to be
   written), the oldest **clips** go first (snapshots are small and are what a reviewer
   looks at first);
3. media of an alert still **under review** (not yet confirmed or marked a false alarm) or
   taken into a case are never deleted, whatever their age;
4. when the quota is reached and nothing may go, a new clip is skipped (the alert keeps its
   snapshots) and the worker says so.

:func:`plan` is pure (tested without a database); :func:`sweep` applies it in one unit of
work: rows deleted and audited, files removed after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sunshine.kitchen.enums import DECIDED, AlertStatus

log = logging.getLogger("sunshine.vision.retention")


@dataclass(frozen=True)
class MediaItem:
    file_id: int
    alert_id: int
    is_clip: bool
    size: int
    received_at: datetime
    protected: bool  # the alert is under review or in a case


@dataclass(frozen=True)
class RetentionPlan:
    delete: tuple[MediaItem, ...]
    kept_bytes: int  # what stays once the plan is applied
    over_quota: bool  # even after deleting all it may, the quota is exceeded

    @property
    def freed_bytes(self) -> int:
        return sum(item.size for item in self.delete)


def is_protected(status: AlertStatus, case_id: int | None) -> bool:
    return status not in DECIDED or case_id is not None


def plan(
    items: Sequence[MediaItem],
    *,
    now: datetime,
    retention_days: int,
    quota_bytes: int,
    need_bytes: int = 0,
) -> RetentionPlan:
    """What to delete so that old media are gone and ``need_bytes`` more fit the quota."""
    if retention_days < 1 or quota_bytes < 0 or need_bytes < 0:
        raise ValueError("retention needs days >= 1 and non-negative byte counts")
    cutoff = now - timedelta(days=retention_days)
    delete = [i for i in items if not i.protected and i.received_at < cutoff]
    gone = {i.file_id for i in delete}
    kept = sum(i.size for i in items if i.file_id not in gone)
    if kept + need_bytes > quota_bytes:
        clips = sorted(
            (i for i in items if i.is_clip and not i.protected and i.file_id not in gone),
            key=lambda i: (i.received_at, i.file_id),
        )
        for clip in clips:
            if kept + need_bytes <= quota_bytes:
                break
            delete.append(clip)
            kept -= clip.size
    return RetentionPlan(
        delete=tuple(delete), kept_bytes=kept, over_quota=kept + need_bytes > quota_bytes
    )


@dataclass(frozen=True)
class SweepResult:
    deleted_files: int
    freed_bytes: int
    kept_bytes: int
    over_quota: bool


def sweep(
    *,
    now: datetime,
    retention_days: int,
    quota_bytes: int,
    need_bytes: int = 0,
) -> SweepResult:
    """Apply :func:`plan` to the database and the disk (its own unit of work)."""
    from sunshine.audit import service as audit
    from sunshine.core import storage
    from sunshine.core.db import unit_of_work
    from sunshine.kitchen.service import VISION
    from sunshine.workers.vision import media_repository as repo

    paths: list[str] = []
    with unit_of_work() as session:
        items = [
            MediaItem(
                file_id=file_id,
                alert_id=alert_id,
                is_clip=str(kind) == "video",
                size=size,
                received_at=received_at,
                protected=is_protected(status, case_id),
            )
            for file_id, alert_id, kind, size, _token, received_at, status, case_id in (
                repo.media_rows(session)
            )
        ]
        result = plan(
            items,
            now=now,
            retention_days=retention_days,
            quota_bytes=quota_bytes,
            need_bytes=need_bytes,
        )
        reason = {item.file_id: item for item in result.delete}
        cutoff = now - timedelta(days=retention_days)
        for row in repo.files_by_id(session, list(reason)):
            item = reason[row.id]
            audit.record(
                session=session,
                actor=VISION,
                action="evidence.expire",
                entity_type="evidence_file",
                entity_id=row.id,
                before={
                    "owner": f"{row.owner_type}:{row.owner_id}",
                    "sha256": row.sha256,
                    "size": row.size,
                },
                after={"why": "retention" if item.received_at < cutoff else "quota"},
            )
            paths.extend(p for p in (row.thumb_path, row.public_path, row.original_path) if p)
            session.delete(row)
    # Files go only once the rows are gone for good (a rollback keeps both).
    for path in paths:
        storage.delete(path)
    deleted = len(reason)
    if deleted:
        log.info("media retention: %d files deleted, %d bytes freed", deleted, result.freed_bytes)
    return SweepResult(
        deleted_files=deleted,
        freed_bytes=result.freed_bytes,
        kept_bytes=result.kept_bytes,
        over_quota=result.over_quota,
    )
