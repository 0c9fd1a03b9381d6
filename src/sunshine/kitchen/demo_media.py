"""The demo cameras' video: looping MP4 clips built at ``sunshine demo`` time from the images
in ``../shared`` (setting ``demo_shared_dir``), written under ``demo_media_dir``
(``var/demo-media``, never committed). The running demo reads only these copies, never
``../shared``.

Each clip is 640x360 at 5 fps, H.264 (MPEG-4 Part 2 where libx264 is missing), 30-36 s, and
moves: a slow zoom and pan over the picture (periodic, so the loop has no jump), which gives
the motion gate real motion to see. A picture that is not 16:9 sits on a darkened, blurred
copy of itself, as phone videos are shown on television.

What the real analyzer (``sunshine.workers.vision.analysis.FrameAnalyzer``, models of
``../shared/models``, all classes wanted) found on one frame a second of each 36 s clip,
measured 2026-11-30 (the cold-room and washing rows are checked by
``tests/kitchen/test_kitchen_demo.py``):

================  ============================================  ================================
clip              source                                        found per frame
================  ============================================  ================================
``people``        ``fastestdet/3.jpg`` (five people, no masks)  2-4 ``person``, 2-4 ``no_mask``
                                                                faces (0.9-1.0); no ``mask``
``people-night``  the same, mirrored, 80% brightness            2-4 ``person``, 2-4 ``no_mask``
``masks``         the photo in ``aizoo-facemask/samples/        1-2 ``person``, 1-4 ``mask``
                  face.png`` (three masked medics; the rest     (the photo's three faces, or
                  of that screenshot is page furniture), and    demo2's one); never ``no_mask``
                  ``demo2.jpg`` (one masked person), 6 s each
``smoking``       18 photos of ``datasets/smoking/valid``, 2 s  one ``person`` (34 of 36 frames:
                  each, chosen where the person model finds     a person is lost at 360 px),
                  one person whose ``upper`` crop holds the     ``no_mask`` (not watched outside
                  labelled cigarette (:func:`smoking_pictures`)  专间); no ``cell_phone``
================  ============================================  ================================

``cigarette`` could not be measured: the smoking model (``smoking-fastestdet-352.onnx``, shipped
in the package once trained) was not there yet; the clips are composed so that the cascade
(person, then the smoking model on the person's ``upper`` crop) has a person around every
cigarette. On the whole valid split FastestDet's COCO ``cell phone`` fires at 0.50-0.57 on 5
of 233 photos, always a hand holding a cigarette or a lighter; none of those is in the clip.
No photo of a phone in use exists in ``../shared`` (models and datasets searched), so the
demo has no true ``phone`` scene.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Image = npt.NDArray[np.uint8]

WIDTH, HEIGHT = 640, 360
FPS = 5
# 18 smoking pictures x 2 s; the other clips loop their zoom once in this time.
CLIP_SECONDS = 36.0
MANIFEST = "manifest.json"
# Bumped whenever the composition changes, so clips built by an older version are rebuilt.
RECIPE_VERSION = 1

PEOPLE = "fastestdet/3.jpg"
FACE_SCREENSHOT = "aizoo-facemask/samples/face.png"
MASKED_ONE = "aizoo-facemask/samples/demo2.jpg"
# The photograph inside the AIZOO web demo's screenshot (x1, y1, x2, y2): the whole screenshot
# is mostly page furniture, and only the photo shows the three masked staff at a usable size.
FACE_PHOTO = (122, 314, 621, 647)
SMOKING_VALID = "smoking/valid"


class DemoMediaMissing(Exception):
    """The shared images a clip is built from are not there (the text says which)."""


@dataclass(frozen=True)
class DemoClip:
    """A built clip: ``key`` names it (``people``, ``people-night``, ``masks``, ``smoking``)."""

    key: str
    path: Path
    frames: int
    fps: int
    width: int
    height: int
    sources: tuple[str, ...]

    @property
    def url(self) -> str:
        """The ``file://`` address a camera reads it from."""
        return self.path.resolve().as_uri()


