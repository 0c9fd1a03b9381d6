"""Camera capture: one thread per camera keeps only the latest decoded frame.

Sources (all through PyAV except image folders):

- ``rtsp://`` / ``rtsps://``: RTSP over TCP (UDP loses packets behind NAT and on busy links);
- ``http(s)://...``: an MJPEG stream (``multipart/x-mixed-replace``) or anything FFmpeg probes;
  a path ending in ``.m3u8`` is HLS;
- ``file:///clip.mp4``: a recorded file played in real time and looped forever (demo, tests,
  benchmark); the file is reopened at each loop, so a file that disappears is noticed and a
  file that comes back is picked up again;
- ``file:///folder/`` (a directory): its images, read with ``cv2.imread`` and cycled at a fixed
  rate (``?fps=N`` in the URL, default 5).

Like Frigate's capture loop, real time wins over completeness: a frame the analysis loop has
not taken before the next one is decoded is simply replaced (counted as ``overwritten``).
Decoding must still see every packet (inter-coded video), but the costly conversion to a BGR
array happens lazily in the analysis loop, only for the frames it actually analyses.

States: ``connecting`` (an attempt is in progress), ``online``, ``offline`` (no frame for
``offline_after_s``, 20 s as in Frigate, or the connection failed and a retry is scheduled)
and ``error`` (bad URL, refused credentials, a stream that is not video). Every failure is
retried with exponential backoff (2, 4, 8 ... 300 s), except a URL this module cannot handle
at all, which stays in ``error`` until the camera's configuration changes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import numpy as np
import numpy.typing as npt

log = logging.getLogger("sunshine.vision.capture")

Image = npt.NDArray[np.uint8]

OFFLINE_AFTER_S = 20.0
# Longest a blocking open / read may take before PyAV's interrupt callback aborts it: a dead
# RTSP server must never freeze the thread (and with it the camera's state) forever.
OPEN_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 10.0
# Decoded frames are scaled down to this width before analysis: the detectors work at 352 px
# and the live outputs at 640, so converting a 4K frame at full size would only cost time.
MAX_ANALYSIS_WIDTH = 1280
# So many undecodable packets in a row mean the stream is garbage, not a glitch.
MAX_CORRUPT_IN_A_ROW = 50
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


class CaptureState(StrEnum):
    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"
    ERROR = "error"


class SourceKind(StrEnum):
    RTSP = "rtsp"
    HTTP = "http"
    HLS = "hls"
    FILE = "file"
    IMAGES = "images"


class CaptureProblem(Exception):
    """Why a source could not deliver frames, in words a camera owner can act on."""

    def __init__(self, state: CaptureState, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.state = state
        self.message = message
        self.permanent = permanent


class Backoff:
    """Reconnect delays 2, 4, 8 ... seconds, capped at 300; ``reset`` after a good frame."""

    def __init__(self, *, base_s: float = 2.0, cap_s: float = 300.0, factor: float = 2.0) -> None:
        if base_s <= 0 or cap_s < base_s or factor < 1:
            raise ValueError("backoff needs 0 < base <= cap and factor >= 1")
        self.base_s, self.cap_s, self.factor = base_s, cap_s, factor
        self.failures = 0

    def next_delay(self) -> float:
        delay = min(self.cap_s, self.base_s * self.factor**self.failures)
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0


@dataclass
class CapturedFrame:
    """One decoded frame: the PyAV frame (converted on demand) or an image already in BGR."""

    seq: int
    decoded_at: float  # wall clock (time.time()) when the frame left the decoder
    decoded_mono: float  # time.monotonic() of the same moment
    pts_s: float | None  # presentation time in the stream, seconds
    raw: Any = field(repr=False)  # av.VideoFrame | Image
    _image: Image | None = field(default=None, repr=False)

    def image(self, max_width: int = MAX_ANALYSIS_WIDTH) -> Image:
        """The frame as a BGR array no wider than ``max_width`` (converted once, then cached)."""
        if self._image is None:
            raw = self.raw
            if isinstance(raw, np.ndarray):
                image = raw
            else:
                width, height = int(raw.width), int(raw.height)
                if width > max_width:
                    height = max(2, round(height * max_width / width / 2) * 2)
                    width = max_width
                image = raw.to_ndarray(format="bgr24", width=width, height=height)
            if image.shape[1] > max_width:
                import cv2

                scale = max_width / image.shape[1]
                size = (max_width, max(1, round(image.shape[0] * scale)))
                image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            self._image = np.ascontiguousarray(image, dtype=np.uint8)
            self.raw = None  # the decoder's buffer can go
        return self._image


@dataclass(frozen=True)
class RawFrame:
    raw: Any  # av.VideoFrame | Image
    pts_s: float | None


class FrameSource(Protocol):
    """Opens the stream and yields frames until it ends; raises :class:`CaptureProblem`."""

    def frames(self, stop: threading.Event) -> Iterator[RawFrame]: ...


@dataclass(frozen=True)
class ParsedSource:
    kind: SourceKind
    url: str
    path: Path | None = None
    fps: float = 5.0


def parse_source(url: str) -> ParsedSource:
    """Classify a stream URL; an unusable one raises a permanent :class:`CaptureProblem`."""
    text = (url or "").strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme in ("rtsp", "rtsps"):
        if not parts.hostname:
            raise _bad_url(f"RTSP address without a host: {redact(text)}")
        return ParsedSource(SourceKind.RTSP, text)
    if scheme in ("http", "https"):
        if not parts.hostname:
            raise _bad_url(f"HTTP address without a host: {redact(text)}")
        kind = SourceKind.HLS if parts.path.lower().endswith(".m3u8") else SourceKind.HTTP
        return ParsedSource(kind, text)
    if scheme == "file":
        path = Path(unquote(parts.path))
        if not path.is_absolute():
            raise _bad_url(f"a file source needs an absolute path: {text}")
        query = parse_qs(parts.query)
        fps = 5.0
        if "fps" in query:
            try:
                fps = float(query["fps"][0])
            except ValueError:
                raise _bad_url(f"fps is not a number in {text}") from None
            if not 0 < fps <= 60:
                raise _bad_url(f"fps must be between 0 and 60 in {text}")
        if path.is_dir() or parts.path.endswith("/"):
            return ParsedSource(SourceKind.IMAGES, text, path=path, fps=fps)
        kind = SourceKind.HLS if path.suffix.lower() == ".m3u8" else SourceKind.FILE
        return ParsedSource(kind, text, path=path, fps=fps)
    if not scheme:
        raise _bad_url(f"not a stream address (no scheme): {redact(text) or '(empty)'}")
    raise _bad_url(f"unsupported stream scheme {scheme!r} (use rtsp, http(s) or file)")


def _bad_url(message: str) -> CaptureProblem:
    return CaptureProblem(CaptureState.ERROR, message, permanent=True)


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}"
    if parts.port:
        netloc += f":{parts.port}"
    return parts._replace(netloc=netloc).geturl()


def _classify_av_error(exc: BaseException, url: str) -> CaptureProblem:
    """Map a PyAV/OS error to a state and a message (auth and format problems are errors)."""
    import av

    where = redact(url)
    if isinstance(exc, av.error.HTTPUnauthorizedError | av.error.HTTPForbiddenError):
        return CaptureProblem(CaptureState.ERROR, f"the camera refused the credentials ({where})")
    if isinstance(exc, av.error.HTTPNotFoundError):
        return CaptureProblem(CaptureState.ERROR, f"no stream at this address ({where})")
    if isinstance(exc, FileNotFoundError):
        return CaptureProblem(CaptureState.OFFLINE, f"source not found: {where}")
    if isinstance(exc, av.error.InvalidDataError):
        return CaptureProblem(CaptureState.ERROR, f"not a readable video stream ({where})")
    if isinstance(exc, av.error.ProtocolNotFoundError | av.error.DemuxerNotFoundError):
        return CaptureProblem(CaptureState.ERROR, f"unsupported stream ({where})")
    if isinstance(exc, av.error.ExitError | TimeoutError):
        return CaptureProblem(CaptureState.OFFLINE, f"the stream timed out ({where})")
    if isinstance(exc, ConnectionError | OSError):
        return CaptureProblem(CaptureState.OFFLINE, f"cannot connect: {exc} ({where})")
    return CaptureProblem(CaptureState.OFFLINE, f"{type(exc).__name__}: {exc} ({where})")


class PyAVSource:
    """RTSP, HTTP (MJPEG), HLS and files through PyAV; files are paced and looped."""

    def __init__(
        self,
        parsed: ParsedSource,
        *,
        open_timeout_s: float = OPEN_TIMEOUT_S,
        read_timeout_s: float = READ_TIMEOUT_S,
        stall_s: float = OFFLINE_AFTER_S,
        on_corrupt: Callable[[], None] | None = None,
    ) -> None:
        self.parsed = parsed
        self.open_timeout_s, self.read_timeout_s, self.stall_s = (
            open_timeout_s,
            read_timeout_s,
            stall_s,
        )
        self.on_corrupt = on_corrupt or (lambda: None)

    @property
    def loops(self) -> bool:
        return self.parsed.kind is SourceKind.FILE or (
            self.parsed.kind is SourceKind.HLS and self.parsed.path is not None
        )

    def _options(self) -> dict[str, str]:
        microseconds = str(int(self.read_timeout_s * 1_000_000))
        if self.parsed.kind is SourceKind.RTSP:
            # ``timeout`` is the socket timeout of the RTSP demuxer (``stimeout`` before FFmpeg 5).
            return {"rtsp_transport": "tcp", "timeout": microseconds, "fflags": "nobuffer"}
        if self.parsed.kind in (SourceKind.HTTP, SourceKind.HLS) and self.parsed.path is None:
            return {"rw_timeout": microseconds, "fflags": "nobuffer"}
        return {}

    def frames(self, stop: threading.Event) -> Iterator[RawFrame]:
        while not stop.is_set():
            yield from self._one_pass(stop)
            if not self.loops:
                raise CaptureProblem(CaptureState.OFFLINE, "the stream ended")

    def _one_pass(self, stop: threading.Event) -> Iterator[RawFrame]:
        import av

        target = str(self.parsed.path) if self.parsed.path is not None else self.parsed.url
        try:
            container = av.open(
                target,
                options=self._options(),
                timeout=(self.open_timeout_s, self.read_timeout_s),
            )
        except Exception as exc:
            raise _classify_av_error(exc, self.parsed.url) from exc
        try:
            yield from self._read(container, stop)
        except CaptureProblem:
            raise
        except Exception as exc:
            raise _classify_av_error(exc, self.parsed.url) from exc
        finally:
            container.close()

    def _read(self, container: Any, stop: threading.Event) -> Iterator[RawFrame]:
        import av

        if not container.streams.video:
            raise CaptureProblem(
                CaptureState.ERROR, f"no video in the stream ({redact(self.parsed.url)})"
            )
        stream = container.streams.video[0]
        # One decoding thread per camera: a process runs eight cameras on one core.
        stream.codec_context.thread_count = 1
        time_base = float(stream.time_base) if stream.time_base else None
        started_wall: float | None = None
        first_pts: float | None = None
        last_good = time.monotonic()
        bad_in_a_row = 0
        packets = container.demux(stream)
        while not stop.is_set():
            try:
                packet = next(packets)
            except StopIteration:
                return
            except av.error.InvalidDataError:
                packet = None  # a damaged packet the demuxer could not parse
            decoded = self._decode(packet)
            if decoded is None:
                bad_in_a_row += 1
                self.on_corrupt()
                if bad_in_a_row > MAX_CORRUPT_IN_A_ROW:
                    raise CaptureProblem(
                        CaptureState.ERROR,
                        f"the stream is corrupt ({redact(self.parsed.url)})",
                    )
                continue
            if not decoded:
                if time.monotonic() - last_good > self.stall_s:
                    raise CaptureProblem(
                        CaptureState.OFFLINE,
                        f"no frame for {self.stall_s:.0f} s ({redact(self.parsed.url)})",
                    )
                continue
            for frame in decoded:
                bad_in_a_row = 0
                last_good = time.monotonic()
                pts_s = (
                    float(frame.pts) * time_base if frame.pts is not None and time_base else None
                )
                if self.loops and pts_s is not None:
                    # A recorded file plays in real time, like a camera.
                    if started_wall is None or first_pts is None:
                        started_wall, first_pts = time.monotonic(), pts_s
                    delay = started_wall + (pts_s - first_pts) - time.monotonic()
                    if delay > 0 and stop.wait(delay):
                        return
                yield RawFrame(frame, pts_s)

    @staticmethod
    def _decode(packet: Any) -> list[Any] | None:
        """The packet's frames; ``None`` when it is damaged (skipped and counted)."""
        import av

        if packet is None:
            return None
        try:
            return list(packet.decode())
        except av.error.InvalidDataError:
            return None


