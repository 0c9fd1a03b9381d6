"""The risk-signal section (风险信号) of the government business page: what the template
shows, with the labels (msgids) and each signal's link to the record it is about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.cases import service as cases_service
from sunshine.risk import service as risk
from sunshine.risk.enums import SubjectType
from sunshine.risk.labels import SIGNAL_KIND_LABELS, SUBJECT_TYPE_LABELS

#: Where the government portal shows each kind of subject.
SUBJECT_PATHS = {
    SubjectType.KITCHEN_ALERT: "/gov/kitchen/alerts/{id}",
    SubjectType.CASE: "/gov/cases/{id}",
}


@dataclass(frozen=True)
class ShownCount:
    label: str  # msgid
    kind: str
    count: int
    weight: int


@dataclass(frozen=True)
class ShownSignal:
    occurred_at: datetime
    label: str  # msgid
    kind: str
    detail: str
    subject_label: str  # msgid
    subject_id: int
    href: str | None  # None: the record is outside what the regulator may open


@dataclass(frozen=True)
class RiskSection:
    since: date  # the first local day counted
    counts: Sequence[ShownCount]
    latest: Sequence[ShownSignal]
    total: int
    weight: int


def business_risk(*, session: Session, actor: Principal, business_id: int) -> RiskSection:
    """The section for a business the page has already shown to the regulator. A case may
    have been transferred outside the regulator's units: it is named without a link."""
    found = risk.business_signals(session=session, actor=actor, business_id=business_id)
    cases = cases_service.visible_case_ids(
        session=session,
        actor=actor,
        case_ids=[s.subject_id for s in found.latest if s.subject_type is SubjectType.CASE],
    )
    return RiskSection(
        since=found.since.date(),
        counts=[
            ShownCount(SIGNAL_KIND_LABELS[c.kind], c.kind.value, c.count, c.weight)
            for c in found.counts
        ],
        latest=[
            ShownSignal(
                occurred_at=s.occurred_at,
                label=SIGNAL_KIND_LABELS[s.kind],
                kind=s.kind.value,
                detail=s.detail,
                subject_label=SUBJECT_TYPE_LABELS[s.subject_type],
                subject_id=s.subject_id,
                href=(
                    SUBJECT_PATHS[s.subject_type].format(id=s.subject_id)
                    if s.subject_type is not SubjectType.CASE or s.subject_id in cases
                    else None
                ),
            )
            for s in found.latest
        ],
        total=found.total,
        weight=found.weight,
    )
