"""The analysis runtime of one worker process: K cameras, one analysis loop, one writer.

Per camera a capture thread (:mod:`capture`) keeps the latest frame. One analysis loop visits
the cameras round-robin, each at its own rate (``analysis_fps``, default 2), and runs per frame:

    privacy masks -> health -> motion gate -> detectors (only the classes the camera's rules
    need) -> rule engine -> events

A frame without motion skips the detectors; the previous detections stay valid for
``KEEP_SEEN_S`` (10 s) so a person standing still is not forgotten at once. While a rule
has a candidate waiting for N-of-M confirmation the camera runs at the burst rate (5 fps)
for ``BURST_S``, so an alert is confirmed in about a second instead of two.

Everything slow or fallible that is not analysis happens on one writer thread per process:
encoding clips and calling the :class:`EventSink` (database transactions). A confirmed alert
goes to the writer at once, with its snapshots, so it is stored within the 2 s the issue
asks for; its clip follows when the clip's ``post`` seconds have passed, attached to the
stored alert by the key :meth:`EventSink.alert` returned. Heartbeats of all
the process's cameras go to the sink together, every ``HEARTBEAT_S`` or at once when a
state changes, so SQLite sees one short write instead of one per camera per frame.

An exception while analysing one camera is logged and becomes that camera's ``error`` state;
the loop goes on with the others and retries the failed camera after a pause.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from sunshine.kitchen.rules import (
    CameraRuleSet,
    Observation,
    RuleEngine,
    RuleEvent,
    RuleSpec,
    Seen,
    anchor,
    point_in_polygon,
)
from sunshine.workers.vision.capture import Backoff, CameraCapture, CaptureState
from sunshine.workers.vision.clips import CLIP_TYPE, FrameRing, encode_mp4, snapshots
from sunshine.workers.vision.detectors.base import Detection
from sunshine.workers.vision.outputs import (
    LIVE_JPEG_QUALITY,
    LIVE_WIDTH,
    HlsWriter,
    LatestJpegWriter,
    encode_jpeg,
    hls_playlist_path,
    latest_jpeg_path,
    resize_to_width,
)

log = logging.getLogger("sunshine.vision.runtime")

Image = npt.NDArray[np.uint8]
Polygon = tuple[tuple[float, float], ...]

HEARTBEAT_S = 10.0
KEEP_SEEN_S = 10.0
BURST_S = 3.0
# After an analysis failure the camera waits this long before the next try.
FAILURE_PAUSE_S = 5.0
# When the camera had no new frame at its turn, look again this soon (not a drop).
NO_FRAME_RETRY_S = 0.05


# -- what the runtime is given ---------------------------------------------------------------
@dataclass(frozen=True)
class CameraSpec:
    """One camera as the worker needs it (built from the kitchen domain's camera config)."""

    id: int
    business_id: int
    stream_url: str | None
    ruleset: CameraRuleSet
    analysis_fps: float = 2.0
    person_model: str = "person"
    privacy_masks: tuple[Polygon, ...] = ()
    public: bool = False
    public_token: str | None = None
    live_token: str | None = None  # folder of latest.jpg (see outputs.camera_live_token)
    area: str = ""

    @property
    def wanted(self) -> frozenset[str]:
        """The detector classes this camera's rules look for."""
        return frozenset(rule.detect_cls for rule in self.ruleset.rules)


@dataclass(frozen=True)
class RuntimeSettings:
    burst_fps: float = 5.0
    clip_pre_s: float = 5.0
    clip_post_s: float = 5.0
    live_dir: Path | None = None  # None: no live outputs (tests, benchmark)
    heartbeat_s: float = HEARTBEAT_S
    keep_seen_s: float = KEEP_SEEN_S
    burst_s: float = BURST_S
    failure_pause_s: float = FAILURE_PAUSE_S
    backoff_base_s: float = 2.0
    backoff_cap_s: float = 300.0
    offline_after_s: float = 20.0


# -- what the runtime hands out --------------------------------------------------------------
@dataclass(frozen=True)
class Heartbeat:
    camera_id: int
    state: str  # a kitchen CameraState value
    message: str
    at: datetime
    fps: float  # frames analysed per second over the last interval
    drops: int  # analysis slots missed + damaged packets, over the last interval
    last_frame_at: datetime | None


@dataclass(frozen=True)
class AlertOut:
    """A confirmed alert with its snapshots (its clip follows as a :class:`ClipOut`)."""

    camera_id: int
    business_id: int
    event: RuleEvent
    model: str
    model_sha256: str | None
    snapshot_boxed: bytes
    snapshot_clean: bytes
    frame_decoded_at: float  # wall clock of the triggering frame's decoding


@dataclass(frozen=True)
class ClipOut:
    """A stored alert's clip (``data`` of ``media_type``), or ``note``: why there is none
    (quota reached, encoding failed, no frames kept)."""

    camera_id: int
    data: bytes | None
    media_type: str | None
    note: str | None


class EventSink(Protocol):
    """Where alerts and camera states go (the database adapter, or a test recorder)."""

    def alert(self, out: AlertOut) -> object:
        """Store the alert; the key :meth:`clip` is later given for it (the DB sink: the
        alert's id)."""
        ...

    def clip(self, key: object, clip: ClipOut) -> None: ...

    def heartbeat(self, beats: list[Heartbeat]) -> None: ...


class MediaGate(Protocol):
    """Asked before a clip is stored: may ``size`` more bytes of media be kept?"""

    def room_for(self, size: int) -> bool: ...


class Analyzer(Protocol):
    def analyze(self, frame: Image) -> list[Detection]: ...

    @property
    def unavailable(self) -> dict[str, str]: ...


class Motion(Protocol):
    """Motion boxes of a frame (empty: nothing moves); ``recalibrations`` counts the frames
    where so much changed at once (lights switched on) that the gate started over."""

    recalibrations: int

    def update(self, frame: Image) -> Sequence[Any]: ...


class Health(Protocol):
    def observe(self, frame: Image, at: datetime) -> str: ...


@dataclass(frozen=True)
class Toolkit:
    """Factories of the per-camera analysis parts (the real ones, or test doubles)."""

    analyzer: Callable[[CameraSpec], Analyzer]
    motion: Callable[[], Motion]
    health: Callable[[], Health]
    mask: Callable[[Image, Sequence[Polygon]], Image]
    model_sha256: Callable[[str], str | None] = lambda _name: None
    source_factory: Callable[[CameraSpec], Any] | None = None  # tests: a FrameSource maker


def default_toolkit(*, models_dir: Path, fetch: bool) -> Toolkit:
    """The production parts: ONNX/OpenCV detectors from the model store, motion, health."""
    from sunshine.workers.vision.analysis import FrameAnalyzer
    from sunshine.workers.vision.health import FrameHealth
    from sunshine.workers.vision.models_store import ModelStore
    from sunshine.workers.vision.motion import MotionGate
    from sunshine.workers.vision.privacy import apply_privacy_masks

    store = ModelStore(models_dir, fetch=fetch)

    def analyzer(spec: CameraSpec) -> Analyzer:
        made: Analyzer = FrameAnalyzer(
            store=store, wanted=spec.wanted, person_model=spec.person_model
        )
        return made

    def mask(frame: Image, polygons: Sequence[Polygon]) -> Image:
        masked: Image = apply_privacy_masks(frame, polygons)
        return masked

    return Toolkit(
        analyzer=analyzer,
        motion=MotionGate,
        health=FrameHealth,
        mask=mask,
        model_sha256=store.sha256,
    )


# -- one camera --------------------------------------------------------------------------------
@dataclass
class _PendingClip:
    """An alert whose clip is still to come. ``key`` and ``stored`` are the writer thread's
    alone: set by the alert's job, read by the clip's, which runs after it (one thread,
    jobs in order)."""

    out: AlertOut
    start: float
    end: float
    key: object = None
    stored: bool = False


@dataclass
class _Counters:
    analysed: int = 0
    late: int = 0
    corrupt_seen: int = 0
    since: float = field(default_factory=time.monotonic)


class CameraRunner:
    """Analysis state of one camera; the loop calls :meth:`step` when :attr:`next_due`."""

    def __init__(self, spec: CameraSpec, *, toolkit: Toolkit, settings: RuntimeSettings) -> None:
        self.spec = spec
        self.settings = settings
        self.toolkit = toolkit
        self.interval = 1.0 / max(0.1, spec.analysis_fps)
        self.burst_interval = 1.0 / max(spec.analysis_fps, settings.burst_fps)
        self.next_due = time.monotonic()
        self.burst_until = 0.0
        self.capture: CameraCapture | None = None
        self.engine = RuleEngine(spec.ruleset)
        self._analyzer: Analyzer | None = None
        self._motion: Motion | None = None
        self._health: Health | None = None
        self._health_state = "ok"
        self._error: str | None = None
        self._last_seen: tuple[Seen, ...] = ()
        self._last_seen_px: list[Detection] = []
        self._last_seen_at = 0.0
        self._fresh = True  # detect on the first frame (the motion gate has no background yet)
        self._quiet_until: dict[str, datetime] = {}
        self._counters = _Counters()
        self._corrupt_reported = 0
        self.analysed_total = 0
        self.ring = FrameRing(settings.clip_pre_s + settings.clip_post_s + 2.0)
        self.pending_clips: list[_PendingClip] = []
        self._jpeg: LatestJpegWriter | None = None
        self._hls: HlsWriter | None = None
        if settings.live_dir is not None and spec.live_token:
            self._jpeg = LatestJpegWriter(latest_jpeg_path(settings.live_dir, spec.live_token))
        if settings.live_dir is not None and spec.public and spec.public_token:
            folder = hls_playlist_path(settings.live_dir, spec.public_token).parent
            self._hls = HlsWriter(folder, fps=spec.analysis_fps)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        if not self.spec.stream_url:
            return  # no source: the heartbeat says so
        factory = None
        if self.toolkit.source_factory is not None:
            maker, spec = self.toolkit.source_factory, self.spec
            factory = lambda: maker(spec)  # noqa: E731 - a closure is the point
        self.capture = CameraCapture(
            self.spec.id,
            self.spec.stream_url,
            source_factory=factory,
            backoff=Backoff(base_s=self.settings.backoff_base_s, cap_s=self.settings.backoff_cap_s),
            offline_after_s=self.settings.offline_after_s,
        ).start()

    def stop(self) -> None:
        if self.capture is not None:
            self.capture.stop()
        for writer in (self._jpeg, self._hls):
            if writer is not None:
                try:
                    writer.close()
                except Exception:  # closing a broken encoder must not stop the shutdown
                    log.exception("camera %s: closing a live output failed", self.spec.id)

    # -- analysis ----------------------------------------------------------------------------
    def _parts(self) -> tuple[Analyzer, Motion, Health]:
        if self._analyzer is None:
            self._analyzer = self.toolkit.analyzer(self.spec)
        if self._motion is None:
            self._motion = self.toolkit.motion()
        if self._health is None:
            self._health = self.toolkit.health()
        return self._analyzer, self._motion, self._health

    def _schedule(self, now: float) -> None:
        interval = self.burst_interval if now < self.burst_until else self.interval
        self.next_due += interval
        if self.next_due < now:
            # The loop fell behind: the slots it could not serve are drops.
            self._counters.late += int((now - self.next_due) // interval) + 1
            self.next_due = now + interval

    def step(self, now: float) -> list[_PendingClip]:
        """Analyse the newest frame if there is one; the alerts it confirmed (their clips
        are pending, in :attr:`pending_clips`, until their ``post`` seconds have passed)."""
        if self.capture is None:
            self.next_due = now + 1.0
            return []
        frame = self.capture.latest()
        if frame is None:
            self.next_due = now + NO_FRAME_RETRY_S
            return []
        self._schedule(now)
        analyzer, motion, health = self._parts()
        image = frame.image()
        masked = (
            self.toolkit.mask(image, self.spec.privacy_masks) if self.spec.privacy_masks else image
        )
        at = datetime.fromtimestamp(frame.decoded_at, UTC)
        self._health_state = health.observe(masked, at)
        recalibrations = motion.recalibrations
        moving = bool(motion.update(masked))
        # The gate reports no motion when the whole picture changes (lights switched on),
        # yet that is when someone may have walked into a closed kitchen: look anyway.
        relit = motion.recalibrations != recalibrations
        height, width = masked.shape[:2]
        if moving or relit or self._fresh or now < self.burst_until:
            self._fresh = False
            detections = [d for d in analyzer.analyze(masked) if d.cls in self.spec.wanted]
            self._last_seen_px = detections
            self._last_seen = tuple(
                Seen(d.cls, d.confidence, _normalise(d.box, width, height)) for d in detections
            )
            self._last_seen_at = now
        elif now - self._last_seen_at > self.settings.keep_seen_s:
            self._last_seen, self._last_seen_px = (), []
        observation = Observation(at=at, seen=self._last_seen)
        if self._candidate(observation):
            self.burst_until = now + self.settings.burst_s
            # The slot above was taken at the slow rate: the next frame comes at the burst
            # rate already, or the first confirmation waits a whole slow interval.
            self.next_due = min(self.next_due, now + self.burst_interval)
        events = self.engine.feed(observation)
        jpeg = self._write_live(masked, frame.decoded_at)
        if jpeg is not None:
            self.ring.add(frame.decoded_at, jpeg)
        self._counters.analysed += 1
        self.analysed_total += 1
        self._error = None
        alerts = []
        for event in events:
            rule = self._rule_of(event)
            self._quiet_until[event.alert_class] = event.confirmed_at + timedelta(
                seconds=rule.cooldown_s
            )
            alerts.append(self._alert(event, rule, masked, frame.decoded_at))
        return alerts

    def _candidate(self, observation: Observation) -> bool:
        """Whether some rule sees a hit outside its cool-down (an alert may be coming)."""
        if not observation.seen:
            return False
        ruleset = self.spec.ruleset
        open_now = ruleset.is_open(observation.at)
        for rule in ruleset.rules:
            quiet = self._quiet_until.get(rule.alert_class)
            if quiet is not None and observation.at < quiet:
                continue
            if rule.when.value == "open" and not open_now:
                continue
            if rule.when.value == "closed" and open_now:
                continue
            for seen in observation.seen:
                if seen.cls != rule.detect_cls or seen.confidence < rule.min_confidence:
                    continue
                if rule.zone is None or point_in_polygon(anchor(seen), ruleset.zones[rule.zone]):
                    return True
        return False

    def _rule_of(self, event: RuleEvent) -> RuleSpec:
        for rule in self.spec.ruleset.rules:
            if rule.alert_class == event.alert_class:
                return rule
        raise LookupError(event.alert_class)

    def _alert(
        self, event: RuleEvent, rule: RuleSpec, masked: Image, decoded_at: float
    ) -> _PendingClip:
        height, width = masked.shape[:2]
        boxes = [_to_pixels(box, width, height) for box in event.boxes]
        boxed, clean = snapshots(masked, boxes)
        models = [d.model for d in self._last_seen_px if d.cls == rule.detect_cls and d.model]
        model = models[0] if models else ""
        out = AlertOut(
            camera_id=self.spec.id,
            business_id=self.spec.business_id,
            event=event,
            model=model,
            model_sha256=self.toolkit.model_sha256(model) if model else None,
            snapshot_boxed=boxed,
            snapshot_clean=clean,
            frame_decoded_at=decoded_at,
        )
        pending = _PendingClip(
            out,
            start=decoded_at - self.settings.clip_pre_s,
            end=decoded_at + self.settings.clip_post_s,
        )
        self.pending_clips.append(pending)
        return pending

    def _write_live(self, masked: Image, at: float) -> bytes | None:
        jpeg: bytes | None = None
        if self._jpeg is not None:
            jpeg = self._jpeg.write(masked)
        else:
            jpeg = encode_jpeg(resize_to_width(masked, LIVE_WIDTH), LIVE_JPEG_QUALITY)
        if self._hls is not None:
            try:
                self._hls.write(masked, at)
            except Exception:
                # A broken HLS encoder costs the public stream, never the analysis.
                log.exception("camera %s: HLS writing failed; restarting it", self.spec.id)
                self._hls.close()
                assert self.spec.public_token and self.settings.live_dir is not None
                folder = hls_playlist_path(self.settings.live_dir, self.spec.public_token).parent
                self._hls = HlsWriter(folder, fps=self.spec.analysis_fps)
        return jpeg

    def ready_clips(self, *, wall_now: float, flush: bool = False) -> list[_PendingClip]:
        """Pending clips whose ``post`` seconds have passed (all of them when flushing)."""
        ready = [c for c in self.pending_clips if flush or c.end <= wall_now]
        self.pending_clips = [c for c in self.pending_clips if c not in ready]
        return ready

    def fail(self, exc: BaseException, now: float) -> None:
        log.error("camera %s: analysis failed: %s", self.spec.id, exc, exc_info=exc)
        self._error = f"analysis failed: {type(exc).__name__}: {exc}"
        self.next_due = now + self.settings.failure_pause_s
        # The parts may be in a broken state: make new ones at the next try.
        self._analyzer = self._motion = self._health = None
        self._fresh = True

    # -- state -------------------------------------------------------------------------------
    def state(self) -> tuple[str, str]:
        if not self.spec.stream_url:
            return "no_source", "no video source is configured for this camera"
        if self._error is not None:
            return "error", self._error
        if self.capture is None:
            return "connecting", "starting"
        status = self.capture.status()
        if status.state is not CaptureState.ONLINE:
            return status.state.value, status.message
        if self._health_state != "ok":
            return self._health_state, f"the picture looks {self._health_state}"
        unavailable = self._analyzer.unavailable if self._analyzer is not None else {}
        if unavailable:
            missing = "; ".join(f"{name}: {why}" for name, why in sorted(unavailable.items()))
            return "online", f"receiving frames; models off: {missing}"
        return "online", status.message

    def heartbeat(self, now: float) -> Heartbeat:
        state, message = self.state()
        counters, self._counters = self._counters, _Counters(since=now)
        elapsed = max(1e-6, now - counters.since)
        corrupt = 0
        last_frame_at = None
        if self.capture is not None:
            status = self.capture.status()
            corrupt = status.corrupt - self._corrupt_reported
            self._corrupt_reported = status.corrupt
            if status.last_frame_at is not None:
                last_frame_at = datetime.fromtimestamp(status.last_frame_at, UTC)
        return Heartbeat(
            camera_id=self.spec.id,
            state=state,
            message=message[:500],
            at=datetime.fromtimestamp(time.time(), UTC),
            fps=round(counters.analysed / elapsed, 2),
            drops=counters.late + corrupt,
            last_frame_at=last_frame_at,
        )


def _normalise(
    box: tuple[int, int, int, int], width: int, height: int
) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = box
    return (x1 / width, y1 / height, x2 / width, y2 / height)


def _to_pixels(box: Sequence[float], width: int, height: int) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = box
    return (round(x1 * width), round(y1 * height), round(x2 * width), round(y2 * height))


# -- the writer thread -------------------------------------------------------------------------
class SinkWriter:
    """One thread per process that encodes clips and talks to the sink, in order."""

    RETRIES = 3
    _FAILED = object()  # what :meth:`_with_retries` gives when every attempt failed

    def __init__(self, sink: EventSink, *, media: MediaGate | None = None) -> None:
        self.sink = sink
        self.media = media
        self._queue: queue.Queue[Callable[[], object] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="vision-writer", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], object]) -> None:
        self._queue.put(job)

    def deliver_alert(self, pending: _PendingClip) -> None:
        """Store the alert with its snapshots now (its clip comes by :meth:`deliver_clip`)."""
        self.submit(lambda: self._store_alert(pending))

    def _store_alert(self, pending: _PendingClip) -> None:
        out = pending.out
        key = self._with_retries(lambda: self.sink.alert(out), f"alert of camera {out.camera_id}")
        if key is not self._FAILED:
            pending.key, pending.stored = key, True

    def deliver_clip(self, pending: _PendingClip, frames: list[Any]) -> None:
        """Encode the clip of an alert :meth:`deliver_alert` was given, and attach it."""
        self.submit(lambda: self._attach_clip(pending, frames))

    def _attach_clip(self, pending: _PendingClip, frames: list[Any]) -> None:
        out = pending.out
        if not pending.stored:
            # Its alert job ran first and failed for good: nothing to attach the clip to
            # (and no media quota spent on it).
            log.error(
                "camera %s: the %s alert was not stored, so its clip is dropped",
                out.camera_id,
                out.event.alert_class,
            )
            return
        data: bytes | None = None
        note: str | None = None
        if frames:
            try:
                data = encode_mp4(frames)
            except Exception as exc:
                log.exception("camera %s: clip encoding failed", out.camera_id)
                note = f"clip encoding failed: {exc}"
            else:
                if self.media is not None and not self.media.room_for(len(data)):
                    data, note = None, "clip skipped: the media quota is full"
        else:
            note = "no frames were kept for a clip"
        clip = ClipOut(
            camera_id=out.camera_id,
            data=data,
            media_type=CLIP_TYPE if data is not None else None,
            note=note,
        )
        self._with_retries(
            lambda: self.sink.clip(pending.key, clip), f"clip of camera {out.camera_id}"
        )

    def heartbeat(self, beats: list[Heartbeat]) -> None:
        self.submit(lambda: self._with_retries(lambda: self.sink.heartbeat(beats), "heartbeat"))

    def _with_retries(self, call: Callable[[], object], what: str) -> object:
        """``call``'s result, or :attr:`_FAILED` once every attempt raised."""
        for attempt in range(1, self.RETRIES + 1):
            try:
                return call()
            except Exception:
                log.exception("writing the %s failed (attempt %d)", what, attempt)
                if attempt < self.RETRIES:
                    time.sleep(0.5 * attempt)
        return self._FAILED

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                job()
            except Exception:  # the writer must outlive any one job
                log.exception("a vision writer job failed")

    def close(self, timeout: float = 30.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)


