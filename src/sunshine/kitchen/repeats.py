"""Repeated confirmed violations become a case: ``kitchen_case_threshold`` confirmed alerts of
one class at one business within ``kitchen_case_window_days`` open one lead case (线索) in the
case engine, routed to the office responsible for the business; later confirmed alerts of
that class join it while it is not closed. Each link is an alert action and audited.

Risk signals: opening the lead case records one ``kitchen_repeated_violation`` signal
about the case (:func:`sunshine.kitchen.risk_signals.repeated_violation`); an alert joining
an open case adds none, its own confirmation having recorded a
``kitchen_violation_confirmed`` signal already.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth.principal import Principal
from sunshine.cases import service as cases
from sunshine.cases.enums import CaseKind, CaseState
from sunshine.cases.models import Case
from sunshine.config import get_settings
from sunshine.core.time import to_local, today_local, utc_now
from sunshine.kitchen import repository as repo
from sunshine.kitchen.alert_models import KitchenAlert, KitchenAlertAction
from sunshine.kitchen.enums import AlertAction
from sunshine.kitchen.labels import ALERT_CLASS_LABELS, zh_class
from sunshine.kitchen.risk_signals import repeated_violation
from sunshine.registry.models import Business


def case_for_repeats(*, session: Session, actor: Principal, alert: KitchenAlert) -> Case | None:
    """Open one lead case when the business has enough confirmed alerts of this class in
    the window, or add the alert to the case already open for them."""
    settings = get_settings()
    since = utc_now() - timedelta(days=settings.kitchen_case_window_days)
    confirmed = repo.confirmed_alerts(
        session, business_id=alert.business_id, alert_class=alert.alert_class, since=since
    )
    for other in confirmed:
        if other.case_id is None:
            continue
        case = session.get(Case, other.case_id)
        if case is not None and case.state is not CaseState.CLOSED:
            _link(session, actor, [alert], case)
            return case
    if len(confirmed) < settings.kitchen_case_threshold:
        return None
    business = session.get(Business, alert.business_id)
    assert business is not None
    label = ALERT_CLASS_LABELS[alert.alert_class]
    # The case file is data the handlers read, in Chinese like the rest of it.
    lines = [
        f"- {to_local(a.started_at).strftime('%Y-%m-%d %H:%M')} 摄像头 #{a.camera_id}"
        f"（预警 #{a.id}，置信度 {a.confidence if a.confidence is not None else '-'}）"
        for a in confirmed
    ]
    summary = "\n".join(
        [
            f"{business.name}：{settings.kitchen_case_window_days} 天内经确认的"
            f"“{zh_class(alert.alert_class)}”智能预警 {len(confirmed)} 次（{label}）。",
            *lines,
        ]
    )
    case = cases.open_case(
        session=session,
        actor=actor,
        draft=cases.CaseDraft(
            kind=CaseKind.LEAD,
            title=f"阳光厨房重复违规：{business.name}（{zh_class(alert.alert_class)}）"[:200],
            summary=summary,
            business_id=business.id,
            received_on=today_local(),
        ),
    )
    _link(session, actor, list(confirmed), case)
    audit.record(
        session=session,
        actor=actor,
        action="kitchen_alert.open_case",
        entity_type="case",
        entity_id=case.id,
        after={
            "business_id": business.id,
            "alert_class": alert.alert_class.value,
            "alerts": [a.id for a in confirmed],
            "case_reference": case.reference,
        },
    )
    repeated_violation(
        session=session,
        actor=actor,
        case=case,
        alert_class=alert.alert_class,
        confirmed=confirmed,
        window_days=settings.kitchen_case_window_days,
    )
    return case


def _link(session: Session, actor: Principal, alerts: Sequence[KitchenAlert], case: Case) -> None:
    for alert in alerts:
        if alert.case_id == case.id:
            continue
        alert.case_id = case.id
        session.add(
            KitchenAlertAction(
                alert_id=alert.id,
                actor_id=actor.user_id,
                actor_label=actor.label[:80],
                action=AlertAction.LINK_CASE,
                note=case.reference,
                at=utc_now(),
            )
        )
        audit.record(
            session=session,
            actor=actor,
            action="kitchen_alert.link_case",
            entity_type="kitchen_alert",
            entity_id=alert.id,
            after={"case_id": case.id, "case_reference": case.reference},
        )
    session.flush()
