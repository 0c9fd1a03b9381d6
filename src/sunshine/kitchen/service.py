"""What the vision workers call, and the review of kitchen alerts.

The workers (``sunshine.workers.vision``) act for the system (:data:`VISION`), each call in
a short transaction of their own that they commit:

* :func:`worker_cameras`: the enabled cameras as plain :class:`CameraConfig` values, with the
  credentials put back into the stream address and the camera's :class:`CameraRuleSet`;
* :func:`record_alert`: a confirmed :class:`RuleEvent` with its boxed and clean snapshots,
  kept as evidence with the SHA-256 of each file, at once (the alert is due within 2 s of
  the event); :func:`attach_alert_clip` adds its clip when the clip's post-roll has passed
  (seconds later), or notes why there is none;
* :func:`record_camera_state` and :func:`set_camera_states` (many heartbeats at once): a
  change to an unhealthy state opens a health alert and a health span; back online closes
  them.

People review alerts: the business (owner, managers) acknowledges, rectifies (with photos)
or explains; the regulator confirms or marks a false alarm (with its reason, kept as feedback
for the models). ``kitchen_case_threshold`` confirmed alerts of one class at one business
within ``kitchen_case_window_days`` open one lead case (线索) in the case engine, which later
confirmed alerts of that class join while it is not closed.

Camera health lives in :mod:`.health`, the case for repeats in :mod:`.repeats`; their
functions are named here too, so the workers need one module.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sunshine.audit import service as audit
from sunshine.auth import access as auth_access
from sunshine.auth.principal import Principal
from sunshine.cases.models import Case
from sunshine.core import evidence
from sunshine.core.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from sunshine.core.evidence_models import EvidenceFile, EvidenceKind
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import to_local, utc_now
from sunshine.kitchen import messages
from sunshine.kitchen import repository as repo
from sunshine.kitchen.access import VISION, alert_condition, require_answering
from sunshine.kitchen.alert_models import KitchenAlert, KitchenAlertAction
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.cameras import unseal, visible_camera
from sunshine.kitchen.enums import (
    BEHAVIOUR_CLASSES,
    BUSINESS_ACTIONS,
    DECIDED,
    LOCAL_KINDS,
    REGULATOR_ACTIONS,
    AlertAction,
    AlertClass,
    AlertKind,
    AlertStatus,
    Area,
    StreamKind,
)
from sunshine.kitchen.health import CameraBeat, record_camera_state, set_camera_states
from sunshine.kitchen.policy import build_rule_set
from sunshine.kitchen.repeats import case_for_repeats
from sunshine.kitchen.risk_signals import violation_confirmed
from sunshine.kitchen.rules import CameraRuleSet, Polygon, RuleEvent, Window
from sunshine.registry.models import Business

__all__ = [
    "VISION",
    "CameraBeat",
    "CameraConfig",
    "attach_alert_clip",
    "record_alert",
    "record_camera_state",
    "set_camera_states",
    "worker_cameras",
]

#: ``owner_type`` of an alert's snapshots and clip, and of a rectification's photos.
OWNER = "kitchen_alert"
ACTION_OWNER = "kitchen_alert_action"
NOTE_LIMIT = 2000
MESSAGE_LIMIT = 300
SHA256 = re.compile(r"^[0-9a-f]{64}$")
SNAPSHOTS = evidence.EvidenceRules(
    kinds=frozenset({EvidenceKind.PHOTO}), max_files=2, field="snapshots"
)
CLIPS = evidence.EvidenceRules(kinds=frozenset({EvidenceKind.VIDEO}), max_files=1, field="clip")
CLIP_NOTE_LIMIT = 200
#: The notes the workers give when an alert has no clip (the alert page translates them).
CLIP_NOTES = (
    N_("clip skipped: the media quota is full"),
    N_("no frames were kept for a clip"),
)
RECTIFY_PHOTOS = evidence.EvidenceRules(
    kinds=frozenset({EvidenceKind.PHOTO}), max_files=5, field="photos"
)


# The workers' configuration -----------------------------------------------------------------


@dataclass(frozen=True)
class CameraConfig:
    """One enabled camera as a vision worker runs it (plain values, no database rows).

    ``stream_url`` carries the decrypted credentials: keep it out of logs and messages.
    ``detect_classes`` are the detector classes the camera's rules watch.
    """

    id: int
    business_id: int
    name: str
    area: Area
    stream_kind: StreamKind
    stream_url: str
    analysis_fps: float
    person_model: str
    privacy_masks: tuple[Polygon, ...]
    zones: Mapping[str, Polygon]
    rule_set: CameraRuleSet
    hours: tuple[Window, ...] | None
    public: bool
    public_token: str
    enabled: bool
    detect_classes: frozenset[str]


def worker_cameras(
    *, session: Session, kinds: Mapping[str, AlertKind] | None = None
) -> list[CameraConfig]:
    """Every enabled camera's configuration. ``kinds`` maps alert classes to the kind the
    model manifest's measured precision gives them (see :mod:`sunshine.kitchen.policy`)."""
    out = []
    for camera in repo.enabled_cameras(session):
        rule_set = build_rule_set(
            area=camera.area,
            overrides=camera.rule_overrides,
            zones=camera.zones,
            hours=camera.operating_hours,
            kinds=kinds,
        )
        out.append(
            CameraConfig(
                id=camera.id,
                business_id=camera.business_id,
                name=camera.name,
                area=camera.area,
                stream_kind=camera.stream_kind,
                stream_url=stream_address(camera),
                analysis_fps=camera.analysis_fps,
                person_model=camera.person_model,
                privacy_masks=tuple(
                    tuple((float(x), float(y)) for x, y in mask) for mask in camera.privacy_masks
                ),
                zones=dict(rule_set.zones),
                rule_set=rule_set,
                hours=rule_set.hours,
                public=camera.public,
                public_token=camera.public_token,
                enabled=camera.enabled,
                detect_classes=frozenset(rule.detect_cls for rule in rule_set.rules),
            )
        )
    return out


