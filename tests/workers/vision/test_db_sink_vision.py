"""The vision workers' database adapter: cameras in, heartbeats and alerts out, and the media
retention sweep, against the migrated database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import principal_of
from sunshine.audit.models import AuditEntry
from sunshine.auth.principal import Principal
from sunshine.config import get_settings
from sunshine.core import storage
from sunshine.core.evidence_models import EvidenceFile
from sunshine.core.time import utc_now
from sunshine.kitchen import cameras, service
from sunshine.kitchen.alert_models import KitchenAlert
from sunshine.kitchen.camera_forms import CameraForm
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.enums import AlertClass, AlertKind, CameraState
from sunshine.kitchen.rules import RuleEvent
from sunshine.workers.vision import db_sink
from sunshine.workers.vision.clips import FrameRing, encode_mp4, snapshots
from sunshine.workers.vision.outputs import camera_live_token, encode_jpeg
from sunshine.workers.vision.retention import sweep
from sunshine.workers.vision.runtime import AlertOut, ClipOut, Heartbeat

SHA = "ab" * 32


def add_camera(session: Session, demo: Demo, *names: str) -> list[KitchenCamera]:
    owner = principal_of(session, "owner_a")
    made = [_camera(session, owner, demo.account("owner_a")["business_id"], n) for n in names]
    # The sink writes through units of work of its own on the test's connection: what this
    # session holds must be in the database first (the audit chain's next number included).
    session.flush()
    return made


def _camera(session: Session, owner: Principal, business_id: int, name: str) -> KitchenCamera:
    return cameras.create_camera(
        session=session,
        actor=owner,
        business_id=business_id,
        form=CameraForm(
            name=name,
            area="cooking",
            stream_kind="rtsp",
            stream_url="rtsp://192.168.1.64:554/Streaming/Channels/102",
            username="admin",
            password="pw",
            operating_hours=None,
            privacy_masks=[[[0.0, 0.0], [0.3, 0.0], [0.3, 0.3]]],
            zones=[],
            rule_overrides={},
            public=False,
            enabled=True,
            analysis_fps=3.0,
        ),
    )


def alert_out(camera: KitchenCamera) -> AlertOut:
    image = np.full((90, 160, 3), 120, np.uint8)
    boxed, clean = snapshots(image, [(10, 10, 50, 80)])
    now = utc_now()
    return AlertOut(
        camera_id=camera.id,
        business_id=camera.business_id,
        event=RuleEvent(
            alert_class=AlertClass.PERSON_AFTER_HOURS,
            kind=AlertKind.SUSPECTED,
            confidence=0.84,
            boxes=((0.1, 0.1, 0.3, 0.9),),
            first_seen_at=now - timedelta(seconds=1),
            confirmed_at=now,
        ),
        model="person",
        model_sha256=SHA,
        snapshot_boxed=boxed,
        snapshot_clean=clean,
        frame_decoded_at=now.timestamp(),
    )


def clip_out(camera: KitchenCamera) -> ClipOut:
    image = np.full((90, 160, 3), 120, np.uint8)
    ring = FrameRing(10)
    for i in range(6):
        ring.add(100 + i * 0.5, encode_jpeg(image, 70))
    return ClipOut(camera.id, encode_mp4(ring.between(0, 1e9)), "video/mp4", None)


def files_of(session: Session, alert_id: int) -> list[EvidenceFile]:
    return (
        session.query(EvidenceFile)
        .filter(EvidenceFile.owner_type == "kitchen_alert", EvidenceFile.owner_id == alert_id)
        .order_by(EvidenceFile.position)
        .all()
    )


def stored(sink: db_sink.DbSink, camera: KitchenCamera) -> int:
    """An alert stored, then its clip attached, as the runtime does."""
    alert_id = sink.alert(alert_out(camera))
    sink.clip(alert_id, clip_out(camera))
    return alert_id


def test_load_cameras_gives_the_runtime_what_it_needs(session: Session, demo: Demo) -> None:
    (camera,) = add_camera(session, demo, "灶台 A")
    specs = {s.id: s for s in db_sink.load_cameras()}
    spec = specs[camera.id]
    assert spec.stream_url == "rtsp://admin:pw@192.168.1.64:554/Streaming/Channels/102"
    assert spec.analysis_fps == 3.0 and spec.public_token is None
    assert spec.live_token == camera_live_token(camera.id, get_settings().secret_key)
    assert spec.privacy_masks == (((0.0, 0.0), (0.3, 0.0), (0.3, 0.3)),)
    assert spec.wanted == frozenset(r.detect_cls for r in spec.ruleset.rules)


def test_heartbeats_of_several_cameras_are_one_write(session: Session, demo: Demo) -> None:
    one, two = add_camera(session, demo, "灶台 A", "灶台 B")
    now = utc_now()
    db_sink.DbSink().heartbeat(
        [
            Heartbeat(one.id, "online", "receiving frames", now, 2.0, 0, now),
            Heartbeat(two.id, "error", "the camera refused the credentials", now, 0.0, 3, None),
        ]
    )
    session.expire_all()
    assert session.get(KitchenCamera, one.id).state is CameraState.ONLINE  # type: ignore[union-attr]
    second = session.get(KitchenCamera, two.id)
    assert second is not None and second.state is CameraState.ERROR
    assert second.state_message == "the camera refused the credentials"


def test_an_alert_is_stored_with_its_snapshots_and_its_clip_attached_later(
    session: Session, demo: Demo
) -> None:
    (camera,) = add_camera(session, demo, "灶台 A")
    sink = db_sink.DbSink()
    alert_id = sink.alert(alert_out(camera))
    alert = session.get(KitchenAlert, alert_id)
    assert alert is not None and alert.camera_id == camera.id
    assert [f.media_type for f in files_of(session, alert_id)] == ["image/jpeg", "image/jpeg"]
    clip = clip_out(camera)
    sink.clip(alert_id, clip)
    session.expire_all()
    files = files_of(session, alert_id)
    assert [f.media_type for f in files] == ["image/jpeg", "image/jpeg", "video/mp4"]
    assert [f.position for f in files] == [1, 2, 3]
    assert clip.data is not None and files[2].sha256 == hashlib.sha256(clip.data).hexdigest()
    entry = session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "kitchen_alert.clip", AuditEntry.entity_id == str(alert_id)
        )
    ).scalar_one()
    assert entry.after == {"files": {"clip.mp4": files[2].sha256}}
    alert = session.get(KitchenAlert, alert_id)
    assert alert is not None and alert.clip_note is None


def test_an_alert_without_a_clip_says_why(session: Session, demo: Demo) -> None:
    (camera,) = add_camera(session, demo, "灶台 A")
    sink = db_sink.DbSink()
    alert_id = sink.alert(alert_out(camera))
    sink.clip(alert_id, ClipOut(camera.id, None, None, "clip skipped: the media quota is full"))
    session.expire_all()
    alert = session.get(KitchenAlert, alert_id)
    assert alert is not None and alert.clip_note == "clip skipped: the media quota is full"
    assert [f.media_type for f in files_of(session, alert_id)] == ["image/jpeg", "image/jpeg"]


def test_the_sweep_deletes_decided_clips_over_quota_and_keeps_those_under_review(
    session: Session, demo: Demo
) -> None:
    (camera,) = add_camera(session, demo, "灶台 A")
    sink = db_sink.DbSink()
    stored(sink, camera)
    stored(sink, camera)
    alerts = sorted(
        session.scalars(
            select(KitchenAlert.id).where(
                KitchenAlert.camera_id == camera.id, KitchenAlert.kind == AlertKind.SUSPECTED
            )
        )
    )
    assert len(alerts) == 2
    service.mark_false_alarm(
        session=session,
        actor=principal_of(session, "inspector_a"),
        alert_id=alerts[0],
        reason="a coat on a hook",
    )
    clips = {
        f.owner_id: f
        for f in session.query(EvidenceFile).filter(
            EvidenceFile.owner_type == "kitchen_alert", EvidenceFile.kind == "video"
        )
        if f.owner_id in alerts
    }
    decided_path = storage.path_of(clips[alerts[0]].original_path)
    assert decided_path.exists()
    result = sweep(now=utc_now(), retention_days=180, quota_bytes=0)
    assert result.over_quota  # the open alert's media may not go
    session.expire_all()
    left = {
        f.owner_id
        for f in session.query(EvidenceFile).filter(
            EvidenceFile.owner_type == "kitchen_alert", EvidenceFile.kind == "video"
        )
    }
    assert alerts[0] not in left and alerts[1] in left
    assert not decided_path.exists()
    assert Path(storage.path_of(clips[alerts[1]].original_path)).exists()


def test_a_refused_clip_becomes_a_note(session: Session, demo: Demo) -> None:
    (camera,) = add_camera(session, demo, "灶台 A")
    sink = db_sink.DbSink()
    alert_id = sink.alert(alert_out(camera))
    # Trying again would not make it right: the alert says why it has no clip instead.
    sink.clip(
        alert_id, ClipOut(camera.id, b"\x00\x00\x00\x18ftypisom" + b"x" * 10, "video/mp4", None)
    )
    session.expire_all()
    alert = session.get(KitchenAlert, alert_id)
    assert alert is not None and (alert.clip_note or "").startswith("clip refused: ")
    assert [f.media_type for f in files_of(session, alert_id)] == ["image/jpeg", "image/jpeg"]