@dataclass(frozen=True)
class _Plan:
    """How to film one clip: its pictures (each held ``hold_s``), zoom and pan."""

    key: str
    pictures: tuple[tuple[str, Callable[[], Image]], ...]
    hold_s: float
    zoom: float = 0.14
    mirror: bool = False
    brightness: float = 1.0
    phase: float = 0.0


# -- reading the shared pictures -----------------------------------------------------------
def _read(path: Path) -> Image:
    import cv2
    import numpy as np

    if not path.is_file():
        raise DemoMediaMissing(f"{path} is missing")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise DemoMediaMissing(f"{path} is not a readable image")
    return np.asarray(image, dtype=np.uint8)


def _face_photo(path: Path) -> Image:
    image = _read(path)
    x1, y1, x2, y2 = FACE_PHOTO
    if image.shape[0] < y2 or image.shape[1] < x2:
        raise DemoMediaMissing(f"{path} is not the AIZOO screenshot (too small for its photo)")
    return image[y1:y2, x1:x2].copy()


def smoking_pictures(datasets: Path, *, count: int = 18) -> list[Path]:
    """Images of the smoking valid split whose labelled cigarette a person crop can see.

    The runtime looks for cigarettes only inside the ``upper`` crop of each detected person
    (:func:`sunshine.workers.vision.analysis.crop_box`); the images are chosen where the
    person model finds a person and a labelled cigarette's centre lies in that crop. Images
    of several people (crowds) are skipped. Deterministic: sorted names, first ``count``.
    Without the person model this falls back to the first images with one label.
    """
    folder = datasets / SMOKING_VALID
    images = sorted((folder / "images").glob("*.jpg"))
    if not images:
        raise DemoMediaMissing(f"{folder / 'images'} holds no images")
    person = _person_detector(datasets.parent / "models")
    chosen: list[Path] = []
    seen_sources: set[str] = set()
    for image_path in images:
        # Roboflow names augmented copies <source>_jpg.rf.<hash>: one copy per source photo.
        source = image_path.name.split(".rf.")[0]
        if source in seen_sources:
            continue
        labels = _labels(folder / "labels" / f"{image_path.stem}.txt")
        if len(labels) != 1:
            continue
        if person is not None and not _cigarette_in_person_crop(image_path, labels[0], person):
            continue
        seen_sources.add(source)
        chosen.append(image_path)
        if len(chosen) >= count:
            break
    if not chosen:
        raise DemoMediaMissing(f"no usable smoking image in {folder}")
    return chosen


def _labels(path: Path) -> list[tuple[float, float, float, float]]:
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 5:
            _, cx, cy, w, h = (float(p) for p in parts)
            out.append((cx, cy, w, h))
    return out


def _person_detector(models: Path) -> Any:
    from sunshine.workers.vision.models_store import ModelStore, ModelUnavailable

    try:
        return ModelStore(models, fetch=False).detector("person")
    except ModelUnavailable:
        return None


def _cigarette_in_person_crop(
    image_path: Path, label: tuple[float, float, float, float], person: Any
) -> bool:
    from sunshine.workers.vision.analysis import crop_box

    image = _read(image_path)
    height, width = image.shape[:2]
    persons = [d for d in person.detect(image) if d.cls == "person"]
    if len(persons) != 1:
        return False
    cx, cy = label[0] * width, label[1] * height
    x1, y1, x2, y2 = crop_box(persons[0].box, "upper", width, height)
    return bool(x1 <= cx <= x2 and y1 <= cy <= y2)


