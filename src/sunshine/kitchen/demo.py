"""The demo's kitchen cameras (明厨亮灶) and two months of their alerts.

``sunshine demo`` (through :func:`sunshine.demo.activity.seed_activity`) gives the stores of
owner_a (A1), owner_a2 (A2) and owner_b (B) four cameras each, installed by the store's
owner through :func:`sunshine.kitchen.cameras.create_camera`:

==========  ==========  ===============  =========================================  =======
camera      area        clip             what the worker raises within a minute     public
==========  ==========  ===============  =========================================  =======
切配间      prep        ``people-night`` ``person_after_hours``: its hours are set     no
                                         at seed time so the kitchen is closed from
                                         2 h before seeding to 5-6 h after; a
                                         privacy mask blacks out the till corner
烹饪间      cooking     ``smoking``      ``smoking`` (suspected) where the smoking    yes
                                         model is installed; otherwise nothing
凉菜间      cold_room   ``people``       ``no_mask`` (five people without masks)      yes
洗消间      washing     ``masks``        nothing: masked staff                       yes
==========  ==========  ===============  =========================================  =======

Measured 2026-11-30: ``sunshine worker vision`` on a freshly seeded demo (12 cameras in one
process) confirmed ``no_mask`` on the three cold rooms and ``person_after_hours`` on the three
prep rooms 4-6 s after it started; the washing and cooking rooms raised nothing (no smoking
model was installed yet).

The clips are built from ``../shared`` (setting ``demo_shared_dir``) into
``demo_media_dir`` by :mod:`sunshine.kitchen.demo_media`; the detector files the worker
needs are copied from ``../shared/models`` into ``models_dir`` (sha256 checked against the
manifest) so the running demo never reads ``../shared``. Without ``../shared`` the cameras
are still created, disabled (the worker would only report a missing file), in state
``no_source`` with a message saying why.

History: for each camera with a clip, the real detectors
(:class:`sunshine.workers.vision.analysis.FrameAnalyzer`) run once over frames sampled from
its clip (privacy masks applied first, as the worker does), and the camera's real rule set
(:func:`sunshine.kitchen.service.worker_cameras`) is fed short runs of those frames at
moments spread over the last 60 days. Only what the rules confirm becomes an alert, stored
by :func:`sunshine.kitchen.service.record_alert` with snapshots and a clip made from the very
frames; then the owners answer some and the county inspectors review some (confirmed, or a
false alarm with its reason). Reviews are dated when the demo is seeded (the services stamp
them), the alerts when they happened.
"""

from __future__ import annotations

import logging
import random
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from sunshine.auth import repository as auth_repo
from sunshine.auth import service as auth_service
from sunshine.auth.principal import Principal
from sunshine.config import get_settings
from sunshine.core.time import to_local, utc_now
from sunshine.kitchen import cameras, service
from sunshine.kitchen import repository as repo
from sunshine.kitchen.camera_forms import CameraForm
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.enums import AlertClass, AlertStatus, CameraState
from sunshine.kitchen.rules import Observation, RuleEngine, RuleEvent, Seen

if TYPE_CHECKING:
    from sunshine.kitchen.alert_models import KitchenAlert
    from sunshine.kitchen.demo_media import DemoClip, Image

log = logging.getLogger("sunshine.kitchen.demo")

#: The demo accounts whose stores get cameras, and the inspector who reviews their alerts.
STORES: tuple[tuple[str, str], ...] = (
    ("owner_a", "inspector_a"),
    ("owner_a2", "inspector_a"),
    ("owner_b", "inspector_b"),
)
HISTORY_DAYS = 60
# Frames sampled per clip for the history (one analysis each, reused by every incident).
SAMPLED_FRAMES = 24
# An incident feeds this many consecutive sampled frames, 0.5 s apart (the worker's 2 fps).
RUN_FRAMES = 6
RUN_STEP_S = 0.5
# The till / door corner of the prep camera, blacked out before analysis and display.
TILL_MASK = [[0.0, 0.0], [0.2, 0.0], [0.2, 0.28], [0.0, 0.28]]
NO_SOURCE_MESSAGE = (
    "no demo source: the demo's shared images were not found when it was seeded ({why})"
)


