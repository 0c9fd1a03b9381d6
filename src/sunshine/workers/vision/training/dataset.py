"""YOLO-format data set reading, in-memory caching, augmentation and leakage checks.

Layout (what Roboflow's "YOLO" export and most labelling tools write)::

    DIR/data.yaml                 optional: ``names: [...]`` gives the class names
    DIR/<split>/images/*.jpg      split = train, valid (and test, unused here)
    DIR/<split>/labels/*.txt      one line per box: ``class cx cy w h``, all but class in 0..1

Images are decoded once and kept resized to the model input (plain resize, no letterbox,
``INTER_AREA``: the same preprocessing as the runtime detector), so an epoch costs no JPEG
decoding. numpy and OpenCV only: evaluation uses this module without torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")
BORDER = (114, 114, 114)

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]


class DatasetError(ValueError):
    """The folder is not a usable YOLO-format data set; the message says which file and why."""


@dataclass(frozen=True)
class Sample:
    image_path: Path
    boxes: FloatArray  # N x 5: class, cx, cy, w, h (normalised)


def read_class_names(data_dir: Path) -> list[str] | None:
    """Class names from ``data.yaml`` when present.

    Reads only the ``names`` key, in the three forms YOLO tools write: a flow list
    (``names: ['a', 'b']``), a block list (``- a``) or an index map (``0: a``). A small reader
    rather than a YAML dependency for one key.
    """
    path = data_dir / "data.yaml"
    if not path.is_file():
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("names:"):
            continue
        rest = line[len("names:") :].strip()
        if rest.startswith("["):
            if not rest.endswith("]"):
                raise DatasetError(f"{path}:{i + 1}: a names list must stay on one line")
            return [_unquote(n) for n in rest[1:-1].split(",") if n.strip()]
        if rest:
            raise DatasetError(f"{path}:{i + 1}: cannot read the names value {rest!r}")
        items: list[str] = []
        indexed: dict[int, str] = {}
        for sub in lines[i + 1 :]:
            text = sub.strip()
            if not text or text.startswith("#"):
                continue
            if not sub[:1].isspace() and not text.startswith("- "):
                break
            if text.startswith("- "):
                items.append(_unquote(text[2:]))
            elif ":" in text and text.split(":", 1)[0].strip().isdigit():
                key, value = text.split(":", 1)
                indexed[int(key)] = _unquote(value)
            else:
                raise DatasetError(f"{path}: cannot read the names entry {text!r}")
        if indexed:
            return [indexed[k] for k in sorted(indexed)]
        return items or None
    return None


def _unquote(value: str) -> str:
    return value.strip().strip("'\"")


def parse_label_file(path: Path, num_classes: int | None = None) -> FloatArray:
    rows: list[list[float]] = []
    if path.is_file():
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 5:
                raise DatasetError(
                    f"{path}:{lineno}: expected 'class cx cy w h', got {len(parts)} fields "
                    "(polygon labels are not supported)"
                )
            try:
                values = [float(p) for p in parts]
            except ValueError as exc:
                raise DatasetError(f"{path}:{lineno}: not a number ({exc})") from exc
            cls = values[0]
            if cls != int(cls) or cls < 0 or (num_classes is not None and cls >= num_classes):
                raise DatasetError(f"{path}:{lineno}: class {parts[0]} is not a valid index")
            if not all(0.0 <= v <= 1.0 for v in values[1:]) or values[3] <= 0 or values[4] <= 0:
                raise DatasetError(f"{path}:{lineno}: box values must be normalised to 0..1")
            rows.append(values)
    return np.array(rows, dtype=np.float32).reshape(-1, 5)


def load_split(data_dir: Path, split: str, num_classes: int | None = None) -> list[Sample]:
    image_dir = data_dir / split / "images"
    label_dir = data_dir / split / "labels"
    if not image_dir.is_dir():
        raise DatasetError(f"{image_dir} does not exist (expected DIR/{split}/images)")
    images = sorted(p for p in image_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not images:
        raise DatasetError(f"{image_dir} holds no images")
    # An image without a label file is a negative example (no object), as in YOLO tools.
    return [Sample(p, parse_label_file(label_dir / f"{p.stem}.txt", num_classes)) for p in images]


def read_image(path: Path) -> ByteArray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise DatasetError(f"{path}: cannot be decoded as an image")
    return np.asarray(image, dtype=np.uint8)


def preprocess(image: ByteArray, size: int) -> ByteArray:
    """BGR as read, plain resize to size x size (the runtime's preprocessing)."""
    return np.asarray(cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA))


def cache_images(samples: Sequence[Sample], size: int) -> ByteArray:
    """All images resized to the model input, N x size x size x 3 uint8 (~370 KB each)."""
    cache = np.empty((len(samples), size, size, 3), dtype=np.uint8)
    for i, sample in enumerate(samples):
        cache[i] = preprocess(read_image(sample.image_path), size)
    return cache


