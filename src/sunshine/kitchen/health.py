"""Camera health from the vision workers' heartbeats (明厨亮灶 liveness): a change to an
unhealthy state (offline, no source, error, frozen, covered, blurred) opens a health alert and
a health span, and the business is told; back online closes them; a reconnection attempt
(connecting) leaves an open span as it is. A change within one family (offline, then a
refused password) keeps the alert and starts a new span.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.time import to_local, utc_now
from sunshine.kitchen import messages
from sunshine.kitchen import repository as repo
from sunshine.kitchen.access import VISION
from sunshine.kitchen.alert_models import KitchenAlert, KitchenCameraHealthSpan
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.enums import UNHEALTHY_STATES, AlertClass, AlertKind, AlertStatus, CameraState
from sunshine.registry.models import Business

MESSAGE_LIMIT = 300

#: The health alert class each unhealthy camera state raises.
HEALTH_CLASS = {
    CameraState.OFFLINE: AlertClass.OFFLINE,
    CameraState.NO_SOURCE: AlertClass.OFFLINE,
    CameraState.ERROR: AlertClass.OFFLINE,
    CameraState.FROZEN: AlertClass.FROZEN,
    CameraState.COVERED: AlertClass.COVERED,
    CameraState.BLURRED: AlertClass.BLURRED,
}


@dataclass(frozen=True)
class CameraBeat:
    """One camera's heartbeat (every 10 s from the worker)."""

    camera_id: int
    state: CameraState
    message: str = ""
    fps: float | None = None
    drops: int | None = None
    last_frame_at: datetime | None = None


def record_camera_state(
    *,
    session: Session,
    camera_id: int,
    state: CameraState,
    message: str,
    at: datetime,
    fps: float | None = None,
    drops: int | None = None,
    last_frame_at: datetime | None = None,
) -> KitchenCamera:
    """Store what the worker says of a camera. A change to an unhealthy state opens a health
    alert and a health span (the business is told); back online closes them; connecting
    (a reconnection attempt) leaves an open span as it is."""
    camera = session.get(KitchenCamera, camera_id)
    if camera is None:
        raise NotFoundError(N_("No such camera"))
    _apply_beat(
        session, camera, CameraBeat(camera_id, state, message, fps, drops, last_frame_at), at
    )
    return camera


def set_camera_states(
    *, session: Session, beats: Sequence[CameraBeat], at: datetime | None = None
) -> int:
    """Many cameras' heartbeats in one short transaction; the number stored. Cameras that
    no longer exist (removed since the worker loaded them) are skipped."""
    at = at or utc_now()
    cameras = repo.cameras_by_id(session, {beat.camera_id for beat in beats})
    stored = 0
    for beat in beats:
        camera = cameras.get(beat.camera_id)
        if camera is None:
            continue
        _apply_beat(session, camera, beat, at)
        stored += 1
    session.flush()
    return stored


def _apply_beat(session: Session, camera: KitchenCamera, beat: CameraBeat, at: datetime) -> None:
    if at.tzinfo is None:
        raise ValueError("a camera state's time must be aware (UTC)")
    state = CameraState(beat.state)
    message = (beat.message or "")[:MESSAGE_LIMIT]
    # Frame rate, drops and frame times are telemetry written every few seconds: kept on the
    # camera, not audited. Only a change of state is (below).
    if beat.fps is not None:
        camera.fps = round(float(beat.fps), 2)
    if beat.drops is not None:
        camera.drops = int(beat.drops)
    if beat.last_frame_at is not None:
        camera.last_frame_at = beat.last_frame_at
    if state is camera.state:
        camera.state_message = message
        return
    before = {"state": camera.state.value, "message": camera.state_message}
    span = repo.open_health_span(session, camera.id)
    if state is CameraState.ONLINE and span is not None:
        _close_span(session, span, at)
    elif state in UNHEALTHY_STATES:
        same_alert = span is not None and HEALTH_CLASS.get(span.state) is HEALTH_CLASS[state]
        if span is not None:
            _close_span(session, span, at, keep_alert_open=same_alert)
        alert_id = span.alert_id if span is not None and same_alert else None
        if alert_id is None:
            alert = _open_health_alert(session, camera, state, message, at)
            alert_id = alert.id
        session.add(
            KitchenCameraHealthSpan(
                camera_id=camera.id,
                state=state,
                message=message,
                alert_id=alert_id,
                started_at=at,
            )
        )
    camera.state = state
    camera.state_message = message
    camera.state_since = at
    session.flush()
    audit.record(
        session=session,
        actor=VISION,
        action="kitchen_camera.state",
        entity_type="kitchen_camera",
        entity_id=camera.id,
        before=before,
        after={"state": state.value, "message": message},
    )


def _close_span(
    session: Session, span: KitchenCameraHealthSpan, at: datetime, *, keep_alert_open: bool = False
) -> None:
    span.ended_at = at
    if span.alert_id is not None and not keep_alert_open:
        alert = session.get(KitchenAlert, span.alert_id)
        if alert is not None and alert.ended_at is None:
            alert.ended_at = at


def _open_health_alert(
    session: Session, camera: KitchenCamera, state: CameraState, message: str, at: datetime
) -> KitchenAlert:
    alert = KitchenAlert(
        camera_id=camera.id,
        business_id=camera.business_id,
        area=camera.area,
        alert_class=HEALTH_CLASS[state],
        kind=AlertKind.HEALTH,
        confidence=None,
        model=None,
        model_sha256=None,
        boxes=[],
        started_at=at,
        started_on=to_local(at).date(),
        confirmed_at=at,
        status=AlertStatus.OPEN,
        review_note="",
    )
    session.add(alert)
    session.flush()
    audit.record(
        session=session,
        actor=VISION,
        action="kitchen_alert.raise",
        entity_type="kitchen_alert",
        entity_id=alert.id,
        after={
            "camera_id": camera.id,
            "alert_class": alert.alert_class.value,
            "kind": alert.kind.value,
            "state": state.value,
            "message": message,
        },
    )
    business = session.get(Business, camera.business_id)
    if business is not None:
        messages.camera_down(
            session=session, alert=alert, camera=camera, business=business, detail=message
        )
    return alert