@dataclass(frozen=True)
class DemoCamera:
    """One demo camera of every demo store."""

    name: str
    area: str
    clip: str
    public: bool
    closed_now: bool = False  # opening hours that make the kitchen closed at seed time
    privacy_masks: tuple[tuple[tuple[float, float], ...], ...] = ()
    # How often (mean days between) an incident is replayed in the history.
    every_days: float = 5.0


CAMERAS: tuple[DemoCamera, ...] = (
    DemoCamera(
        "切配间",
        "prep",
        "people-night",
        public=False,
        closed_now=True,
        privacy_masks=(tuple((x, y) for x, y in TILL_MASK),),
        every_days=6.0,
    ),
    DemoCamera("烹饪间", "cooking", "smoking", public=True, every_days=5.0),
    DemoCamera("凉菜间（专间）", "cold_room", "people", public=True, every_days=3.5),
    DemoCamera("洗消间", "washing", "masks", public=True, every_days=10.0),
)


@dataclass
class KitchenDemoSeeded:
    """What :func:`seed_kitchen` made; ``missing`` says why a clip (and its cameras) has no
    video."""

    cameras: int = 0
    with_source: int = 0
    alerts: int = 0
    answered: int = 0
    reviewed: int = 0
    by_class: dict[str, int] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # clip -> why it was not built


def seed_kitchen(
    *,
    session: Session,
    seed: int,
    shared_dir: Path | None,
    media_dir: Path,
    models_dir: Path,
    now: datetime | None = None,
    history_days: int = HISTORY_DAYS,
    clip_seconds: float | None = None,
    stores: Sequence[tuple[str, str]] = STORES,
) -> KitchenDemoSeeded:
    """Cameras for the demo stores, their clips and their alerts' history (see the module
    notes). A store that has any of the demo cameras already is left alone (idempotent)."""
    from sunshine.kitchen.demo_media import CLIP_SECONDS, PLANS, build_demo_media

    now = now or utc_now()
    rng = random.Random(f"kitchen-{seed}")
    out = KitchenDemoSeeded()
    clips: dict[str, DemoClip] = {}
    missing: dict[str, str] = {}
    if shared_dir is None:
        missing = dict.fromkeys(PLANS, "no shared folder is set (SUNSHINE_DEMO_SHARED_DIR)")
    else:
        try:
            media = build_demo_media(
                shared_dir=shared_dir, out_dir=media_dir, seconds=clip_seconds or CLIP_SECONDS
            )
            clips, missing = media.clips, media.missing
            if clips:
                install_models(shared_models=shared_dir / "models", models_dir=models_dir)
        except Exception as exc:  # PyAV/OpenCV trouble must not stop the rest of the demo
            log.exception("the kitchen demo's clips could not be built")
            clips, missing = {}, dict.fromkeys(PLANS, f"building the clips failed: {exc}")
    out.missing = missing
    made: list[tuple[KitchenCamera, DemoCamera, Principal, Principal | None]] = []
    for owner_name, inspector_name in stores:
        owner = _principal(session, owner_name)
        if owner is None or owner.business_id is None:
            continue
        if any(
            repo.camera_name_taken(
                session, business_id=owner.business_id, name=c.name, other_than=None
            )
            for c in CAMERAS
        ):
            continue
        inspector = _principal(session, inspector_name)
        for plan in CAMERAS:
            camera = _install(
                session, owner, plan, clips.get(plan.clip), media_dir, now, missing.get(plan.clip)
            )
            made.append((camera, plan, owner, inspector))
            out.cameras += 1
            out.with_source += camera.enabled
    if clips and made and history_days > 0:
        try:
            # A savepoint: a detector that fails half-way leaves no half-made history.
            with session.begin_nested():
                _history(session, made, clips, models_dir, rng, now, history_days, out)
        except Exception:  # the demo's cameras matter more than their past alerts
            log.exception("the kitchen demo's alert history could not be made; none is kept")
            out.alerts = out.answered = out.reviewed = 0
            out.by_class = {}
    return out


def seed_kitchen_demo(*, session: Session, seed: int) -> KitchenDemoSeeded:
    """:func:`seed_kitchen` with the deployment's settings (``sunshine demo``)."""
    settings = get_settings()
    started = time.monotonic()
    seeded = seed_kitchen(
        session=session,
        seed=seed,
        shared_dir=settings.demo_shared_dir,
        media_dir=Path(settings.demo_media_dir),
        models_dir=Path(settings.models_dir),
    )
    log.info(
        "kitchen demo: %d cameras (%d with video), %d past alerts, in %.1f s; no video: %s",
        seeded.cameras,
        seeded.with_source,
        seeded.alerts,
        time.monotonic() - started,
        seeded.missing or "-",
    )
    return seeded


