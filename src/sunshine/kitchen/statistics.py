"""Kitchen alert statistics: counts by business, area, class, kind, status, day and week, and
each camera's false-alarm rate, over the alerts the principal may see.

Days are the local day an alert started (``started_on``), so the counts are the same on
SQLite and PostgreSQL; weeks (Monday first) are summed from the days.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.core.errors import FieldProblem, ForbiddenError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.time import today_local
from sunshine.kitchen import repository as repo
from sunshine.kitchen.access import alert_condition
from sunshine.kitchen.alert_models import KitchenAlert

DEFAULT_DAYS = 30
MAX_DAYS = 366
TOP_BUSINESSES = 20


@dataclass(frozen=True)
class Tally:
    """``count`` alerts of ``key`` (an area, class, kind, status or ISO day)."""

    key: str
    count: int


@dataclass(frozen=True)
class BusinessTally:
    business_id: int
    business_name: str
    alerts: int
    confirmed: int


CameraFalseAlarms = repo.CameraReviews


@dataclass(frozen=True)
class KitchenStatistics:
    since: date
    until: date
    total: int
    by_area: list[Tally]
    by_class: list[Tally]
    by_kind: list[Tally]
    by_status: list[Tally]
    by_day: list[Tally]
    by_week: list[Tally]  # key: the Monday of the week
    by_business: list[BusinessTally]
    false_alarms: list[CameraFalseAlarms]


def kitchen_statistics(
    *,
    session: Session,
    actor: Principal,
    since: date | None = None,
    until: date | None = None,
    business_id: int | None = None,
) -> KitchenStatistics:
    """The alerts ``actor`` may see that started between ``since`` and ``until`` (local
    days, inclusive; the last 30 days by default), of one business when given."""
    if not (actor.is_regulator or actor.is_enterprise):
        raise ForbiddenError(N_("Kitchen statistics are for regulators and businesses."))
    until = until or today_local()
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise ValidationFailed([FieldProblem("since", N_("the period starts after it ends"))])
    if (until - since).days >= MAX_DAYS:
        raise ValidationFailed(
            [FieldProblem("since", N_("at most {days} days at once"), params={"days": MAX_DAYS})]
        )
    scope = alert_condition(actor)
    if business_id is not None:
        scope = scope & (KitchenAlert.business_id == business_id)

    def tallies(column: object) -> list[Tally]:
        rows = repo.counts_by(session, scope=scope, since=since, until=until, columns=[column])
        return [Tally(_key(value), int(count)) for value, count in rows]

    by_day = tallies(KitchenAlert.started_on)
    weeks: Counter[str] = Counter()
    for tally in by_day:
        day = date.fromisoformat(tally.key)
        weeks[(day - timedelta(days=day.weekday())).isoformat()] += tally.count
    return KitchenStatistics(
        since=since,
        until=until,
        total=sum(t.count for t in by_day),
        by_area=tallies(KitchenAlert.area),
        by_class=tallies(KitchenAlert.alert_class),
        by_kind=tallies(KitchenAlert.kind),
        by_status=tallies(KitchenAlert.status),
        by_day=by_day,
        by_week=[Tally(key, weeks[key]) for key in sorted(weeks)],
        by_business=[
            BusinessTally(*row)
            for row in repo.counts_by_business(
                session, scope=scope, since=since, until=until, limit=TOP_BUSINESSES
            )
        ],
        false_alarms=repo.review_counts_by_camera(session, scope=scope, since=since, until=until),
    )


def _key(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "value", value))
