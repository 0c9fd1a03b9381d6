"""States and choices of a complaint."""

from __future__ import annotations

from enum import StrEnum


class ComplaintState(StrEnum):
    """Where a complaint stands on its ladder (merchant, company head, regulator)."""

    WITH_MERCHANT = "with_merchant"  # the store is to answer
    MERCHANT_ANSWERED = "merchant_answered"  # the diner accepts, or escalates
    WITH_HEAD = "with_head"  # 直通企业负责人: the chain HQ or the legal representative
    HEAD_ANSWERED = "head_answered"
    WITH_REGULATOR = "with_regulator"  # a case on the statutory clock
    RESOLVED = "resolved"  # the diner accepted an answer
    CLOSED = "closed"  # the regulator's case was closed


OPEN_STATES = frozenset(
    {
        ComplaintState.WITH_MERCHANT,
        ComplaintState.MERCHANT_ANSWERED,
        ComplaintState.WITH_HEAD,
        ComplaintState.HEAD_ANSWERED,
        ComplaintState.WITH_REGULATOR,
    }
)
FINISHED_STATES = frozenset({ComplaintState.RESOLVED, ComplaintState.CLOSED})


class ComplaintCategory(StrEnum):
    """What the problem is about."""

    FOREIGN_MATTER = "foreign_matter"  # 异物
    SPOILED_FOOD = "spoiled_food"  # 变质、过期
    ILLNESS = "illness"  # 食用后身体不适
    HYGIENE = "hygiene"  # 卫生环境
    PRICE = "price"  # 价格、计量
    SERVICE = "service"  # 服务态度
    OTHER = "other"


class DesiredOutcome(StrEnum):
    """What the diner wants."""

    APOLOGY = "apology"
    REFUND = "refund"
    COMPENSATION = "compensation"
    RECTIFICATION = "rectification"  # the store puts the problem right
    OTHER = "other"


class Party(StrEnum):
    """Who took a step on a complaint's timeline."""

    DINER = "diner"
    MERCHANT = "merchant"
    HEAD = "head"
    REGULATOR = "regulator"
    SYSTEM = "system"


class ComplaintStep(StrEnum):
    SUBMIT = "submit"
    ANSWER = "answer"
    ESCALATE_HEAD = "escalate_head"
    HEAD_ANSWER = "head_answer"
    ESCALATE_REGULATOR = "escalate_regulator"
    ACCEPT = "accept"
    RATE = "rate"
    OVERDUE = "overdue"
    INSURER_NOTIFIED = "insurer_notified"
    CASE_UPDATE = "case_update"
    CLOSE = "close"
