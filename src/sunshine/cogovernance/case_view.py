"""What the case page shows of the co-governance side of a case: the complaint or report
behind it, and the notifications sent about it (part of its audited timeline)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from sunshine.auth import repository as users_repo
from sunshine.auth.principal import Principal
from sunshine.cases import notes as case_notes
from sunshine.cases import repository as cases_repo
from sunshine.cases import service as cases
from sunshine.cogovernance.complaints import repository as complaints_repo
from sunshine.cogovernance.reports import repository as reports_repo
from sunshine.core import evidence
from sunshine.core.evidence_models import EvidenceFile
from sunshine.core.i18n import N_
from sunshine.notifications import repository as notifications_repo
from sunshine.notifications.enums import Channel, DeliveryStatus
from sunshine.notifications.models import Notification

#: How the case page names channels and delivery states (msgids; the template translates).
CHANNEL_LABELS = {Channel.EMAIL: N_("Email"), Channel.SMS: N_("SMS")}
STATUS_LABELS = {
    DeliveryStatus.PENDING: N_("waiting to be sent"),
    DeliveryStatus.SENT: N_("sent"),
    DeliveryStatus.FAILED: N_("failed"),
    DeliveryStatus.SKIPPED: N_("not sent"),
}


@dataclass(frozen=True)
class SentNotice:
    """A notification about the case: to whom (an account's name, or a masked address),
    what it said, and how each channel fared."""

    notification: Notification
    recipient: str
    channels: list[tuple[str, str]]  # (channel label, status label), msgids


@dataclass(frozen=True)
class CaseSide:
    behind: str | None  # "complaint" | "report" | None (opened by a regulator)
    notices: list[SentNotice]
    note_files: dict[int, list[EvidenceFile]]  # event id -> files of that note


def case_side(*, session: Session, actor: Principal, case_id: int) -> CaseSide:
    """For a case the actor may see (404 otherwise)."""
    case = cases.get_case(session=session, actor=actor, case_id=case_id)
    behind = None
    if complaints_repo.by_case(session, case.id) is not None:
        behind = "complaint"
    elif reports_repo.by_case(session, case.id) is not None:
        behind = "report"
    notes = notifications_repo.notifications_of_case(session, case.id)
    names = {
        user.id: user.display_name
        for user in users_repo.users_by_ids(
            session, {n.recipient_user_id for n in notes if n.recipient_user_id is not None}
        )
    }
    notices = [
        SentNotice(
            notification=n,
            recipient=names.get(n.recipient_user_id or 0) or n.contact_hint or "",
            channels=[(CHANNEL_LABELS[d.channel], STATUS_LABELS[d.status]) for d in n.deliveries],
        )
        for n in notes
    ]
    note_ids = [e.id for e in cases_repo.events_of(session, case.id) if e.action == "note"]
    files = evidence.files_of(session, owner_type=case_notes.OWNER, owner_ids=note_ids)
    return CaseSide(behind=behind, notices=notices, note_files=files)
