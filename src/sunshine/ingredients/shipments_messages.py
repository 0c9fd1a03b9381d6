"""What the caterer and the supplier are told about a shipment: the caterer's people when
goods are on their way, the supplier's when the caterer confirms or refuses them. Sent after
the transaction commits (:func:`notifications.service.notify`), in each reader's language."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from sunshine.auth import repository as auth_repo
from sunshine.auth.enums import Role
from sunshine.core.i18n import N_, ParamValue
from sunshine.ingredients.shipments_models import Shipment
from sunshine.notifications.enums import Channel
from sunshine.notifications.kinds import register_kind
from sunshine.notifications.service import notify

#: Who is told on each side: the people who record and confirm shipments.
BUSINESS_ROLES = frozenset({Role.ENTERPRISE_OWNER, Role.ENTERPRISE_MANAGER, Role.ENTERPRISE_STAFF})

ARRIVING = register_kind(
    "shipment.sent",
    subject=N_("Goods on their way from {supplier}: {product}"),
    body=N_(
        "{supplier} shipped {quantity} of {product} (batch {batch}) to {store}. Check the "
        "goods when they arrive and confirm the receipt in the enterprise portal."
    ),
    channels={Channel.EMAIL},
)
CONFIRMED = register_kind(
    "shipment.confirmed",
    subject=N_("{store} confirmed the receipt of {product}"),
    body=N_("{store} received {received} of the {quantity} shipped (batch {batch})."),
    channels={Channel.EMAIL},
)
REFUSED = register_kind(
    "shipment.refused",
    subject=N_("{store} refused the shipment of {product}"),
    body=N_("{store} refused {quantity} of {product} (batch {batch}): {reason}"),
    channels={Channel.EMAIL, Channel.SMS},
)


def _params(shipment: Shipment, supplier: str, store: str) -> dict[str, ParamValue]:
    return {
        "supplier": supplier,
        "store": store,
        "product": shipment.product_name,
        "quantity": f"{_qty(shipment.quantity)} {shipment.unit}",
        "batch": shipment.batch_number or _day(shipment),
    }


def sent(*, session: Session, shipment: Shipment, supplier: str, store: str) -> None:
    notify(
        session=session,
        kind=ARRIVING.key,
        recipients=auth_repo.business_user_ids(
            session, business_id=shipment.caterer_business_id, roles=BUSINESS_ROLES
        ),
        params=_params(shipment, supplier, store),
        link=f"/biz/shipments/{shipment.id}",
    )


def answered(*, session: Session, shipment: Shipment, supplier: str, store: str) -> None:
    params = _params(shipment, supplier, store)
    if shipment.received_quantity is None:
        kind = REFUSED.key
        params["reason"] = shipment.refusal_reason
    else:
        kind = CONFIRMED.key
        params["received"] = f"{_qty(shipment.received_quantity)} {shipment.unit}"
    notify(
        session=session,
        kind=kind,
        recipients=auth_repo.business_user_ids(
            session, business_id=shipment.supplier_business_id, roles=BUSINESS_ROLES
        ),
        params=params,
        link=f"/biz/shipments/{shipment.id}",
    )


def _day(shipment: Shipment) -> str:
    return shipment.production_date.isoformat() if shipment.production_date else ""


def _qty(value: Decimal) -> str:
    return format(value.normalize(), "f")
