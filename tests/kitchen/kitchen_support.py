"""Builders shared by the kitchen tests: camera forms, rule events, snapshots and clips as a
vision worker makes them, and the demo stores and officers."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from conftest import Demo
from helpers import principal_of
from sunshine.auth.principal import Principal
from sunshine.core.time import utc_now
from sunshine.kitchen import cameras, service
from sunshine.kitchen.alert_models import KitchenAlert
from sunshine.kitchen.camera_forms import CameraForm
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.enums import AlertClass, AlertKind
from sunshine.kitchen.rules import RuleEvent
from sunshine.registry.models import Business

MODEL_SHA = "31cb14c0" + "0" * 52 + "b880"


def jpeg(shade: int = 90, size: tuple[int, int] = (64, 48)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (shade, shade, shade)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def mp4(frames: int = 5) -> bytes:
    """A real H.264 MP4 (what the worker's clip writer produces)."""
    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=5)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(frames):
            image = np.full((64, 64, 3), i * 40, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def camera_form(**changes: object) -> CameraForm:
    form = CameraForm(
        name="凉菜间 1",
        area="cold_room",
        stream_kind="rtsp",
        stream_url="rtsp://192.168.1.64:554/Streaming/Channels/102",
        username="admin",
        password="s3cret:@/pass",
        operating_hours=[{"day": d, "start": "09:00", "end": "22:00"} for d in range(7)],
        privacy_masks=[[[0.0, 0.0], [0.2, 0.0], [0.2, 0.2], [0.0, 0.2]]],
        zones=[{"name": "操作台", "polygon": [[0.1, 0.5], [0.9, 0.5], [0.9, 1.0], [0.1, 1.0]]}],
        rule_overrides={"smoking": {"cooldown_s": 120}},
        public=False,
        enabled=True,
        analysis_fps=2.0,
    )
    return replace(form, **changes)  # type: ignore[arg-type]


def store(session: Session, demo: Demo, username: str = "owner_a") -> Business:
    business = session.get(Business, demo.account(username)["business_id"])
    assert business is not None
    return business


def add_camera(
    session: Session,
    demo: Demo,
    *,
    by: str = "owner_a",
    store_of: str = "owner_a",
    **changes: object,
) -> KitchenCamera:
    return cameras.create_camera(
        session=session,
        actor=principal_of(session, by),
        business_id=store(session, demo, store_of).id,
        form=camera_form(**changes),
    )


def event(
    alert_class: AlertClass = AlertClass.SMOKING,
    *,
    kind: AlertKind = AlertKind.SUSPECTED,
    at: datetime | None = None,
    confidence: float = 0.87,
) -> RuleEvent:
    confirmed = at or utc_now()
    return RuleEvent(
        alert_class=alert_class,
        kind=kind,
        confidence=confidence,
        boxes=((0.40, 0.30, 0.46, 0.37),),
        first_seen_at=confirmed - timedelta(seconds=1.5),
        confirmed_at=confirmed,
    )


def raise_alert(
    session: Session,
    camera: KitchenCamera,
    alert_class: AlertClass = AlertClass.SMOKING,
    *,
    at: datetime | None = None,
    clip: bool = False,
) -> KitchenAlert:
    return service.record_alert(
        session=session,
        camera_id=camera.id,
        event=event(alert_class, at=at),
        model="smoking-fastestdet-352",
        model_sha256=MODEL_SHA,
        snapshot_boxed=jpeg(200),
        snapshot_clean=jpeg(100),
        clip=mp4() if clip else None,
    )


def officer(session: Session, username: str = "inspector_a") -> Principal:
    return principal_of(session, username)
