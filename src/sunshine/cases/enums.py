"""States, actions and kinds of cases (案件)."""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    RECEIVED = "received"  # 已接收
    ACCEPTED = "accepted"  # 已受理
    REJECTED = "rejected"  # 不予受理
    ASSIGNED = "assigned"  # 已分派
    VERIFYING = "verifying"  # 核查中
    HANDLED = "handled"  # 已处置
    REVIEWED = "reviewed"  # 已审核
    CLOSED = "closed"  # 已办结


class CaseAction(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    ASSIGN = "assign"
    START_VERIFYING = "start_verifying"
    HANDLE = "handle"
    REVIEW = "review"
    RETURN = "return"
    CLOSE = "close"
    TRANSFER = "transfer"
    ESCALATE = "escalate"
    REOPEN = "reopen"


class CaseKind(StrEnum):
    COMPLAINT = "complaint"  # 投诉: a consumer dispute, settled by mediation
    REPORT = "report"  # 举报: an enforcement lead from anyone
    LEAD = "lead"  # 线索: a finding of the platform itself (sampling, camera, ledger, ...)
    SAMPLING = "sampling"  # 抽检不合格核查处置: a failed sample, opened by the sampling service
    ENFORCEMENT = "enforcement"  # 立案查处: filed from a rectification order (inspections)
    RECALL = "recall"  # 批次召回: a lot recalled from its holders (traceability)