def _principal(session: Session, username: str) -> Principal | None:
    user = auth_repo.get_user_by_username(session, username)
    return auth_service.principal_for(session, user) if user is not None else None


def closed_now_hours(now: datetime) -> list[dict[str, Any]]:
    """Weekly hours, the same every day, closed from 2 h before ``now`` (local, whole hours)
    to 5-6 h after it: the after-hours rule fires at once and for the next hours."""
    local = to_local(now)
    closes = (local - timedelta(hours=2)).strftime("%H:00")
    opens = (local + timedelta(hours=6)).strftime("%H:00")
    # Each window runs from opening to closing, past midnight when closing is earlier.
    return [{"day": day, "start": opens, "end": closes} for day in range(7)]


def _install(
    session: Session,
    owner: Principal,
    plan: DemoCamera,
    clip: DemoClip | None,
    media_dir: Path,
    now: datetime,
    why_missing: str | None,
) -> KitchenCamera:
    # Without a clip the address still names where it would be, so the camera's settings
    # are complete; the camera is disabled so no worker tries to read a missing file.
    path = clip.path if clip is not None else (media_dir / f"{plan.clip}.mp4").resolve()
    form = CameraForm(
        name=plan.name,
        area=plan.area,
        stream_kind="file",
        stream_url=path.as_uri(),
        operating_hours=closed_now_hours(now) if plan.closed_now else None,
        privacy_masks=[[list(p) for p in mask] for mask in plan.privacy_masks],
        public=plan.public,
        enabled=clip is not None,
    )
    assert owner.business_id is not None
    camera = cameras.create_camera(
        session=session, actor=owner, business_id=owner.business_id, form=form
    )
    if clip is None:
        service.record_camera_state(
            session=session,
            camera_id=camera.id,
            state=CameraState.NO_SOURCE,
            message=NO_SOURCE_MESSAGE.format(why=why_missing or "unknown")[:300],
            at=now,
        )
    return camera


def install_models(*, shared_models: Path, models_dir: Path) -> int:
    """Copy the built-in manifest's detector files found in ``shared_models`` into
    ``models_dir`` (its ``<folder>/<file>`` layout), each checked against its sha256; the
    files already there are kept. The number copied."""
    from sunshine.workers.vision.manifest import BUILTIN
    from sunshine.workers.vision.models_store import file_sha256

    if not shared_models.is_dir() or _same(shared_models, models_dir):
        return 0
    copied = 0
    for entry in BUILTIN:
        for file in entry.files:
            if file.shipped or file.sha256 is None:
                continue
            source, target = shared_models / file.path, models_dir / file.path
            if target.is_file() or not source.is_file():
                continue
            if file_sha256(source) != file.sha256:
                log.warning("%s differs from the manifest's sha256: not copied", source)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")
            shutil.copyfile(source, partial)
            partial.replace(target)
            copied += 1
    return copied


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


# -- history ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Sample:
    """One sampled frame of a clip (privacy-masked) and what the detectors saw in it."""

    image: Image
    seen: tuple[Seen, ...]
    models: Mapping[str, str]  # detector class -> model name


