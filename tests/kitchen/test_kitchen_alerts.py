"""Kitchen alerts: recorded by the worker with their evidence (SHA-256 of each file), refused
whole on bad input, camera health spans, the business's answers and the regulator's review,
one case for repeated confirmed violations, the false-alarm rate, notifications, scoping."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path

import pytest
from kitchen_support import MODEL_SHA, add_camera, event, jpeg, mp4, officer, raise_alert, store
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import principal_of
from sunshine.audit.models import AuditEntry
from sunshine.cases.enums import CaseKind
from sunshine.cases.models import Case
from sunshine.config import get_settings
from sunshine.core import evidence
from sunshine.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailed
from sunshine.core.evidence_models import EvidenceFile
from sunshine.core.pagination import PageRequest
from sunshine.core.time import utc_now
from sunshine.kitchen import repository as repo
from sunshine.kitchen import service
from sunshine.kitchen.alert_models import KitchenAlert, KitchenAlertAction, KitchenCameraHealthSpan
from sunshine.kitchen.enums import AlertAction, AlertClass, AlertKind, AlertStatus, CameraState
from sunshine.notifications.models import Notification


def _uid(session: Session, username: str) -> int | None:
    return principal_of(session, username).user_id


def _files_in(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else 0


def _count(session: Session, model: type) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_an_alert_keeps_its_snapshots_and_clip_with_their_sha256(
    session: Session, demo: Demo
) -> None:
    camera = add_camera(session, demo)
    boxed, clean, clip = jpeg(200), jpeg(100), mp4()
    alert = service.record_alert(
        session=session,
        camera_id=camera.id,
        event=event(AlertClass.NO_MASK),
        model="mask-aizoo",
        model_sha256=MODEL_SHA,
        snapshot_boxed=boxed,
        snapshot_clean=clean,
        clip=clip,
    )
    assert alert.status is AlertStatus.OPEN and alert.kind is AlertKind.SUSPECTED
    assert (alert.business_id, alert.area) == (camera.business_id, camera.area)
    assert alert.model_sha256 == MODEL_SHA and alert.confidence == pytest.approx(0.87)
    assert alert.boxes == [[0.4, 0.3, 0.46, 0.37]]
    files = evidence.files_of(session, owner_type="kitchen_alert", owner_ids=[alert.id])[alert.id]
    assert [f.original_name for f in files] == [
        "snapshot-boxed.jpg",
        "snapshot-clean.jpg",
        "clip.mp4",
    ]
    assert [f.sha256 for f in files] == [
        hashlib.sha256(data).hexdigest() for data in (boxed, clean, clip)
    ]
    assert files[2].media_type == "video/mp4"
    entry = session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "kitchen_alert.raise", AuditEntry.entity_id == str(alert.id)
        )
    ).scalar_one()
    assert entry.actor_label == "vision worker"


def test_bad_alerts_are_refused_and_nothing_is_kept(session: Session, demo: Demo) -> None:
    camera = add_camera(session, demo)
    alerts, files = _count(session, KitchenAlert), _count(session, EvidenceFile)
    on_disk = _files_in(get_settings().storage_dir / "evidence")
    good = {
        "session": session,
        "camera_id": camera.id,
        "event": event(),
        "model": "smoking",
        "model_sha256": MODEL_SHA,
        "snapshot_boxed": jpeg(),
        "snapshot_clean": jpeg(),
        "clip": None,
    }
    for changes, error in (
        ({"snapshot_clean": b"not a picture at all"}, evidence.EvidenceRejected),
        ({"clip": b"\x00\x00\x00\x18ftypisom" + b"x" * 10}, evidence.EvidenceRejected),
        ({"clip": mp4(), "clip_type": "video/x-msvideo"}, ValidationFailed),
        ({"model_sha256": "abc"}, ValidationFailed),
        ({"event": event(AlertClass.OFFLINE)}, ValidationFailed),
        ({"event": event(confidence=1.5)}, ValidationFailed),
        ({"camera_id": 10**9}, NotFoundError),
    ):
        with pytest.raises(error):
            service.record_alert(**{**good, **changes})  # type: ignore[arg-type]
        assert (_count(session, KitchenAlert), _count(session, EvidenceFile)) == (alerts, files)
    # Files a refused alert wrote (its snapshots, checked before the clip) go with the rollback.
    folder = get_settings().storage_dir / "evidence"
    assert _files_in(folder) > on_disk
    session.rollback()
    assert _files_in(folder) == on_disk
    # A model without a pinned digest: the alert is kept, its digest unknown.
    camera = add_camera(session, demo)
    kept = service.record_alert(**{**good, "camera_id": camera.id, "model_sha256": ""})  # type: ignore[arg-type]
    assert kept.model_sha256 is None


def _clip_entries(session: Session, alert_id: int) -> list[AuditEntry]:
    return list(
        session.execute(
            select(AuditEntry).where(
                AuditEntry.action == "kitchen_alert.clip", AuditEntry.entity_id == str(alert_id)
            )
        ).scalars()
    )


def test_a_clip_is_attached_to_a_stored_alert_with_its_sha256(session: Session, demo: Demo) -> None:
    camera = add_camera(session, demo)
    alert = raise_alert(session, camera)  # stored at once, with its snapshots only
    version = alert.version
    clip = mp4()
    same = service.attach_alert_clip(session=session, alert_id=alert.id, clip=clip)
    assert same is alert and alert.clip_note is None
    files = evidence.files_of(session, owner_type="kitchen_alert", owner_ids=[alert.id])[alert.id]
    assert [(f.original_name, f.position) for f in files] == [
        ("snapshot-boxed.jpg", 1),
        ("snapshot-clean.jpg", 2),
        ("clip.mp4", 3),
    ]
    assert files[2].sha256 == hashlib.sha256(clip).hexdigest()
    assert files[2].media_type == "video/mp4"
    [entry] = _clip_entries(session, alert.id)
    assert entry.actor_label == "vision worker"
    assert entry.after == {"files": {"clip.mp4": files[2].sha256}}
    # Adding a file leaves the alert row alone: a review open meanwhile is not disturbed.
    session.flush()
    assert alert.version == version
    # One clip per alert.
    with pytest.raises(ConflictError):
        service.attach_alert_clip(session=session, alert_id=alert.id, clip=mp4())
    with pytest.raises(ConflictError):
        service.attach_alert_clip(session=session, alert_id=alert.id, clip=None, note="late")


def test_a_bad_clip_is_refused_and_nothing_is_kept(session: Session, demo: Demo) -> None:
    on_disk = _files_in(get_settings().storage_dir / "evidence")
    camera = add_camera(session, demo)
    alert = raise_alert(session, camera)
    service.record_camera_state(
        session=session,
        camera_id=camera.id,
        state=CameraState.OFFLINE,
        message="no frame for 20 s",
        at=utc_now(),
    )
    health_alert = session.execute(
        select(KitchenAlert).where(
            KitchenAlert.camera_id == camera.id, KitchenAlert.kind == AlertKind.HEALTH
        )
    ).scalar_one()
    files = _count(session, EvidenceFile)
    for changes, error in (
        ({"clip": mp4(), "clip_type": "video/webm"}, ValidationFailed),  # not what it claims
        ({"clip": mp4(), "clip_type": "video/x-msvideo"}, ValidationFailed),
        ({"clip": b"\x00\x00\x00\x18ftypisom" + b"x" * 10}, evidence.EvidenceRejected),
        ({"clip": None}, ValidationFailed),  # no clip and no word why
        ({"clip": None, "note": "   "}, ValidationFailed),
        ({"alert_id": 10**9}, NotFoundError),
        ({"alert_id": health_alert.id}, ValidationFailed),
    ):
        arguments = {"session": session, "alert_id": alert.id, "clip": mp4(), **changes}
        with pytest.raises(error):
            service.attach_alert_clip(**arguments)  # type: ignore[arg-type]
        assert _count(session, EvidenceFile) == files
        assert alert.clip_note is None and _clip_entries(session, alert.id) == []
    # The files written in the transaction (the clip checked before its type was found
    # wrong among them) go with its rollback.
    session.rollback()
    assert _files_in(get_settings().storage_dir / "evidence") == on_disk


def test_a_note_says_why_an_alert_has_no_clip(session: Session, demo: Demo) -> None:
    camera = add_camera(session, demo)
    alert = raise_alert(session, camera)
    session.flush()
    version = alert.version
    service.attach_alert_clip(
        session=session,
        alert_id=alert.id,
        clip=None,
        note="clip skipped: the media quota is full",
    )
    assert alert.clip_note == "clip skipped: the media quota is full"
    session.flush()
    session.expire_all()
    stored = session.get(KitchenAlert, alert.id)
    assert stored is not None and stored.clip_note == "clip skipped: the media quota is full"
    # Set by a plain UPDATE: the version a reviewer opened the alert at still holds.
    assert stored.version == version
    [entry] = _clip_entries(session, alert.id)
    assert entry.after == {"clip_note": "clip skipped: the media quota is full"}
    files = evidence.files_of(session, owner_type="kitchen_alert", owner_ids=[alert.id])[alert.id]
    assert [f.original_name for f in files] == ["snapshot-boxed.jpg", "snapshot-clean.jpg"]
    service.mark_false_alarm(
        session=session, actor=officer(session), alert_id=alert.id, reason="a steaming pot"
    )
    session.flush()
    session.expire_all()
    stored = session.get(KitchenAlert, alert.id)
    assert stored is not None and stored.status is AlertStatus.FALSE_ALARM
    assert stored.clip_note == "clip skipped: the media quota is full"


def test_the_business_and_its_officers_are_told(session: Session, demo: Demo) -> None:
    camera = add_camera(session, demo)
    alert = raise_alert(session, camera)
    told = session.execute(
        select(Notification.recipient_user_id, Notification.link).where(
            Notification.kind == "kitchen.alert_raised"
        )
    ).all()
    owner = _uid(session, "owner_a")
    assert (owner, f"/biz/kitchen/alerts/{alert.id}") in told
    officers = {user for user, link in told if link == f"/gov/kitchen/alerts/{alert.id}"}
    assert officers and _uid(session, "inspector_b") not in officers
    assert _uid(session, "owner_a2") not in {user for user, _ in told}


def test_health_states_open_and_close_a_health_alert_and_span(session: Session, demo: Demo) -> None:
    camera = add_camera(session, demo)
    t0 = utc_now()
    service.record_camera_state(
        session=session, camera_id=camera.id, state=CameraState.ONLINE, message="", at=t0
    )
    service.record_camera_state(
        session=session,
        camera_id=camera.id,
        state=CameraState.OFFLINE,
        message="no frame for 20 s",
        at=t0 + timedelta(minutes=1),
    )
    # A reconnection attempt and an error keep the same offline alert.
    service.record_camera_state(
        session=session,
        camera_id=camera.id,
        state=CameraState.CONNECTING,
        message="",
        at=t0 + timedelta(minutes=2),
    )
    service.record_camera_state(
        session=session,
        camera_id=camera.id,
        state=CameraState.ERROR,
        message="the camera refused the credentials",
        at=t0 + timedelta(minutes=3),
    )
    health = session.execute(
        select(KitchenAlert).where(
            KitchenAlert.camera_id == camera.id, KitchenAlert.kind == AlertKind.HEALTH
        )
    ).scalars()
    [offline] = list(health)
    assert offline.alert_class is AlertClass.OFFLINE and offline.ended_at is None
    service.record_camera_state(
        session=session,
        camera_id=camera.id,
        state=CameraState.ONLINE,
        message="",
        at=t0 + timedelta(minutes=5),
        fps=2.0,
        drops=3,
        last_frame_at=t0 + timedelta(minutes=5),
    )
    assert offline.ended_at == t0 + timedelta(minutes=5)
    spans = repo.health_spans(session, camera_id=camera.id, since=t0)
    assert [(s.state, s.ended_at is not None) for s in spans] == [
        (CameraState.OFFLINE, True),
        (CameraState.ERROR, True),
    ]
    assert {s.alert_id for s in spans} == {offline.id}
    assert camera.state is CameraState.ONLINE and camera.fps == 2.0 and camera.drops == 3
    # A covered lens is another problem: a new alert.
    service.record_camera_state(
        session=session,
        camera_id=camera.id,
        state=CameraState.COVERED,
        message="dark picture",
        at=t0 + timedelta(minutes=6),
    )
    covered = session.execute(
        select(KitchenAlert).where(KitchenAlert.alert_class == AlertClass.COVERED)
    ).scalar_one()
    assert covered.camera_id == camera.id and covered.ended_at is None
    assert session.execute(
        select(Notification).where(Notification.kind == "kitchen.camera_down")
    ).first()


def test_heartbeats_of_many_cameras_are_written_at_once(session: Session, demo: Demo) -> None:
    one, two = add_camera(session, demo), add_camera(session, demo, name="two")
    at = utc_now()
    stored = service.set_camera_states(
        session=session,
        beats=[
            service.CameraBeat(one.id, CameraState.ONLINE, fps=1.9, drops=0, last_frame_at=at),
            service.CameraBeat(two.id, CameraState.FROZEN, "no change for 60 s"),
            service.CameraBeat(10**9, CameraState.ONLINE),
        ],
        at=at,
    )
    assert stored == 2
    assert one.state is CameraState.ONLINE and one.last_frame_at == at
    assert two.state is CameraState.FROZEN
    assert _count(session, KitchenCameraHealthSpan) >= 1


def test_the_business_answers_and_the_regulator_reviews(session: Session, demo: Demo) -> None:
    camera = add_camera(session, demo)
    owner, manager = principal_of(session, "owner_a"), principal_of(session, "manager_a")
    alert = raise_alert(session, camera)
    service.acknowledge(session=session, actor=owner, alert_id=alert.id)
    assert alert.status is AlertStatus.ACKNOWLEDGED
    with pytest.raises(ValidationFailed):
        service.rectify(session=session, actor=manager, alert_id=alert.id, note=" ")
    photo = evidence.Upload("after.jpg", io.BytesIO(jpeg(30)))
    service.rectify(
        session=session,
        actor=manager,
        alert_id=alert.id,
        note="已对当班员工进行教育，张贴禁烟标识",
        photos=[photo],
    )
    assert alert.status is AlertStatus.RECTIFIED
    with pytest.raises(ConflictError):
        service.explain(session=session, actor=owner, alert_id=alert.id, note="again")
    with pytest.raises(ForbiddenError):
        service.acknowledge(
            session=session, actor=principal_of(session, "staff_a"), alert_id=alert.id
        )
    with pytest.raises(ForbiddenError):
        service.confirm(session=session, actor=owner, alert_id=alert.id)
    inspector = officer(session)
    with pytest.raises(ValidationFailed) as caught:
        service.mark_false_alarm(session=session, actor=inspector, alert_id=alert.id, reason="")
    assert caught.value.problems[0].field == "reason"
    service.mark_false_alarm(
        session=session, actor=inspector, alert_id=alert.id, reason="是筷子，不是香烟"
    )
    assert alert.status is AlertStatus.FALSE_ALARM and alert.review_note == "是筷子，不是香烟"
    with pytest.raises(ConflictError):
        service.confirm(session=session, actor=inspector, alert_id=alert.id)
    shown = service.alert_file(session=session, actor=owner, alert_id=alert.id)
    assert [a.action for a in shown.actions] == [
        AlertAction.ACKNOWLEDGE,
        AlertAction.RECTIFY,
        AlertAction.FALSE_ALARM,
    ]
    rectified = shown.actions[1]
    assert [f.original_name for f in shown.action_files[rectified.id]] == ["after.jpg"]
    audited = session.execute(
        select(AuditEntry.action).where(
            AuditEntry.entity_type == "kitchen_alert", AuditEntry.entity_id == str(alert.id)
        )
    ).scalars()
    assert set(audited) >= {
        "kitchen_alert.raise",
        "kitchen_alert.acknowledge",
        "kitchen_alert.rectify",
        "kitchen_alert.false_alarm",
    }
    assert session.execute(
        select(Notification).where(
            Notification.kind == "kitchen.alert_reviewed",
            Notification.recipient_user_id == _uid(session, "owner_a"),
        )
    ).first()


def test_neighbours_see_no_alert_and_cannot_act(session: Session, demo: Demo) -> None:
    camera = add_camera(session, demo)
    alert = raise_alert(session, camera)
    for outsider in ("owner_a2", "owner_b", "inspector_b", "citizen"):
        actor = principal_of(session, outsider)
        with pytest.raises(NotFoundError):
            service.alert_file(session=session, actor=actor, alert_id=alert.id)
        listed = service.list_alerts(
            session=session, actor=actor, filters=repo.AlertFilter(), page=PageRequest()
        )
        assert alert.id not in [a.id for a, _, _ in listed.items]
        files = evidence.files_of(session, owner_type="kitchen_alert", owner_ids=[alert.id])
        token = files[alert.id][0].token
        with pytest.raises(NotFoundError):
            evidence.open_original(session=session, actor=actor, token=token)
    with pytest.raises(NotFoundError):
        service.confirm(session=session, actor=officer(session, "inspector_b"), alert_id=alert.id)
    with pytest.raises(NotFoundError):
        service.acknowledge(
            session=session, actor=principal_of(session, "owner_a2"), alert_id=alert.id
        )
    token = evidence.files_of(session, owner_type="kitchen_alert", owner_ids=[alert.id])[alert.id][
        0
    ].token
    served = evidence.open_original(session=session, actor=officer(session), token=token)
    assert served.path.read_bytes()[:3] == b"\xff\xd8\xff"


def test_repeated_confirmed_violations_open_one_case(session: Session, demo: Demo) -> None:
    threshold = get_settings().kitchen_case_threshold
    assert threshold == 3
    camera = add_camera(session, demo)
    inspector = officer(session)
    now = utc_now()
    smoking = [raise_alert(session, camera, at=now - timedelta(days=d)) for d in (40, 20, 10, 5, 1)]
    phone = raise_alert(session, camera, AlertClass.PHONE, at=now - timedelta(days=2))
    cases_before = _count(session, Case)
    # The one of 40 days ago is outside the 30-day window: it does not count.
    for alert in smoking[:3]:
        service.confirm(session=session, actor=inspector, alert_id=alert.id)
    service.confirm(session=session, actor=inspector, alert_id=phone.id)
    assert _count(session, Case) == cases_before
    assert all(a.case_id is None for a in smoking)
    service.confirm(session=session, actor=inspector, alert_id=smoking[3].id)
    assert _count(session, Case) == cases_before + 1
    case = session.get(Case, smoking[3].case_id)
    assert case is not None and case.kind is CaseKind.LEAD
    assert case.business_id == store(session, demo).id
    assert [a.case_id for a in smoking[1:4]] == [case.id] * 3
    assert smoking[0].case_id is None and phone.case_id is None
    # A later confirmation joins the open case instead of opening another.
    service.confirm(session=session, actor=inspector, alert_id=smoking[4].id)
    assert _count(session, Case) == cases_before + 1 and smoking[4].case_id == case.id
    linked = session.execute(
        select(func.count())
        .select_from(KitchenAlertAction)
        .where(KitchenAlertAction.action == AlertAction.LINK_CASE)
    ).scalar_one()
    assert linked == 4
    shown = service.alert_file(session=session, actor=inspector, alert_id=smoking[4].id)
    assert shown.case is not None and shown.case.id == case.id
    # The business reads its alert, not the case file.
    owner_view = service.alert_file(
        session=session, actor=principal_of(session, "owner_a"), alert_id=smoking[4].id
    )
    assert owner_view.case is None


def test_false_alarm_rate_counts_reviewed_behaviour_alerts_only(
    session: Session, demo: Demo
) -> None:
    camera = add_camera(session, demo)
    inspector = officer(session)
    alerts = [raise_alert(session, camera) for _ in range(5)]
    for alert in alerts[:3]:
        service.mark_false_alarm(session=session, actor=inspector, alert_id=alert.id, reason="误报")
    service.confirm(session=session, actor=inspector, alert_id=alerts[3].id)
    service.record_camera_state(
        session=session,
        camera_id=camera.id,
        state=CameraState.OFFLINE,
        message="",
        at=utc_now(),
    )
    rate = service.false_alarm_rate(session=session, actor=inspector, camera_id=camera.id)
    assert (rate.alerts, rate.reviewed, rate.false_alarms) == (5, 4, 3)
    assert rate.rate == pytest.approx(0.75)
    with pytest.raises(NotFoundError):
        service.false_alarm_rate(
            session=session, actor=officer(session, "inspector_b"), camera_id=camera.id
        )
    idle = add_camera(session, demo, name="idle")
    assert (
        service.false_alarm_rate(session=session, actor=inspector, camera_id=idle.id).rate is None
    )
