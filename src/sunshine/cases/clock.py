"""Statutory clocks (法定期限计时): the due date, warning and state of one time limit.

How a period is counted (:data:`sunshine.cases.limits.PERIOD_COUNTING`):

* the start day (the day a submission or lead was received, or a case was opened) is not
  counted (期间开始之日不计算在内);
* a working-day limit counts working days (工作日) outside pauses;
* a calendar-day limit counts calendar days outside pauses, and when its last day is not a
  working day the period ends on the next working day (outside pauses);
* approved extensions (延长) are counted on, in their own unit, from the last counted day of
  the part before them (before any move to a working day);
* a pause (e.g. waiting for a laboratory result, 检测) covers ``start`` through ``end``
  inclusive; an open pause (``end=None``) covers every day from ``start``. While a pause is
  open the due date is not known: :meth:`StatutoryClock.deadline` gives ``None``, and
  :meth:`StatutoryClock.reading` assumes the pause ends on the day of the reading.

A due date that relies on a day of a year without an official holiday schedule is
``provisional`` (see :mod:`sunshine.cases.calendar`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sunshine.cases.calendar import add_workdays, is_provisional, is_workday
from sunshine.cases.limits import LimitRule, PauseKind, Unit

__all__ = [
    "ClockReading",
    "ClockState",
    "Deadline",
    "Extension",
    "ExtensionNotAllowed",
    "Pause",
    "PauseNotAllowed",
    "StatutoryClock",
    "approved_extension",
]

_ONE_DAY = timedelta(days=1)


class ClockState(StrEnum):
    """Where a time limit stands on a given day."""

    RUNNING = "running"
    PAUSED = "paused"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"


class PauseNotAllowed(ValueError):
    """The regulation does not stop this time limit for that kind of interval."""


class ExtensionNotAllowed(ValueError):
    """The regulation allows no such extension of this time limit."""


@dataclass(frozen=True)
class Pause:
    """An interval not counted in the time limit (不计入期限), ``start`` to ``end`` inclusive."""

    kind: PauseKind
    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"pause ends ({self.end}) before it starts ({self.start})")

    @property
    def is_open(self) -> bool:
        """Whether the pause has not ended yet."""
        return self.end is None

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls inside the pause."""
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, kw_only=True)
class Extension:
    """An approved extension (延长) of a time limit, as recorded: who approved it and why."""

    length: int
    unit: Unit
    approver: str
    reason: str
    approved_on: date | None = None
    rule_key: str | None = None

    def __post_init__(self) -> None:
        if self.length <= 0:
            raise ValueError(f"an extension must be at least one day, got {self.length}")


def approved_extension(
    rule: LimitRule, *, approver: str, reason: str, approved_on: date
) -> Extension:
    """The extension a rule such as ``lead.verify_extension`` allows, as approved."""
    return Extension(
        length=rule.length,
        unit=rule.unit,
        approver=approver,
        reason=reason,
        approved_on=approved_on,
        rule_key=rule.key,
    )


@dataclass(frozen=True, kw_only=True)
class Deadline:
    """The last day of the period, the day warnings start, and whether it may still move."""

    due_date: date
    warning_date: date
    provisional: bool


@dataclass(frozen=True, kw_only=True)
class ClockReading:
    """The clock on day ``on``.

    ``working_days_left`` counts the working days after ``on`` up to the due date outside
    pauses (negative: working days since the due date); ``None`` once the step is met.
    """

    on: date
    state: ClockState
    deadline: Deadline
    working_days_left: int | None = None
    met_in_time: bool | None = None


@dataclass(frozen=True, kw_only=True)
class StatutoryClock:
    """A statutory time limit (法定期限) running from ``start`` under ``rule``.

    ``met_on`` is the day the step was done (e.g. the acceptance decision), if it was.
    """

    rule: LimitRule
    start: date
    pauses: tuple[Pause, ...] = ()
    extensions: tuple[Extension, ...] = ()
    warning_working_days: int = 2
    met_on: date | None = None

    def __post_init__(self) -> None:
        _check_pauses(rule=self.rule, pauses=self.pauses)
        _check_extensions(rule=self.rule, extensions=self.extensions)
        if self.warning_working_days < 0:
            raise ValueError("warning_working_days cannot be negative")
        if self.met_on is not None and self.met_on < self.start:
            raise ValueError(f"met on {self.met_on}, before the start {self.start}")

    def deadline(self) -> Deadline | None:
        """The deadline, or ``None`` while a pause is open (the due date is not known)."""
        if any(pause.is_open for pause in self.pauses):
            return None
        return self._deadline(self.pauses)

    def reading(self, *, on: date) -> ClockReading:
        """The state, deadline and working days left on day ``on``."""
        if on < self.start:
            raise ValueError(f"{on} is before the clock starts ({self.start})")
        met_on = self.met_on if self.met_on is not None and self.met_on <= on else None
        pauses = _pauses_as_of(pauses=self.pauses, day=met_on or on)
        deadline = self._deadline(pauses)
        if met_on is not None:
            in_time = met_on <= deadline.due_date
            return ClockReading(on=on, state=ClockState.MET, deadline=deadline, met_in_time=in_time)
        paused = any(pause.covers(on) for pause in pauses)
        state = _state(on=on, deadline=deadline, paused=paused)
        left = _working_days_left(on=on, due=deadline.due_date, pauses=pauses)
        return ClockReading(on=on, state=state, deadline=deadline, working_days_left=left)

    def _deadline(self, pauses: Sequence[Pause]) -> Deadline:
        extensions = [(extension.length, extension.unit) for extension in self.extensions]
        parts = [(self.rule.length, self.rule.unit), *extensions]
        due, provisional = _period_end(start=self.start, parts=parts, pauses=pauses)
        warning = add_workdays(due, count=-self.warning_working_days)
        return Deadline(due_date=due, warning_date=warning, provisional=provisional)


