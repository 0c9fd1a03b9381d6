"""What the holders of a recalled lot are told: each holder's owner and managers, by SMS
and email, when the recall is opened (sent after the transaction commits)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sunshine.auth import repository as auth_repo
from sunshine.auth.enums import Role
from sunshine.core.i18n import N_, Message
from sunshine.core.time import to_local
from sunshine.notifications.enums import Channel
from sunshine.notifications.kinds import register_kind
from sunshine.notifications.service import notify
from sunshine.traceability.recall_models import Recall

#: Who at a holder is told and acknowledges: those who run the store.
HOLDER_ROLES = frozenset({Role.ENTERPRISE_OWNER, Role.ENTERPRISE_MANAGER})

RECALLED = register_kind(
    "recall.opened",
    subject=N_("Batch recall {reference}: {product}, batch {batch}"),
    body=N_(
        "Your business received batch {batch} of {product}, which is recalled: {reason} "
        "Stop using it, keep it apart, and acknowledge the recall by {deadline} in the "
        "enterprise portal, then report what you kept, destroyed or returned."
    ),
    channels={Channel.EMAIL, Channel.SMS},
)


def holders_told(*, session: Session, recall: Recall, business_ids: list[int]) -> None:
    deadline = to_local(recall.acknowledge_by).strftime("%Y-%m-%d %H:%M")
    for business_id in business_ids:
        notify(
            session=session,
            kind=RECALLED.key,
            recipients=auth_repo.business_user_ids(
                session, business_id=business_id, roles=HOLDER_ROLES
            ),
            params={
                "reference": recall.reference,
                "product": recall.product_label,
                "batch": recall.batch,
                "reason": recall.reason,
                "deadline": deadline,
            },
            link=f"/biz/recalls/{recall.id}",
            case_id=recall.case_id,
        )


ALL_ACKNOWLEDGED = N_("every holder has acknowledged it.")
CLOSED = register_kind(
    "recall.closed",
    subject=N_("Batch recall {reference} closed: {product}, batch {batch}"),
    body=N_(
        "The regulator has closed the recall of batch {batch} of {product}: {reason} "
        "Keep your records of what you kept, destroyed or returned."
    ),
    channels={Channel.EMAIL, Channel.SMS},
)


def holders_told_closed(*, session: Session, recall: Recall, business_ids: list[int]) -> None:
    """Each holder learns the recall is over (and why, when it closed before every holder
    had acknowledged it)."""
    for business_id in business_ids:
        notify(
            session=session,
            kind=CLOSED.key,
            recipients=auth_repo.business_user_ids(
                session, business_id=business_id, roles=HOLDER_ROLES
            ),
            params={
                "reference": recall.reference,
                "product": recall.product_label,
                "batch": recall.batch,
                "reason": recall.close_reason or Message(ALL_ACKNOWLEDGED),
            },
            link=f"/biz/recalls/{recall.id}",
            case_id=recall.case_id,
        )
