"""Camera picture health: frozen, covered, blurred (design note section 4.3).

Pure measurements on a downscaled grey frame, and ``FrameHealth``, which turns them into a
state only after a condition has lasted its threshold (a hand passing over the lens is not a
covered camera). "offline" (no frame at all) is the capture loop's business, not this one's.
"""

from __future__ import annotations

import statistics
from collections import deque
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

HealthState = Literal["ok", "frozen", "covered", "blurred"]

THUMB_SIZE = (64, 36)
ANALYSIS_WIDTH = 320
# A still kitchen still has sensor noise: below this mean grey difference of sampled pixels
# the picture is stuck. The pixels are sampled, not averaged: averaging (resizing) would
# cancel the noise and make every still scene look frozen.
FROZEN_DIFF = 0.5
COVERED_MEAN = 15.0
COVERED_STD = 8.0
BLUR_RATIO = 0.2


def grey_small(frame: np.ndarray, width: int = ANALYSIS_WIDTH) -> npt.NDArray[np.uint8]:
    """The frame as grey, ``width`` pixels wide (kept if already narrower)."""
    import cv2

    grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    height, current = grey.shape[:2]
    if current > width:
        size = (width, max(1, round(height * width / current)))
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    result: npt.NDArray[np.uint8] = grey.astype("uint8", copy=False)
    return result


def sampled_pixels(frame: np.ndarray) -> npt.NDArray[np.float32]:
    """About 64 x 36 grey pixels picked on a grid (not averaged: the sensor noise stays)."""
    import cv2
    import numpy as np

    height, width = frame.shape[:2]
    step_x = max(1, width // THUMB_SIZE[0])
    step_y = max(1, height // THUMB_SIZE[1])
    picked = np.ascontiguousarray(frame[::step_y, ::step_x])
    if picked.ndim == 3:
        picked = cv2.cvtColor(picked, cv2.COLOR_BGR2GRAY)
    return np.asarray(picked, dtype=np.float32)


def frame_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute grey difference of two equally sized pixel samples."""
    import numpy as np

    return float(np.mean(np.abs(a.astype(np.float32) - b.astype(np.float32))))


def is_covered(grey: np.ndarray) -> bool:
    """Dark (lens covered, lights off) or flat (something pressed on the lens, a grey card)."""
    return float(grey.mean()) < COVERED_MEAN or float(grey.std()) < COVERED_STD


def sharpness(grey: np.ndarray) -> float:
    """Variance of the Laplacian: high for sharp edges, low when the picture is blurred."""
    import cv2

    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


class FrameHealth:
    """Per-camera state machine fed with analysed frames and their times.

    Blur is judged against the camera's own rolling median sharpness (scenes differ), which
    is learnt only from frames that look healthy, so a long blur does not become the norm.
    """

    def __init__(
        self,
        *,
        frozen_after: timedelta = timedelta(seconds=60),
        covered_after: timedelta = timedelta(seconds=10),
        blurred_after: timedelta = timedelta(seconds=30),
        history: int = 600,
        min_history: int = 10,
    ) -> None:
        self.frozen_after = frozen_after
        self.covered_after = covered_after
        self.blurred_after = blurred_after
        self.min_history = min_history
        self._sharpness: deque[float] = deque(maxlen=history)
        self._previous: npt.NDArray[np.float32] | None = None
        self._previous_at: datetime | None = None
        self._since: dict[str, datetime] = {}
        self.state: HealthState = "ok"

    def _lasting(
        self,
        condition: str,
        active: bool,
        at: datetime,
        after: timedelta,
        began: datetime | None = None,
    ) -> bool:
        if not active:
            self._since.pop(condition, None)
            return False
        started = self._since.setdefault(condition, began or at)
        return at - started >= after

    def observe(self, frame: np.ndarray, at: datetime) -> HealthState:
        grey = grey_small(frame)
        thumb = sampled_pixels(frame)
        covered = is_covered(grey)
        # A frame with the same timestamp is the same frame seen twice, not a frozen stream.
        advanced = self._previous_at is None or at > self._previous_at
        if advanced:
            still = (
                self._previous is not None
                and self._previous.shape == thumb.shape
                and frame_difference(thumb, self._previous) < FROZEN_DIFF
            )
            # Stuck since the first of the identical frames, not the second.
            frozen = self._lasting(
                "frozen", still and not covered, at, self.frozen_after, self._previous_at
            )
            self._previous, self._previous_at = thumb, at
        else:
            frozen = self.state == "frozen"
        value = sharpness(grey)
        blur_candidate = False
        if not covered and len(self._sharpness) >= self.min_history:
            blur_candidate = value < BLUR_RATIO * statistics.median(self._sharpness)
        if not covered and not blur_candidate:
            self._sharpness.append(value)
        blurred = self._lasting("blurred", blur_candidate, at, self.blurred_after)
        covered_long = self._lasting("covered", covered, at, self.covered_after)
        if covered_long:
            self.state = "covered"
        elif frozen:
            self.state = "frozen"
        elif blurred:
            self.state = "blurred"
        else:
            self.state = "ok"
        return self.state