def _check_pauses(*, rule: LimitRule, pauses: Sequence[Pause]) -> None:
    for pause in pauses:
        if pause.kind not in rule.paused_by:
            allowed = ", ".join(sorted(rule.paused_by)) or "nothing"
            raise PauseNotAllowed(
                f"time limit {rule.key!r} does not stop for {pause.kind.value!r} "
                f"(it stops for: {allowed})"
            )


def _check_extensions(*, rule: LimitRule, extensions: Sequence[Extension]) -> None:
    if extensions and rule.extension_key is None:
        raise ExtensionNotAllowed(f"time limit {rule.key!r} cannot be extended")
    for extension in extensions:
        if extension.rule_key is not None and extension.rule_key != rule.extension_key:
            raise ExtensionNotAllowed(
                f"{extension.rule_key!r} does not extend {rule.key!r} "
                f"(its extension is {rule.extension_key!r})"
            )


def _pauses_as_of(*, pauses: Sequence[Pause], day: date) -> tuple[Pause, ...]:
    """Open pauses taken as ending on ``day``; one that starts later is left out."""
    known = (pause for pause in pauses if not (pause.is_open and pause.start > day))
    return tuple(Pause(pause.kind, pause.start, day) if pause.is_open else pause for pause in known)


def _paused(day: date, *, pauses: Sequence[Pause]) -> bool:
    return any(pause.covers(day) for pause in pauses)


def _period_end(
    *, start: date, parts: Sequence[tuple[int, Unit]], pauses: Sequence[Pause]
) -> tuple[date, bool]:
    """The last day of a period of ``parts`` after ``start``, and whether it is provisional."""
    if any(pause.is_open for pause in pauses):
        raise ValueError("an open pause has no end: close it before counting")
    day, provisional = start, False
    for length, unit in parts:
        day, uncertain = _count(after=day, length=length, unit=unit, pauses=pauses)
        provisional = provisional or uncertain
    if parts[-1][1] is Unit.CALENDAR_DAYS:
        day, uncertain = _on_a_workday(day=day, pauses=pauses)
        provisional = provisional or uncertain
    return day, provisional


def _count(*, after: date, length: int, unit: Unit, pauses: Sequence[Pause]) -> tuple[date, bool]:
    """The ``length``-th countable day after ``after``, and whether that relied on a guess."""
    day, counted, provisional = after, 0, False
    while counted < length:
        day += _ONE_DAY
        if _paused(day, pauses=pauses):
            continue
        if unit is Unit.WORKING_DAYS:
            provisional = provisional or is_provisional(day)
            if not is_workday(day):
                continue
        counted += 1
    return day, provisional


def _on_a_workday(*, day: date, pauses: Sequence[Pause]) -> tuple[date, bool]:
    """``day`` if it is a working day outside pauses, else the next such day."""
    provisional = is_provisional(day)
    while _paused(day, pauses=pauses) or not is_workday(day):
        day += _ONE_DAY
        provisional = provisional or is_provisional(day)
    return day, provisional


def _working_days(*, after: date, until: date, pauses: Sequence[Pause]) -> int:
    """Working days in ``(after, until]`` outside pauses."""
    count, day = 0, after
    while day < until:
        day += _ONE_DAY
        if is_workday(day) and not _paused(day, pauses=pauses):
            count += 1
    return count


def _working_days_left(*, on: date, due: date, pauses: Sequence[Pause]) -> int:
    if on <= due:
        return _working_days(after=on, until=due, pauses=pauses)
    return -_working_days(after=due, until=on, pauses=())


def _state(*, on: date, deadline: Deadline, paused: bool) -> ClockState:
    if on > deadline.due_date:
        return ClockState.OVERDUE
    if paused:
        return ClockState.PAUSED
    if on >= deadline.warning_date:
        return ClockState.DUE_SOON
    return ClockState.RUNNING