def stream_address(camera: KitchenCamera) -> str:
    """The address the worker opens: the stored one with the credentials put back in."""
    credentials = unseal(camera)
    if credentials is None or camera.stream_kind in LOCAL_KINDS:
        return camera.stream_url
    parts = urlsplit(camera.stream_url)
    userinfo = f"{quote(credentials.username, safe='')}:{quote(credentials.password, safe='')}"
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{parts.netloc}"))


# Alerts from the rules ----------------------------------------------------------------------


def record_alert(
    *,
    session: Session,
    camera_id: int,
    event: RuleEvent,
    model: str,
    model_sha256: str,
    snapshot_boxed: bytes,
    snapshot_clean: bytes,
    clip: bytes | None = None,
    clip_type: str = "video/mp4",
) -> KitchenAlert:
    """Keep a confirmed alert with its evidence (boxed and clean JPEG snapshots, an MP4
    clip when there is one already), each file's SHA-256 stored. Refused whole, nothing
    kept, when the event or a file is not right; the business and its officers are told.
    The workers give no clip here: they attach it later with :func:`attach_alert_clip`."""
    _check_event(event, model, model_sha256)
    # The files are checked and written before the first query: on SQLite the transaction
    # (and its write lock, which the web requests wait for) begins only once they are.
    prepared = evidence.prepare(
        session=session,
        uploads=[
            evidence.Upload("snapshot-boxed.jpg", io.BytesIO(snapshot_boxed)),
            evidence.Upload("snapshot-clean.jpg", io.BytesIO(snapshot_clean)),
        ],
        rules=SNAPSHOTS,
    )
    if any(p.media_type != "image/jpeg" for p in prepared):
        raise ValidationFailed([FieldProblem("snapshots", N_("snapshots are JPEG images"))])
    if clip is not None:
        prepared += _prepare_clip(session, clip, clip_type)
    camera = session.get(KitchenCamera, camera_id)
    if camera is None:
        raise NotFoundError(N_("No such camera"))
    alert = KitchenAlert(
        camera_id=camera.id,
        business_id=camera.business_id,
        area=camera.area,
        alert_class=event.alert_class,
        kind=event.kind,
        confidence=round(float(event.confidence), 4),
        model=model,
        model_sha256=model_sha256 or None,
        boxes=[[round(float(v), 4) for v in box] for box in event.boxes],
        started_at=event.first_seen_at,
        started_on=to_local(event.first_seen_at).date(),
        confirmed_at=event.confirmed_at,
        status=AlertStatus.OPEN,
        review_note="",
    )
    session.add(alert)
    session.flush()
    evidence.record(
        session=session, actor=VISION, prepared=prepared, owner_type=OWNER, owner_id=alert.id
    )
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
            "confidence": alert.confidence,
            "model": model,
            "model_sha256": model_sha256 or None,
            "files": {p.original_name: p.sha256 for p in prepared},
        },
    )
    business = session.get(Business, camera.business_id)
    if business is not None:
        messages.alert_raised(session=session, alert=alert, camera=camera, business=business)
    return alert


