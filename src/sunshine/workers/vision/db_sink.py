"""The vision runtime's link to the database: cameras in, alerts and states out.

Each call is one short unit of work of its own (the workers act as the system, see
``sunshine.kitchen.service.VISION``): heartbeats of all a process's cameras in one
transaction, an alert with its snapshots in another (as soon as it is confirmed), its clip
in a third (once the clip's post-roll has passed). Nothing here runs per frame.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from sunshine.config import Settings, get_settings
from sunshine.core.time import utc_now
from sunshine.kitchen.enums import CameraState
from sunshine.workers.vision.outputs import camera_live_token
from sunshine.workers.vision.process import ProcessOptions
from sunshine.workers.vision.runtime import (
    AlertOut,
    CameraSpec,
    ClipOut,
    Heartbeat,
    RuntimeSettings,
)
from sunshine.workers.vision.supervisor import Supervisor, default_processes

log = logging.getLogger("sunshine.vision.db")

# The media total is read from the database at most this often; between reads the bytes
# this process added are counted on top.
MEDIA_RECOUNT_S = 60.0
HOUSEKEEPING_S = 3600.0


def live_dir(settings: Settings) -> Path:
    return settings.vision_live_dir or Path(settings.storage_dir) / "live"


def runtime_settings(settings: Settings) -> RuntimeSettings:
    return RuntimeSettings(
        burst_fps=settings.vision_burst_fps,
        clip_pre_s=settings.vision_clip_pre_s,
        clip_post_s=settings.vision_clip_post_s,
        live_dir=live_dir(settings),
    )


def load_cameras() -> list[CameraSpec]:
    """The enabled cameras, as the runtime takes them."""
    from sunshine.core.db import reading
    from sunshine.kitchen.service import worker_cameras

    secret = get_settings().secret_key
    with reading() as session:
        configs = worker_cameras(session=session)
    return [
        CameraSpec(
            id=config.id,
            business_id=config.business_id,
            stream_url=config.stream_url or None,
            ruleset=config.rule_set,
            analysis_fps=config.analysis_fps,
            person_model=config.person_model,
            privacy_masks=tuple(config.privacy_masks),
            public=config.public,
            public_token=config.public_token if config.public else None,
            live_token=camera_live_token(config.id, secret),
            area=config.area.value,
        )
        for config in configs
    ]


class DbSink:
    """:class:`~sunshine.workers.vision.runtime.EventSink` over ``sunshine.kitchen.service``."""

    def alert(self, out: AlertOut) -> int:
        """Store the alert with its snapshots; its id (the key :meth:`clip` gets)."""
        from sunshine.core.db import unit_of_work
        from sunshine.kitchen.service import record_alert

        with unit_of_work() as session:
            alert = record_alert(
                session=session,
                camera_id=out.camera_id,
                event=out.event,
                model=out.model,
                model_sha256=out.model_sha256 or "",
                snapshot_boxed=out.snapshot_boxed,
                snapshot_clean=out.snapshot_clean,
            )
            return alert.id

    def clip(self, key: object, clip: ClipOut) -> None:
        """Attach the clip to the alert ``key`` names, or the note why there is none. A
        clip the service refuses (it never should: the runtime encodes it) becomes a note,
        since trying again would not make it right."""
        from sunshine.core import evidence
        from sunshine.core.errors import ConflictError, ValidationFailed

        if not isinstance(key, int):
            raise TypeError(f"an alert id is expected, not {key!r}")
        if clip.note:
            log.warning("camera %s: alert %s: %s", clip.camera_id, key, clip.note)
        try:
            self._attach(key, clip.data, clip.media_type, clip.note)
        except (ValidationFailed, evidence.EvidenceRejected) as exc:
            log.error("camera %s: alert %s: the clip was refused: %s", clip.camera_id, key, exc)
            self._attach(key, None, None, f"clip refused: {exc}")
        except ConflictError:
            log.warning("camera %s: alert %s has its clip already", clip.camera_id, key)

    def _attach(
        self, alert_id: int, data: bytes | None, media_type: str | None, note: str | None
    ) -> None:
        from sunshine.core.db import unit_of_work
        from sunshine.kitchen.service import attach_alert_clip

        with unit_of_work() as session:
            attach_alert_clip(
                session=session,
                alert_id=alert_id,
                clip=data,
                clip_type=media_type or "video/mp4",
                note=note,
            )

    def heartbeat(self, beats: list[Heartbeat]) -> None:
        from sunshine.core.db import unit_of_work
        from sunshine.kitchen.service import CameraBeat, set_camera_states

        if not beats:
            return
        converted = [
            CameraBeat(
                camera_id=beat.camera_id,
                state=CameraState(beat.state),
                message=beat.message,
                fps=beat.fps,
                drops=beat.drops,
                last_frame_at=beat.last_frame_at,
            )
            for beat in beats
        ]
        with unit_of_work() as session:
            set_camera_states(session=session, beats=converted, at=max(b.at for b in beats))


class DbMediaGate:
    """Keeps alert media within the quota, running the retention sweep when it is reached."""

    def __init__(self, settings: Settings) -> None:
        self.quota = settings.vision_media_quota_bytes
        self.days = settings.vision_evidence_retention_days
        self._counted_at = 0.0
        self._total = 0
        self._lock = threading.Lock()

    def _current(self) -> int:
        from sunshine.core.db import reading
        from sunshine.workers.vision.media_repository import media_bytes

        if time.monotonic() - self._counted_at > MEDIA_RECOUNT_S:
            with reading() as session:
                self._total = media_bytes(session)
            self._counted_at = time.monotonic()
        return self._total

    def room_for(self, size: int) -> bool:
        from sunshine.workers.vision.retention import sweep

        with self._lock:
            if self._current() + size <= self.quota:
                self._total += size
                return True
            result = sweep(
                now=utc_now(), retention_days=self.days, quota_bytes=self.quota, need_bytes=size
            )
            self._total = result.kept_bytes
            self._counted_at = time.monotonic()
            if result.over_quota:
                return False
            self._total += size
            return True


def make_sink() -> tuple[DbSink, DbMediaGate]:
    """The sink of a worker process (``ProcessOptions.sink`` names this function)."""
    return DbSink(), DbMediaGate(get_settings())


def report_unassigned(specs: Sequence[CameraSpec], message: str) -> None:
    now = utc_now()
    DbSink().heartbeat(
        [
            Heartbeat(
                camera_id=spec.id,
                state=CameraState.ERROR.value,
                message=message,
                at=now,
                fps=0.0,
                drops=0,
                last_frame_at=None,
            )
            for spec in specs
        ]
    )


def housekeeping() -> None:
    """The hourly retention sweep (age and quota)."""
    from sunshine.workers.vision.retention import sweep

    settings = get_settings()
    sweep(
        now=utc_now(),
        retention_days=settings.vision_evidence_retention_days,
        quota_bytes=settings.vision_media_quota_bytes,
    )


def build_supervisor(*, processes: int, shard: tuple[int, int] | None) -> Supervisor:
    """The supervisor of ``sunshine worker vision`` (and of ``sunshine serve``'s embedded one)."""
    settings = get_settings()
    count = processes or settings.vision_processes or default_processes()
    options = ProcessOptions(
        runtime=runtime_settings(settings),
        models_dir=Path(settings.models_dir),
        models_fetch=settings.models_fetch,
    )
    return Supervisor(
        load_cameras=load_cameras,
        options=options,
        processes=count,
        per_process=settings.vision_cameras_per_process,
        shard=shard,
        report_unassigned=report_unassigned,
        housekeeping=housekeeping,
        housekeeping_s=HOUSEKEEPING_S,
    )
