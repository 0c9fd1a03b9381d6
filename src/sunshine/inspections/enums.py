"""The vocabularies of checklists and inspections."""

from __future__ import annotations

from enum import StrEnum


class ChecklistStatus(StrEnum):
    """Where a checklist version stands: only the active one is used for new inspections."""

    DRAFT = "draft"  # loaded for reading; incomplete or not yet in force
    ACTIVE = "active"  # the version new inspections use
    RETIRED = "retired"  # replaced; inspections made with it keep it


class ItemOutcome(StrEnum):
    """The outcome of one checklist item (检查结果: 是 / 否 / 合理缺项)."""

    PASS = "pass"  # noqa: S105 - 是 / 符合, not a password
    FAIL = "fail"  # 否 / 不符合
    NOT_APPLICABLE = "not_applicable"  # 合理缺项


class InspectionResult(StrEnum):
    """The result of an inspection, derived from its items by the checklist's rule."""

    COMPLIANT = "compliant"  # 符合
    BASICALLY_COMPLIANT = "basically_compliant"  # 基本符合
    NONCOMPLIANT = "noncompliant"  # 不符合


class InspectionKind(StrEnum):
    """The kinds of supervision inspection (SAMR Order 49 art. 2, 日常、飞行、体系检查), and
    the follow-ups the case engine and rectification ask for."""

    ROUTINE = "routine"  # 日常监督检查
    FLYING = "flying"  # 飞行检查: may cover only some items (Order 49 art. 27)
    SYSTEM = "system"  # 体系检查
    FOLLOW_UP = "follow_up"  # 复查: after a rectification order
    COMPLAINT = "complaint"  # 投诉举报核查: driven by a complaint, report or case
