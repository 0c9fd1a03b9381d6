"""Motion gate, picture health, privacy masks and the IoU tracker on synthetic frames."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
import pytest

from sunshine.workers.vision.detectors.base import Detection
from sunshine.workers.vision.health import FrameHealth
from sunshine.workers.vision.motion import MotionGate
from sunshine.workers.vision.privacy import PrivacyMaskError, apply_privacy_masks
from sunshine.workers.vision.tracker import IoUTracker

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _scene(seed: int = 1, size: tuple[int, int] = (360, 640)) -> np.ndarray:
    """A textured, sharp 'kitchen': random tiles, edges everywhere."""
    rng = np.random.default_rng(seed)
    tiles = rng.integers(40, 220, size=(size[0] // 40, size[1] // 40, 3), dtype=np.uint8)
    return cv2.resize(tiles, (size[1], size[0]), interpolation=cv2.INTER_NEAREST)


def _noisy(frame: np.ndarray, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).integers(-3, 4, size=frame.shape)
    return np.clip(frame.astype(np.int16) + noise, 0, 255).astype(np.uint8)


# -- motion ----------------------------------------------------------------------------------


def test_motion_gate_reports_a_moving_block_where_it_is() -> None:
    gate = MotionGate()
    still = _scene(size=(720, 1280))
    assert gate.update(still) == []  # the first frame only calibrates
    for i in range(5):
        assert gate.update(_noisy(still, i)) == []  # sensor noise is not motion
    moved = still.copy()
    moved[300:460, 600:760] = 255 - moved[300:460, 600:760]
    boxes = gate.update(moved)
    assert boxes
    x1, y1, x2, y2 = max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
    assert 560 <= x1 <= 620 and 700 <= x2 <= 800
    assert 260 <= y1 <= 320 and 440 <= y2 <= 500


def test_motion_gate_recalibrates_when_the_whole_picture_changes() -> None:
    gate = MotionGate()
    day = np.where(_scene(1) > 128, 225, 30).astype(np.uint8)
    night = 255 - day  # e.g. the camera's infrared switch: every pixel changes
    gate.update(day)
    assert gate.update(night) == []  # more than 80% changed: recalibrate, no motion
    assert gate.recalibrations == 1
    assert gate.update(_noisy(night, 1)) == []  # the new scene is the new normal


# -- health ----------------------------------------------------------------------------------


def _feed(health: FrameHealth, frames: list[np.ndarray], start: datetime, step_s: float) -> str:
    state = "ok"
    for i, frame in enumerate(frames):
        state = health.observe(frame, start + timedelta(seconds=i * step_s))
    return state


def test_live_scene_is_ok() -> None:
    health = FrameHealth()
    frames = [_noisy(_scene(), i) for i in range(200)]  # 100 s at 2 fps, sensor noise
    assert _feed(health, frames, T0, 0.5) == "ok"


def test_black_frames_are_covered_after_ten_seconds() -> None:
    health = FrameHealth()
    black = np.zeros((360, 640, 3), dtype=np.uint8)
    assert _feed(health, [black] * 10, T0, 1.0) == "ok"  # 9 s: a hand over the lens
    assert health.observe(black, T0 + timedelta(seconds=10)) == "covered"
    assert health.observe(_scene(), T0 + timedelta(seconds=11)) == "ok"


def test_constant_grey_frames_are_covered() -> None:
    health = FrameHealth()
    grey = np.full((360, 640, 3), 128, dtype=np.uint8)
    assert _feed(health, [_noisy(grey, i) for i in range(12)], T0, 1.0) == "covered"


def test_identical_frames_with_advancing_time_are_frozen_after_a_minute() -> None:
    health = FrameHealth()
    frame = _scene()
    assert _feed(health, [frame] * 60, T0, 1.0) == "ok"  # 59 s
    assert health.observe(frame, T0 + timedelta(seconds=60)) == "frozen"
    # The same frame seen again at the same time is not evidence either way.
    assert health.observe(frame, T0 + timedelta(seconds=60)) == "frozen"
    assert health.observe(_noisy(_scene(3), 0), T0 + timedelta(seconds=61)) == "ok"


def test_the_same_timestamp_repeated_is_not_frozen() -> None:
    health = FrameHealth()
    frame = _scene()
    for _ in range(200):
        state = health.observe(frame, T0)
    assert state == "ok"


def test_blur_relative_to_the_cameras_own_sharpness() -> None:
    health = FrameHealth()
    sharp = _scene()
    _feed(health, [_noisy(sharp, i) for i in range(40)], T0, 1.0)
    blurred = cv2.GaussianBlur(sharp, (0, 0), 12)
    later = T0 + timedelta(seconds=40)
    states = [health.observe(_noisy(blurred, i), later + timedelta(seconds=i)) for i in range(31)]
    assert states[:30] == ["ok"] * 30
    assert states[30] == "blurred"
    # Back in focus: ok at once, and the long blur did not become the camera's norm.
    assert health.observe(_noisy(sharp, 99), later + timedelta(seconds=31)) == "ok"
    states = [
        health.observe(_noisy(blurred, i), later + timedelta(seconds=40 + i)) for i in range(31)
    ]
    assert states[-1] == "blurred"


# -- privacy ---------------------------------------------------------------------------------


def test_privacy_mask_blacks_out_the_polygon_only() -> None:
    frame = np.full((100, 200, 3), 200, dtype=np.uint8)
    masked = apply_privacy_masks(frame, [[[0.5, 0.0], [1.0, 0.0], [1.0, 0.5], [0.5, 0.5]]])
    assert masked[10:40, 110:190].max() == 0  # inside: black
    assert masked[60:, :].min() == 200 and masked[:, :90].min() == 200  # outside: untouched
    assert frame.min() == 200  # the input frame is not modified
    assert np.array_equal(apply_privacy_masks(frame, []), frame)


def test_privacy_mask_triangle_and_grey_frames() -> None:
    grey = np.full((100, 100), 90, dtype=np.uint8)
    masked = apply_privacy_masks(grey, [[(0, 0), (1, 0), (0, 1)]])
    assert masked[5, 5] == 0 and masked[95, 95] == 90


@pytest.mark.parametrize(
    ("polygon", "problem"),
    [
        ([[0.1, 0.1], [0.2, 0.2]], "needs at least 3 points"),
        ([[0.1, 0.1], [0.2, 0.2], [1.2, 0.3]], "outside 0..1"),
        ([[0.1, 0.1], [0.2, 0.2], [-0.1, 0.3]], "outside 0..1"),
        ([[0.1, 0.1], [0.2, 0.2], [0.3]], "not a pair of numbers"),
        ([[0.1, 0.1], [0.2, 0.2], ["a", 0.3]], "not a pair of numbers"),
        ([[0.1, 0.1], [0.2, 0.2], [float("nan"), 0.3]], "outside 0..1"),
        ("0.1,0.1,0.2", "not a list of points"),
    ],
)
def test_bad_polygons_are_refused_with_the_reason(polygon: object, problem: str) -> None:
    frame = np.zeros((10, 10, 3), dtype=np.uint8)
    with pytest.raises(PrivacyMaskError, match=problem) as refused:
        apply_privacy_masks(frame, [[[0, 0], [1, 0], [1, 1]], polygon])  # type: ignore[list-item]
    assert "polygon 2" in str(refused.value)


# -- tracker ---------------------------------------------------------------------------------


def test_tracker_keeps_ids_across_frames_and_classes() -> None:
    tracker = IoUTracker(max_age=timedelta(seconds=10))
    a = Detection("person", 0.9, (100, 100, 200, 400))
    b = Detection("person", 0.8, (500, 100, 600, 400))
    phone = Detection("cell_phone", 0.6, (150, 200, 170, 230))
    first = tracker.update([a, b, phone], T0)
    ids = {t.box: t.track_id for t in first}
    assert len(set(ids.values())) == 3
    moved_a = Detection("person", 0.95, (110, 105, 210, 405))
    moved_b = Detection("person", 0.7, (520, 100, 620, 400))
    second = tracker.update([moved_b, moved_a], T0 + timedelta(seconds=1))
    by_id = {t.track_id: t for t in second}
    assert by_id[ids[a.box]].box == moved_a.box and by_id[ids[a.box]].hits == 2
    assert by_id[ids[b.box]].box == moved_b.box
    assert by_id[ids[a.box]].best_confidence == 0.95
    lost = by_id[ids[phone.box]]
    assert not lost.seen_now  # not seen now, but still alive (briefly hidden)
    later = tracker.update([], T0 + timedelta(seconds=12))
    assert later == []  # everything expired
    fresh = tracker.update([a], T0 + timedelta(seconds=13))
    assert fresh[0].track_id not in ids.values()  # ids are never reused


def test_tracker_never_matches_one_detection_to_two_tracks() -> None:
    tracker = IoUTracker()
    tracker.update(
        [Detection("person", 0.9, (0, 0, 100, 100)), Detection("person", 0.9, (50, 0, 150, 100))],
        T0,
    )
    tracks = tracker.update([Detection("person", 0.9, (25, 0, 125, 100))], T0)
    assert sum(t.seen_now for t in tracks) == 1
    assert len(tracks) == 2
