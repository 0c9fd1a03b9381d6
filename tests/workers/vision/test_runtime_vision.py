"""The vision runtime of one worker process: cameras analysed, alerts and states delivered,
failures of one camera contained, live outputs masked, clips playable."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from vision_runtime_support import (
    RecordingSink,
    count_frames,
    moving_frames,
    wait_until,
    write_clip,
)

from sunshine.kitchen.enums import AlertClass, RuleHours
from sunshine.kitchen.rules import CameraRuleSet, RuleSpec
from sunshine.workers.vision.capture import RawFrame
from sunshine.workers.vision.detectors.base import Detection
from sunshine.workers.vision.outputs import latest_jpeg_path
from sunshine.workers.vision.privacy import apply_privacy_masks
from sunshine.workers.vision.runtime import (
    CameraSpec,
    RuntimeSettings,
    Toolkit,
    VisionRuntime,
    default_toolkit,
)

SHARED = Path(__file__).resolve().parents[3].parent / "shared"

# Never open: every hour is "closed", so a person raises person_after_hours.
CLOSED = CameraRuleSet(
    rules=(
        RuleSpec(
            alert_class=AlertClass.PERSON_AFTER_HOURS,
            detect_cls="person",
            n=2,
            m=3,
            min_confidence=0.5,
            cooldown_s=600,
            when=RuleHours.CLOSED,
        ),
    ),
    hours=(),
)
FAST = RuntimeSettings(
    clip_pre_s=1.0,
    clip_post_s=1.0,
    heartbeat_s=0.5,
    backoff_base_s=0.2,
    backoff_cap_s=0.5,
    failure_pause_s=0.3,
)


class PersonEverywhere:
    """An analyser double: one confident person in the middle of every frame."""

    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail

    def analyze(self, frame: Any) -> list[Detection]:
        self.calls += 1
        if self.fail:
            raise RuntimeError("detector exploded")
        h, w = frame.shape[:2]
        return [Detection("person", 0.9, (w // 4, h // 4, w // 2, h - 1), model="person")]

    @property
    def unavailable(self) -> dict[str, str]:
        return {}


class AlwaysMoving:
    recalibrations = 0

    def update(self, frame: Any) -> list[tuple[int, int, int, int]]:
        return [(0, 0, 4, 4)]


class NeverMoving:
    recalibrations = 0

    def update(self, frame: Any) -> list[tuple[int, int, int, int]]:
        return []


class LightsOnce:
    """No motion ever, but the second frame changes whole (the lights switched on)."""

    def __init__(self) -> None:
        self.recalibrations = 0
        self.frames = 0

    def update(self, frame: Any) -> list[tuple[int, int, int, int]]:
        self.frames += 1
        if self.frames == 2:
            self.recalibrations += 1
        return []


class Fine:
    def observe(self, frame: Any, at: Any) -> str:
        return "ok"


def toolkit(
    *,
    analyzers: dict[int, PersonEverywhere] | None = None,
    motion: type = AlwaysMoving,
    source_factory: Any = None,
) -> Toolkit:
    made = analyzers if analyzers is not None else {}

    def analyzer(spec: CameraSpec) -> PersonEverywhere:
        return made.setdefault(spec.id, PersonEverywhere())

    return Toolkit(
        analyzer=analyzer,
        motion=motion,
        health=Fine,
        mask=apply_privacy_masks,
        model_sha256=lambda name: "ab" * 32,
        source_factory=source_factory,
    )


def camera(camera_id: int, url: str | None, **kw: Any) -> CameraSpec:
    return CameraSpec(id=camera_id, business_id=1, stream_url=url, ruleset=CLOSED, **kw)


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return write_clip(tmp_path / "kitchen.mp4", moving_frames(20), fps=10)


def run_in_thread(runtime: VisionRuntime) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()
    thread = threading.Thread(target=runtime.run, args=(stop,), daemon=True)
    thread.start()
    return stop, thread


def stop_runtime(runtime: VisionRuntime, stop: threading.Event, thread: threading.Thread) -> None:
    stop.set()
    thread.join(5)
    runtime.close()


def test_a_person_after_hours_becomes_an_alert_at_once_and_its_clip_follows(
    clip: Path,
) -> None:
    sink = RecordingSink()
    settings = replace(FAST, clip_post_s=3.0)
    runtime = VisionRuntime(sink=sink, toolkit=toolkit(), settings=settings)
    runtime.apply([camera(1, clip.as_uri())])
    stop, thread = run_in_thread(runtime)
    try:
        wait_until(lambda: sink.alerts, timeout=15)
        wait_until(lambda: 0 in sink.clips, timeout=15)
    finally:
        stop_runtime(runtime, stop, thread)
    recorded_at, out = sink.alerts[0]
    assert out.event.alert_class == AlertClass.PERSON_AFTER_HOURS
    assert out.model == "person" and out.model_sha256 == "ab" * 32
    # The alert is stored within the 2 s issue 6 asks for, not after the clip's 3 s post-roll.
    assert 0 <= recorded_at - out.frame_decoded_at < 2.0
    for jpeg in (out.snapshot_boxed, out.snapshot_clean):
        assert cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR) is not None
    assert out.snapshot_boxed != out.snapshot_clean
    # The clip comes for the same alert (its key), once its post-roll has passed.
    clip_at, got = sink.clips[0]
    assert clip_at - out.frame_decoded_at >= settings.clip_post_s and clip_at > recorded_at
    assert got.camera_id == 1 and got.note is None
    assert got.data is not None and got.media_type == "video/mp4"
    path = clip.parent / "alert.mp4"
    path.write_bytes(got.data)
    # pre 1 s + post 3 s at 2-5 analysed frames a second.
    assert count_frames(path) >= 6
    assert sink.last_state(1) is not None


def test_a_bad_camera_gets_an_error_state_and_the_others_keep_going(
    clip: Path, tmp_path: Path
) -> None:
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(bytes(range(256)) * 40)
    analyzers = {3: PersonEverywhere(fail=True)}
    sink = RecordingSink()
    runtime = VisionRuntime(sink=sink, toolkit=toolkit(analyzers=analyzers), settings=FAST)
    runtime.apply(
        [
            camera(1, clip.as_uri()),
            camera(2, "ftp://camera.example/stream"),
            camera(3, clip.as_uri()),
            camera(4, garbage.as_uri()),
            camera(5, None),
        ]
    )
    stop, thread = run_in_thread(runtime)
    try:
        wait_until(lambda: any(out.camera_id == 1 for _, out in sink.alerts), timeout=15)

        def states() -> dict[int, tuple[str, str]] | None:
            got = {}
            for cid in (2, 3, 4, 5):
                beat = sink.last_state(cid)
                if beat is None:
                    return None
                got[cid] = (beat.state, beat.message)
            return got if got[3][0] == "error" and got[4][0] == "error" else None

        found = wait_until(states, timeout=10)
        assert thread.is_alive()
    finally:
        stop_runtime(runtime, stop, thread)
    assert found[2] == ("error", "unsupported stream scheme 'ftp' (use rtsp, http(s) or file)")
    assert "analysis failed: RuntimeError: detector exploded" in found[3][1]
    assert "not a readable video stream" in found[4][1]
    assert found[5][0] == "no_source"
    assert all(out.camera_id == 1 for _, out in sink.alerts)
    # Heartbeats of the process's cameras travel together, one batch per write.
    assert any({b.camera_id for b in batch} == {1, 2, 3, 4, 5} for batch in sink.beats)


def test_a_source_that_raises_is_retried_and_recovers() -> None:
    attempts: list[int] = []

    class Flaky:
        def frames(self, stop: threading.Event) -> Iterator[RawFrame]:
            attempts.append(1)
            if len(attempts) < 3:
                yield RawFrame(moving_frames(1)[0], 0.0)
                raise OSError("camera rebooted")
            # A loop of 40 frames, not 10,000 made up front (460 MB, slow on a busy machine).
            for i, image in enumerate(itertools.cycle(moving_frames(40))):
                if stop.wait(0.05):
                    return
                yield RawFrame(image, i * 0.05)

    sink = RecordingSink()
    runtime = VisionRuntime(
        sink=sink, toolkit=toolkit(source_factory=lambda spec: Flaky()), settings=FAST
    )
    runtime.apply([camera(1, "rtsp://camera.example/live")])
    stop, thread = run_in_thread(runtime)
    try:
        wait_until(lambda: sink.alerts, timeout=15)
        wait_until(lambda: (b := sink.last_state(1)) is not None and b.state == "online")
        capture = runtime.runners[1].capture
        assert capture is not None
        reconnects = capture.status().reconnects
    finally:
        stop_runtime(runtime, stop, thread)
    assert len(attempts) >= 3 and reconnects >= 2


def test_a_deleted_file_source_goes_offline_and_comes_back(clip: Path) -> None:
    sink = RecordingSink()
    runtime = VisionRuntime(sink=sink, toolkit=toolkit(), settings=FAST)
    runtime.apply([camera(1, clip.as_uri())])
    stop, thread = run_in_thread(runtime)
    hidden = clip.with_suffix(".away")
    try:
        wait_until(lambda: (b := sink.last_state(1)) is not None and b.state == "online")
        clip.rename(hidden)
        offline = wait_until(
            lambda: (b := sink.last_state(1)) is not None and b.state == "offline" and b,
            timeout=10,
        )
        hidden.rename(clip)
        wait_until(lambda: (b := sink.last_state(1)) is not None and b.state == "online")
        assert thread.is_alive()
    finally:
        stop_runtime(runtime, stop, thread)
    assert "source not found" in offline.message


def test_frames_without_motion_skip_the_detector(clip: Path) -> None:
    analyzers: dict[int, PersonEverywhere] = {}
    sink = RecordingSink()
    runtime = VisionRuntime(
        sink=sink, toolkit=toolkit(analyzers=analyzers, motion=NeverMoving), settings=FAST
    )
    runtime.apply([camera(1, clip.as_uri())])
    stop, thread = run_in_thread(runtime)
    try:
        # The first frame is analysed (no background yet); its person stays "seen" for
        # keep_seen_s, so the rule still confirms without running the detector again...
        wait_until(lambda: sink.alerts, timeout=15)
        runner = runtime.runners[1]
        time.sleep(0.5)  # the burst window ends with the cool-down (no candidate any more)
        wait_until(lambda: runner.burst_until < time.monotonic(), timeout=5)
        calls, analysed = analyzers[1].calls, runner.analysed_total
        wait_until(lambda: runner.analysed_total >= analysed + 3, timeout=10)
        calls_after = analyzers[1].calls
    finally:
        stop_runtime(runtime, stop, thread)
    # ... and after that, frames without motion are analysed without the detector.
    assert calls >= 1 and calls_after == calls


class Nobody(PersonEverywhere):
    """An analyser double that counts its calls and never finds anyone."""

    def analyze(self, frame: Any) -> list[Detection]:
        self.calls += 1
        return []


def test_a_picture_that_changes_whole_is_analysed_though_the_gate_sees_no_motion(
    clip: Path,
) -> None:
    # Lights switched on in a closed kitchen: the motion gate starts over and reports
    # nothing, but that frame may hold the person who switched them on.
    analyzers: dict[int, PersonEverywhere] = {1: Nobody()}
    runtime = VisionRuntime(
        sink=RecordingSink(), toolkit=toolkit(analyzers=analyzers, motion=LightsOnce), settings=FAST
    )
    runtime.apply([camera(1, clip.as_uri())])
    stop, thread = run_in_thread(runtime)
    try:
        runner = runtime.runners[1]
        wait_until(lambda: runner.analysed_total >= 5, timeout=15)
    finally:
        stop_runtime(runtime, stop, thread)
    assert analyzers[1].calls == 2  # the first frame (no background yet) and the relit one


def test_a_candidate_switches_the_camera_to_the_burst_rate(clip: Path) -> None:
    sink = RecordingSink()
    settings = RuntimeSettings(clip_pre_s=0.5, clip_post_s=0.5, heartbeat_s=0.5)
    runtime = VisionRuntime(sink=sink, toolkit=toolkit(), settings=settings)
    runtime.apply([camera(1, clip.as_uri(), analysis_fps=1.0)])
    runner = runtime.runners[1]
    assert runner.interval == pytest.approx(1.0) and runner.burst_interval == pytest.approx(0.2)
    stop, thread = run_in_thread(runtime)
    try:
        wait_until(lambda: runner.burst_until > time.monotonic(), timeout=10)
        wait_until(lambda: sink.alerts, timeout=10)
    finally:
        stop_runtime(runtime, stop, thread)
    _, out = sink.alerts[0]
    # N=2 frames at 5 fps instead of 1 fps: confirmed well within two slow intervals.
    assert (out.event.confirmed_at - out.event.first_seen_at).total_seconds() < 1.0


def test_live_jpeg_is_masked_and_public_cameras_get_hls(clip: Path, tmp_path: Path) -> None:
    live = tmp_path / "live"
    bright = [np.full((96, 160, 3), 230, np.uint8) for _ in range(20)]
    source = write_clip(tmp_path / "bright.mp4", bright, fps=10)
    left_half = (((0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.0, 1.0)),)
    sink = RecordingSink()
    settings = RuntimeSettings(clip_pre_s=1, clip_post_s=1, heartbeat_s=0.5, live_dir=live)
    runtime = VisionRuntime(sink=sink, toolkit=toolkit(), settings=settings)
    spec = camera(
        1,
        source.as_uri(),
        privacy_masks=left_half,
        public=True,
        public_token="pub-token-1",
        live_token="cam-token-1",
        analysis_fps=5.0,
    )
    runtime.apply([spec])
    stop, thread = run_in_thread(runtime)
    jpeg = latest_jpeg_path(live, "cam-token-1")
    playlist = live / "pub-token-1" / "index.m3u8"
    try:
        wait_until(jpeg.exists)
        wait_until(lambda: sink.alerts, timeout=15)
        wait_until(lambda: playlist.exists() and list(playlist.parent.glob("seg_*.ts")), timeout=15)
        image = cv2.imread(str(jpeg))
    finally:
        stop_runtime(runtime, stop, thread)
    assert image.shape[1] == 640
    w = image.shape[1]
    assert image[:, : w // 2 - 8].max() < 30  # masked: black (JPEG noise aside)
    assert image[:, w // 2 + 8 :].min() > 180  # the rest untouched
    _, out = sink.alerts[0]
    clean = cv2.imdecode(np.frombuffer(out.snapshot_clean, np.uint8), cv2.IMREAD_COLOR)
    assert clean[:, : clean.shape[1] // 2 - 4].max() < 30  # evidence is masked too
    # Stopping the camera removes what it served.
    assert not jpeg.exists() and not playlist.exists()


def test_a_full_media_quota_skips_the_clip_and_says_so(clip: Path) -> None:
    class Full:
        def room_for(self, size: int) -> bool:
            return False

    sink = RecordingSink()
    runtime = VisionRuntime(sink=sink, toolkit=toolkit(), settings=FAST, media=Full())
    runtime.apply([camera(1, clip.as_uri())])
    stop, thread = run_in_thread(runtime)
    try:
        wait_until(lambda: sink.alerts, timeout=15)
        wait_until(lambda: 0 in sink.clips, timeout=15)
    finally:
        stop_runtime(runtime, stop, thread)
    _, out = sink.alerts[0]
    assert out.snapshot_clean  # the snapshots are still kept
    _, got = sink.clips[0]
    assert got.data is None and got.media_type is None
    assert got.note == "clip skipped: the media quota is full"


def test_an_alert_that_could_not_be_stored_gets_no_clip(
    clip: Path, caplog: pytest.LogCaptureFixture
) -> None:
    asked: list[int] = []

    class Counting:
        def room_for(self, size: int) -> bool:
            asked.append(size)
            return True

    sink = RecordingSink(fail_alerts=True)
    runtime = VisionRuntime(sink=sink, toolkit=toolkit(), settings=FAST, media=Counting())
    runtime.apply([camera(1, clip.as_uri())])
    stop, thread = run_in_thread(runtime)
    caplog.set_level(logging.ERROR, logger="sunshine.vision.runtime")
    try:
        # Every try of the first alert fails; its clip job comes after them (same thread).
        wait_until(lambda: sink.alert_calls >= 3, timeout=15)
        wait_until(lambda: "its clip is dropped" in caplog.text, timeout=15)
    finally:
        stop_runtime(runtime, stop, thread)
    assert sink.alerts == [] and sink.clips == {}
    assert asked == []  # no media quota spent on a clip with nowhere to go


def test_changing_a_camera_restarts_it_and_removing_it_stops_it(clip: Path) -> None:
    sink = RecordingSink()
    runtime = VisionRuntime(sink=sink, toolkit=toolkit(), settings=FAST)
    spec = camera(1, clip.as_uri())
    runtime.apply([spec])
    first = runtime.runners[1]
    runtime.apply([spec])
    assert runtime.runners[1] is first  # unchanged: kept running
    runtime.apply([camera(1, clip.as_uri(), analysis_fps=4.0)])
    second = runtime.runners[1]
    assert second is not first and first.capture is not None and not first.capture.alive
    runtime.apply([])
    assert runtime.runners == {}
    assert second.capture is not None and not second.capture.alive
    runtime.close()


@pytest.mark.shared
def test_end_to_end_real_detector_person_after_hours(tmp_path: Path) -> None:
    """3.jpg (five people) as a slowly panning file camera, kitchen closed: the real
    FastestDet + motion gate + health + rules raise person_after_hours within seconds."""
    photo = cv2.imread(str(SHARED / "models" / "fastestdet" / "3.jpg"))
    assert photo is not None
    h, w = photo.shape[:2]
    frames = []
    for i in range(30):
        dx = (i % 15) * 2  # a slow pan: real motion, people stay in view
        frames.append(photo[: h - h % 2, dx : dx + w - 40].copy())
    source = write_clip(tmp_path / "people.mp4", frames, fps=10)
    tools = default_toolkit(models_dir=SHARED / "models", fetch=False)
    sink = RecordingSink()
    runtime = VisionRuntime(sink=sink, toolkit=tools, settings=FAST)
    runtime.apply([camera(1, source.as_uri())])
    stop, thread = run_in_thread(runtime)
    started = time.monotonic()
    try:
        wait_until(lambda: sink.alerts, timeout=20)
    finally:
        stop_runtime(runtime, stop, thread)
    assert time.monotonic() - started < 20
    recorded_at, out = sink.alerts[0]
    assert out.event.alert_class == AlertClass.PERSON_AFTER_HOURS
    assert out.model == "person" and out.model_sha256
    assert len(out.event.boxes) >= 2  # several people were in the confirming frame
    assert recorded_at - out.frame_decoded_at < 5
