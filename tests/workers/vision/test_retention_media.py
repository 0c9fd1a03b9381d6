"""Kitchen alert media retention: age, quota, alerts under review protected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sunshine.kitchen.enums import AlertStatus
from sunshine.workers.vision.retention import MediaItem, is_protected, plan

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def item(file_id: int, days_old: float, size: int, *, clip: bool = True, protected: bool = False):
    return MediaItem(
        file_id=file_id,
        alert_id=file_id,
        is_clip=clip,
        size=size,
        received_at=NOW - timedelta(days=days_old),
        protected=protected,
    )


def test_media_older_than_the_retention_go_unless_under_review() -> None:
    items = [
        item(1, 200, 10, clip=False),
        item(2, 200, 10),
        item(3, 200, 10, protected=True),
        item(4, 10, 10),
    ]
    result = plan(items, now=NOW, retention_days=180, quota_bytes=1000)
    assert [i.file_id for i in result.delete] == [1, 2]
    assert result.kept_bytes == 20 and not result.over_quota


def test_over_the_quota_the_oldest_clips_go_first_and_snapshots_stay() -> None:
    items = [
        item(1, 30, 100, clip=False),
        item(2, 20, 300),
        item(3, 10, 300),
        item(4, 5, 300, protected=True),
    ]
    result = plan(items, now=NOW, retention_days=180, quota_bytes=900, need_bytes=200)
    # 1000 + 200 needed > 900: clip 2 (oldest) goes, then 700 + 200 fits.
    assert [i.file_id for i in result.delete] == [2]
    assert result.freed_bytes == 300 and not result.over_quota


def test_when_nothing_may_go_the_quota_stays_exceeded() -> None:
    items = [item(1, 5, 500, protected=True), item(2, 5, 100, clip=False)]
    result = plan(items, now=NOW, retention_days=180, quota_bytes=550, need_bytes=100)
    assert result.delete == () and result.over_quota


def test_under_review_means_not_decided_or_in_a_case() -> None:
    assert is_protected(AlertStatus.OPEN, None)
    assert is_protected(AlertStatus.EXPLAINED, None)
    assert not is_protected(AlertStatus.FALSE_ALARM, None)
    assert not is_protected(AlertStatus.CONFIRMED, None)
    assert is_protected(AlertStatus.CONFIRMED, 12)


def test_bad_retention_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="retention"):
        plan([], now=NOW, retention_days=0, quota_bytes=10)
