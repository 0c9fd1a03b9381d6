"""What the business and its regulators are told about kitchen alerts: a new alert (the
business's owner and managers, and the officers of its township station and county bureau),
a camera that stopped showing the kitchen (the business), and the regulator's decision (the
business). Sent after the transaction commits, in each reader's language."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sunshine.auth import repository as auth_repo
from sunshine.core.i18n import N_, Message, ParamValue
from sunshine.core.time import to_local
from sunshine.kitchen import repository as repo
from sunshine.kitchen.access import ANSWERING_ROLES
from sunshine.kitchen.alert_models import KitchenAlert
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.enums import AlertKind, AlertStatus
from sunshine.kitchen.labels import ALERT_CLASS_LABELS, ALERT_KIND_LABELS
from sunshine.notifications.enums import Channel
from sunshine.notifications.kinds import register_kind
from sunshine.notifications.service import notify
from sunshine.registry.models import Business

RAISED = register_kind(
    "kitchen.alert_raised",
    subject=N_("Kitchen alert at {store}: {what}"),
    body=N_(
        "Camera {camera} saw {what} at {time} ({kind}). Look at the snapshot and the clip, "
        "and answer the alert: acknowledge, rectify or explain."
    ),
    channels={Channel.EMAIL},
)
CAMERA_DOWN = register_kind(
    "kitchen.camera_down",
    subject=N_("Kitchen camera {camera} at {store}: {what}"),
    body=N_("Since {time} the camera does not show the kitchen: {detail} Please put it right."),
    channels={Channel.EMAIL},
)
REVIEWED = register_kind(
    "kitchen.alert_reviewed",
    subject=N_("Kitchen alert at {store} reviewed: {outcome}"),
    body=N_("The regulator reviewed the alert {what} of {time}: {outcome}. {note}"),
    channels={Channel.EMAIL},
)
OUTCOMES = {
    AlertStatus.CONFIRMED: N_("violation confirmed"),
    AlertStatus.FALSE_ALARM: N_("false alarm"),
}


def _when(alert: KitchenAlert) -> str:
    return to_local(alert.started_at).strftime("%Y-%m-%d %H:%M")


def _business_users(session: Session, business_id: int) -> list[int]:
    return auth_repo.business_user_ids(session, business_id=business_id, roles=ANSWERING_ROLES)


def alert_raised(
    *, session: Session, alert: KitchenAlert, camera: KitchenCamera, business: Business
) -> None:
    """A behaviour alert: the business, and the officers who supervise it."""
    params: dict[str, ParamValue] = {
        "store": business.name,
        "camera": camera.name,
        "what": Message(ALERT_CLASS_LABELS[alert.alert_class]),
        "kind": Message(ALERT_KIND_LABELS[alert.kind]),
        "time": _when(alert),
    }
    notify(
        session=session,
        kind=RAISED.key,
        recipients=_business_users(session, business.id),
        params=params,
        link=f"/biz/kitchen/alerts/{alert.id}",
    )
    if alert.kind is AlertKind.HEALTH:
        return
    officers = repo.regulator_ids_for_place(
        session, region_codes=[business.township_code or "", business.county_code or ""]
    )
    notify(
        session=session,
        kind=RAISED.key,
        recipients=officers,
        params=params,
        link=f"/gov/kitchen/alerts/{alert.id}",
    )


def camera_down(
    *,
    session: Session,
    alert: KitchenAlert,
    camera: KitchenCamera,
    business: Business,
    detail: str,
) -> None:
    notify(
        session=session,
        kind=CAMERA_DOWN.key,
        recipients=_business_users(session, business.id),
        params={
            "store": business.name,
            "camera": camera.name,
            "what": Message(ALERT_CLASS_LABELS[alert.alert_class]),
            "time": _when(alert),
            "detail": detail or "-",
        },
        link=f"/biz/kitchen/alerts/{alert.id}",
    )


def alert_reviewed(*, session: Session, alert: KitchenAlert, business: Business) -> None:
    notify(
        session=session,
        kind=REVIEWED.key,
        recipients=_business_users(session, business.id),
        params={
            "store": business.name,
            "what": Message(ALERT_CLASS_LABELS[alert.alert_class]),
            "time": _when(alert),
            "outcome": Message(OUTCOMES[alert.status]),
            "note": alert.review_note or "",
        },
        link=f"/biz/kitchen/alerts/{alert.id}",
    )