class _Footage:
    """Analysed samples per (clip, camera layout), computed once and shared by all stores."""

    def __init__(self, models_dir: Path) -> None:
        from sunshine.workers.vision.models_store import ModelStore

        self.store = ModelStore(models_dir, fetch=False)
        self._samples: dict[tuple[str, frozenset[str], str], list[_Sample]] = {}

    def samples(
        self, clip: DemoClip, wanted: frozenset[str], masks: Sequence[Sequence[Sequence[float]]]
    ) -> list[_Sample]:
        from sunshine.workers.vision.analysis import FrameAnalyzer
        from sunshine.workers.vision.privacy import apply_privacy_masks

        key = (clip.key, wanted, repr(masks))
        if key not in self._samples:
            from sunshine.kitchen.demo_media import read_frames

            every = max(1, clip.frames // SAMPLED_FRAMES)
            frames = read_frames(clip.path, every=every, limit=SAMPLED_FRAMES)
            analyzer = FrameAnalyzer(store=self.store, wanted=wanted)
            samples = []
            for frame in frames:
                image = apply_privacy_masks(frame, masks) if masks else frame
                height, width = image.shape[:2]
                found = [d for d in analyzer.analyze(image) if d.cls in wanted]
                seen = tuple(
                    Seen(
                        d.cls,
                        d.confidence,
                        (d.box[0] / width, d.box[1] / height, d.box[2] / width, d.box[3] / height),
                    )
                    for d in found
                )
                models: dict[str, str] = {}
                for d in found:
                    models.setdefault(d.cls, d.model)
                samples.append(_Sample(image, seen, models))
            self._samples[key] = samples
        return self._samples[key]

    def clip_bytes(self, samples: Sequence[_Sample], start: int) -> bytes:
        """An MP4 of the incident's frames (0.5 s apart), made once per clip and start."""
        from sunshine.workers.vision.clips import RingFrame, encode_mp4
        from sunshine.workers.vision.outputs import encode_jpeg

        frames = []
        for n in range(RUN_FRAMES):
            sample = samples[(start + n) % len(samples)]
            frames.append(RingFrame(n * RUN_STEP_S, encode_jpeg(sample.image, 80)))
        return encode_mp4(frames)


def _history(
    session: Session,
    made: Sequence[tuple[KitchenCamera, DemoCamera, Principal, Principal | None]],
    clips: Mapping[str, DemoClip],
    models_dir: Path,
    rng: random.Random,
    now: datetime,
    days: int,
    out: KitchenDemoSeeded,
) -> None:
    footage = _Footage(models_dir)
    configs = {c.id: c for c in service.worker_cameras(session=session)}
    mp4_cache: dict[tuple[int, int], bytes] = {}
    raised: list[tuple[KitchenAlert, Principal, Principal | None]] = []
    for camera, plan, owner, inspector in made:
        config = configs.get(camera.id)
        clip = clips.get(plan.clip)
        if config is None or clip is None:
            continue
        samples = footage.samples(clip, config.detect_classes, camera.privacy_masks)
        if not samples:
            continue
        for moment in _moments(rng, camera, plan, now, days):
            start = rng.randrange(len(samples))
            engine = RuleEngine(config.rule_set)
            for n in range(RUN_FRAMES):
                sample = samples[(start + n) % len(samples)]
                at = moment + timedelta(seconds=n * RUN_STEP_S)
                for event in engine.feed(Observation(at=at, seen=sample.seen)):
                    key = (id(samples), start)
                    if key not in mp4_cache:
                        mp4_cache[key] = footage.clip_bytes(samples, start)
                    alert = _record(session, footage, camera, config, event, sample, mp4_cache[key])
                    if alert is not None:
                        raised.append((alert, owner, inspector))
                        out.alerts += 1
                        name = alert.alert_class.value
                        out.by_class[name] = out.by_class.get(name, 0) + 1
    _answer_and_review(session, raised, rng, now, out)


def _moments(
    rng: random.Random, camera: KitchenCamera, plan: DemoCamera, now: datetime, days: int
) -> list[datetime]:
    """Moments of the past ``days`` (not the last hour) when the camera's clip is replayed:
    inside its closed hours for an after-hours camera, in the working day otherwise."""
    local_now = to_local(now)
    out = []
    for back in range(days, 0, -1):
        if rng.random() > 1.0 / plan.every_days:
            continue
        day = (local_now - timedelta(days=back)).replace(minute=0, second=0, microsecond=0)
        if plan.closed_now:
            # The closed stretch starts 2 h before the seed hour and lasts about 8 h.
            start = day - timedelta(hours=2)
            local = start + timedelta(minutes=rng.randrange(5, 7 * 60))
        else:
            local = day.replace(hour=rng.choice((7, 9, 10, 11, 14, 16, 17, 18, 19)))
            local += timedelta(minutes=rng.randrange(60), seconds=rng.randrange(60))
        moment = local.astimezone(now.tzinfo)
        if moment < now - timedelta(hours=1):
            out.append(moment)
    return out


def _record(
    session: Session,
    footage: _Footage,
    camera: KitchenCamera,
    config: service.CameraConfig,
    event: RuleEvent,
    sample: _Sample,
    clip: bytes,
) -> KitchenAlert | None:
    from sunshine.workers.vision.clips import snapshots

    rule = next(r for r in config.rule_set.rules if r.alert_class == event.alert_class)
    model = sample.models.get(rule.detect_cls, "")
    sha = footage.store.sha256(model) if model else None
    if not model or sha is None:
        return None  # the worker, too, cannot name the weights without their file
    height, width = sample.image.shape[:2]
    boxes = [
        (round(x1 * width), round(y1 * height), round(x2 * width), round(y2 * height))
        for x1, y1, x2, y2 in event.boxes
    ]
    boxed, clean = snapshots(sample.image, boxes)
    return service.record_alert(
        session=session,
        camera_id=camera.id,
        event=event,
        model=model,
        model_sha256=sha,
        snapshot_boxed=boxed,
        snapshot_clean=clean,
        clip=clip,
    )


# What the owners say and the inspectors decide (data, in Chinese like the rest of it).
_RECTIFIED = {
    AlertClass.NO_MASK: "已对专间操作人员进行口罩佩戴培训，专间门口配备一次性口罩。",
    AlertClass.PERSON_AFTER_HOURS: "已更换后厨门锁，下班后由店长检查锁门。",
    AlertClass.SMOKING: "已对当事员工进行批评教育，后厨张贴禁烟标识。",
    AlertClass.PHONE: "已要求员工上岗前将手机存放在更衣柜。",
}
_EXPLAINED = {
    AlertClass.NO_MASK: "该员工刚进入专间，正在二次更衣，随后已佩戴口罩。",
    AlertClass.PERSON_AFTER_HOURS: "为夜间保洁人员按排班清洁厨房，已向所里报备。",
    AlertClass.SMOKING: "员工手中为吸管，并非香烟。",
    AlertClass.PHONE: "员工手中为打火机，并非手机，已要求不得带入后厨。",
}
_CONFIRMED = {
    AlertClass.NO_MASK: "专间内操作人员未佩戴口罩，违反专间操作要求。",
    AlertClass.PERSON_AFTER_HOURS: "非营业时间有无关人员进入后厨，已提醒加强管理。",
    AlertClass.SMOKING: "后厨加工区有人员吸烟，已责令整改。",
    AlertClass.PHONE: "加工过程中使用手机，已提醒。",
}
_FALSE_ALARM = {
    AlertClass.NO_MASK: "画面中人员在专间门外，未进入专间操作。",
    AlertClass.PERSON_AFTER_HOURS: "经核实为报备的夜间保洁人员。",
    AlertClass.SMOKING: "画面中为吸管/筷子，不是香烟。",
    AlertClass.PHONE: "手中为香烟或打火机，模型误识别为手机。",
}


def _answer_and_review(
    session: Session,
    raised: Sequence[tuple[KitchenAlert, Principal, Principal | None]],
    rng: random.Random,
    now: datetime,
    out: KitchenDemoSeeded,
) -> None:
    """The last three days' alerts stay open; older ones are mostly answered and reviewed."""
    for alert, owner, inspector in sorted(raised, key=lambda r: r[0].started_at):
        if alert.started_at > now - timedelta(days=3):
            continue
        cls = alert.alert_class
        roll = rng.random()
        if roll < 0.45:
            service.acknowledge(session=session, actor=owner, alert_id=alert.id)
            out.answered += 1
        elif roll < 0.7:
            service.rectify(
                session=session,
                actor=owner,
                alert_id=alert.id,
                note=_RECTIFIED.get(cls, "已整改。"),
            )
            out.answered += 1
        elif roll < 0.82:
            service.explain(
                session=session,
                actor=owner,
                alert_id=alert.id,
                note=_EXPLAINED.get(cls, "情况说明。"),
            )
            out.answered += 1
        if inspector is None or rng.random() < 0.3:
            continue
        false_alarm = rng.random() < (0.6 if alert.status is AlertStatus.EXPLAINED else 0.15)
        if false_alarm:
            service.mark_false_alarm(
                session=session,
                actor=inspector,
                alert_id=alert.id,
                reason=_FALSE_ALARM.get(cls, "误报。"),
            )
        else:
            service.confirm(
                session=session, actor=inspector, alert_id=alert.id, note=_CONFIRMED.get(cls, "")
            )
        out.reviewed += 1
