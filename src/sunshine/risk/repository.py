"""Every query of risk signals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from sunshine.registry.models import Business
from sunshine.risk.enums import SignalKind, SignalSource, SubjectType
from sunshine.risk.models import RiskSignal


@dataclass(frozen=True)
class SignalFilter:
    """What a list of signals may be narrowed to (all optional)."""

    business_id: int | None = None
    source: SignalSource | None = None
    kind: SignalKind | None = None


def find_signal(
    session: Session, *, kind: SignalKind, subject_type: SubjectType, subject_id: int
) -> RiskSignal | None:
    """The signal of this kind about this record, if it was recorded (the unique key)."""
    stmt = select(RiskSignal).where(
        RiskSignal.kind == kind,
        RiskSignal.subject_type == subject_type,
        RiskSignal.subject_id == subject_id,
    )
    return session.execute(stmt).scalar_one_or_none()


def signals_of_business(
    session: Session, *, business_id: int, scope: ColumnElement[bool], limit: int
) -> Sequence[RiskSignal]:
    """A business's latest signals in ``scope``, the latest first."""
    stmt = (
        select(RiskSignal)
        .where(scope, RiskSignal.business_id == business_id)
        .order_by(RiskSignal.occurred_at.desc(), RiskSignal.id.desc())
        .limit(limit)
    )
    return session.execute(stmt).scalars().all()


def counts_by_kind(
    session: Session,
    *,
    business_id: int,
    scope: ColumnElement[bool],
    since: datetime,
    until: datetime | None = None,
) -> dict[SignalKind, tuple[int, int]]:
    """A business's signals in ``scope`` that occurred from ``since`` (until ``until``,
    excluded, when given): their count and summed weight by kind."""
    where = [scope, RiskSignal.business_id == business_id, RiskSignal.occurred_at >= since]
    if until is not None:
        where.append(RiskSignal.occurred_at < until)
    stmt = (
        select(RiskSignal.kind, func.count(RiskSignal.id), func.sum(RiskSignal.weight))
        .where(*where)
        .group_by(RiskSignal.kind)
    )
    return {kind: (int(n), int(weight or 0)) for kind, n, weight in session.execute(stmt)}


def page_signals(
    session: Session,
    *,
    scope: ColumnElement[bool],
    filters: SignalFilter,
    offset: int,
    limit: int,
) -> tuple[list[tuple[RiskSignal, str]], int]:
    """Signals in ``scope``, the latest first, with their business's name."""
    where = [scope, *_filters(filters)]
    total = session.execute(select(func.count()).select_from(RiskSignal).where(*where))
    stmt = (
        select(RiskSignal, Business.name)
        .join(Business, Business.id == RiskSignal.business_id)
        .where(*where)
        .order_by(RiskSignal.occurred_at.desc(), RiskSignal.id.desc())
        .offset(offset)
        .limit(limit)
    )
    rows = [(signal, name) for signal, name in session.execute(stmt)]
    return rows, int(total.scalar_one())


def _filters(filters: SignalFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.business_id is not None:
        where.append(RiskSignal.business_id == filters.business_id)
    if filters.source is not None:
        where.append(RiskSignal.source == filters.source)
    if filters.kind is not None:
        where.append(RiskSignal.kind == filters.kind)
    return where
