"""Privacy masks: polygons blacked out before a frame is analysed, stored or shown.

Polygons are normalised to the frame (0..1) so they survive a change of stream resolution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

Polygon = Sequence[Sequence[float]]


class PrivacyMaskError(ValueError):
    """A polygon that cannot be used; the text says which one and why."""


def validate_polygons(polygons: Sequence[Polygon]) -> list[list[tuple[float, float]]]:
    """Check every polygon (at least 3 points of two numbers each, all within 0..1).

    Raises ``PrivacyMaskError`` listing every problem; returns the polygons as float pairs.
    """
    problems: list[str] = []
    clean: list[list[tuple[float, float]]] = []
    for number, polygon in enumerate(polygons, start=1):
        points: list[tuple[float, float]] = []
        if isinstance(polygon, str | bytes) or not isinstance(polygon, Sequence):
            problems.append(f"polygon {number}: not a list of points")
            continue
        if len(polygon) < 3:
            problems.append(f"polygon {number}: needs at least 3 points, has {len(polygon)}")
            continue
        for index, point in enumerate(polygon, start=1):
            if (
                isinstance(point, str | bytes)
                or not isinstance(point, Sequence)
                or len(point) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in point)
            ):
                problems.append(f"polygon {number}, point {index}: not a pair of numbers [x, y]")
                continue
            x, y = float(point[0]), float(point[1])
            if not (math.isfinite(x) and math.isfinite(y) and 0 <= x <= 1 and 0 <= y <= 1):
                problems.append(
                    f"polygon {number}, point {index}: [{x}, {y}] is outside 0..1 "
                    "(coordinates are fractions of the frame width and height)"
                )
                continue
            points.append((x, y))
        clean.append(points)
    if problems:
        raise PrivacyMaskError("; ".join(problems))
    return clean


def apply_privacy_masks(frame: np.ndarray, polygons: Sequence[Polygon]) -> np.ndarray:
    """A copy of ``frame`` with every polygon filled black (the input is left untouched)."""
    import cv2
    import numpy as np

    checked = validate_polygons(polygons)
    masked = frame.copy()
    if not checked:
        return masked
    height, width = frame.shape[:2]
    scale = np.array([width - 1, height - 1], dtype=np.float64)
    shapes = [np.round(np.array(p, dtype=np.float64) * scale).astype(np.int32) for p in checked]
    colour = (0,) * (1 if frame.ndim == 2 else frame.shape[2])
    cv2.fillPoly(masked, shapes, colour)
    return masked
