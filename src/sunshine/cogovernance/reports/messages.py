"""What a reporter and a reported business are told (and what they are not).

The notice to the business says only that the regulator is verifying a matter concerning it:
no category, no date of the report, no words or photos from it, so the reporter cannot be
inferred (O20 Art. 33; 食品安全法 Art. 115).
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from sunshine.auth import repository as auth_repo
from sunshine.auth.enums import Role
from sunshine.cases.enums import CaseAction
from sunshine.cases.models import Case
from sunshine.cogovernance.reports.models import Report
from sunshine.core import crypto
from sunshine.core.i18n import N_, Message
from sunshine.notifications.enums import Channel
from sunshine.notifications.kinds import register_kind
from sunshine.notifications.service import Contact, Recipient, notify

RECEIVED = register_kind(
    "report.received",
    subject=N_("Report received: {code}"),
    body=N_("Thank you. Your report went to the responsible office. Follow it with {code}."),
    channels=(Channel.EMAIL, Channel.SMS),
)
DECISION = register_kind(
    "report.decision",
    subject=N_("Report {code}: {decision}"),
    body=N_("The market supervision office has {decision} on your report {code}."),
    channels=(Channel.EMAIL, Channel.SMS),
)
BUSINESS_NOTICE = register_kind(
    "report.business_notice",
    subject=N_("Notice of verification"),
    body=N_(
        "The market supervision office is verifying a matter concerning your business. An "
        "officer may contact you or visit; please cooperate and keep the relevant records."
    ),
    channels=(Channel.EMAIL,),
)

DECISIONS = {
    CaseAction.ACCEPT: N_("opened a case"),
    CaseAction.REJECT: N_("decided not to open a case"),
    CaseAction.CLOSE: N_("closed the case"),
}
_BUSINESS_ROLES = frozenset({Role.ENTERPRISE_OWNER, Role.ENTERPRISE_MANAGER})


def report_received(*, session: Session, report: Report, phone: str) -> None:
    notify(
        session=session,
        kind=RECEIVED.key,
        recipients=[Contact(phone=phone)],
        params={"code": report.receipt_code},
        link=f"/track?code={report.receipt_code}",
    )


def reporter_told(*, session: Session, report: Report, case: Case, action: CaseAction) -> None:
    """Only a real-name reporter is told; an anonymous one looks it up by receipt code."""
    recipients = _reporter(report)
    if not recipients:
        return
    notify(
        session=session,
        kind=DECISION.key,
        recipients=recipients,
        params={"code": report.receipt_code, "decision": Message(DECISIONS[action])},
        link=f"/track?code={report.receipt_code}",
    )


def _reporter(report: Report) -> list[Recipient]:
    if report.user_id is not None:
        return [report.user_id]
    if report.identity_ciphertext is None:
        return []
    identity = json.loads(crypto.decrypt(report.identity_ciphertext))
    if not (identity.get("phone") or identity.get("email")):
        return []
    return [Contact(phone=identity.get("phone") or None, email=identity.get("email") or None)]


def business_told_of_verification(*, session: Session, business_id: int, case: Case) -> None:
    # No link: a business never sees a case file. ``case_id`` only puts the notice on the
    # case's timeline for its handlers; the business's inbox does not show it.
    notify(
        session=session,
        kind=BUSINESS_NOTICE.key,
        recipients=auth_repo.business_user_ids(
            session, business_id=business_id, roles=_BUSINESS_ROLES
        ),
        params={},
        case_id=case.id,
    )
