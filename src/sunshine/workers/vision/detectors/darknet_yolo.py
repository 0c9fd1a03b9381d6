"""Darknet YOLO models (Yolo-Fastest) on OpenCV DNN.

OpenCV's ``[yolo]`` layers already decode the anchors: each output row is ``cx, cy, w, h``
(normalised), the objectness, then one score per class (objectness already multiplied in).
Needs OpenCV 4: OpenCV 5 removed the Darknet importer.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from sunshine.workers.vision.detectors.base import Detection, nms_indices, to_box

if TYPE_CHECKING:
    import numpy as np


class DarknetYoloDetector:
    """A Darknet ``.cfg`` + ``.weights`` pair; ``class_map``: model class index -> ours."""

    def __init__(
        self,
        *,
        name: str,
        cfg: Path,
        weights: Path,
        class_map: Mapping[int, str],
        confidence: float,
        nms_iou: float = 0.45,
        input_size: int = 320,
    ) -> None:
        import cv2

        if not hasattr(cv2.dnn, "readNetFromDarknet"):
            raise RuntimeError(
                f"{name}: this OpenCV ({cv2.__version__}) has no Darknet importer (OpenCV 5 "
                "removed it); install opencv-python-headless<5"
            )
        self._net = cv2.dnn.readNetFromDarknet(str(cfg), str(weights))
        self._outputs = list(self._net.getUnconnectedOutLayersNames())
        self.name = name
        if not class_map:
            raise ValueError(f"{name}: the class map is empty")
        self._class_map = dict(class_map)
        self.classes = tuple(dict.fromkeys(class_map.values()))
        self.confidence = confidence
        self.nms_iou = nms_iou
        self._size = input_size

    def detect(self, image: np.ndarray) -> list[Detection]:
        import cv2
        import numpy as np

        height, width = image.shape[:2]
        if height == 0 or width == 0:
            return []
        blob = cv2.dnn.blobFromImage(
            image, 1 / 255, (self._size, self._size), swapRB=True, crop=False
        )
        self._net.setInput(blob)
        outputs = [np.asarray(o, dtype=np.float32) for o in self._net.forward(self._outputs)]
        rows = np.concatenate([o.reshape(-1, o.shape[-1]) for o in outputs])
        class_scores = rows[:, 5:]
        found: list[Detection] = []
        for index, cls in self._class_map.items():
            if index >= class_scores.shape[1]:
                raise ValueError(f"{self.name}: class index {index} is outside the model's classes")
            best = class_scores.argmax(axis=1) == index
            picked = rows[best & (class_scores[:, index] > self.confidence)]
            if picked.size == 0:
                continue
            cx, cy = picked[:, 0] * width, picked[:, 1] * height
            bw, bh = picked[:, 2] * width, picked[:, 3] * height
            boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], 1)
            scores = picked[:, 5 + index].astype(np.float32)
            for i in nms_indices(boxes.astype(np.float32), scores, self.nms_iou):
                box = to_box(boxes[i].tolist(), width, height)
                found.append(Detection(cls, float(scores[i]), box, self.name))
        return sorted(found, key=lambda d: -d.confidence)