def attach_alert_clip(
    *,
    session: Session,
    alert_id: int,
    clip: bytes | None,
    clip_type: str = "video/mp4",
    note: str | None = None,
) -> KitchenAlert:
    """Give an alert :func:`record_alert` kept its clip (checked as there, its SHA-256
    stored), or, without one, ``note`` saying why there is none (``note`` is not used
    with a clip). Refused, nothing kept, when the clip is not right, a note is missing or
    the alert has its clip (or note) already."""
    # Checked and written before the first query, as in record_alert (the write lock).
    prepared = _prepare_clip(session, clip, clip_type) if clip is not None else []
    alert = session.get(KitchenAlert, alert_id)
    if alert is None:
        raise NotFoundError(N_("No such alert"))
    if alert.kind is AlertKind.HEALTH:
        raise ValidationFailed([FieldProblem("clip", N_("health alerts have no clip"))])
    files = evidence.files_of(session, owner_type=OWNER, owner_ids=[alert.id]).get(alert.id, [])
    if alert.clip_note is not None or any(f.kind is EvidenceKind.VIDEO for f in files):
        raise ConflictError(N_("This alert has its clip already."))
    if clip is None:
        text = " ".join((note or "").split())[:CLIP_NOTE_LIMIT]
        if not text:
            raise ValidationFailed([FieldProblem("note", N_("say why there is no clip"))])
        # A plain UPDATE, not the ORM's versioned flush: the note is the system's, apart
        # from what people change, and bumping ``version`` would turn a review that
        # happens to be saved in the same seconds into a "changed since you opened it"
        # conflict for the reviewer. (Adding a clip inserts an evidence row and leaves
        # the alert row alone, so it cannot conflict either.)
        repo.set_clip_note(session, alert=alert, note=text)
        after: dict[str, object] = {"clip_note": text}
    else:
        (row,) = evidence.record(
            session=session, actor=VISION, prepared=prepared, owner_type=OWNER, owner_id=alert.id
        )
        # After the snapshots in the alert's file list (``record`` numbers from 1).
        row.position = max((f.position for f in files), default=0) + 1
        session.flush()
        after = {"files": {p.original_name: p.sha256 for p in prepared}}
    audit.record(
        session=session,
        actor=VISION,
        action="kitchen_alert.clip",
        entity_type="kitchen_alert",
        entity_id=alert.id,
        after=after,
    )
    return alert


def _prepare_clip(session: Session, clip: bytes, clip_type: str) -> list[evidence.PreparedFile]:
    """An alert's clip checked and on disk (not yet recorded): an MP4 or WebM video that
    is what ``clip_type`` says."""
    extension = {"video/mp4": "mp4", "video/webm": "webm"}.get(clip_type)
    if extension is None:
        raise ValidationFailed([FieldProblem("clip", N_("a clip is an MP4 or WebM video"))])
    prepared = evidence.prepare(
        session=session,
        uploads=[evidence.Upload(f"clip.{extension}", io.BytesIO(clip))],
        rules=CLIPS,
    )
    if prepared[0].media_type != clip_type:
        raise ValidationFailed([FieldProblem("clip", N_("the clip is not of the type it claims"))])
    return prepared


def _check_event(event: RuleEvent, model: str, model_sha256: str) -> None:
    problems = []
    if AlertClass(event.alert_class) not in BEHAVIOUR_CLASSES:
        problems.append(FieldProblem("alert_class", N_("health alerts come from camera states")))
    if AlertKind(event.kind) not in (AlertKind.VIOLATION, AlertKind.SUSPECTED):
        problems.append(FieldProblem("kind", N_("a rule raises a violation or a suspicion")))
    if not 0.0 <= float(event.confidence) <= 1.0:
        problems.append(FieldProblem("confidence", N_("a confidence lies within 0 and 1")))
    for n, box in enumerate(event.boxes):
        if len(box) != 4 or not all(-0.01 <= float(v) <= 1.01 for v in box):
            problems.append(
                FieldProblem(f"boxes[{n}]", N_("a box is x1, y1, x2, y2 within 0 and 1"))
            )
    for moment, name in ((event.first_seen_at, "first_seen_at"), (event.confirmed_at, "at")):
        if moment.tzinfo is None:
            problems.append(FieldProblem(name, N_("times must be aware (UTC)")))
    if not problems and event.confirmed_at < event.first_seen_at:
        problems.append(FieldProblem("confirmed_at", N_("confirmed before it was first seen")))
    if not model.strip() or len(model) > 60:
        problems.append(FieldProblem("model", N_("name the model (at most 60 characters)")))
    # Empty: a model installed without a pinned digest (a bureau's own); kept as unknown.
    if model_sha256 and not SHA256.match(model_sha256):
        problems.append(
            FieldProblem("model_sha256", N_("a SHA-256 is 64 lower-case hexadecimal digits"))
        )
    if problems:
        raise ValidationFailed(problems)


