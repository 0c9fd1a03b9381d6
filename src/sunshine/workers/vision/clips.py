"""Evidence media of an alert: a boxed and a clean snapshot, and a short MP4 clip.

There is no 24/7 recording (privacy, disk). Each camera keeps a ring of the last few seconds
of masked, 640-wide JPEG frames (the very bytes written to ``latest.jpg``, so the ring costs
no extra encoding and ~30 KB a frame); when an alert fires, the clip covers ``pre`` seconds
before the triggering frame and ``post`` seconds after it, and is encoded once the ``post``
seconds have been seen.
"""

from __future__ import annotations

import tempfile
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
BoxPx = tuple[int, int, int, int]

CLIP_TYPE = "video/mp4"
SNAPSHOT_QUALITY = 85


@dataclass(frozen=True)
class RingFrame:
    at: float  # wall clock of the frame's decoding
    jpeg: bytes


class FrameRing:
    """The last ``keep_s`` seconds of one camera's masked frames."""

    def __init__(self, keep_s: float) -> None:
        self.keep_s = keep_s
        self._frames: deque[RingFrame] = deque()

    def add(self, at: float, jpeg: bytes) -> None:
        self._frames.append(RingFrame(at, jpeg))
        while self._frames and self._frames[0].at < at - self.keep_s:
            self._frames.popleft()

    def between(self, start: float, end: float) -> list[RingFrame]:
        return [f for f in self._frames if start <= f.at <= end]

    def __len__(self) -> int:
        return len(self._frames)


def encode_mp4(frames: Sequence[RingFrame]) -> bytes:
    """An MP4 (H.264, or MPEG-4 Part 2 where libx264 is missing) of the frames, in memory.

    Timestamps are the frames' own (milliseconds), so a clip of frames taken at 2 fps plays
    at the speed things happened. ``faststart`` puts the index first for browsers.
    """
    import av
    import cv2

    if not frames:
        raise ValueError("a clip needs at least one frame")
    pairs: list[tuple[float, Image]] = []
    for f in frames:
        decoded = cv2.imdecode(np.frombuffer(f.jpeg, np.uint8), cv2.IMREAD_COLOR)
        if decoded is not None:
            pairs.append((f.at, np.asarray(decoded, dtype=np.uint8)))
    if not pairs:
        raise ValueError("no decodable frame in the clip")
    height, width = pairs[0][1].shape[:2]
    width, height = width - width % 2, height - height % 2
    codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
    # ``faststart`` rewrites the file in a second pass, which needs a real file, not memory.
    with tempfile.TemporaryDirectory(prefix="sunshine-clip-") as tmp:
        path = Path(tmp) / "clip.mp4"
        _write_mp4(path, pairs, codec, width, height)
        return path.read_bytes()


def _write_mp4(
    path: Path, pairs: list[tuple[float, Image]], codec: str, width: int, height: int
) -> None:
    import av
    import cv2

    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream: Any = container.add_stream(codec, rate=10)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, 1000)
        if codec == "libx264":
            stream.options = {"preset": "veryfast", "crf": "26"}
        stream.codec_context.thread_count = 1
        t0 = pairs[0][0]
        last = -1
        for at, picture in pairs:
            image = picture
            if image.shape[0] != height or image.shape[1] != width:
                image = np.asarray(cv2.resize(image, (width, height)), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            pts = max(last + 1, int((at - t0) * 1000))
            last = pts
            frame.pts = pts
            frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def snapshots(
    masked: Image, boxes: Sequence[BoxPx], *, quality: int = SNAPSHOT_QUALITY
) -> tuple[bytes, bytes]:
    """(boxed, clean) JPEGs of the masked frame; the boxed copy outlines what was found."""
    import cv2

    from sunshine.workers.vision.outputs import encode_jpeg

    clean = encode_jpeg(masked, quality)
    boxed_image = masked.copy()
    thickness = max(2, masked.shape[1] // 320)
    for x1, y1, x2, y2 in boxes:
        cv2.rectangle(boxed_image, (x1, y1), (x2, y2), (0, 0, 255), thickness)
    return encode_jpeg(boxed_image, quality), clean
