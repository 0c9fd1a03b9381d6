"""Recording risk signals, and reading them back for regulators.

Each domain records the facts the risk grading counts through :func:`record_signal`, in
the transaction of the change that produced them (the caller commits). Recording is
idempotent: one signal per kind and subject, so a retried job, a service that passes the
same point twice, or a demo seeded again adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth.principal import Principal
from sunshine.core.errors import (
    ConflictError,
    FieldProblem,
    NotFoundError,
    ValidationFailed,
)
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import SHANGHAI, today_local, utc_now
from sunshine.inspections.hygiene_rules import add_months
from sunshine.registry.models import Business
from sunshine.risk import repository as repo
from sunshine.risk.access import require_reader, signal_condition
from sunshine.risk.enums import SignalKind, SignalSource, SubjectType
from sunshine.risk.models import RiskSignal
from sunshine.risk.weights import KIND_SOURCE, WEIGHTS

DETAIL_LIMIT = 200
#: A fact may be stamped a little ahead of the server's clock (a camera's worker on another
#: machine); beyond this it is a mistake, not clock drift.
CLOCK_SKEW = timedelta(minutes=5)
#: The business page shows this many of the latest signals.
LATEST = 10


def record_signal(
    *,
    session: Session,
    actor: Principal,
    business_id: int,
    source: SignalSource | str,
    kind: SignalKind | str,
    subject_type: SubjectType | str,
    subject_id: int,
    detail: str,
    occurred_at: datetime,
) -> RiskSignal:
    """Record that ``kind`` happened at the business, about the record ``subject_type``
    ``subject_id``, with a short ``detail`` (Chinese, data) and its weight from
    :mod:`sunshine.risk.weights`. The signal already recorded for that kind and subject is
    returned as it is (nothing new, nothing audited). Refused whole, listing every problem,
    when the input is not right; 404 for an unknown business; 409 when the subject's
    signal was recorded for another business."""
    checked = _check(source, kind, subject_type, subject_id, detail, occurred_at)
    business = session.get(Business, business_id)
    if business is None:
        raise NotFoundError(N_("No such business"))
    found = repo.find_signal(
        session, kind=checked.kind, subject_type=checked.subject_type, subject_id=subject_id
    )
    if found is None:
        found, created = _insert(session, business, checked, subject_id)
        if created:
            _audit(session, actor, found)
    if found.business_id != business.id:
        raise ConflictError(N_("This record's risk signal belongs to another business."))
    return found


@dataclass(frozen=True)
class _Checked:
    source: SignalSource
    kind: SignalKind
    subject_type: SubjectType
    detail: str
    occurred_at: datetime
    recorded_at: datetime


def _check(
    source: SignalSource | str,
    kind: SignalKind | str,
    subject_type: SubjectType | str,
    subject_id: int,
    detail: str,
    occurred_at: datetime,
) -> _Checked:
    problems: list[FieldProblem] = []
    source_value = _member(SignalSource, source, "source", problems)
    kind_value = _member(SignalKind, kind, "kind", problems)
    subject_value = _member(SubjectType, subject_type, "subject_type", problems)
    if (
        source_value is not None
        and kind_value is not None
        and KIND_SOURCE[kind_value] is not source_value
    ):
        problems.append(FieldProblem("kind", N_("this kind of signal comes from another source")))
    if isinstance(subject_id, bool) or not isinstance(subject_id, int) or subject_id < 1:
        problems.append(FieldProblem("subject_id", N_("a record's id is a positive number")))
    text = " ".join((detail or "").split())
    if not text:
        problems.append(FieldProblem("detail", N_("Required"), code="required"))
    elif len(text) > DETAIL_LIMIT:
        problems.append(
            FieldProblem("detail", N_("At most {limit} characters"), params={"limit": DETAIL_LIMIT})
        )
    now = utc_now()
    if occurred_at.tzinfo is None:
        problems.append(FieldProblem("occurred_at", N_("times must be aware (UTC)")))
    elif occurred_at > now + CLOCK_SKEW:
        problems.append(FieldProblem("occurred_at", N_("this time is in the future")))
    if problems:
        raise ValidationFailed(problems)
    assert source_value is not None and kind_value is not None and subject_value is not None
    return _Checked(source_value, kind_value, subject_value, text, occurred_at, now)


_E = TypeVar("_E", SignalSource, SignalKind, SubjectType)


def _member(enum: type[_E], value: _E | str, field: str, problems: list[FieldProblem]) -> _E | None:
    try:
        return enum(value)
    except ValueError:
        problems.append(
            FieldProblem(field, N_("unknown value {value}"), params={"value": str(value)[:40]})
        )
        return None


def _insert(
    session: Session, business: Business, checked: _Checked, subject_id: int
) -> tuple[RiskSignal, bool]:
    """The new signal and True, or the one a concurrent transaction recorded and False."""
    signal = RiskSignal(
        business_id=business.id,
        province_code=business.province_code,
        prefecture_code=business.prefecture_code,
        county_code=business.county_code,
        township_code=business.township_code,
        source=checked.source,
        kind=checked.kind,
        subject_type=checked.subject_type,
        subject_id=subject_id,
        detail=checked.detail,
        weight=WEIGHTS[checked.kind],
        occurred_at=checked.occurred_at,
        recorded_at=checked.recorded_at,
    )
    try:
        # A savepoint: when a concurrent transaction recorded the same fact first, the
        # unique key refuses this row and theirs is the one to return.
        with session.begin_nested():
            session.add(signal)
            session.flush()
    except IntegrityError:
        found = repo.find_signal(
            session, kind=checked.kind, subject_type=checked.subject_type, subject_id=subject_id
        )
        if found is None:
            raise
        return found, False
    return signal, True


def _audit(session: Session, actor: Principal, signal: RiskSignal) -> None:
    audit.record(
        session=session,
        actor=actor,
        action="risk_signal.record",
        entity_type="risk_signal",
        entity_id=signal.id,
        after={
            "business_id": signal.business_id,
            "source": signal.source.value,
            "kind": signal.kind.value,
            "subject_type": signal.subject_type.value,
            "subject_id": signal.subject_id,
            "detail": signal.detail,
            "weight": signal.weight,
            "occurred_at": signal.occurred_at.isoformat(),
        },
    )


# Reading ------------------------------------------------------------------------------------


def list_signals(
    *, session: Session, actor: Principal, filters: repo.SignalFilter, page: PageRequest
) -> Page[tuple[RiskSignal, str]]:
    """The signals a regulator may see, the latest first, with their business's name."""
    require_reader(actor)
    rows, total = repo.page_signals(
        session,
        scope=signal_condition(actor),
        filters=filters,
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=rows, total=total, request=page)