# Reading alerts -----------------------------------------------------------------------------


def visible_alert(session: Session, actor: Principal, alert_id: int) -> KitchenAlert:
    """The alert if ``actor`` may see it (404 otherwise, so existence is not revealed)."""
    alert = repo.get_alert(session, alert_id=alert_id, scope=alert_condition(actor))
    if alert is None:
        raise NotFoundError(N_("No such alert"))
    return alert


def list_alerts(
    *, session: Session, actor: Principal, filters: repo.AlertFilter, page: PageRequest
) -> Page[tuple[KitchenAlert, str, str]]:
    """Alerts ``actor`` may see, the latest first, with camera and business names."""
    rows, total = repo.page_alerts(
        session,
        scope=alert_condition(actor),
        filters=filters,
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=rows, total=total, request=page)


@dataclass(frozen=True)
class AlertFile:
    """An alert with everything its page shows."""

    alert: KitchenAlert
    camera: KitchenCamera
    business: Business
    actions: Sequence[KitchenAlertAction]
    files: Sequence[EvidenceFile]
    action_files: Mapping[int, Sequence[EvidenceFile]]
    case: Case | None


def alert_file(*, session: Session, actor: Principal, alert_id: int) -> AlertFile:
    alert = visible_alert(session, actor, alert_id)
    camera = session.get(KitchenCamera, alert.camera_id)
    business = session.get(Business, alert.business_id)
    assert camera is not None and business is not None
    actions = repo.actions_of(session, alert.id)
    files = evidence.files_of(session, owner_type=OWNER, owner_ids=[alert.id]).get(alert.id, [])
    action_files = evidence.files_of(
        session, owner_type=ACTION_OWNER, owner_ids=[a.id for a in actions]
    )
    case = None
    if alert.case_id is not None and actor.is_regulator:
        case = session.get(Case, alert.case_id)
    return AlertFile(alert, camera, business, actions, files, action_files, case)


def evidence_access(session: Session, actor: Principal, owner_id: int) -> evidence.Access:
    """Snapshots and clips: the regulators who see the alert and the business itself."""
    alert = repo.get_alert(session, alert_id=owner_id, scope=alert_condition(actor))
    return evidence.Access.ORIGINAL if alert is not None else evidence.Access.NONE


def action_evidence_access(session: Session, actor: Principal, owner_id: int) -> evidence.Access:
    """A rectification's photos: whoever may see the alert they answer."""
    action = session.get(KitchenAlertAction, owner_id)
    if action is None:
        return evidence.Access.NONE
    return evidence_access(session, actor, action.alert_id)


# The business's answers and the regulator's review ------------------------------------------


def acknowledge(
    *, session: Session, actor: Principal, alert_id: int, note: str = ""
) -> KitchenAlert:
    """The business has seen the alert."""
    return _business_act(session, actor, alert_id, AlertAction.ACKNOWLEDGE, note, ())


def rectify(
    *,
    session: Session,
    actor: Principal,
    alert_id: int,
    note: str,
    photos: Sequence[evidence.Upload] = (),
) -> KitchenAlert:
    """The business says what it put right, perhaps with photos."""
    return _business_act(session, actor, alert_id, AlertAction.RECTIFY, note, photos)


def explain(*, session: Session, actor: Principal, alert_id: int, note: str) -> KitchenAlert:
    """The business explains why the alert is not a violation."""
    return _business_act(session, actor, alert_id, AlertAction.EXPLAIN, note, ())


def _business_act(
    session: Session,
    actor: Principal,
    alert_id: int,
    action: AlertAction,
    note: str,
    photos: Sequence[evidence.Upload],
) -> KitchenAlert:
    require_answering(actor)
    alert = visible_alert(session, actor, alert_id)
    allowed = {
        AlertAction.ACKNOWLEDGE: {AlertStatus.OPEN},
        AlertAction.RECTIFY: {AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED},
        AlertAction.EXPLAIN: {AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED},
    }[action]
    if alert.status not in allowed:
        raise ConflictError(
            N_("This alert is {status} already; it cannot be answered that way now."),
            status=alert.status.value,
        )
    text = _note(note, required=action is not AlertAction.ACKNOWLEDGE, field="note")
    prepared = (
        evidence.prepare(session=session, uploads=list(photos), rules=RECTIFY_PHOTOS)
        if photos
        else []
    )
    row = _act(session, actor, alert, action, text, BUSINESS_ACTIONS[action])
    if prepared:
        evidence.record(
            session=session,
            actor=actor,
            prepared=prepared,
            owner_type=ACTION_OWNER,
            owner_id=row.id,
        )
    return alert


