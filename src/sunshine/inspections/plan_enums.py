"""The vocabularies of inspection plans, 双随机 draws and inspection tasks."""

from __future__ import annotations

from enum import StrEnum


class RiskLevel(StrEnum):
    """Risk level (风险等级), lowest to highest (Order 49 art. 21; the 2016 办法)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class RuleStatus(StrEnum):
    """How a rule was checked (the legend of ``../shared/regulations/risk-grading.md``)."""

    VERIFIED = "verified"  # the article text was read
    CORROBORATED = "corroborated"  # several secondary sources agree; the text was not read
    UNVERIFIED = "unverified"  # a single secondary source, or an inference of ours


class DrawStatus(StrEnum):
    """A draw is made once and kept (never redrawn); publishing makes it public and turns
    each drawn business into an inspection task."""

    DRAWN = "drawn"
    PUBLISHED = "published"


class TaskSource(StrEnum):
    """Why an inspection task exists."""

    DRAW = "draw"  # a 双随机 draw
    CASE = "case"  # a case (complaint, report, lead) asks for an inspection


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"  # an inspection of the business by one of its inspectors fulfilled it
    CANCELLED = "cancelled"


class TaskQueue(StrEnum):
    """The task board's tabs."""

    MINE = "mine"  # open tasks the officer is one of the inspectors of
    OPEN = "open"  # open tasks of the jurisdiction (a station: its own)
    DUE = "due"  # open tasks due within a week or overdue
    DONE = "done"  # fulfilled or cancelled
