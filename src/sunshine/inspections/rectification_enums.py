"""The vocabularies of rectification orders (责令整改) and penalty decisions (行政处罚决定)."""

from __future__ import annotations

from enum import StrEnum


class OrderState(StrEnum):
    """Where a rectification order stands. Overdue (逾期未整改) is not a state: it is an open
    order whose deadline has passed (see ``rectification.public_status``)."""

    OPEN = "open"  # 整改中: waiting for the business's answer (again, after a rejection)
    ANSWERED = "answered"  # 已报告: the business answered; the regulator reviews it
    CLOSED = "closed"  # 已整改: accepted on desk review or by a compliant follow-up
    FILED = "filed"  # 已立案: turned into an enforcement case


#: The orders the business still works on or the regulator still reviews.
UNRESOLVED = frozenset({OrderState.OPEN, OrderState.ANSWERED})


class PublicStatus(StrEnum):
    """What the public store page says of an inspection's rectification."""

    IN_PROGRESS = "in_progress"  # 整改中
    RECTIFIED = "rectified"  # 已整改
    OVERDUE = "overdue"  # 逾期未整改
    FILED = "filed"  # 已立案


class ClosedBy(StrEnum):
    """How an order was closed."""

    DESK_REVIEW = "desk_review"  # 书面审查: the answer and its evidence were accepted
    FOLLOW_UP = "follow_up"  # 现场复查: a follow-up inspection found the business compliant


class AnswerOutcome(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class OrderEventKind(StrEnum):
    """What happened to an order (its timeline)."""

    ISSUE = "issue"  # issued with the inspection
    ANSWER = "answer"  # the business answered
    ACCEPT = "accept"  # desk review accepted the answer
    REJECT = "reject"  # desk review sent the answer back
    FOLLOW_UP_PASSED = "follow_up_passed"  # a compliant follow-up inspection closed it
    FOLLOW_UP_FAILED = "follow_up_failed"  # a follow-up found it not rectified
    FILE = "file"  # an enforcement case was filed (立案)
