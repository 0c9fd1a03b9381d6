"""Live outputs and evidence media: latest.jpg, HLS, MP4 clips, snapshots."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
from vision_runtime_support import moving_frames

from sunshine.workers.vision.clips import FrameRing, encode_mp4, snapshots
from sunshine.workers.vision.outputs import (
    HlsWriter,
    LatestJpegWriter,
    camera_live_token,
    encode_jpeg,
)


def test_camera_live_tokens_are_stable_secret_and_distinct() -> None:
    a = camera_live_token(7, "k" * 40)
    assert a == camera_live_token(7, "k" * 40)
    assert a != camera_live_token(8, "k" * 40) and a != camera_live_token(7, "j" * 40)
    assert len(a) == 32 and int(a, 16) >= 0


def test_latest_jpeg_is_640_wide_replaced_whole_and_removed_on_close(tmp_path: Path) -> None:
    path = tmp_path / "live" / "tok" / "latest.jpg"
    writer = LatestJpegWriter(path)
    for colour in (20, 200):
        data = writer.write(np.full((720, 1280, 3), colour, np.uint8))
        assert path.read_bytes() == data
    image = cv2.imread(str(path))
    assert image.shape == (360, 640, 3) and abs(int(image.mean()) - 200) < 3
    assert [p.name for p in path.parent.iterdir()] == ["latest.jpg"]  # no temp file left
    writer.close()
    assert not path.exists()


def test_a_clip_is_a_playable_mp4_with_every_ring_frame(tmp_path: Path) -> None:
    ring = FrameRing(keep_s=3.0)
    for i, image in enumerate(moving_frames(30, width=320, height=180)):
        ring.add(100.0 + i * 0.2, encode_jpeg(image, 70))
    frames = ring.between(100.0, 200.0)
    assert len(frames) == 16  # 3 s at 5 fps (+ the frame on the edge)
    data = encode_mp4(frames)
    path = tmp_path / "clip.mp4"
    path.write_bytes(data)
    with av.open(str(path)) as container:
        decoded = list(container.decode(video=0))
        duration = float(container.duration or 0) / 1_000_000
    assert len(decoded) == 16 and decoded[0].width == 320
    assert 2.8 < duration < 3.6  # real time: 15 intervals of 0.2 s
    assert data[4:8] == b"ftyp" and data.find(b"moov") < data.find(b"mdat")  # faststart


def test_hls_writer_makes_a_playlist_and_segments(tmp_path: Path) -> None:
    folder = tmp_path / "live" / "public-token"
    writer = HlsWriter(folder, fps=5)
    for i, image in enumerate(moving_frames(40, width=320, height=240)):
        writer.write(image, 50.0 + i * 0.2)  # 8 s of frames
    writer.close(remove=False)
    playlist = (folder / "index.m3u8").read_text()
    segments = sorted(folder.glob("seg_*.ts"))
    assert playlist.startswith("#EXTM3U") and "#EXT-X-TARGETDURATION:2" in playlist
    assert len(segments) >= 3
    with av.open(str(segments[0])) as container:
        frame = next(container.decode(video=0))
    assert (frame.width, frame.height) == (640, 360)  # 4:3 source letterboxed into 16:9
    writer.close()
    assert not folder.exists()


def test_hls_writer_follows_the_analysis_rate_as_it_bursts_and_slows(tmp_path: Path) -> None:
    # A camera analyses at 2 fps and bursts to 5 fps while a rule waits for confirmation;
    # frames 0.2 s apart on a stream declared at 2 fps once made the muxer refuse them.
    folder = tmp_path / "live" / "public-token"
    writer = HlsWriter(folder, fps=2)
    at = 100.0
    for i, image in enumerate(moving_frames(60, width=320, height=240)):
        at += 0.5 if (i // 10) % 2 == 0 else 0.2
        writer.write(image, at)
    writer.close(remove=False)
    with av.open(str(folder / "index.m3u8")) as container:
        decoded = sum(1 for _ in container.decode(video=0))
    assert decoded >= 6  # the segments still listed play back
    assert len(sorted(folder.glob("seg_*.ts"))) >= 6


def test_snapshots_are_a_boxed_and_a_clean_jpeg() -> None:
    image = np.full((100, 200, 3), 128, np.uint8)
    boxed, clean = snapshots(image, [(20, 20, 80, 90)])
    boxed_image = cv2.imdecode(np.frombuffer(boxed, np.uint8), cv2.IMREAD_COLOR)
    clean_image = cv2.imdecode(np.frombuffer(clean, np.uint8), cv2.IMREAD_COLOR)
    assert clean_image.shape == boxed_image.shape == (100, 200, 3)
    assert boxed_image[20, 50, 2] > 200 and abs(int(clean_image[20, 50, 2]) - 128) < 5
