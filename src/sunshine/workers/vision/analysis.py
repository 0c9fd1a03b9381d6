"""One analysed frame: the person model on the whole frame, then crop models on each person.

Cigarettes and phones are about 10 px wide in a 1280-wide kitchen frame, and faces 20-40 px:
resized whole to a 260-352 px model input they all but vanish. So, as Frigate does with its
regions, the small-object models look at a square crop around each person (the head for
masks, head and hands for smoking, the whole person for phones), resized to the model input,
and their boxes are mapped back to frame pixels.

When the person model finds nobody, the face models (the ``head`` region) look at the whole
frame instead: a person close to the camera, a face filling the picture or a head-and-
shoulders view, is what the person model misses most, and it is exactly where a face is
large enough to be found without a crop. On 110 held-out photos this found 18 more bare
faces, none wrongly (docs/models/mask.md). Cigarettes and phones stay too small for that.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sunshine.workers.vision.detectors.base import Box, Detection, Detector, iou
from sunshine.workers.vision.manifest import Region
from sunshine.workers.vision.models_store import ModelStore, ModelUnavailable

if TYPE_CHECKING:
    import numpy as np

# (top, bottom) of the person box kept for each crop region, as fractions of its height,
# and the padding added on every side, as a fraction of the box width/height.
REGION_SPAN: dict[Region, tuple[float, float]] = {
    "head": (0.0, 0.4),
    "upper": (0.0, 0.65),
    "person": (0.0, 1.0),
}
REGION_PAD = 0.15
# Crop models run on at most this many persons per frame (largest first): bounds the cost.
MAX_PERSONS = 8
# Persons smaller than this (pixels of box height) carry no usable detail for crop models.
MIN_PERSON_HEIGHT = 24
# Crops of neighbouring persons overlap, so the same face or cigarette is found twice, once
# perhaps cut by a crop's edge (a sliver inside the whole one): same class and either IoU or
# intersection over the smaller box at least this much = one object.
CROSS_CROP_OVERLAP = 0.5


def crop_box(person: Box, region: Region, width: int, height: int) -> Box:
    """The padded, square-as-possible crop of ``region`` of a person box, inside the frame.

    Square because the models were trained on undistorted images; the square grows around
    the region's centre with real frame pixels (context), clamped to the frame.
    """
    x1, y1, x2, y2 = person
    bw, bh = x2 - x1, y2 - y1
    top, bottom = REGION_SPAN[region] if region != "frame" else (0.0, 1.0)
    rx1, rx2 = x1 - REGION_PAD * bw, x2 + REGION_PAD * bw
    ry1 = y1 + top * bh - REGION_PAD * bh
    ry2 = y1 + bottom * bh + REGION_PAD * bh
    side = max(rx2 - rx1, ry2 - ry1)
    cx, cy = (rx1 + rx2) / 2, (ry1 + ry2) / 2
    return (
        max(0, round(cx - side / 2)),
        max(0, round(cy - side / 2)),
        min(width, round(cx + side / 2)),
        min(height, round(cy + side / 2)),
    )


class FrameAnalyzer:
    """Runs the models that produce the ``wanted`` classes on frames (BGR, any size).

    The person model runs whenever persons or a crop model are wanted; persons are returned
    only if ``"person"`` is wanted. Models that cannot be loaded are listed in
    ``unavailable`` (name -> message) and skipped: the analysis never fails for a model.
    """

    def __init__(
        self, *, store: ModelStore, wanted: frozenset[str], person_model: str = "person"
    ) -> None:
        self.wanted = wanted
        self.person_model = person_model
        self._unavailable: dict[str, str] = {}
        self._frame_models: list[Detector] = []
        self._crop_models: list[tuple[Region, Detector]] = []
        self._person: Detector | None = None
        self._not_installed: set[str] = set()

        needed = sorted(
            {
                entry.name
                for entry in store.entries
                if any(cls in wanted and cls != "person" for cls in entry.classes)
            }
        )
        for cls in sorted(wanted - {"person"}):
            if not any(cls in store.entry(name).classes for name in needed):
                self._unavailable[cls] = f"no model detects {cls!r}"
        crop_wanted = any(store.entry(name).region != "frame" for name in needed)
        if "person" in wanted or crop_wanted:
            try:
                self._person = store.detector(person_model)
            except ModelUnavailable as exc:
                self._unavailable[person_model] = exc.message
        for name in needed:
            region = store.entry(name).region
            if store.state(name) == "not_installed":
                # A class no public model covers (no hat, rodents): expected until a bureau
                # installs its own; the camera page says so, it is not a fault of the camera.
                self._not_installed.add(name)
                continue
            try:
                detector = store.detector(name)
            except ModelUnavailable as exc:
                self._unavailable[name] = exc.message
                continue
            if region == "frame":
                self._frame_models.append(detector)
            elif self._person is None:
                self._unavailable[name] = (
                    f"{name} looks at person crops and the person model "
                    f"({person_model}) is unavailable"
                )
            else:
                self._crop_models.append((region, detector))

    @property
    def unavailable(self) -> dict[str, str]:
        """Models (or wanted classes without any model) that do not run, with the reason."""
        return dict(self._unavailable)

    @property
    def runs_anything(self) -> bool:
        """Whether any model runs (crop models need the person model)."""
        return self._person is not None or bool(self._frame_models)

    @property
    def not_installed(self) -> frozenset[str]:
        """Wanted models that have no weights by design (a bureau may add its own)."""
        return frozenset(self._not_installed)

    def _keep(self, detections: Iterable[Detection]) -> list[Detection]:
        return [d for d in detections if d.cls in self.wanted]

    def analyze(self, frame: np.ndarray) -> list[Detection]:
        height, width = frame.shape[:2]
        found: list[Detection] = []
        persons: list[Detection] = []
        if self._person is not None:
            persons = [d for d in self._person.detect(frame) if d.cls == "person"]
            if "person" in self.wanted:
                found.extend(persons)
        for model in self._frame_models:
            found.extend(self._keep(model.detect(frame)))
        if self._crop_models and persons:
            found.extend(self._crops(frame, persons, width, height))
        elif self._person is not None:
            found.extend(self._faces_on_frame(frame))
        return sorted(found, key=lambda d: -d.confidence)

    def _faces_on_frame(self, frame: np.ndarray) -> list[Detection]:
        """No person found: the face models on the whole frame (see the module notes)."""
        found: list[Detection] = []
        for region, model in self._crop_models:
            if region == "head":
                found.extend(self._keep(model.detect(frame)))
        return found

    def _crops(
        self, frame: np.ndarray, persons: list[Detection], width: int, height: int
    ) -> list[Detection]:
        usable = [p for p in persons if p.box[3] - p.box[1] >= MIN_PERSON_HEIGHT]
        usable.sort(key=lambda p: -(p.box[2] - p.box[0]) * (p.box[3] - p.box[1]))
        found: list[Detection] = []
        for person in usable[:MAX_PERSONS]:
            for region, model in self._crop_models:
                cx1, cy1, cx2, cy2 = crop_box(person.box, region, width, height)
                if cx2 - cx1 < 8 or cy2 - cy1 < 8:
                    continue
                crop = frame[cy1:cy2, cx1:cx2]
                for d in self._keep(model.detect(crop)):
                    x1, y1, x2, y2 = d.box
                    box = (x1 + cx1, y1 + cy1, x2 + cx1, y2 + cy1)
                    found.append(Detection(d.cls, d.confidence, box, d.model))
        return merge_crop_detections(found)


def merge_crop_detections(detections: Iterable[Detection]) -> list[Detection]:
    """Keep the best of each group of same-class detections that overlap (see above)."""
    kept: list[Detection] = []
    for det in sorted(detections, key=lambda d: -d.confidence):
        if not any(
            k.cls == det.cls
            and (
                iou(k.box, det.box) >= CROSS_CROP_OVERLAP
                or _inside_ratio(k.box, det.box) >= CROSS_CROP_OVERLAP
            )
            for k in kept
        ):
            kept.append(det)
    return kept


def _inside_ratio(a: Box, b: Box) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return ix * iy / smaller if smaller > 0 else 0.0
