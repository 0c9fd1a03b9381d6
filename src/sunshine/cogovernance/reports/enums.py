"""Choices of a whistleblower report."""

from __future__ import annotations

from enum import StrEnum


class ReportCategory(StrEnum):
    """What the lead is about (the food-safety violations reporters most often see)."""

    UNLICENSED = "unlicensed"  # 无证经营、超范围经营
    EXPIRED_OR_SPOILED = "expired_or_spoiled"  # 过期、腐败变质食品
    ILLEGAL_ADDITIVES = "illegal_additives"  # 非法添加、滥用添加剂
    UNSAFE_SOURCES = "unsafe_sources"  # 来源不明、无票据原料
    HYGIENE = "hygiene"  # 卫生条件差、鼠患虫害
    STAFF_HEALTH = "staff_health"  # 无健康证上岗
    FRAUD = "fraud"  # 虚假宣传、以假充真
    OTHER = "other"


class WhistleblowerGroup(StrEnum):
    """Registered groups whose verified members' reports are handled first."""

    JOURNALIST = "journalist"  # 新闻记者
    TEACHER = "teacher"  # 教师
    STUDENT = "student"  # 学生
    RIDER = "rider"  # 外卖骑手


class ProfileStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REVOKED = "revoked"


class RewardStatus(StrEnum):
    NOT_ELIGIBLE = "not_eligible"
    CALCULATED = "calculated"  # waiting for approval (and the finance bureau, when needed)
    APPROVED = "approved"
    PAID = "paid"
