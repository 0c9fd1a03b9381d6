"""Camera capture: source addresses, reconnect backoff, states, damaged and stalled streams."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from vision_runtime_support import moving_frames, wait_until, write_clip

from sunshine.workers.vision.capture import (
    Backoff,
    CameraCapture,
    CaptureProblem,
    CaptureState,
    RawFrame,
    SourceKind,
    parse_source,
    redact,
)


def test_reconnect_backoff_doubles_from_2_s_up_to_5_minutes_and_resets() -> None:
    backoff = Backoff()
    delays = [backoff.next_delay() for _ in range(11)]
    assert delays == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    backoff.reset()
    assert backoff.next_delay() == 2
    with pytest.raises(ValueError, match="backoff"):
        Backoff(base_s=0)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("rtsp://admin:pw@10.0.0.5:554/Streaming/Channels/102", SourceKind.RTSP),
        ("http://10.0.0.5/mjpg/video.mjpg", SourceKind.HTTP),
        ("https://cdn.example.cn/live/cam1/index.m3u8", SourceKind.HLS),
        ("file:///var/demo-media/kitchen.mp4", SourceKind.FILE),
        ("file:///var/demo-media/smoking/?fps=2", SourceKind.IMAGES),
    ],
)
def test_source_addresses_are_classified(url: str, kind: SourceKind) -> None:
    assert parse_source(url).kind is kind


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "not a stream address (no scheme): (empty)"),
        ("ftp://x/y", "unsupported stream scheme 'ftp' (use rtsp, http(s) or file)"),
        ("rtsp:///nohost", "RTSP address without a host: rtsp:///nohost"),
        ("file://relative.mp4", "a file source needs an absolute path: file://relative.mp4"),
        ("file:///a/b/?fps=fast", "fps is not a number in file:///a/b/?fps=fast"),
        ("file:///a/b/?fps=0", "fps must be between 0 and 60 in file:///a/b/?fps=0"),
    ],
)
def test_unusable_addresses_are_permanent_errors(url: str, message: str) -> None:
    with pytest.raises(CaptureProblem) as caught:
        parse_source(url)
    assert caught.value.permanent and caught.value.state is CaptureState.ERROR
    assert caught.value.message == message


def test_passwords_never_appear_in_messages() -> None:
    assert redact("rtsp://admin:s3cret@10.0.0.5:554/x") == "rtsp://admin:***@10.0.0.5:554/x"
    capture = CameraCapture(1, "ftp://admin:s3cret@cam/x").start()
    try:
        wait_until(lambda: capture.status().state is CaptureState.ERROR)
    finally:
        capture.stop()
    assert "s3cret" not in capture.status().message


def test_an_invalid_url_is_an_error_that_is_not_retried() -> None:
    capture = CameraCapture(1, "gopher://cam/x", backoff=Backoff(base_s=0.05, cap_s=0.1)).start()
    try:
        wait_until(lambda: capture.status().state is CaptureState.ERROR)
        threading.Event().wait(0.3)
        status = capture.status()
    finally:
        capture.stop()
    assert status.reconnects == 1 and status.decoded == 0
    assert "unsupported stream scheme 'gopher'" in status.message


def test_a_file_loops_forever_and_only_the_latest_frame_is_kept(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "loop.mp4", moving_frames(5), fps=25)  # 0.2 s long
    capture = CameraCapture(1, clip.as_uri()).start()
    try:
        wait_until(lambda: capture.status().decoded >= 15)  # three loops at least
        first = capture.latest()
        assert first is not None and first.image().shape == (96, 160, 3)
        assert capture.latest() is None  # nothing new since: not handed out twice
        wait_until(lambda: capture.status().overwritten > 0)
    finally:
        capture.stop()
    assert capture.status().state is CaptureState.ONLINE
    assert not capture.alive


def test_a_corrupt_byte_stream_is_an_error_with_a_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(np.random.default_rng(1).integers(0, 256, 20_000, np.uint8).tobytes())
    capture = CameraCapture(1, bad.as_uri(), backoff=Backoff(base_s=0.05, cap_s=0.1)).start()
    try:
        wait_until(lambda: capture.status().reconnects >= 2)
        status = capture.status()
    finally:
        capture.stop()
    assert status.state is CaptureState.ERROR
    assert status.message.startswith("not a readable video stream")


def test_damage_in_the_middle_of_a_stream_is_skipped(tmp_path: Path) -> None:
    """An MPEG-TS recording with garbage over part of it keeps delivering frames."""
    clip = write_clip(tmp_path / "good.ts", moving_frames(40), fps=20, codec="mpeg2video")
    data = bytearray(clip.read_bytes())
    rng = np.random.default_rng(2)
    middle = len(data) // 2
    data[middle : middle + 3000] = rng.integers(0, 256, 3000, np.uint8).tobytes()
    damaged = tmp_path / "damaged.ts"
    damaged.write_bytes(bytes(data))
    capture = CameraCapture(1, damaged.as_uri(), backoff=Backoff(base_s=0.05, cap_s=0.1)).start()
    try:
        wait_until(lambda: capture.status().decoded >= 60, timeout=15)  # past the damage
        status = capture.status()
    finally:
        capture.stop()
    assert status.state is CaptureState.ONLINE


def test_an_image_folder_is_cycled_at_its_rate(tmp_path: Path) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    for i, colour in enumerate((10, 120, 240)):
        cv2.imwrite(str(folder / f"{i}.png"), np.full((20, 30, 3), colour, np.uint8))
    (folder / "notes.txt").write_text("not an image")
    capture = CameraCapture(1, f"{folder.as_uri()}/?fps=20").start()
    seen: list[int] = []
    try:

        def collect() -> bool:
            frame = capture.latest()
            if frame is not None:
                seen.append(int(frame.image()[0, 0, 0]))
            return len(set(seen)) == 3

        wait_until(collect, step=0.01)
    finally:
        capture.stop()
    assert set(seen) == {10, 120, 240}


def test_a_stalled_stream_goes_offline() -> None:
    class Stalls:
        def frames(self, stop: threading.Event) -> Iterator[RawFrame]:
            yield RawFrame(moving_frames(1)[0], 0.0)
            stop.wait()  # connected, but nothing more comes

    capture = CameraCapture(1, "rtsp://cam/x", source_factory=Stalls, offline_after_s=0.3)
    capture.start()
    try:
        wait_until(lambda: capture.status().decoded == 1)
        wait_until(lambda: capture.status().state is CaptureState.OFFLINE)
        status = capture.status()
    finally:
        capture.stop()
    assert status.message.startswith("no frame for")
    assert status.last_frame_at is not None


def test_a_source_that_raises_is_retried_with_backoff() -> None:
    opened: list[int] = []

    class Breaks:
        def frames(self, stop: threading.Event) -> Iterator[RawFrame]:
            opened.append(1)
            yield RawFrame(moving_frames(1)[0], 0.0)
            raise RuntimeError("decoder bug")

    capture = CameraCapture(
        1, "rtsp://cam/x", source_factory=Breaks, backoff=Backoff(base_s=0.05, cap_s=0.1)
    ).start()
    try:
        wait_until(lambda: len(opened) >= 3)
        status = capture.status()
    finally:
        capture.stop()
    assert status.decoded >= 2 and status.reconnects >= 2
    assert capture.backoff.failures <= 1  # every attempt gave a frame: the backoff resets