# -- filming -------------------------------------------------------------------------------
def _stage(picture: Image, *, mirror: bool, brightness: float) -> Image:
    """The picture on a 16:9 canvas (blurred, darkened copy behind it), at 2x the output
    size so the zoom keeps detail."""
    import cv2
    import numpy as np

    if mirror:
        picture = np.ascontiguousarray(picture[:, ::-1])
    cw, ch = WIDTH * 2, HEIGHT * 2
    h, w = picture.shape[:2]
    cover = max(cw / w, ch / h)
    back = cv2.resize(picture, (math.ceil(w * cover), math.ceil(h * cover)))
    by, bx = (back.shape[0] - ch) // 2, (back.shape[1] - cw) // 2
    canvas = cv2.GaussianBlur(back[by : by + ch, bx : bx + cw], (0, 0), 18) * 0.45
    contain = min(cw / w, ch / h)
    fw, fh = round(w * contain), round(h * contain)
    front = cv2.resize(picture, (fw, fh), interpolation=cv2.INTER_AREA)
    x0, y0 = (cw - fw) // 2, (ch - fh) // 2
    canvas[y0 : y0 + fh, x0 : x0 + fw] = front
    if brightness != 1.0:
        canvas = canvas * brightness
    return np.asarray(np.clip(canvas, 0, 255), dtype=np.uint8)


def _camera(staged: Image, t: float, period: float, plan: _Plan) -> Image:
    """One frame: zoom and pan as periodic functions of ``t`` (the loop closes smoothly)."""
    import cv2
    import numpy as np

    angle = 2 * math.pi * (t / period + plan.phase)
    zoom = 1.0 + plan.zoom * (1 - math.cos(angle)) / 2
    sh, sw = staged.shape[:2]
    # Pan by at most the room the zoom gives, so no border ever shows.
    room_x, room_y = (zoom - 1) * sw / 2, (zoom - 1) * sh / 2
    dx = room_x * math.sin(angle) * 0.8
    dy = room_y * math.sin(2 * angle) * 0.5
    scale = zoom * WIDTH / sw
    matrix = np.array(
        [
            [scale, 0.0, (WIDTH - sw * scale) / 2 + dx * WIDTH / sw],
            [0.0, scale, (HEIGHT - sh * scale) / 2 + dy * HEIGHT / sh],
        ]
    )
    frame = cv2.warpAffine(staged, matrix, (WIDTH, HEIGHT), flags=cv2.INTER_AREA)
    return np.asarray(frame, dtype=np.uint8)