def confirm(*, session: Session, actor: Principal, alert_id: int, note: str = "") -> KitchenAlert:
    """The regulator confirms the violation: a behaviour alert becomes a risk signal, and
    enough confirmed alerts of one class at one business open (or join) a lead case (see
    the module notes)."""
    alert = _regulator_alert(session, actor, alert_id)
    text = _note(note, required=False, field="note")
    _review(session, actor, alert, AlertAction.CONFIRM, text)
    if alert.alert_class in BEHAVIOUR_CLASSES:
        violation_confirmed(session=session, actor=actor, alert=alert)
        case_for_repeats(session=session, actor=actor, alert=alert)
    return alert


def mark_false_alarm(
    *, session: Session, actor: Principal, alert_id: int, reason: str
) -> KitchenAlert:
    """The regulator finds the detector wrong; the reason is kept as feedback."""
    alert = _regulator_alert(session, actor, alert_id)
    text = _note(reason, required=True, field="reason")
    _review(session, actor, alert, AlertAction.FALSE_ALARM, text)
    return alert


def _regulator_alert(session: Session, actor: Principal, alert_id: int) -> KitchenAlert:
    auth_access.require_regulator(actor)
    alert = visible_alert(session, actor, alert_id)
    if alert.status in DECIDED:
        raise ConflictError(N_("This alert is already reviewed."))
    return alert


def _review(
    session: Session, actor: Principal, alert: KitchenAlert, action: AlertAction, note: str
) -> None:
    alert.reviewed_by_id = actor.user_id
    alert.reviewed_at = utc_now()
    alert.review_note = note
    _act(session, actor, alert, action, note, REGULATOR_ACTIONS[action])
    business = session.get(Business, alert.business_id)
    if business is not None:
        messages.alert_reviewed(session=session, alert=alert, business=business)


def _act(
    session: Session,
    actor: Principal,
    alert: KitchenAlert,
    action: AlertAction,
    note: str,
    status: AlertStatus,
) -> KitchenAlertAction:
    before = alert.status
    alert.status = status
    row = KitchenAlertAction(
        alert_id=alert.id,
        actor_id=actor.user_id,
        actor_label=actor.label[:80],
        action=action,
        note=note,
        at=utc_now(),
    )
    session.add(row)
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError(N_("This alert changed since you opened it; reload it.")) from exc
    audit.record(
        session=session,
        actor=actor,
        action=f"kitchen_alert.{action.value}",
        entity_type="kitchen_alert",
        entity_id=alert.id,
        before={"status": before.value},
        after={"status": status.value, "note": note},
    )
    return row


def _note(value: str, *, required: bool, field: str) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed([FieldProblem(field, N_("Required"), code="required")])
    if len(text) > NOTE_LIMIT:
        raise ValidationFailed(
            [FieldProblem(field, N_("At most {limit} characters"), params={"limit": NOTE_LIMIT})]
        )
    return text


# False alarms -------------------------------------------------------------------------------


#: A camera's false-alarm rate (the share of its reviewed behaviour alerts found false).
FalseAlarmRate = repo.CameraReviews


def false_alarm_rate(*, session: Session, actor: Principal, camera_id: int) -> FalseAlarmRate:
    """The false-alarm rate of one camera the actor may see (over all its alerts)."""
    camera = visible_camera(session, actor, camera_id)
    return false_alarm_rates(session=session, actor=actor, cameras=[camera])[camera.id]


def false_alarm_rates(
    *, session: Session, actor: Principal, cameras: Sequence[KitchenCamera]
) -> dict[int, FalseAlarmRate]:
    """The false-alarm rates of cameras already shown to ``actor``, in one query."""
    rows = repo.review_counts_by_camera(
        session,
        scope=alert_condition(actor),
        since=None,
        until=None,
        camera_ids=[c.id for c in cameras],
    )
    found = {row.camera_id: row for row in rows}
    return {c.id: found.get(c.id, FalseAlarmRate(c.id, c.name, "", 0, 0, 0)) for c in cameras}