# -- the process's loop ------------------------------------------------------------------------
class VisionRuntime:
    """Runs the cameras given to :meth:`apply` until :meth:`run`'s stop event is set."""

    def __init__(
        self,
        *,
        sink: EventSink,
        toolkit: Toolkit,
        settings: RuntimeSettings,
        media: MediaGate | None = None,
    ) -> None:
        self.toolkit = toolkit
        self.settings = settings
        self.writer = SinkWriter(sink, media=media)
        self.runners: dict[int, CameraRunner] = {}
        self._last_states: dict[int, str] = {}
        self._next_beat = 0.0
        self._lock = threading.Lock()

    def apply(self, specs: Sequence[CameraSpec]) -> None:
        """Run exactly these cameras: start new ones, restart changed ones, stop the rest."""
        wanted = {spec.id: spec for spec in specs}
        with self._lock:
            for camera_id in list(self.runners):
                runner = self.runners[camera_id]
                if wanted.get(camera_id) != runner.spec:
                    self._retire(runner)
                    del self.runners[camera_id]
                    self._last_states.pop(camera_id, None)
            for camera_id, spec in wanted.items():
                if camera_id not in self.runners:
                    runner = CameraRunner(spec, toolkit=self.toolkit, settings=self.settings)
                    runner.start()
                    self.runners[camera_id] = runner
        self._next_beat = 0.0  # report the new set at once

    def _retire(self, runner: CameraRunner) -> None:
        runner.stop()
        for clip in runner.ready_clips(wall_now=time.time(), flush=True):
            self.writer.deliver_clip(clip, runner.ring.between(clip.start, clip.end))

    def run_once(self, now: float | None = None) -> float:
        """Serve every camera that is due; the time until the next one is."""
        now = time.monotonic() if now is None else now
        wall = time.time()
        with self._lock:
            runners = sorted(self.runners.values(), key=lambda r: r.next_due)
            for runner in runners:
                for clip in runner.ready_clips(wall_now=wall):
                    self.writer.deliver_clip(clip, runner.ring.between(clip.start, clip.end))
                if runner.next_due > now:
                    continue
                try:
                    confirmed = runner.step(now)
                except Exception as exc:
                    runner.fail(exc, now)
                    confirmed = []
                for pending in confirmed:
                    out = pending.out
                    log.info("camera %s: %s alert confirmed", out.camera_id, out.event.alert_class)
                    # At once, not with the clip seconds later (issue 6: within 2 s).
                    self.writer.deliver_alert(pending)
                now = time.monotonic()
            self._heartbeats(now)
            soonest = min((r.next_due for r in self.runners.values()), default=now + 0.5)
        return max(0.0, min(soonest - time.monotonic(), 0.5))

    def _heartbeats(self, now: float) -> None:
        states = {cid: r.state()[0] for cid, r in self.runners.items()}
        changed = any(self._last_states.get(cid) != s for cid, s in states.items())
        if not self.runners or (now < self._next_beat and not changed):
            return
        # A state change goes out at once; the regular beat every ``heartbeat_s``.
        beats = [runner.heartbeat(now) for runner in self.runners.values()]
        self._last_states = states
        self._next_beat = now + self.settings.heartbeat_s
        self.writer.heartbeat(beats)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            stop.wait(self.run_once())

    def close(self) -> None:
        with self._lock:
            for runner in self.runners.values():
                self._retire(runner)
            self.runners.clear()
        self.writer.close()
