"""The detector interface every model runtime implements, and the shared box helpers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

Box = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Detection:
    """One detected object.

    ``box`` is ``x1, y1, x2, y2`` in pixels of the image that was analysed (clamped to it).
    """

    cls: str  # "person", "mask", "no_mask", "cigarette", "cell_phone", ...
    confidence: float
    box: Box
    model: str = ""


class Detector(Protocol):
    """A loaded model that finds objects in a BGR image (``cv2.imread`` channel order)."""

    name: str
    classes: tuple[str, ...]

    def detect(self, image: np.ndarray) -> list[Detection]: ...


def to_box(box: Sequence[float], width: int, height: int) -> Box:
    """Round a float ``x1, y1, x2, y2`` box to pixels, clamped to a ``width`` x ``height`` image."""
    x1, y1, x2, y2 = box
    return (
        min(max(round(x1), 0), width),
        min(max(round(y1), 0), height),
        min(max(round(x2), 0), width),
        min(max(round(y2), 0), height),
    )


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes (0 when either is empty)."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def nms_indices(
    boxes: npt.NDArray[np.float32], scores: npt.NDArray[np.float32], iou_threshold: float
) -> list[int]:
    """Greedy non-maximum suppression: indices kept, best score first.

    ``boxes`` is N x 4 (x1, y1, x2, y2). Plain numpy so it behaves the same with any OpenCV.
    """
    import numpy as np

    if len(boxes) == 0:
        return []
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    areas = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while order.size:
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        w = np.clip(np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]), 0, None)
        h = np.clip(np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]), 0, None)
        inter = w * h
        union = areas[i] + areas[rest] - inter
        overlap = np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0)
        order = rest[overlap <= iou_threshold]
    return keep
