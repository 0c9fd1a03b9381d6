"""Statutory clocks on the Chinese holiday calendar.

Every expected date below was worked out by hand from the official schedules as the
``chinese_calendar`` 1.11.0 data gives them (listed first, and pinned by the calendar tests):

* 2026 Spring Festival: rest Sun 02-15 .. Mon 02-23; make-up workdays Sat 02-14, Sat 02-28.
* 2026 Qingming: rest Sat 04-04 .. Mon 04-06 (no make-up day).
* 2026 Labour Day: rest Fri 05-01 .. Tue 05-05; make-up workday Sat 05-09.
* 2026 Mid-Autumn: rest Fri 09-25 .. Sun 09-27.
* 2026 National Day: rest Thu 10-01 .. Wed 10-07; make-up workdays Sun 09-20, Sat 10-10.
* 2027: no official schedule yet, so only weekends are rest days (provisional).
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from sunshine.cases.calendar import add_workdays, is_provisional, is_workday, next_workday
from sunshine.cases.clock import (
    ClockState,
    Deadline,
    Extension,
    ExtensionNotAllowed,
    Pause,
    PauseNotAllowed,
    StatutoryClock,
    approved_extension,
)
from sunshine.cases.limits import (
    LIMITS,
    LimitRule,
    NoLimitInForce,
    PauseKind,
    SourceStatus,
    Unit,
    UnknownLimitKey,
    limit_for,
    limit_keys,
)

O20_DAY = date(2026, 4, 14)
O121_DAY = date(2026, 4, 15)


def _deadline(clock: StatutoryClock) -> Deadline:
    deadline = clock.deadline()
    assert deadline is not None
    return deadline


def _acceptance_clock(**options: object) -> StatutoryClock:
    """Complaint received Thu 2026-02-12, the day before the Spring Festival make-up Saturday."""
    rule = limit_for("complaint.accept", received_on=date(2026, 2, 12))
    return StatutoryClock(rule=rule, start=date(2026, 2, 12), **options)  # type: ignore[arg-type]


# -- the calendar -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Fri
        (date(2026, 2, 14), True),  # Sat, make-up workday
        (date(2026, 2, 15), False),  # Sun, holiday
        (date(2026, 2, 16), False),  # Mon, holiday
        (date(2026, 2, 23), False),  # Mon, last holiday
        (date(2026, 2, 24), True),  # Tue
        (date(2026, 2, 28), True),  # Sat, make-up workday
        (date(2026, 3, 1), False),  # Sun
        (date(2026, 4, 6), False),  # Mon, Qingming
        (date(2026, 5, 9), True),  # Sat, make-up workday
        (date(2026, 9, 20), True),  # Sun, make-up workday
        (date(2026, 9, 25), False),  # Fri, Mid-Autumn
        (date(2026, 10, 5), False),  # Mon, National Day
        (date(2026, 10, 8), True),  # Thu
        (date(2026, 10, 10), True),  # Sat, make-up workday
        (date(2026, 10, 11), False),  # Sun
    ],
)
def test_holidays_and_make_up_workdays_of_2026(day: date, working: bool) -> None:
    assert is_workday(day) is working
    assert is_provisional(day) is False


def test_a_year_without_an_official_schedule_is_provisional_with_weekends_only() -> None:
    assert is_provisional(date(2026, 12, 31)) is False
    assert is_provisional(date(2027, 1, 1)) is True
    assert is_provisional(date(2003, 12, 31)) is True
    assert is_workday(date(2027, 1, 1)) is True  # a Friday; its holiday is not known yet
    assert is_workday(date(2027, 1, 2)) is False  # Saturday


def test_stepping_over_working_days() -> None:
    assert next_workday(date(2026, 10, 2)) == date(2026, 10, 8)
    assert next_workday(date(2026, 10, 9)) == date(2026, 10, 10)
    assert add_workdays(date(2026, 9, 30), count=1) == date(2026, 10, 8)
    assert add_workdays(date(2026, 2, 28), count=-2) == date(2026, 2, 26)
    assert add_workdays(date(2026, 2, 24), count=-1) == date(2026, 2, 14)
    assert add_workdays(date(2026, 2, 21), count=0) == date(2026, 2, 21)


# -- the limits data ----------------------------------------------------------------------------


def test_order_20_applies_up_to_2026_04_14_and_order_121_from_2026_04_15() -> None:
    o20 = limit_for("complaint.accept", received_on=O20_DAY)
    o121 = limit_for("complaint.accept", received_on=O121_DAY)

    assert "第20号" in o20.basis.regulation
    assert o20.status is SourceStatus.VERIFIED
    assert o20.basis.article == "Art. 14"
    assert o20.valid_until == O20_DAY

    assert "第121号" in o121.basis.regulation
    assert o121.status is SourceStatus.UNVERIFIED
    assert o121.basis.article is None
    assert o121.valid_from == O121_DAY
    assert "O20 value was carried over" in o121.basis.note
    assert (o121.length, o121.unit) == (7, Unit.WORKING_DAYS)


def test_every_order_121_limit_carries_the_order_20_value_unverified() -> None:
    o20_keys = {rule.key for rule in LIMITS if "第20号" in rule.basis.regulation}
    assert o20_keys == {
        "complaint.accept",
        "complaint.mediation",
        "complaint.mediation_end_notice",
        "complaint.lead_verify",
        "complaint.lead_verify_extension",
        "jurisdiction.dispute",
        "report.filing_decision_notice",
    }
    for key in o20_keys:
        o20 = limit_for(key, received_on=O20_DAY)
        o121 = limit_for(key, received_on=O121_DAY)
        assert (o121.length, o121.unit, o121.paused_by) == (o20.length, o20.unit, o20.paused_by)
        assert o121.status is SourceStatus.UNVERIFIED
        assert f"Carried over from O20 {o20.basis.article}" in o121.basis.note


def test_the_order_20_numbers() -> None:
    expected = {
        "complaint.accept": 7,
        "complaint.mediation": 45,
        "complaint.mediation_end_notice": 7,
        "complaint.lead_verify": 15,
        "complaint.lead_verify_extension": 15,
        "jurisdiction.dispute": 7,
        "report.filing_decision_notice": 5,
    }
    found = {key: limit_for(key, received_on=O20_DAY).length for key in expected}
    assert found == expected
    assert limit_for("complaint.mediation", received_on=O20_DAY).paused_by == {PauseKind.TESTING}


def test_lead_and_case_limits_do_not_switch_with_the_complaint_rules() -> None:
    assert limit_for("lead.verify", received_on=O20_DAY) is limit_for(
        "lead.verify", received_on=O121_DAY
    )
    case = limit_for("case.decide", received_on=O121_DAY)
    assert (case.length, case.unit, case.basis.article) == (90, Unit.CALENDAR_DAYS, "Art. 64")
    assert case.extension_key == "case.decide_extension"
    lead = limit_for("lead.verify", received_on=O121_DAY)
    assert lead.paused_by == {PauseKind.TESTING, PauseKind.RIGHTS_HOLDER_CHECK}
    assert "www.btdsss.gov.cn/c/2025-05-14/912884.shtml" in lead.basis.sources


def test_versions_of_a_limit_never_overlap() -> None:
    for key in limit_keys():
        versions = sorted((r for r in LIMITS if r.key == key), key=lambda r: r.valid_from)
        for earlier, later in pairwise(versions):
            assert earlier.valid_until is not None
            assert earlier.valid_until < later.valid_from, key


def test_an_unknown_key_is_refused() -> None:
    with pytest.raises(UnknownLimitKey, match=r"'complaint\.acept'"):
        limit_for("complaint.acept", received_on=O20_DAY)


def test_a_day_before_any_version_is_refused() -> None:
    with pytest.raises(NoLimitInForce, match="2019-12-31"):
        limit_for("complaint.accept", received_on=date(2019, 12, 31))
    assert limit_for("complaint.accept", received_on=date(2020, 1, 1)).length == 7


# -- due dates ----------------------------------------------------------------------------------


def test_seven_working_days_across_the_2026_spring_festival() -> None:
    # Counted: Fri 02-13, Sat 02-14 (make-up), Tue 02-24 .. Fri 02-27, Sat 02-28 (make-up).
    assert _deadline(_acceptance_clock()) == Deadline(
        due_date=date(2026, 2, 28), warning_date=date(2026, 2, 26), provisional=False
    )


def test_forty_five_working_days_of_mediation_with_a_testing_pause() -> None:
    rule = limit_for("complaint.mediation", received_on=date(2026, 3, 16))
    plain = StatutoryClock(rule=rule, start=date(2026, 3, 16))
    # Counted: 03-17..03-20, 03-23..03-27, 03-30..04-03, 04-07..04-10, 04-13..04-30
    # (Qingming 04-06 skipped), 05-06..05-09 (Labour Day skipped, Sat 05-09 make-up),
    # 05-11..05-15, 05-18..05-21 -> 45.
    assert _deadline(plain).due_date == date(2026, 5, 21)

    # The lab holds the sample Thu 03-26 .. Tue 04-07: 8 working days (03-26, 03-27,
    # 03-30 .. 04-03, 04-07) do not count; the weekends and Qingming inside add nothing.
    testing = Pause(PauseKind.TESTING, date(2026, 3, 26), date(2026, 4, 7))
    paused = StatutoryClock(rule=rule, start=date(2026, 3, 16), pauses=(testing,))
    assert _deadline(paused) == Deadline(
        due_date=date(2026, 6, 2), warning_date=date(2026, 5, 29), provisional=False
    )


def test_fifteen_plus_fifteen_working_days_of_lead_verification_across_national_day() -> None:
    received = date(2026, 9, 14)
    rule = limit_for("lead.verify", received_on=received)
    clock = StatutoryClock(rule=rule, start=received)
    # Counted: 09-15..09-18, Sun 09-20 (make-up), 09-21..09-24, 09-28..09-30,
    # 10-08, 10-09, Sat 10-10 (make-up) -> 15.
    assert _deadline(clock) == Deadline(
        due_date=date(2026, 10, 10), warning_date=date(2026, 10, 8), provisional=False
    )

    extension_rule = limit_for("lead.verify_extension", received_on=received)
    extension = approved_extension(
        extension_rule,
        approver="head of the county bureau",
        reason="the supplier is in another province",
        approved_on=date(2026, 10, 9),
    )
    assert (extension.length, extension.unit) == (15, Unit.WORKING_DAYS)
    assert extension.approver == "head of the county bureau"
    extended = StatutoryClock(rule=rule, start=received, extensions=(extension,))
    # Counted on from 10-10: 10-12..10-16, 10-19..10-23, 10-26..10-30 -> 15.
    assert _deadline(extended) == Deadline(
        due_date=date(2026, 10, 30), warning_date=date(2026, 10, 28), provisional=False
    )


def test_ninety_calendar_days_ending_on_a_holiday_move_to_the_next_working_day() -> None:
    opened = date(2026, 7, 7)
    rule = limit_for("case.decide", received_on=opened)
    # 07-08..07-31 = 24, August 31 -> 55, September 30 -> 85, 10-01..10-05 -> 90:
    # Mon 10-05 is a National Day holiday, so the period ends on Thu 10-08.
    # The warning falls two working days earlier, before the holiday: Tue 09-29.
    assert _deadline(StatutoryClock(rule=rule, start=opened)) == Deadline(
        due_date=date(2026, 10, 8), warning_date=date(2026, 9, 29), provisional=False
    )


def test_ninety_calendar_days_ending_on_a_weekend_or_a_make_up_workday() -> None:
    rule = limit_for("case.decide", received_on=date(2026, 3, 2))
    # 03-03..03-31 = 29, April -> 59, May -> 90: Sun 05-31, so Mon 06-01.
    assert _deadline(StatutoryClock(rule=rule, start=date(2026, 3, 2))).due_date == date(2026, 6, 1)
    # 06-23..06-30 = 8, July -> 39, August -> 70, 09-01..09-20 -> 90: Sun 09-20 is a
    # make-up workday, so the period ends on it.
    assert _deadline(StatutoryClock(rule=rule, start=date(2026, 6, 22))).due_date == date(
        2026, 9, 20
    )


def test_case_decision_with_a_hearing_pause_and_an_approved_extension() -> None:
    opened = date(2026, 7, 7)
    rule = limit_for("case.decide", received_on=opened)
    hearing = Pause(PauseKind.HEARING, date(2026, 8, 3), date(2026, 8, 7))
    extension = Extension(
        length=30,
        unit=Unit.CALENDAR_DAYS,
        approver="bureau head",
        reason="complex case",
        rule_key="case.decide_extension",
    )
    # 90 days would end on 10-05; five hearing days do not count: Sat 10-10, a make-up workday.
    paused = StatutoryClock(rule=rule, start=opened, pauses=(hearing,))
    assert _deadline(paused).due_date == date(2026, 10, 10)
    # 120 days: 10-05 + 30 = Wed 11-04.
    extended = StatutoryClock(rule=rule, start=opened, extensions=(extension,))
    assert _deadline(extended).due_date == date(2026, 11, 4)
    # Both: 10-10 + 30 = Mon 11-09.
    both = StatutoryClock(rule=rule, start=opened, pauses=(hearing,), extensions=(extension,))
    assert _deadline(both).due_date == date(2026, 11, 9)


def test_a_limit_reaching_into_2027_is_provisional() -> None:
    received = date(2026, 12, 21)
    lead = StatutoryClock(rule=limit_for("lead.verify", received_on=received), start=received)
    # 12-22..12-25, 12-28..12-31 = 8, then 2027 with weekends only: Fri 01-01 (New Year's
    # Day, not yet in the data), 01-04..01-08, 01-11 -> 15.
    assert _deadline(lead) == Deadline(
        due_date=date(2027, 1, 11), warning_date=date(2027, 1, 7), provisional=True
    )
    assert lead.reading(on=date(2026, 12, 22)).deadline.provisional is True

    # A limit that ends inside 2026 does not rely on 2027.
    accepted = date(2026, 12, 18)
    rule = limit_for("complaint.accept", received_on=accepted)
    assert _deadline(StatutoryClock(rule=rule, start=accepted)) == Deadline(
        due_date=date(2026, 12, 29), warning_date=date(2026, 12, 25), provisional=False
    )


# -- states -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "state", "left"),
    [
        (date(2026, 2, 12), ClockState.RUNNING, 7),
        (date(2026, 2, 13), ClockState.RUNNING, 6),
        (date(2026, 2, 20), ClockState.RUNNING, 5),  # a holiday: nothing was used
        (date(2026, 2, 25), ClockState.RUNNING, 3),
        (date(2026, 2, 26), ClockState.DUE_SOON, 2),
        (date(2026, 2, 28), ClockState.DUE_SOON, 0),
        (date(2026, 3, 1), ClockState.OVERDUE, 0),  # a Sunday after the due date
        (date(2026, 3, 2), ClockState.OVERDUE, -1),
        (date(2026, 3, 4), ClockState.OVERDUE, -3),
    ],
)
def test_states_of_the_acceptance_clock(on: date, state: ClockState, left: int) -> None:
    reading = _acceptance_clock().reading(on=on)
    assert (reading.state, reading.working_days_left) == (state, left)
    assert reading.deadline.due_date == date(2026, 2, 28)


def test_the_warning_is_configurable_in_working_days() -> None:
    # Five working days before Sat 02-28: 02-27, 02-26, 02-25, 02-24, then Sat 02-14.
    clock = _acceptance_clock(warning_working_days=5)
    assert _deadline(clock).warning_date == date(2026, 2, 14)
    assert clock.reading(on=date(2026, 2, 13)).state is ClockState.RUNNING
    assert clock.reading(on=date(2026, 2, 20)).state is ClockState.DUE_SOON


def test_met_in_time_and_met_late() -> None:
    in_time = _acceptance_clock(met_on=date(2026, 2, 25))
    before = in_time.reading(on=date(2026, 2, 24))
    assert (before.state, before.working_days_left) == (ClockState.RUNNING, 4)
    after = in_time.reading(on=date(2026, 2, 27))
    assert (after.state, after.met_in_time, after.working_days_left) == (
        ClockState.MET,
        True,
        None,
    )
    late = _acceptance_clock(met_on=date(2026, 3, 2)).reading(on=date(2026, 3, 5))
    assert (late.state, late.met_in_time) == (ClockState.MET, False)


def test_an_open_pause_stops_the_clock() -> None:
    rule = limit_for("complaint.mediation", received_on=date(2026, 3, 16))
    open_pause = Pause(PauseKind.TESTING, date(2026, 3, 26))
    clock = StatutoryClock(rule=rule, start=date(2026, 3, 16), pauses=(open_pause,))
    assert clock.deadline() is None

    # Before the pause starts it is not known yet: 7 of 45 used, due Thu 05-21.
    before = clock.reading(on=date(2026, 3, 25))
    assert (before.state, before.working_days_left) == (ClockState.RUNNING, 38)
    assert before.deadline.due_date == date(2026, 5, 21)

    # Paused since 03-26; if the result came on 04-01, counting resumes on 04-02:
    # 04-02, 04-03, 04-07..04-10, 04-13..04-30, 05-06..05-09, 05-11..05-22, 05-25..05-28.
    during = clock.reading(on=date(2026, 4, 1))
    assert (during.state, during.working_days_left) == (ClockState.PAUSED, 38)
    assert during.deadline.due_date == date(2026, 5, 28)

    closed = Pause(PauseKind.TESTING, date(2026, 3, 26), date(2026, 4, 7))
    resumed = StatutoryClock(rule=rule, start=date(2026, 3, 16), pauses=(closed,))
    after = resumed.reading(on=date(2026, 4, 8))
    assert (after.state, after.working_days_left) == (ClockState.RUNNING, 37)
    assert after.deadline.due_date == date(2026, 6, 2)


def test_a_pause_after_the_due_date_does_not_save_an_overdue_clock() -> None:
    received = date(2026, 9, 14)
    rule = limit_for("lead.verify", received_on=received)
    late_test = Pause(PauseKind.TESTING, date(2026, 10, 12))
    reading = StatutoryClock(rule=rule, start=received, pauses=(late_test,)).reading(
        on=date(2026, 10, 13)
    )
    assert (reading.state, reading.working_days_left) == (ClockState.OVERDUE, -2)
    assert reading.deadline.due_date == date(2026, 10, 10)


# -- refused input ------------------------------------------------------------------------------


def test_a_pause_the_regulation_does_not_allow_is_refused() -> None:
    testing = Pause(PauseKind.TESTING, date(2026, 2, 13), date(2026, 2, 24))
    with pytest.raises(PauseNotAllowed, match=r"'complaint\.accept'.*'testing'"):
        _acceptance_clock(pauses=(testing,))
    hearing = Pause(PauseKind.HEARING, date(2026, 9, 16), date(2026, 9, 17))
    with pytest.raises(PauseNotAllowed, match="hearing"):
        StatutoryClock(
            rule=limit_for("lead.verify", received_on=date(2026, 9, 14)),
            start=date(2026, 9, 14),
            pauses=(hearing,),
        )


def test_an_extension_the_regulation_does_not_allow_is_refused() -> None:
    extension = Extension(length=5, unit=Unit.WORKING_DAYS, approver="head", reason="busy")
    with pytest.raises(ExtensionNotAllowed, match="cannot be extended"):
        _acceptance_clock(extensions=(extension,))
    wrong: LimitRule = limit_for("case.decide_extension", received_on=date(2026, 9, 14))
    with pytest.raises(ExtensionNotAllowed, match=r"does not extend 'lead\.verify'"):
        StatutoryClock(
            rule=limit_for("lead.verify", received_on=date(2026, 9, 14)),
            start=date(2026, 9, 14),
            extensions=(
                approved_extension(wrong, approver="head", reason="x", approved_on=date.min),
            ),
        )


def test_impossible_dates_are_refused() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        Pause(PauseKind.TESTING, date(2026, 4, 7), date(2026, 3, 26))
    with pytest.raises(ValueError, match="before the clock starts"):
        _acceptance_clock().reading(on=date(2026, 2, 11))
    with pytest.raises(ValueError, match="before the start"):
        _acceptance_clock(met_on=date(2026, 2, 1))
    with pytest.raises(ValueError, match="at least one day"):
        Extension(length=0, unit=Unit.WORKING_DAYS, approver="head", reason="none")
