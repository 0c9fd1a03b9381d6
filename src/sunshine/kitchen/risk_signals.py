"""What Sunshine Kitchen tells the risk grading (风险信号): each confirmed behaviour alert,
and each lead case opened for repeated confirmed violations of one class. Recorded in the
review's transaction through :func:`sunshine.risk.service.record_signal` (idempotent)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.cases.models import Case
from sunshine.kitchen.alert_models import KitchenAlert
from sunshine.kitchen.camera_models import KitchenCamera
from sunshine.kitchen.enums import AlertClass
from sunshine.kitchen.labels import zh_class
from sunshine.risk import service as risk
from sunshine.risk.enums import SignalKind, SignalSource, SubjectType
from sunshine.risk.models import RiskSignal


def violation_confirmed(*, session: Session, actor: Principal, alert: KitchenAlert) -> RiskSignal:
    """A regulator confirmed the behaviour alert: a signal about the alert, dated when the
    behaviour was seen."""
    camera = session.get(KitchenCamera, alert.camera_id)
    where = camera.name if camera is not None else f"摄像头 #{alert.camera_id}"
    return risk.record_signal(
        session=session,
        actor=actor,
        business_id=alert.business_id,
        source=SignalSource.KITCHEN,
        kind=SignalKind.KITCHEN_VIOLATION_CONFIRMED,
        subject_type=SubjectType.KITCHEN_ALERT,
        subject_id=alert.id,
        detail=f"智能预警经确认：{zh_class(alert.alert_class)} · {where}",
        occurred_at=alert.started_at,
    )


def repeated_violation(
    *,
    session: Session,
    actor: Principal,
    case: Case,
    alert_class: AlertClass,
    confirmed: Sequence[KitchenAlert],
    window_days: int,
) -> RiskSignal:
    """A lead case was opened for ``confirmed`` (alerts of one class in the window): a
    signal about the case, dated when the last of them was seen."""
    return risk.record_signal(
        session=session,
        actor=actor,
        business_id=case.business_id if case.business_id is not None else confirmed[0].business_id,
        source=SignalSource.KITCHEN,
        kind=SignalKind.KITCHEN_REPEATED_VIOLATION,
        subject_type=SubjectType.CASE,
        subject_id=case.id,
        detail=(
            f"{window_days} 天内经确认的“{zh_class(alert_class)}”智能预警 "
            f"{len(confirmed)} 次，已立线索 {case.reference}"
        ),
        occurred_at=max(a.started_at for a in confirmed),
    )
