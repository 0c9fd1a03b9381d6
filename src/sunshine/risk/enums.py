"""The vocabularies of risk signals: where a signal comes from, what it says, and what it
is about."""

from __future__ import annotations

from enum import StrEnum


class SignalSource(StrEnum):
    """The domain that recorded a signal (sampling, inspections and complaints add theirs)."""

    KITCHEN = "kitchen"  # 阳光厨房: the kitchen cameras' alerts and their review


class SignalKind(StrEnum):
    """What a signal says; each kind belongs to one source (``weights.KIND_SOURCE``)."""

    # A regulator confirmed a behaviour alert of a kitchen camera (smoking, no mask, ...).
    KITCHEN_VIOLATION_CONFIRMED = "kitchen_violation_confirmed"
    # Enough confirmed alerts of one class in the window opened a lead case (线索).
    KITCHEN_REPEATED_VIOLATION = "kitchen_repeated_violation"


class SubjectType(StrEnum):
    """What kind of record a signal is about (its ``subject_id`` is that record's id)."""

    KITCHEN_ALERT = "kitchen_alert"
    CASE = "case"