def film(plan: _Plan, *, seconds: float) -> list[Image]:
    """The frames of ``plan``: ``seconds`` long (its pictures cycled, each ``hold_s``)."""
    staged = [
        _stage(load(), mirror=plan.mirror, brightness=plan.brightness) for _, load in plan.pictures
    ]
    total = max(1, round(seconds * FPS))
    frames = []
    per_picture = max(1, round(plan.hold_s * FPS))
    for n in range(total):
        picture = staged[(n // per_picture) % len(staged)]
        frames.append(_camera(picture, n / FPS, total / FPS, plan))
    return frames


def write_mp4(path: Path, frames: Sequence[Image], *, fps: int = FPS) -> None:
    """Encode ``frames`` (BGR, all one size) to ``path`` atomically (temp file, rename)."""
    import av

    codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".mp4", dir=path.parent)
    os.close(handle)
    try:
        with av.open(temp, "w", format="mp4", options={"movflags": "+faststart"}) as container:
            stream: Any = container.add_stream(codec, rate=fps)
            stream.width, stream.height = WIDTH, HEIGHT
            stream.pix_fmt = "yuv420p"
            stream.time_base = Fraction(1, fps)
            # A keyframe every 2 s: the worker reopens the file at each loop and seeks nowhere,
            # but a short GOP keeps a damaged packet's harm short.
            stream.codec_context.gop_size = fps * 2
            if codec == "libx264":
                stream.options = {"preset": "veryfast", "crf": "23"}
            for n, image in enumerate(frames):
                frame = av.VideoFrame.from_ndarray(image, format="bgr24")
                frame.pts = n
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        os.chmod(temp, 0o644)  # mkstemp makes it private; the web server may serve it
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


# -- the clips -----------------------------------------------------------------------------
def _require(*paths: Path) -> None:
    for path in paths:
        if not path.is_file():
            raise DemoMediaMissing(f"{path} is missing")


def _people(shared_dir: Path, key: str, **style: Any) -> _Plan:
    people = shared_dir / "models" / PEOPLE
    _require(people)
    return _Plan(key, ((PEOPLE, lambda: _read(people)),), hold_s=1e9, **style)


def _masks(shared_dir: Path) -> _Plan:
    models = shared_dir / "models"
    _require(models / FACE_SCREENSHOT, models / MASKED_ONE)
    return _Plan(
        "masks",
        (
            (FACE_SCREENSHOT, lambda: _face_photo(models / FACE_SCREENSHOT)),
            (MASKED_ONE, lambda: _read(models / MASKED_ONE)),
        ),
        hold_s=6.0,
        zoom=0.1,
    )


def _smoking(shared_dir: Path) -> _Plan:
    pictures = smoking_pictures(shared_dir / "datasets")
    return _Plan(
        "smoking",
        tuple((f"{SMOKING_VALID}/images/{p.name}", partial(_read, p)) for p in pictures),
        hold_s=2.0,
        zoom=0.08,
    )


#: The clips, by key, and how to plan each from the shared folder.
PLANS: dict[str, Callable[[Path], _Plan]] = {
    "people": lambda shared: _people(shared, "people"),
    "people-night": lambda shared: _people(
        shared, "people-night", mirror=True, brightness=0.8, phase=0.5
    ),
    "masks": _masks,
    "smoking": _smoking,
}


@dataclass(frozen=True)
class DemoMedia:
    """The clips built, and for each clip that could not be, why."""

    clips: dict[str, DemoClip]
    missing: dict[str, str]


def build_demo_media(
    *, shared_dir: Path, out_dir: Path, seconds: float = CLIP_SECONDS
) -> DemoMedia:
    """Build (or reuse) the demo clips under ``out_dir``. A clip whose pictures
    ``shared_dir`` lacks is skipped and named in ``missing``; one already built from the same
    sources with the same recipe and length is kept (re-seeding costs nothing)."""
    if not shared_dir.is_dir():
        reason = f"{shared_dir} is not a folder"
        return DemoMedia({}, dict.fromkeys(PLANS, reason))
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    clips: dict[str, DemoClip] = {}
    missing: dict[str, str] = {}
    for key, make in PLANS.items():
        try:
            plan = make(shared_dir)
            sources = tuple(name for name, _ in plan.pictures)
            fingerprint = _fingerprint(plan, sources, shared_dir, seconds)
            path = out_dir / f"{plan.key}.mp4"
            known = manifest.get(plan.key, {})
            if not (path.is_file() and known.get("fingerprint") == fingerprint):
                frames = film(plan, seconds=seconds)
                write_mp4(path, frames)
                known = {
                    "fingerprint": fingerprint,
                    "frames": len(frames),
                    "sources": list(sources),
                }
                manifest[plan.key] = known
        except DemoMediaMissing as exc:
            missing[key] = str(exc)
            continue
        clips[plan.key] = DemoClip(
            key=plan.key,
            path=path.resolve(),
            frames=int(known["frames"]),
            fps=FPS,
            width=WIDTH,
            height=HEIGHT,
            sources=sources,
        )
    manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return DemoMedia(clips, missing)


def _fingerprint(plan: _Plan, sources: Sequence[str], shared_dir: Path, length: float) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps([RECIPE_VERSION, plan.key, length, list(sources)]).encode())
    for name in sources:
        path = shared_dir / ("datasets" if name.startswith("smoking/") else "models") / name
        stat = path.stat()
        digest.update(f"{name}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    return digest.hexdigest()


def read_frames(path: Path, *, every: int = 1, limit: int | None = None) -> list[Image]:
    """Decoded frames of a clip (BGR), every ``every``-th, at most ``limit``."""
    import av
    import numpy as np

    frames: list[Image] = []
    with av.open(str(path)) as container:
        for n, frame in enumerate(container.decode(video=0)):
            if n % every:
                continue
            frames.append(np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8))
            if limit is not None and len(frames) >= limit:
                break
    return frames
