"""The rule engine: from per-frame detections to confirmed alerts. Pure (no I/O, no database).

The worker feeds one :class:`Observation` per analysed frame of a camera to that camera's
:class:`RuleEngine`; each rule (:class:`RuleSpec`) decides whether the frame is a *hit*
(the detector class it watches is seen, confident enough, inside its zone, at the hours it
applies) and raises a :class:`RuleEvent` once ``n`` of the last ``m`` frames were hits
(N-of-M confirmation, so one noisy frame never raises an alert). After an alert the rule is
quiet for ``cooldown_s`` seconds: a violation that goes on is reported again after the
cool-down, not at every frame.

Boxes are normalised to the frame (0..1, ``x1, y1, x2, y2``). A person is inside a zone when
the bottom centre of its box (where the feet are) is; any other object when its centre is
(as Frigate does: a person's head may overlap a neighbouring zone on screen).

Operating hours are weekly windows in the kitchen's local time (Asia/Shanghai by default, no
daylight saving). A window whose end is not after its start runs past midnight into the next
day (``Fri 18:00-02:00`` covers Saturday 01:30).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sunshine.kitchen.enums import AlertClass, AlertKind, RuleHours

Point = tuple[float, float]
Polygon = tuple[Point, ...]
Box = tuple[float, float, float, float]

#: The detector classes whose zone membership is decided by the bottom centre of the box.
FOOTED_CLASSES = frozenset({"person"})


@dataclass(frozen=True)
class Seen:
    """One detection in a frame: class, confidence and normalised box (x1, y1, x2, y2)."""

    cls: str
    confidence: float
    box: Box


@dataclass(frozen=True)
class Observation:
    """What one analysed frame showed, at an aware (UTC) moment."""

    at: datetime
    seen: Sequence[Seen]

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("an observation's time must be aware (UTC)")


@dataclass(frozen=True)
class RuleSpec:
    """One rule of a camera: raise ``alert_class`` when ``detect_cls`` is seen in ``n`` of
    the last ``m`` frames, with at least ``min_confidence``, inside ``zone`` (anywhere when
    ``None``), at the hours ``when`` says; then stay quiet for ``cooldown_s`` seconds."""

    alert_class: AlertClass
    detect_cls: str
    n: int = 3
    m: int = 4
    min_confidence: float = 0.5
    cooldown_s: float = 300.0
    when: RuleHours = RuleHours.ALWAYS
    zone: str | None = None
    kind: AlertKind = AlertKind.SUSPECTED

    def __post_init__(self) -> None:
        if not 1 <= self.n <= self.m:
            raise ValueError(f"{self.alert_class}: need 1 <= n <= m, got n={self.n} m={self.m}")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"{self.alert_class}: min_confidence must lie in 0..1")
        if self.cooldown_s < 0:
            raise ValueError(f"{self.alert_class}: cooldown_s cannot be negative")
        if self.kind is AlertKind.HEALTH:
            raise ValueError("health alerts come from the camera's state, not from rules")


@dataclass(frozen=True)
class Window:
    """A weekly opening window: ``day`` 0 = Monday ... 6 = Sunday, local times. When
    ``end`` is not after ``start`` the window runs past midnight into the next day."""

    day: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.day <= 6:
            raise ValueError(f"day must be 0 (Monday) .. 6 (Sunday), got {self.day}")
        if self.start == self.end:
            raise ValueError("a window cannot start and end at the same time")

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def covers(self, local: datetime) -> bool:
        now, weekday = local.time().replace(tzinfo=None), local.weekday()
        if not self.crosses_midnight:
            return weekday == self.day and self.start <= now < self.end
        if weekday == self.day and now >= self.start:
            return True
        return weekday == (self.day + 1) % 7 and now < self.end


@dataclass(frozen=True)
class CameraRuleSet:
    """Everything the engine needs about one camera: its rules, its named zones
    (normalised polygons), its opening hours (``None``: always open) and time zone."""

    rules: tuple[RuleSpec, ...]
    zones: Mapping[str, Polygon] = field(default_factory=dict)
    hours: tuple[Window, ...] | None = None
    tz: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        for rule in self.rules:
            if rule.zone is not None and rule.zone not in self.zones:
                raise ValueError(f"{rule.alert_class}: no zone named {rule.zone!r}")
        for name, polygon in self.zones.items():
            if len(polygon) < 3:
                raise ValueError(f"zone {name!r} needs at least 3 points")
        ZoneInfo(self.tz)  # an unknown zone fails here, not at the first frame

    def is_open(self, at: datetime) -> bool:
        """Whether the kitchen is open at ``at`` (always, when it has no hours)."""
        if self.hours is None:
            return True
        local = at.astimezone(ZoneInfo(self.tz))
        return any(window.covers(local) for window in self.hours)


@dataclass(frozen=True)
class RuleEvent:
    """A confirmed alert: the class, its kind, the best confidence among the confirming
    frames, the boxes of the frame that confirmed it, when the first confirming frame was
    seen and when the alert was confirmed."""

    alert_class: AlertClass
    kind: AlertKind
    confidence: float
    boxes: tuple[Box, ...]
    first_seen_at: datetime
    confirmed_at: datetime


def point_in_polygon(point: Point, polygon: Sequence[Point]) -> bool:
    """Ray casting; a point on the left or bottom edge counts as inside."""
    x, y = point
    inside = False
    count = len(polygon)
    for i in range(count):
        x1, y1 = polygon[i]
        x2, y2 = polygon[(i + 1) % count]
        if (y1 > y) != (y2 > y):
            crossing = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < crossing:
                inside = not inside
    return inside


def anchor(seen: Seen) -> Point:
    """The point of a box that decides its zone: bottom centre for persons, else centre."""
    x1, y1, x2, y2 = seen.box
    if seen.cls in FOOTED_CLASSES:
        return ((x1 + x2) / 2, y2)
    return ((x1 + x2) / 2, (y1 + y2) / 2)


@dataclass(frozen=True)
class _Frame:
    at: datetime
    hit: bool
    confidence: float
    boxes: tuple[Box, ...]


class _RuleState:
    def __init__(self, rule: RuleSpec) -> None:
        self.rule = rule
        self.frames: deque[_Frame] = deque(maxlen=rule.m)
        self.quiet_until: datetime | None = None


class RuleEngine:
    """The rules of one camera over its stream of observations (one engine per camera)."""

    def __init__(self, ruleset: CameraRuleSet) -> None:
        self.ruleset = ruleset
        self._states = [_RuleState(rule) for rule in ruleset.rules]
        self._last_at: datetime | None = None

    def feed(self, obs: Observation) -> list[RuleEvent]:
        """Take one frame's observation; the alerts it confirms (often none)."""
        if self._last_at is not None and obs.at < self._last_at:
            raise ValueError("observations must be fed in time order")
        self._last_at = obs.at
        open_now = self.ruleset.is_open(obs.at)
        events = []
        for state in self._states:
            event = self._feed_rule(state, obs, open_now)
            if event is not None:
                events.append(event)
        return events

    def _feed_rule(self, state: _RuleState, obs: Observation, open_now: bool) -> RuleEvent | None:
        rule = state.rule
        matching = (
            [s for s in obs.seen if self._matches(rule, s)] if _applies(rule, open_now) else []
        )
        frame = _Frame(
            at=obs.at,
            hit=bool(matching),
            confidence=max((s.confidence for s in matching), default=0.0),
            boxes=tuple(s.box for s in matching),
        )
        state.frames.append(frame)
        if not frame.hit:
            return None
        if state.quiet_until is not None and obs.at < state.quiet_until:
            return None
        hits = [f for f in state.frames if f.hit]
        if len(hits) < rule.n:
            return None
        state.quiet_until = obs.at + timedelta(seconds=rule.cooldown_s)
        # A new alert needs fresh confirmation once the cool-down is over.
        state.frames.clear()
        return RuleEvent(
            alert_class=rule.alert_class,
            kind=rule.kind,
            confidence=max(f.confidence for f in hits),
            boxes=frame.boxes,
            first_seen_at=hits[0].at,
            confirmed_at=obs.at,
        )

    def _matches(self, rule: RuleSpec, seen: Seen) -> bool:
        if seen.cls != rule.detect_cls or seen.confidence < rule.min_confidence:
            return False
        if rule.zone is None:
            return True
        return point_in_polygon(anchor(seen), self.ruleset.zones[rule.zone])


def _applies(rule: RuleSpec, open_now: bool) -> bool:
    if rule.when is RuleHours.OPEN:
        return open_now
    if rule.when is RuleHours.CLOSED:
        return not open_now
    return True