class ImageFolderSource:
    """A folder of still images shown in name order, cycled forever at ``fps``."""

    def __init__(self, parsed: ParsedSource) -> None:
        assert parsed.path is not None
        self.folder = parsed.path
        self.interval_s = 1.0 / parsed.fps

    def frames(self, stop: threading.Event) -> Iterator[RawFrame]:
        import cv2

        started = time.monotonic()
        shown = 0
        while not stop.is_set():
            if not self.folder.is_dir():
                raise CaptureProblem(CaptureState.OFFLINE, f"folder not found: {self.folder}")
            names = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not names:
                raise CaptureProblem(CaptureState.OFFLINE, f"no images in {self.folder}")
            readable = 0
            for path in names:
                image = cv2.imread(str(path), cv2.IMREAD_COLOR)
                if image is None:
                    continue  # removed meanwhile or not an image: the next one may do
                readable += 1
                delay = started + shown * self.interval_s - time.monotonic()
                if delay > 0 and stop.wait(delay):
                    return
                yield RawFrame(image, shown * self.interval_s)
                shown += 1
            if not readable:
                raise CaptureProblem(CaptureState.ERROR, f"no readable image in {self.folder}")


def open_source(url: str, *, on_corrupt: Callable[[], None] | None = None) -> FrameSource:
    parsed = parse_source(url)
    if parsed.kind is SourceKind.IMAGES:
        return ImageFolderSource(parsed)
    return PyAVSource(parsed, on_corrupt=on_corrupt)


