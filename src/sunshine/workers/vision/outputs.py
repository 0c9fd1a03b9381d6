"""Live outputs of a camera: the latest masked JPEG (MJPEG tiles) and an HLS stream.

Only frames that already went through the privacy masks reach this module, so everything it
writes (and everything the web serves from it) has the masks burned in.

Layout under ``vision_live_dir``:

- ``<camera token>/latest.jpg``: 640 px wide, quality 70, replaced atomically (write a temp
  file beside it, then ``os.replace``) so a reader never sees half a JPEG. The camera token
  is an HMAC of the camera id with the deployment's secret (:func:`camera_live_token`):
  stable, no column needed, and not guessable from the id, because the live folder may be
  served as static files.
- ``<public token>/index.m3u8`` + ``seg_*.ts``: HLS for cameras published to the public
  (640x360, libx264 ``veryfast`` + ``zerolatency``, 2 s segments, 6 in the playlist, old
  segments deleted by the muxer).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import shutil
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger("sunshine.vision.outputs")

Image = npt.NDArray[np.uint8]

LIVE_WIDTH = 640
LIVE_JPEG_QUALITY = 70
HLS_WIDTH, HLS_HEIGHT = 640, 360


def camera_live_token(camera_id: int, secret: str) -> str:
    """The folder name of a camera's live JPEG (the MJPEG route computes the same)."""
    digest = hmac.new(secret.encode(), f"kitchen-live:{camera_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def latest_jpeg_path(live_dir: Path, token: str) -> Path:
    return live_dir / token / "latest.jpg"


def hls_playlist_path(live_dir: Path, public_token: str) -> Path:
    return live_dir / public_token / "index.m3u8"


def resize_to_width(image: Image, width: int) -> Image:
    import cv2

    height, current = image.shape[:2]
    if current == width:
        return image
    new_height = max(2, round(height * width / current / 2) * 2)
    interpolation = cv2.INTER_AREA if current > width else cv2.INTER_LINEAR
    return _u8(cv2.resize(image, (width, new_height), interpolation=interpolation))


def _u8(array: Any) -> Image:
    """OpenCV's stubs type results as any numeric array; ours are 8-bit BGR."""
    return np.asarray(array, dtype=np.uint8)


def encode_jpeg(image: Image, quality: int) -> bytes:
    import cv2

    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(data.tobytes())


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class LatestJpegWriter:
    """Keeps ``latest.jpg`` of one camera current; returns the bytes for the clip ring."""

    def __init__(
        self, path: Path, *, width: int = LIVE_WIDTH, quality: int = LIVE_JPEG_QUALITY
    ) -> None:
        self.path, self.width, self.quality = path, width, quality

    def write(self, masked: Image) -> bytes:
        data = encode_jpeg(resize_to_width(masked, self.width), self.quality)
        write_atomically(self.path, data)
        return data

    def close(self) -> None:
        # A camera that stops (removed, disabled) must not leave its last picture served.
        self.path.unlink(missing_ok=True)


def _fit(image: Image, width: int, height: int) -> Image:
    """Scale into ``width`` x ``height`` keeping the aspect ratio, padding with black."""
    import cv2

    h, w = image.shape[:2]
    scale = min(width / w, height / h)
    nw, nh = max(2, round(w * scale)), max(2, round(h * scale))
    resized = _u8(cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA))
    if (nw, nh) == (width, height):
        return resized
    canvas = np.zeros((height, width, 3), np.uint8)
    y, x = (height - nh) // 2, (width - nw) // 2
    canvas[y : y + nh, x : x + nw] = resized
    return canvas


class HlsWriter:
    """Encodes masked frames into a rolling HLS playlist for a public camera.

    Frames arrive at the analysis rate (2-5 fps, not constant), so timestamps are the wall
    clock in milliseconds and the keyframe interval is set in frames for ``segment_s``.
    """

    def __init__(
        self,
        folder: Path,
        *,
        fps: float,
        width: int = HLS_WIDTH,
        height: int = HLS_HEIGHT,
        segment_s: int = 2,
        list_size: int = 6,
    ) -> None:
        self.folder = folder
        self.fps = max(1.0, fps)
        self.width, self.height = width, height
        self.segment_s, self.list_size = segment_s, list_size
        self._container: Any = None
        self._stream: Any = None
        self._t0: float | None = None
        self._last_pts = -1

    def _open(self) -> None:
        import av

        self.folder.mkdir(parents=True, exist_ok=True)
        self._container = av.open(
            str(self.folder / "index.m3u8"),
            "w",
            format="hls",
            options={
                "hls_time": str(self.segment_s),
                "hls_list_size": str(self.list_size),
                "hls_flags": "delete_segments+independent_segments",
                "hls_segment_filename": str(self.folder / "seg_%06d.ts"),
            },
        )
        stream = self._container.add_stream("libx264", rate=round(self.fps))
        stream.width, stream.height = self.width, self.height
        stream.pix_fmt = "yuv420p"
        # Frames come at the analysis rate, which bursts from 2 to 5 fps while a rule waits
        # for confirmation: the encoder must count in milliseconds too, or it rounds the
        # closer frames onto the same tick of its 1/fps clock and the muxer refuses them.
        stream.time_base = Fraction(1, 1000)
        stream.codec_context.time_base = Fraction(1, 1000)
        gop = max(1, round(self.fps * self.segment_s))
        stream.options = {
            "preset": "veryfast",
            "tune": "zerolatency",
            "g": str(gop),
            "keyint_min": str(gop),
            "sc_threshold": "0",
        }
        stream.codec_context.thread_count = 1
        self._stream = stream

    def write(self, masked: Image, at: float) -> None:
        import av

        if self._container is None:
            self._open()
            self._t0 = at
        assert self._t0 is not None
        pts = int((at - self._t0) * 1000)
        if pts <= self._last_pts:
            pts = self._last_pts + 1
        self._last_pts = pts
        frame = av.VideoFrame.from_ndarray(_fit(masked, self.width, self.height), format="bgr24")
        frame.pts = pts
        frame.time_base = Fraction(1, 1000)
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self, *, remove: bool = True) -> None:
        container, self._container = self._container, None
        if container is not None:
            try:
                for packet in self._stream.encode():
                    container.mux(packet)
            finally:
                container.close()
        if remove:
            # An unpublished camera's segments must not stay reachable.
            shutil.rmtree(self.folder, ignore_errors=True)
