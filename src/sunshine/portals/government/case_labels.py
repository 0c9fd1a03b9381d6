"""English labels (msgids) of the case engine's values for the government portal's case
pages; templates translate them (``_(case_label(value))``)."""

from __future__ import annotations

from enum import StrEnum

from sunshine.cases.enums import CaseAction, CaseKind, CaseState
from sunshine.cases.limits import PauseKind, SourceStatus, Unit
from sunshine.core.i18n import N_

QUEUES = {
    "open": N_("Open"),
    "due_soon": N_("Due soon"),
    "overdue": N_("Overdue"),
    "mine": N_("Mine"),
    "closed": N_("Closed cases"),
}

#: English labels (msgids) of the case engine's values; templates translate them.
CASE_LABELS: dict[StrEnum, str] = {
    CaseKind.COMPLAINT: N_("Complaint"),
    CaseKind.REPORT: N_("Report"),
    CaseKind.LEAD: N_("Lead"),
    CaseKind.SAMPLING: N_("Failed sample"),
    CaseKind.ENFORCEMENT: N_("Enforcement case"),
    CaseKind.RECALL: N_("Batch recall"),
    CaseState.RECEIVED: N_("Received"),
    CaseState.ACCEPTED: N_("Accepted"),
    CaseState.REJECTED: N_("Rejected"),
    CaseState.ASSIGNED: N_("Assigned"),
    CaseState.VERIFYING: N_("Verifying"),
    CaseState.HANDLED: N_("Handled"),
    CaseState.REVIEWED: N_("Reviewed"),
    CaseState.CLOSED: N_("Case closed"),
    CaseAction.ACCEPT: N_("Accept"),
    CaseAction.REJECT: N_("Reject"),
    CaseAction.ASSIGN: N_("Assign"),
    CaseAction.START_VERIFYING: N_("Start verifying"),
    CaseAction.HANDLE: N_("Record the handling"),
    CaseAction.REVIEW: N_("Approve the handling"),
    CaseAction.RETURN: N_("Return for more verification"),
    CaseAction.CLOSE: N_("Close the case"),
    CaseAction.TRANSFER: N_("Transfer to another office"),
    CaseAction.ESCALATE: N_("Escalate to the supervising office"),
    CaseAction.REOPEN: N_("Reopen"),
    PauseKind.TESTING: N_("Testing, inspection or appraisal"),
    PauseKind.RIGHTS_HOLDER_CHECK: N_("Identification by the rights holder"),
    PauseKind.SUSPENSION: N_("Suspension of the investigation"),
    PauseKind.HEARING: N_("Hearing"),
    PauseKind.PUBLIC_NOTICE: N_("Public notice"),
    PauseKind.REFUND_ORDER: N_("Order to refund overcharges"),
    SourceStatus.VERIFIED: N_("Checked against the full text"),
    SourceStatus.PRESS: N_("From official news or a summary"),
    SourceStatus.UNVERIFIED: N_("Not yet checked against the text"),
}

#: What each event on a timeline says happened (past tense).
EVENT_LABELS = {
    "receive": N_("Received"),
    "accept": N_("Accepted"),
    "reject": N_("Rejected"),
    "assign": N_("Assigned"),
    "start_verifying": N_("Verification started"),
    "handle": N_("Handling recorded"),
    "review": N_("Handling approved"),
    "return": N_("Returned for more verification"),
    "close": N_("Case closed"),
    "transfer": N_("Transferred"),
    "escalate": N_("Escalated"),
    "reopen": N_("Reopened"),
    "warn": N_("Deadline warning"),
    "overdue": N_("Found overdue"),
    "pause": N_("Clock stopped"),
    "resume": N_("Clock restarted"),
    "extend": N_("Time limit extended"),
    "view_sensitive": N_("Sensitive data viewed"),
    "note": N_("Note"),
    "reward_assess": N_("Reward calculated"),
    "reward_approve": N_("Reward approved"),
    "reward_payout": N_("Reward paid"),
}

#: What each statutory clock is for.
LIMIT_LABELS = {
    "complaint.accept": N_("Decide whether to accept the complaint"),
    "complaint.mediation": N_("Mediate the complaint"),
    "complaint.lead_verify": N_("Verify the lead in the complaint"),
    "complaint.lead_verify_extension": N_("Extension of the verification"),
    "lead.verify": N_("Verify the lead and decide whether to open a case"),
    "lead.verify_extension": N_("Extension of the verification"),
    "case.decide": N_("Decide the case"),
    "case.decide_extension": N_("Extension of the decision"),
    "sampling.verify": N_("Verify and dispose of the failed sample"),
    "sampling.verify_extension": N_("Extension of the verification"),
}

UNIT_LABELS = {Unit.WORKING_DAYS: N_("{n} working days"), Unit.CALENDAR_DAYS: N_("{n} days")}


def case_label(value: object) -> str:
    """The English label (a msgid) of a value of the case engine, or the value itself."""
    if isinstance(value, StrEnum) and value in CASE_LABELS:
        return CASE_LABELS[value]
    if isinstance(value, str) and value in EVENT_LABELS:
        return EVENT_LABELS[value]
    return str(value)
