"""A small greedy IoU tracker: the same object across frames keeps its track id.

Enough for N-of-M confirmation and the choice of a best snapshot; no motion model. Each new
detection joins the unmatched live track of the same class it overlaps most (IoU at least
``iou_threshold``), best pairs first; the rest start new tracks. A track not seen for
``max_age`` is dropped, so a person briefly hidden keeps the same id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sunshine.workers.vision.detectors.base import Box, Detection, iou


@dataclass(slots=True)
class Track:
    """One tracked object; ``box``/``confidence`` are from its latest detection."""

    track_id: int
    cls: str
    box: Box
    confidence: float
    first_seen: datetime
    last_seen: datetime
    hits: int = 1
    best_confidence: float = 0.0
    model: str = ""
    seen_now: bool = field(default=True)


class IoUTracker:
    """Per-camera tracker; ``update`` returns every live track (seen now or recently)."""

    def __init__(
        self, *, iou_threshold: float = 0.3, max_age: timedelta = timedelta(seconds=10)
    ) -> None:
        self.iou_threshold = iou_threshold
        self.max_age = max_age
        self._tracks: dict[int, Track] = {}
        self._next_id = 1

    @property
    def tracks(self) -> list[Track]:
        return list(self._tracks.values())

    def update(self, detections: Sequence[Detection], at: datetime) -> list[Track]:
        for track in self._tracks.values():
            track.seen_now = False
        pairs = sorted(
            (
                (iou(track.box, det.box), track.track_id, index)
                for track in self._tracks.values()
                for index, det in enumerate(detections)
                if track.cls == det.cls
            ),
            key=lambda p: (-p[0], p[1], p[2]),
        )
        used_tracks: set[int] = set()
        used_dets: set[int] = set()
        for overlap, track_id, index in pairs:
            if overlap < self.iou_threshold:
                break
            if track_id in used_tracks or index in used_dets:
                continue
            used_tracks.add(track_id)
            used_dets.add(index)
            det, track = detections[index], self._tracks[track_id]
            track.box, track.confidence, track.last_seen = det.box, det.confidence, at
            track.hits += 1
            track.best_confidence = max(track.best_confidence, det.confidence)
            track.seen_now = True
        for index, det in enumerate(detections):
            if index in used_dets:
                continue
            track = Track(
                track_id=self._next_id,
                cls=det.cls,
                box=det.box,
                confidence=det.confidence,
                first_seen=at,
                last_seen=at,
                best_confidence=det.confidence,
                model=det.model,
            )
            self._tracks[track.track_id] = track
            self._next_id += 1
        for track_id in [
            t.track_id for t in self._tracks.values() if at - t.last_seen > self.max_age
        ]:
            del self._tracks[track_id]
        return sorted(self._tracks.values(), key=lambda t: t.track_id)