@dataclass(frozen=True)
class CaptureStatus:
    state: CaptureState
    message: str
    decoded: int
    overwritten: int
    corrupt: int
    reconnects: int
    last_frame_at: float | None  # wall clock
    fps: float  # decoded frames per second over the last few seconds


class CameraCapture:
    """The capture thread of one camera; ``latest()`` is safe to call from any thread."""

    def __init__(
        self,
        camera_id: int,
        url: str,
        *,
        source_factory: Callable[[], FrameSource] | None = None,
        backoff: Backoff | None = None,
        offline_after_s: float = OFFLINE_AFTER_S,
    ) -> None:
        self.camera_id = camera_id
        self.url = url
        self._factory = source_factory or (lambda: open_source(url, on_corrupt=self._count_corrupt))
        self.backoff = backoff or Backoff()
        self.offline_after_s = offline_after_s
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._latest: CapturedFrame | None = None
        self._taken_seq = 0
        self._seq = 0
        self._state = CaptureState.CONNECTING
        self._message = "connecting"
        self._decoded = self._overwritten = self._corrupt = self._reconnects = 0
        self._last_frame_mono: float | None = None
        self._last_frame_wall: float | None = None
        self._rate_window: list[float] = []
        self._thread = threading.Thread(target=self._run, name=f"capture-{camera_id}", daemon=True)

    # -- control -------------------------------------------------------------------------
    def start(self) -> CameraCapture:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    # -- reading -------------------------------------------------------------------------
    def latest(self) -> CapturedFrame | None:
        """The newest frame not yet taken, or ``None`` when no new frame came since."""
        with self._lock:
            frame = self._latest
            if frame is None or frame.seq <= self._taken_seq:
                return None
            self._taken_seq = frame.seq
            return frame

    def status(self) -> CaptureStatus:
        now = time.monotonic()
        with self._lock:
            state, message = self._state, self._message
            if (
                state is CaptureState.ONLINE
                and self._last_frame_mono is not None
                and now - self._last_frame_mono > self.offline_after_s
            ):
                state = CaptureState.OFFLINE
                message = f"no frame for {self.offline_after_s:.0f} s"
            window = [t for t in self._rate_window if now - t <= 5.0]
            fps = len(window) / 5.0 if window else 0.0
            return CaptureStatus(
                state=state,
                message=message,
                decoded=self._decoded,
                overwritten=self._overwritten,
                corrupt=self._corrupt,
                reconnects=self._reconnects,
                last_frame_at=self._last_frame_wall,
                fps=round(fps, 2),
            )

    # -- the thread ----------------------------------------------------------------------
    def _count_corrupt(self) -> None:
        with self._lock:
            self._corrupt += 1

    def _set(self, state: CaptureState, message: str) -> None:
        with self._lock:
            if (state, message) != (self._state, self._message):
                log.info("camera %s: %s (%s)", self.camera_id, state.value, message)
            self._state, self._message = state, message

    def _publish(self, raw: RawFrame) -> None:
        now_mono, now_wall = time.monotonic(), time.time()
        with self._lock:
            self._seq += 1
            if self._latest is not None and self._latest.seq > self._taken_seq:
                self._overwritten += 1
            self._latest = CapturedFrame(
                seq=self._seq,
                decoded_at=now_wall,
                decoded_mono=now_mono,
                pts_s=raw.pts_s,
                raw=raw.raw,
            )
            self._decoded += 1
            self._last_frame_mono, self._last_frame_wall = now_mono, now_wall
            self._rate_window.append(now_mono)
            if len(self._rate_window) > 400:
                del self._rate_window[:200]
            if self._state is not CaptureState.ONLINE:
                self._state, self._message = CaptureState.ONLINE, "receiving frames"
                log.info("camera %s: online", self.camera_id)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._set(CaptureState.CONNECTING, "connecting")
            problem: CaptureProblem
            try:
                source = self._factory()
                got_frame = False
                for raw in source.frames(self._stop):
                    if self._stop.is_set():
                        break
                    self._publish(raw)
                    if not got_frame:
                        got_frame = True
                        self.backoff.reset()
                if self._stop.is_set():
                    break
                problem = CaptureProblem(CaptureState.OFFLINE, "the stream ended")
            except CaptureProblem as exc:
                problem = exc
            except Exception as exc:  # a bug in a source must not end the thread
                log.exception("camera %s: capture failed", self.camera_id)
                problem = CaptureProblem(CaptureState.ERROR, f"{type(exc).__name__}: {exc}")
            if self._stop.is_set():
                break
            with self._lock:
                self._reconnects += 1
            if problem.permanent:
                self._set(problem.state, problem.message)
                self._stop.wait()
                break
            delay = self.backoff.next_delay()
            self._set(problem.state, f"{problem.message}; retry in {delay:g} s")
            self._stop.wait(delay)
