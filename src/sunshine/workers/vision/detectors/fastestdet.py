"""FastestDet-layout ONNX models on ONNX Runtime: COCO person/phone, smoking, bureau models.

Layout (upstream ``example/onnx-runtime/runtime.py``): input 1x3xSxS float, BGR, ``/255``,
resized with ``INTER_AREA``; one output 1x(5+C)xHxW where per grid cell channel 0 is the
objectness (sigmoid applied in the graph), 1-2 the centre offsets (raw: ``tanh``), 3-4 width
and height normalised to the image (raw in upstream's export: ``sigmoid``; some exports apply
it in the graph, hence ``wh_sigmoid``), 5.. the class scores (softmax applied). Score of a
class = objectness x class score. Any C and any grid size.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from sunshine.workers.vision.detectors.base import Detection, nms_indices, to_box

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

DEFAULT_INPUT = 352


class FastestDetDetector:
    """One ONNX Runtime session decoding the FastestDet output for the classes in ``class_map``."""

    def __init__(
        self,
        *,
        name: str,
        path: Path,
        class_map: Mapping[int, str],
        confidence: float,
        nms_iou: float = 0.35,
        wh_sigmoid: bool = True,
        input_size: int = DEFAULT_INPUT,
        threads: int = 1,
    ) -> None:
        import onnxruntime as ort

        if not class_map:
            raise ValueError(f"{name}: the class map is empty")
        options = ort.SessionOptions()
        # One thread per session: a camera process owns one core and runs several models.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        inputs = self._session.get_inputs()
        outputs = self._session.get_outputs()
        if len(inputs) != 1 or len(outputs) != 1:
            raise ValueError(
                f"{name}: {path.name} has {len(inputs)} inputs and {len(outputs)} outputs; "
                "the FastestDet layout has one of each"
            )
        self._input_name: str = inputs[0].name
        shape = list(inputs[0].shape)
        if len(shape) != 4 or shape[1] not in (3, "3"):
            raise ValueError(f"{name}: input shape {shape} is not 1x3xHxW")
        # A graph exported with a fixed size refuses any other (upstream refuses 512).
        height = shape[2] if isinstance(shape[2], int) else input_size
        width = shape[3] if isinstance(shape[3], int) else input_size
        self._size = (int(width), int(height))
        channels = list(outputs[0].shape)[1] if len(outputs[0].shape) == 4 else None
        if isinstance(channels, int):
            self._check_channels(name, channels, class_map)
        self.name = name
        self.classes = tuple(dict.fromkeys(class_map.values()))
        self._class_map = dict(class_map)
        self.confidence = confidence
        self.nms_iou = nms_iou
        self.wh_sigmoid = wh_sigmoid

    @staticmethod
    def _check_channels(name: str, channels: int, class_map: Mapping[int, str]) -> None:
        if channels < 6:
            raise ValueError(f"{name}: output has {channels} channels; FastestDet needs 5 + C")
        too_high = [i for i in class_map if not 0 <= i < channels - 5]
        if too_high:
            raise ValueError(
                f"{name}: class indexes {too_high} are outside the model's {channels - 5} classes"
            )

    @property
    def input_size(self) -> tuple[int, int]:
        """Model input as (width, height)."""
        return self._size

    def detect(self, image: np.ndarray) -> list[Detection]:
        import cv2
        import numpy as np

        height, width = image.shape[:2]
        if height == 0 or width == 0:
            return []
        resized = cv2.resize(image, self._size, interpolation=cv2.INTER_AREA)
        tensor = resized.transpose(2, 0, 1)[None].astype(np.float32) / np.float32(255.0)
        output = self._session.run(None, {self._input_name: tensor})[0]
        fmap = np.asarray(output, dtype=np.float32)[0]
        self._check_channels(self.name, int(fmap.shape[0]), self._class_map)
        return decode_fastestdet(
            fmap,
            class_map=self._class_map,
            confidence=self.confidence,
            nms_iou=self.nms_iou,
            wh_sigmoid=self.wh_sigmoid,
            size=(width, height),
            model=self.name,
        )


def class_boxes(
    fmap: npt.NDArray[np.float32],
    index: int,
    *,
    min_score: float,
    nms_iou: float,
    wh_sigmoid: bool,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Boxes (N x 4, x1 y1 x2 y2 normalised to the image) and scores of class ``index`` in
    one (5 + C) x H x W feature map, after NMS. The runtime and the training's evaluation
    both decode through here, so measured precision is that of the deployed decoding."""
    import numpy as np

    grid_h, grid_w = fmap.shape[1:]
    score = fmap[0] * fmap[5 + index]
    rows, cols = np.nonzero(score > min_score)
    if rows.size == 0:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)
    cx = (cols + np.tanh(fmap[1, rows, cols])) / grid_w
    cy = (rows + np.tanh(fmap[2, rows, cols])) / grid_h
    bw, bh = fmap[3, rows, cols], fmap[4, rows, cols]
    if wh_sigmoid:
        bw, bh = 1 / (1 + np.exp(-bw)), 1 / (1 + np.exp(-bh))
    boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], 1).astype(np.float32)
    scores = score[rows, cols].astype(np.float32)
    keep = nms_indices(boxes, scores, nms_iou)  # IoU does not change with the image's scale
    return boxes[keep], scores[keep]


def decode_fastestdet(
    fmap: npt.NDArray[np.float32],
    *,
    class_map: Mapping[int, str],
    confidence: float,
    nms_iou: float,
    wh_sigmoid: bool,
    size: tuple[int, int],
    model: str = "",
) -> list[Detection]:
    """Decode one (5 + C) x H x W feature map into detections in an image of ``size`` (w, h).

    Per class (not only the cell's best class: a phone in a person crop competes with the
    person class in the same cell), NMS per class.
    """
    width, height = size
    found: list[Detection] = []
    for index, cls in class_map.items():
        boxes, scores = class_boxes(
            fmap, index, min_score=confidence, nms_iou=nms_iou, wh_sigmoid=wh_sigmoid
        )
        for (x1, y1, x2, y2), score in zip(boxes.tolist(), scores.tolist(), strict=True):
            box = to_box([x1 * width, y1 * height, x2 * width, y2 * height], width, height)
            found.append(Detection(cls, float(score), box, model))
    return sorted(found, key=lambda d: -d.confidence)
