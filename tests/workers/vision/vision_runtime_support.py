"""Builders for the vision runtime tests: small synthetic clips and a recording sink."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from sunshine.workers.vision.runtime import AlertOut, ClipOut, Heartbeat


def moving_frames(
    count: int, *, width: int = 160, height: int = 96, base: npt.NDArray[np.uint8] | None = None
) -> list[npt.NDArray[np.uint8]]:
    """Frames with a bright square sliding across a textured background (real motion)."""
    frames = []
    for i in range(count):
        if base is None:
            image = np.full((height, width, 3), 60, np.uint8)
            image[::8, :, :] = 90
        else:
            image = base.copy()
        x = (i * 7) % max(1, width - 24)
        image[20:44, x : x + 24] = (30, 200, 240)
        frames.append(image)
    return frames


def write_clip(
    path: Path,
    frames: list[npt.NDArray[np.uint8]],
    *,
    fps: int = 10,
    codec: str = "libx264",
) -> Path:
    """Encode BGR frames into a small MP4 (or any container the suffix names)."""
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, fps)
        if codec == "libx264":
            stream.options = {"preset": "ultrafast", "g": str(fps)}
        for index, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def count_frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


@dataclass
class RecordingSink:
    """An event sink that keeps what it is given, with the wall time it got each alert and
    clip. An alert's key is its index in ``alerts``; ``clips`` maps keys to (time, clip)."""

    alerts: list[tuple[float, AlertOut]] = field(default_factory=list)
    clips: dict[int, tuple[float, ClipOut]] = field(default_factory=dict)
    beats: list[list[Heartbeat]] = field(default_factory=list)
    fail_alerts: bool = False
    alert_calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def alert(self, out: AlertOut) -> int:
        with self.lock:
            self.alert_calls += 1
        if self.fail_alerts:
            raise RuntimeError("database is locked")
        with self.lock:
            self.alerts.append((time.time(), out))
            return len(self.alerts) - 1

    def clip(self, key: object, clip: ClipOut) -> None:
        assert isinstance(key, int)
        with self.lock:
            assert key not in self.clips, "one clip per alert"
            self.clips[key] = (time.time(), clip)

    def heartbeat(self, beats: list[Heartbeat]) -> None:
        with self.lock:
            self.beats.append(list(beats))

    def last_state(self, camera_id: int) -> Heartbeat | None:
        with self.lock:
            for batch in reversed(self.beats):
                for beat in batch:
                    if beat.camera_id == camera_id:
                        return beat
        return None


def wait_until(check: Callable[[], Any], *, timeout: float = 10.0, step: float = 0.05) -> Any:
    """Poll ``check`` until it returns something truthy; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"condition not met within {timeout} s")


# -- for spawned worker processes (named as "module:function" in ProcessOptions) ---------------
class FileSink:
    """Heartbeats appended as JSON lines to $SUNSHINE_TEST_VISION_BEATS (a child process)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def alert(self, out: AlertOut) -> int:
        self._write({"alert": out.camera_id})
        return out.camera_id

    def clip(self, key: object, clip: ClipOut) -> None:
        self._write({"clip": clip.camera_id, "kept": clip.data is not None})

    def heartbeat(self, beats: list[Heartbeat]) -> None:
        for beat in beats:
            self._write({"camera": beat.camera_id, "state": beat.state})

    def _write(self, record: dict[str, Any]) -> None:
        import json
        import os

        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({**record, "pid": os.getpid()}) + "\n")


def file_sink() -> tuple[FileSink, None]:
    import os

    return FileSink(os.environ["SUNSHINE_TEST_VISION_BEATS"]), None


def idle_toolkit() -> Any:
    """Analysis parts that cost nothing (the supervisor test is about processes)."""
    from sunshine.workers.vision.runtime import Toolkit

    class Nothing:
        @property
        def unavailable(self) -> dict[str, str]:
            return {}

        def analyze(self, frame: Any) -> list[Any]:
            return []

        recalibrations = 0

        def update(self, frame: Any) -> list[Any]:
            return []

        def observe(self, frame: Any, at: Any) -> str:
            return "ok"

    return Toolkit(
        analyzer=lambda spec: Nothing(),
        motion=Nothing,
        health=Nothing,
        mask=lambda frame, polygons: frame,
    )
