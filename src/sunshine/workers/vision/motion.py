"""Motion gate: is anything moving, and where (the idea of Frigate's improved motion detector).

Per frame: downscale to ``frame_height`` rows, grey, stretch the contrast (so a dim kitchen
at night still shows a moving person), blur (sensor noise), difference against a running
average of past frames, threshold, dilate, and the outer contours larger than
``contour_area`` become motion boxes, scaled back to frame pixels. When more than
``lightning_threshold`` of the picture changes at once (lights switched on, the camera's
day/night switch) the average is reset to the current frame and no motion is reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sunshine.workers.vision.detectors.base import Box

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class MotionGate:
    """Stateful per camera; ``update`` returns motion boxes in frame pixels (empty: none)."""

    def __init__(
        self,
        *,
        frame_height: int = 100,
        threshold: int = 30,
        contour_area: int = 10,
        alpha: float = 0.05,
        lightning_threshold: float = 0.8,
        improve_contrast: bool = True,
    ) -> None:
        self.frame_height = frame_height
        self.threshold = threshold
        self.contour_area = contour_area
        self.alpha = alpha
        self.lightning_threshold = lightning_threshold
        self.improve_contrast = improve_contrast
        self._average: npt.NDArray[np.float32] | None = None
        self.recalibrations = 0

    def reset(self) -> None:
        self._average = None

    def _prepare(self, frame: np.ndarray) -> np.ndarray:
        import cv2
        import numpy as np

        height, width = frame.shape[:2]
        small_w = max(1, round(width * self.frame_height / height))
        small = cv2.resize(frame, (small_w, self.frame_height), interpolation=cv2.INTER_AREA)
        grey: np.ndarray = small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
        if self.improve_contrast:
            low, high = np.percentile(grey, (4, 96))
            if high - low >= 8:  # a flat picture stays flat instead of amplifying noise
                stretched = (grey.astype(np.float32) - low) * (255.0 / (high - low))
                grey = np.clip(stretched, 0, 255).astype(np.uint8)
        return cv2.GaussianBlur(grey, (5, 5), 0)

    def update(self, frame: np.ndarray) -> list[Box]:
        import cv2
        import numpy as np

        height, width = frame.shape[:2]
        if height == 0 or width == 0:
            return []
        grey = self._prepare(frame)
        if self._average is None or self._average.shape != grey.shape:
            self._average = grey.astype(np.float32)
            return []
        delta = cv2.absdiff(grey, cv2.convertScaleAbs(self._average))
        _, mask = cv2.threshold(delta, self.threshold, 255, cv2.THRESH_BINARY)
        changed = float(np.count_nonzero(mask)) / mask.size
        if changed > self.lightning_threshold:
            self._average = grey.astype(np.float32)
            self.recalibrations += 1
            return []
        cv2.accumulateWeighted(grey, self._average, self.alpha)
        mask = cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=2)
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        scale_x = width / grey.shape[1]
        scale_y = height / grey.shape[0]
        boxes: list[Box] = []
        for contour in contours:
            if cv2.contourArea(contour) <= self.contour_area:
                continue
            x, y, w, h = cv2.boundingRect(contour)
            boxes.append(
                (
                    int(x * scale_x),
                    int(y * scale_y),
                    min(width, int(np.ceil((x + w) * scale_x))),
                    min(height, int(np.ceil((y + h) * scale_y))),
                )
            )
        return boxes
