"""Kitchen statistics: counts by business, area, class, day and week and the false-alarm rate
per camera, over the alerts each principal may see (the same on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from kitchen_support import add_camera, officer, raise_alert, store
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import principal_of
from sunshine.core.errors import ForbiddenError, ValidationFailed
from sunshine.core.time import SHANGHAI, today_local
from sunshine.kitchen import service
from sunshine.kitchen.enums import AlertClass, CameraState
from sunshine.kitchen.statistics import kitchen_statistics


def _local(days_ago: int, hour: int) -> datetime:
    day = today_local() - timedelta(days=days_ago)
    return datetime.combine(day, time(hour, 0), SHANGHAI)


def test_counts_by_day_week_class_area_and_business(session: Session, demo: Demo) -> None:
    cold = add_camera(session, demo)
    stove = add_camera(session, demo, name="灶台", area="cooking")
    neighbour = add_camera(session, demo, store_of="owner_a2", by="owner_a2")
    far = add_camera(session, demo, store_of="owner_b", by="owner_b")
    # 00:30 local is the previous day in UTC: the day counted is the local one.
    raise_alert(session, cold, AlertClass.NO_MASK, at=_local(0, 0).replace(minute=30))
    raise_alert(session, cold, AlertClass.NO_MASK, at=_local(1, 12))
    raise_alert(session, stove, AlertClass.SMOKING, at=_local(1, 13))
    raise_alert(session, stove, AlertClass.SMOKING, at=_local(8, 13))
    raise_alert(session, neighbour, AlertClass.PHONE, at=_local(2, 20))
    raise_alert(session, far, AlertClass.SMOKING, at=_local(2, 20))
    raise_alert(session, cold, AlertClass.SMOKING, at=_local(40, 20))  # outside 30 days
    inspector = officer(session)
    stats = kitchen_statistics(session=session, actor=inspector)
    assert stats.total == 5  # county A: two stores; county B's store is not seen
    assert {t.key: t.count for t in stats.by_class} == {"no_mask": 2, "smoking": 2, "phone": 1}
    # The neighbour's camera is a cold room too (the default of the builder).
    assert {t.key: t.count for t in stats.by_area} == {"cold_room": 3, "cooking": 2}
    days = {t.key: t.count for t in stats.by_day}
    assert days[today_local().isoformat()] == 1
    assert days[(today_local() - timedelta(days=1)).isoformat()] == 2
    assert sum(t.count for t in stats.by_week) == 5
    assert all(datetime.fromisoformat(t.key).weekday() == 0 for t in stats.by_week)
    by_business = {b.business_id: b.alerts for b in stats.by_business}
    assert by_business == {store(session, demo).id: 4, store(session, demo, "owner_a2").id: 1}
    assert stats.by_business[0].business_id == store(session, demo).id  # most alerts first
    # A store sees its own; one business filter narrows a regulator's view.
    own = kitchen_statistics(session=session, actor=principal_of(session, "owner_a"))
    assert own.total == 4
    one = kitchen_statistics(
        session=session, actor=inspector, business_id=store(session, demo, "owner_a2").id
    )
    assert one.total == 1
    wider = kitchen_statistics(
        session=session, actor=inspector, since=today_local() - timedelta(days=60)
    )
    assert wider.total == 6
    other = kitchen_statistics(session=session, actor=officer(session, "inspector_b"))
    assert other.total == 1 and other.by_class[0].key == "smoking"


def test_false_alarm_rate_per_camera(session: Session, demo: Demo) -> None:
    camera = add_camera(session, demo)
    quiet = add_camera(session, demo, name="quiet")
    inspector = officer(session)
    alerts = [raise_alert(session, camera) for _ in range(4)]
    service.mark_false_alarm(session=session, actor=inspector, alert_id=alerts[0].id, reason="猫")
    service.confirm(session=session, actor=inspector, alert_id=alerts[1].id)
    service.record_camera_state(
        session=session, camera_id=quiet.id, state=CameraState.COVERED, message="", at=_local(0, 1)
    )
    stats = kitchen_statistics(session=session, actor=inspector)
    rates = {c.camera_id: c for c in stats.false_alarms}
    assert set(rates) == {camera.id}  # health alerts say nothing of a detector
    assert (rates[camera.id].alerts, rates[camera.id].reviewed) == (4, 2)
    assert rates[camera.id].rate == pytest.approx(0.5)
    assert {t.key: t.count for t in stats.by_kind} == {"health": 1, "suspected": 4}


def test_statistics_refuse_the_public_and_bad_periods(session: Session, demo: Demo) -> None:
    with pytest.raises(ForbiddenError):
        kitchen_statistics(session=session, actor=principal_of(session, "citizen"))
    inspector = officer(session)
    with pytest.raises(ValidationFailed):
        kitchen_statistics(
            session=session,
            actor=inspector,
            since=today_local(),
            until=today_local() - timedelta(days=1),
        )
    with pytest.raises(ValidationFailed):
        kitchen_statistics(
            session=session, actor=inspector, since=today_local() - timedelta(days=400)
        )
