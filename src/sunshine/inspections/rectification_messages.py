"""What the business and the inspectors are told as a rectification order moves: the
business when the order is issued and when its answer is reviewed, the inspectors when the
business answers. Sent after the transaction commits (:func:`notifications.service.notify`),
in each reader's language."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sunshine.auth import repository as auth_repo
from sunshine.auth.enums import Role
from sunshine.core.i18n import N_
from sunshine.inspections import repository as inspections_repo
from sunshine.inspections.rectification_models import RectificationOrder
from sunshine.notifications.enums import Channel
from sunshine.notifications.kinds import register_kind
from sunshine.notifications.service import notify
from sunshine.registry.models import Business

#: Who at the business is told: those who answer an order.
BUSINESS_ROLES = frozenset({Role.ENTERPRISE_OWNER, Role.ENTERPRISE_MANAGER})

ORDERED = register_kind(
    "rectification.ordered",
    subject=N_("Rectification order {reference}: put it right by {deadline}"),
    body=N_(
        "The inspection of {store} on {day} found {count} problem(s). Put them right by "
        "{deadline} and answer the order with photos or documents in the enterprise portal."
    ),
    channels={Channel.EMAIL, Channel.SMS},
)
ANSWERED = register_kind(
    "rectification.answered",
    subject=N_("Rectification order {reference} answered"),
    body=N_("{store} answered the order. Review the evidence: accept it or send it back."),
    channels={Channel.EMAIL},
)
ACCEPTED = register_kind(
    "rectification.accepted",
    subject=N_("Rectification order {reference} closed"),
    body=N_("The regulator accepted your answer: the order is closed."),
    channels={Channel.EMAIL, Channel.SMS},
)
SENT_BACK = register_kind(
    "rectification.sent_back",
    subject=N_("Rectification order {reference} sent back"),
    body=N_("The regulator asks for more: {reason} Answer again by {deadline}."),
    channels={Channel.EMAIL, Channel.SMS},
)


def _business_users(session: Session, order: RectificationOrder) -> list[int]:
    return auth_repo.business_user_ids(session, business_id=order.business_id, roles=BUSINESS_ROLES)


def _store(session: Session, order: RectificationOrder) -> str:
    business = session.get(Business, order.business_id)
    return business.name if business else ""


def order_issued(*, session: Session, order: RectificationOrder, problems: int) -> None:
    notify(
        session=session,
        kind=ORDERED.key,
        recipients=_business_users(session, order),
        params={
            "reference": order.reference,
            "store": _store(session, order),
            "day": order.issued_on.isoformat(),
            "count": problems,
            "deadline": order.rectify_by.isoformat(),
        },
        link=f"/biz/rectification/{order.id}",
    )


def order_answered(*, session: Session, order: RectificationOrder) -> None:
    """To the officers of the inspection that set the order."""
    notify(
        session=session,
        kind=ANSWERED.key,
        recipients=inspections_repo.inspector_ids(session, order.inspection_id),
        params={"reference": order.reference, "store": _store(session, order)},
        link=f"/gov/rectification/{order.id}",
    )


def answer_reviewed(
    *, session: Session, order: RectificationOrder, accepted: bool, reason: str
) -> None:
    kind = ACCEPTED if accepted else SENT_BACK
    notify(
        session=session,
        kind=kind.key,
        recipients=_business_users(session, order),
        params={"reference": order.reference}
        if accepted
        else {
            "reference": order.reference,
            "reason": reason,
            "deadline": order.rectify_by.isoformat(),
        },
        link=f"/biz/rectification/{order.id}",
    )