@dataclass(frozen=True)
class KindCount:
    kind: SignalKind
    count: int
    weight: int


@dataclass(frozen=True)
class BusinessSignals:
    """A business's signals as its government page shows them: the count and weight of
    each kind since ``since`` (the last 12 months, local days) and the latest ones."""

    since: datetime
    counts: Sequence[KindCount]
    latest: Sequence[RiskSignal]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.counts)

    @property
    def weight(self) -> int:
        return sum(c.weight for c in self.counts)


def business_signals(*, session: Session, actor: Principal, business_id: int) -> BusinessSignals:
    """The risk-signal section of a business's page, for a regulator (nothing of a
    business outside the regulator's jurisdiction)."""
    require_reader(actor)
    scope = signal_condition(actor)
    # The same 12 months as the hygiene rating's annual grade: from the day after this day
    # a year ago, local time.
    start = add_months(today_local(), -12) + timedelta(days=1)
    since = datetime.combine(start, time.min, tzinfo=SHANGHAI)
    found = repo.counts_by_kind(session, business_id=business_id, scope=scope, since=since)
    counts = [KindCount(kind, *found.get(kind, (0, 0))) for kind in SignalKind]
    latest = repo.signals_of_business(session, business_id=business_id, scope=scope, limit=LATEST)
    return BusinessSignals(since=since, counts=counts, latest=latest)