@dataclass(frozen=True)
class AugmentConfig:
    scale: tuple[float, float] = (0.6, 1.4)  # <1 zooms out (pads), >1 zooms in (crops)
    aspect: float = 0.1  # independent x/y scale jitter
    flip: float = 0.5
    hue: int = 5  # OpenCV hue units (0..180)
    saturation: float = 0.3
    value: float = 0.3
    min_visible: float = 0.4  # boxes less visible than this after cropping are dropped


def augment(
    image: ByteArray, boxes: FloatArray, rng: np.random.Generator, config: AugmentConfig
) -> tuple[ByteArray, FloatArray]:
    """Random scale/crop/translate (one affine warp), horizontal flip and HSV jitter.

    ``image`` is square (already at the model input size); boxes stay normalised.
    """
    size = image.shape[0]
    s = rng.uniform(*config.scale)
    sx = s * rng.uniform(1 - config.aspect, 1 + config.aspect)
    sy = s * rng.uniform(1 - config.aspect, 1 + config.aspect)
    # Translation keeps the scaled image covering the output (zoom in) or inside it (zoom out).
    tx = rng.uniform(min(0.0, (1 - sx) * size), max(0.0, (1 - sx) * size))
    ty = rng.uniform(min(0.0, (1 - sy) * size), max(0.0, (1 - sy) * size))
    flip = rng.random() < config.flip
    if flip:
        matrix = np.array([[-sx, 0, size - tx], [0, sy, ty]], dtype=np.float64)
    else:
        matrix = np.array([[sx, 0, tx], [0, sy, ty]], dtype=np.float64)
    out = np.asarray(
        cv2.warpAffine(image, matrix, (size, size), flags=cv2.INTER_LINEAR, borderValue=BORDER)
    )
    out = _hsv_jitter(out.astype(np.uint8), rng, config)

    if boxes.shape[0] == 0:
        return out, boxes
    x1 = (boxes[:, 1] - boxes[:, 3] / 2) * sx + tx / size
    x2 = (boxes[:, 1] + boxes[:, 3] / 2) * sx + tx / size
    y1 = (boxes[:, 2] - boxes[:, 4] / 2) * sy + ty / size
    y2 = (boxes[:, 2] + boxes[:, 4] / 2) * sy + ty / size
    if flip:
        x1, x2 = 1 - x2, 1 - x1
    full = (x2 - x1) * (y2 - y1)
    cx1, cx2 = np.clip(x1, 0, 1), np.clip(x2, 0, 1)
    cy1, cy2 = np.clip(y1, 0, 1), np.clip(y2, 0, 1)
    visible = (cx2 - cx1) * (cy2 - cy1)
    min_side = 2.0 / size
    keep = (
        (visible >= config.min_visible * full) & (cx2 - cx1 >= min_side) & (cy2 - cy1 >= min_side)
    )
    result = np.stack(
        [boxes[:, 0], (cx1 + cx2) / 2, (cy1 + cy2) / 2, cx2 - cx1, cy2 - cy1], axis=1
    )[keep]
    return out, result.astype(np.float32)


def _hsv_jitter(image: ByteArray, rng: np.random.Generator, config: AugmentConfig) -> ByteArray:
    dh = int(rng.integers(-config.hue, config.hue + 1))
    gs = rng.uniform(1 - config.saturation, 1 + config.saturation)
    gv = rng.uniform(1 - config.value, 1 + config.value)
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    lut = np.arange(256, dtype=np.float32)
    lut_h = ((lut + dh) % 180).astype(np.uint8)
    lut_s = np.clip(lut * gs, 0, 255).astype(np.uint8)
    lut_v = np.clip(lut * gv, 0, 255).astype(np.uint8)
    h, s, v = cv2.split(hsv)
    merged = cv2.merge((cv2.LUT(h, lut_h), cv2.LUT(s, lut_s), cv2.LUT(v, lut_v)))
    return np.asarray(cv2.cvtColor(merged, cv2.COLOR_HSV2BGR), dtype=np.uint8)


def thumbnail(image: ByteArray) -> FloatArray:
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return np.asarray(cv2.resize(grey, (32, 32), interpolation=cv2.INTER_AREA), dtype=np.float32)


def near_duplicates(
    candidates: Sequence[ByteArray], reference: Sequence[ByteArray], threshold: float = 12.0
) -> list[int]:
    """Indexes of ``candidates`` whose 32x32 grey thumbnail differs from some reference
    thumbnail by a mean absolute difference below ``threshold`` (0..255 scale)."""
    if not candidates or not reference:
        return []
    cand = np.stack([thumbnail(i).ravel() for i in candidates])
    ref = np.stack([thumbnail(i).ravel() for i in reference])
    found: list[int] = []
    for i, row in enumerate(cand):
        if float(np.abs(ref - row).mean(axis=1).min()) < threshold:
            found.append(i)
    return found
