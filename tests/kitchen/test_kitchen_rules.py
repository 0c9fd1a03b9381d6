"""The rule engine on synthetic observation sequences: N-of-M confirmation, cool-down, zones
(bottom centre of persons, centre of other objects), operating hours (across midnight, in
the kitchen's time zone) and the confidence floor; and the area rule table."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from sunshine.kitchen.enums import AlertClass, AlertKind, Area, RuleHours
from sunshine.kitchen.policy import AREA_RULES, CATALOGUE, build_rule_set, rule_specs
from sunshine.kitchen.rules import (
    CameraRuleSet,
    Observation,
    RuleEngine,
    RuleEvent,
    RuleSpec,
    Seen,
    Window,
    point_in_polygon,
)

T0 = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, a Monday
CIG = Seen("cigarette", 0.8, (0.4, 0.4, 0.45, 0.45))
PERSON = Seen("person", 0.9, (0.1, 0.2, 0.3, 0.9))


def smoking(**changes: object) -> RuleSpec:
    values: dict[str, object] = {
        "alert_class": AlertClass.SMOKING,
        "detect_cls": "cigarette",
        "n": 3,
        "m": 4,
        "min_confidence": 0.5,
        "cooldown_s": 60,
    }
    values.update(changes)
    return RuleSpec(**values)  # type: ignore[arg-type]


def run(
    engine: RuleEngine, frames: list[list[Seen]], start: datetime = T0, step: float = 0.5
) -> list[list[RuleEvent]]:
    """Feed one observation per entry, ``step`` seconds apart; the events per frame."""
    return [
        engine.feed(Observation(start + timedelta(seconds=i * step), seen))
        for i, seen in enumerate(frames)
    ]


def test_two_hits_of_three_frames_do_not_confirm_when_three_are_needed() -> None:
    engine = RuleEngine(CameraRuleSet(rules=(smoking(n=3, m=3),)))
    events = run(engine, [[CIG], [], [CIG], [CIG], [], [CIG]])
    assert all(not e for e in events)


def test_n_of_m_confirms_on_the_nth_hit_with_the_best_confidence_and_last_boxes() -> None:
    engine = RuleEngine(CameraRuleSet(rules=(smoking(n=3, m=4),)))
    strong = Seen("cigarette", 0.95, (0.1, 0.1, 0.2, 0.2))
    last = Seen("cigarette", 0.7, (0.5, 0.5, 0.6, 0.6))
    events = run(engine, [[CIG], [strong], [], [last]])
    assert [len(e) for e in events] == [0, 0, 0, 1]
    event = events[3][0]
    assert event.alert_class is AlertClass.SMOKING
    assert event.kind is AlertKind.SUSPECTED
    assert event.confidence == pytest.approx(0.95)
    assert event.boxes == (last.box,)
    assert event.first_seen_at == T0
    assert event.confirmed_at == T0 + timedelta(seconds=1.5)


def test_hits_that_fall_out_of_the_window_do_not_count() -> None:
    engine = RuleEngine(CameraRuleSet(rules=(smoking(n=3, m=4),)))
    # Hits at frames 0, 1, then three misses, then one hit: never 3 within 4 frames.
    events = run(engine, [[CIG], [CIG], [], [], [], [CIG], [], []])
    assert all(not e for e in events)


def test_the_confidence_floor_ignores_weak_detections() -> None:
    engine = RuleEngine(CameraRuleSet(rules=(smoking(n=2, m=2, min_confidence=0.6),)))
    weak = Seen("cigarette", 0.59, CIG.box)
    assert all(not e for e in run(engine, [[weak], [weak], [weak]]))
    fresh = RuleEngine(CameraRuleSet(rules=(smoking(n=2, m=2, min_confidence=0.6),)))
    exact = Seen("cigarette", 0.6, CIG.box)
    assert [len(e) for e in run(fresh, [[exact], [exact]])] == [0, 1]


def test_cooldown_silences_the_rule_and_a_new_alert_needs_fresh_confirmation() -> None:
    engine = RuleEngine(CameraRuleSet(rules=(smoking(n=2, m=3, cooldown_s=60),)))
    # One frame every 10 s: confirmed at 10 s; quiet until 70 s; at 70 s it fires again
    # only because the frames at 60 s and 70 s are fresh hits.
    events = run(engine, [[CIG]] * 9, step=10)
    fired = [i for i, e in enumerate(events) if e]
    assert fired == [1, 7]
    # After a cool-down the window starts empty: a single hit is not enough.
    engine = RuleEngine(CameraRuleSet(rules=(smoking(n=2, m=3, cooldown_s=60),)))
    events = run(engine, [[CIG], [CIG], [], [], [], [], [], [], [CIG], [], [], [CIG]], step=10)
    assert [i for i, e in enumerate(events) if e] == [1]


def test_zone_membership_uses_the_bottom_centre_of_a_person() -> None:
    # A zone covering the lower half of the picture, left side.
    zone = ((0.0, 0.5), (0.5, 0.5), (0.5, 1.0), (0.0, 1.0))
    rule = RuleSpec(
        AlertClass.PERSON_IN_COLD_ROOM, "person", n=1, m=1, cooldown_s=0, zone="counter"
    )
    engine = RuleEngine(CameraRuleSet(rules=(rule,), zones={"counter": zone}))
    # Head in the upper half, feet (bottom centre 0.2, 0.9) inside the zone: inside.
    tall = Seen("person", 0.9, (0.1, 0.1, 0.3, 0.9))
    # Box mostly inside the zone but the feet at x = 0.6: outside.
    right = Seen("person", 0.9, (0.45, 0.55, 0.75, 0.95))
    events = run(engine, [[right], [tall]])
    assert [len(e) for e in events] == [0, 1]


def test_other_objects_are_placed_by_their_centre() -> None:
    zone = ((0.0, 0.0), (0.5, 0.0), (0.5, 0.5), (0.0, 0.5))
    rule = smoking(n=1, m=1, cooldown_s=0, zone="sink")
    engine = RuleEngine(CameraRuleSet(rules=(rule,), zones={"sink": zone}))
    # Bottom centre (0.45, 0.7) is outside, centre (0.45, 0.45) inside: inside.
    inside = Seen("cigarette", 0.9, (0.4, 0.2, 0.5, 0.7))
    outside = Seen("cigarette", 0.9, (0.6, 0.1, 0.7, 0.2))
    assert [len(e) for e in run(engine, [[outside], [inside]])] == [0, 1]


def test_point_in_polygon_on_a_concave_shape() -> None:
    l_shape = ((0, 0), (1, 0), (1, 0.3), (0.3, 0.3), (0.3, 1), (0, 1))
    assert point_in_polygon((0.1, 0.9), l_shape)
    assert point_in_polygon((0.9, 0.1), l_shape)
    assert not point_in_polygon((0.8, 0.8), l_shape)


def test_after_hours_rule_follows_a_window_across_midnight_in_shanghai_time() -> None:
    # Open Friday 18:00 to Saturday 02:00, Shanghai time (UTC+8, no daylight saving).
    hours = (Window(day=4, start=time(18, 0), end=time(2, 0)),)
    rule = RuleSpec(
        AlertClass.PERSON_AFTER_HOURS, "person", n=1, m=1, cooldown_s=0, when=RuleHours.CLOSED
    )
    ruleset = CameraRuleSet(rules=(rule,), hours=hours)
    friday_2000 = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # Fri 20:00 local
    saturday_0130 = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)  # Sat 01:30 local
    saturday_0230 = datetime(2026, 12, 4, 18, 30, tzinfo=UTC)  # Sat 02:30 local
    friday_1700 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # Fri 17:00 local
    sunday_0130 = datetime(2026, 12, 5, 17, 30, tzinfo=UTC)  # Sun 01:30 local
    assert ruleset.is_open(friday_2000)
    assert ruleset.is_open(saturday_0130)
    assert not ruleset.is_open(saturday_0230)
    assert not ruleset.is_open(friday_1700)
    assert not ruleset.is_open(sunday_0130)  # the window is Friday's only
    for moment, fires in (
        (friday_1700, True),
        (friday_2000, False),
        (saturday_0130, False),
        (saturday_0230, True),
    ):
        engine = RuleEngine(ruleset)
        assert bool(engine.feed(Observation(moment, [PERSON]))) is fires, moment


def test_hours_are_read_in_the_kitchen_time_zone_not_utc() -> None:
    # Open Monday 09:00-17:00. 02:00 UTC on Monday is 10:00 in Shanghai (open) but would
    # be before opening if read as UTC; 10:00 UTC is 18:00 in Shanghai (closed).
    hours = (Window(day=0, start=time(9, 0), end=time(17, 0)),)
    shanghai = CameraRuleSet(rules=(), hours=hours)
    utc_read = CameraRuleSet(rules=(), hours=hours, tz="UTC")
    monday_0200_utc = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    monday_1000_utc = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    assert shanghai.is_open(monday_0200_utc) and not utc_read.is_open(monday_0200_utc)
    assert not shanghai.is_open(monday_1000_utc) and utc_read.is_open(monday_1000_utc)
    # Shanghai keeps UTC+8 all year: the same local hour in July and January.
    july = datetime(2026, 7, 6, 2, 0, tzinfo=UTC)  # a Monday
    assert shanghai.is_open(july)


def test_open_rules_need_open_hours_and_no_hours_means_always_open() -> None:
    rule = smoking(n=1, m=1, cooldown_s=0, when=RuleHours.OPEN)
    closed = CameraRuleSet(rules=(rule,), hours=(Window(0, time(9), time(10)),))
    assert RuleEngine(closed).feed(Observation(T0, [CIG])) == []  # Monday 12:00 local
    always = CameraRuleSet(rules=(rule,), hours=None)
    assert len(RuleEngine(always).feed(Observation(T0, [CIG]))) == 1
    after = RuleSpec(AlertClass.PERSON_AFTER_HOURS, "person", n=1, m=1, when=RuleHours.CLOSED)
    assert RuleEngine(CameraRuleSet(rules=(after,))).feed(Observation(T0, [PERSON])) == []


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        Observation(datetime(2026, 11, 30, 12, 0), [])  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="n <= m"):
        smoking(n=4, m=3)
    with pytest.raises(ValueError, match="zone"):
        CameraRuleSet(rules=(smoking(zone="nowhere"),))
    with pytest.raises(ValueError, match="same time"):
        Window(0, time(8), time(8))
    engine = RuleEngine(CameraRuleSet(rules=(smoking(),)))
    engine.feed(Observation(T0, []))
    with pytest.raises(ValueError, match="time order"):
        engine.feed(Observation(T0 - timedelta(seconds=1), []))


def test_rules_are_independent_of_each_other() -> None:
    phone = RuleSpec(AlertClass.PHONE, "cell_phone", n=2, m=2, cooldown_s=0)
    engine = RuleEngine(CameraRuleSet(rules=(smoking(n=2, m=2), phone)))
    handset = Seen("cell_phone", 0.8, (0.2, 0.2, 0.3, 0.3))
    events = run(engine, [[CIG], [CIG, handset], [handset]])
    assert [[e.alert_class for e in frame] for frame in events] == [
        [],
        [AlertClass.SMOKING],
        [AlertClass.PHONE],
    ]


def test_area_table_asks_masks_in_the_special_room_only_and_cites_its_sources() -> None:
    assert AlertClass.NO_MASK in AREA_RULES[Area.COLD_ROOM]
    assert all(AlertClass.NO_MASK not in AREA_RULES[a] for a in Area if a is not Area.COLD_ROOM)
    assert AlertClass.PERSON_IN_COLD_ROOM not in AREA_RULES[Area.COLD_ROOM]  # optional
    for default in CATALOGUE.values():
        assert default.citation and default.source_status in {
            "verified",
            "secondary",
            "unverified",
        }
    assert CATALOGUE[AlertClass.NO_HAT].source_status == "verified"
    assert CATALOGUE[AlertClass.PERSON_AFTER_HOURS].source_status == "unverified"


def test_rule_set_builder_applies_overrides_and_measured_kinds() -> None:
    specs = rule_specs(
        area=Area.PREP,
        overrides={
            "phone": {"enabled": False},
            "no_mask": {"enabled": True, "n": 5},
            "smoking": {"zone": "stove", "cooldown_s": 30},
        },
        kinds={"smoking": AlertKind.VIOLATION},
    )
    by_class = {s.alert_class: s for s in specs}
    assert AlertClass.PHONE not in by_class
    assert by_class[AlertClass.NO_MASK].n == 5 and by_class[AlertClass.NO_MASK].m == 5
    assert by_class[AlertClass.SMOKING].kind is AlertKind.VIOLATION
    assert by_class[AlertClass.SMOKING].cooldown_s == 30
    assert by_class[AlertClass.NO_HAT].kind is AlertKind.SUSPECTED  # not measured: suspected
    ruleset = build_rule_set(
        area=Area.PREP,
        overrides={"smoking": {"zone": "stove"}},
        zones=[{"name": "stove", "polygon": [[0, 0], [1, 0], [1, 1]]}],
        hours=[{"day": 4, "start": "18:00", "end": "02:00"}],
    )
    assert ruleset.hours == (Window(4, time(18), time(2)),)
    assert "stove" in ruleset.zones
