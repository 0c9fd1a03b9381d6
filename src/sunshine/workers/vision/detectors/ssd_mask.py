"""The AIZOO face-mask SSD (Caffe) on OpenCV DNN: faces with and without a mask.

Input 260x260 RGB ``/255``. Outputs ``loc_branch_concat`` (1xNx4 offsets) and
``cls_branch_concat`` (1xNx2: mask, no_mask). The anchors are not in the graph: they are
generated on five feature maps as upstream's ``utils/anchor_generator.py`` does and decoded
with variances 0.1 (centre) and 0.2 (size). Needs OpenCV 4 (OpenCV 5 removed Caffe).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sunshine.workers.vision.detectors.base import Detection, nms_indices, to_box

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

FEATURE_MAPS = (33, 17, 9, 5, 3)
ANCHOR_SIZES = ((0.04, 0.056), (0.08, 0.11), (0.16, 0.22), (0.32, 0.45), (0.64, 0.72))
ANCHOR_RATIOS = (1.0, 0.62, 0.42)
CLASSES = ("mask", "no_mask")


def aizoo_anchors() -> npt.NDArray[np.float32]:
    """All anchors as N x 4 normalised ``x1, y1, x2, y2``, in the network's output order."""
    import numpy as np

    out = []
    for size, sizes in zip(FEATURE_MAPS, ANCHOR_SIZES, strict=True):
        centres = (np.arange(size) + 0.5) / size
        cx, cy = np.meshgrid(centres, centres)
        # Every size at ratio 1, then the first size at the other ratios (4 anchors per cell).
        whs = [(s, s) for s in sizes] + [
            (sizes[0] * np.sqrt(r), sizes[0] / np.sqrt(r)) for r in ANCHOR_RATIOS[1:]
        ]
        per_cell = [np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1) for w, h in whs]
        out.append(np.stack(per_cell, 2).reshape(-1, 4))
    return np.concatenate(out).astype(np.float32)


class SsdMaskDetector:
    """The AIZOO ``.prototxt`` + ``.caffemodel`` pair."""

    def __init__(
        self,
        *,
        name: str,
        prototxt: Path,
        caffemodel: Path,
        confidence: float,
        nms_iou: float = 0.4,
        input_size: int = 260,
    ) -> None:
        import cv2

        if not hasattr(cv2.dnn, "readNetFromCaffe"):
            raise RuntimeError(
                f"{name}: this OpenCV ({cv2.__version__}) has no Caffe importer (OpenCV 5 "
                "removed it); install opencv-python-headless<5"
            )
        self._net = cv2.dnn.readNetFromCaffe(str(prototxt), str(caffemodel))
        self._anchors = aizoo_anchors()
        self.name = name
        self.classes: tuple[str, ...] = CLASSES
        self.confidence = confidence
        self.nms_iou = nms_iou
        self._size = input_size

    def detect(self, image: np.ndarray) -> list[Detection]:
        import cv2
        import numpy as np

        height, width = image.shape[:2]
        if height == 0 or width == 0:
            return []
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        self._net.setInput(cv2.dnn.blobFromImage(rgb, 1 / 255, (self._size, self._size)))
        loc_out, cls_out = self._net.forward(["loc_branch_concat", "cls_branch_concat"])
        loc = np.asarray(loc_out, dtype=np.float32).reshape(-1, 4)
        cls = np.asarray(cls_out, dtype=np.float32).reshape(-1, len(CLASSES))
        anchors = self._anchors
        if len(loc) != len(anchors):
            raise ValueError(f"{self.name}: {len(loc)} outputs for {len(anchors)} anchors")
        aw, ah = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
        acx, acy = anchors[:, 0] + aw / 2, anchors[:, 1] + ah / 2
        cx, cy = loc[:, 0] * 0.1 * aw + acx, loc[:, 1] * 0.1 * ah + acy
        bw, bh = np.exp(loc[:, 2] * 0.2) * aw, np.exp(loc[:, 3] * 0.2) * ah
        boxes = np.stack(
            [
                (cx - bw / 2) * width,
                (cy - bh / 2) * height,
                (cx + bw / 2) * width,
                (cy + bh / 2) * height,
            ],
            axis=1,
        ).astype(np.float32)
        best, labels = cls.max(axis=1), cls.argmax(axis=1)
        chosen = np.nonzero(best > self.confidence)[0]
        # One face is either masked or not: suppression across both classes, as upstream.
        found = []
        for i in nms_indices(boxes[chosen], best[chosen], self.nms_iou):
            j = int(chosen[i])
            box = to_box(boxes[j].tolist(), width, height)
            found.append(Detection(CLASSES[int(labels[j])], float(best[j]), box, self.name))
        return found
