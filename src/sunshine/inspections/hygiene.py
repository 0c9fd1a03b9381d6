"""The catering hygiene rating (餐饮服务食品安全量化分级): each inspection's score and
dynamic grade (动态等级, a face), and a store's annual grade (年度等级, A / B / C).

A listener (see :mod:`sunshine.inspections.hooks`) scores every inspection as it is
recorded, in the same transaction; :func:`backfill_scores` scores those recorded before
(or imported without it) and ``sunshine hygiene backfill`` runs it. Inspections made with
a checklist that no scoring table numbers (the 2022 draft), of a business the table does
not cover (not a caterer), or that did not answer every scored item (a flying inspection)
get no score. The rules and their sources are in :mod:`sunshine.inspections.hygiene_rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth.principal import Principal
from sunshine.core.cache import invalidate_after_commit
from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.core.time import today_local
from sunshine.inspections import hooks
from sunshine.inspections import hygiene_repository as repo
from sunshine.inspections import hygiene_rules as rules
from sunshine.inspections.hygiene_models import (
    AnnualGrade,
    HygieneGrade,
    HygieneScore,
    NoGradeReason,
)
from sunshine.inspections.models import Inspection
from sunshine.registry import repository as registry_repo
from sunshine.registry.enums import BusinessCategory
from sunshine.registry.models import Business
from sunshine.registry.public import changes_by_date, store_cache_keys

GRADE_LABELS = {
    HygieneGrade.EXCELLENT: N_("Excellent (big smile)"),
    HygieneGrade.GOOD: N_("Good (smile)"),
    HygieneGrade.AVERAGE: N_("Average (straight face)"),
}
ANNUAL_LABELS = {
    AnnualGrade.A: N_("A (excellent)"),
    AnnualGrade.B: N_("B (good)"),
    AnnualGrade.C: N_("C (average)"),
}
NO_GRADE_LABELS = {
    NoGradeReason.BELOW_MINIMUM: N_("No grade: the score is under 60"),
    NoGradeReason.KEY_ITEMS: N_("No grade: two or more key items failed"),
    NoGradeReason.NEW_LICENCE: N_("No grade yet: within 3 months of a new licence"),
}
BACKFILL_BATCH = 500


def score_inspection(
    *, session: Session, actor: Principal, inspection: Inspection
) -> HygieneScore | None:
    """Score ``inspection`` by its checklist's table and store the row (None: no table,
    no column for the business, or not every scored item answered). Scoring again
    returns the stored row: a score never changes once given."""
    stored = repo.get_score(session, inspection.id)
    if stored is not None:
        return stored
    version = repo.checklist_version(session, inspection.checklist_id)
    table = rules.table_for(*version) if version else None
    business = session.get(Business, inspection.business_id)
    if table is None or business is None:
        return None
    column = table.column_for(business.form, business.scale)
    if column is None:
        return None
    result = rules.score(table, column, repo.item_outcomes(session, inspection.id))
    if result is None:
        return None
    grade, reason = rules.dynamic_grade(
        table,
        result,
        inspected_on=inspection.inspected_on,
        licence_issued_on=business.licence_issue_date,
    )
    row = HygieneScore(
        inspection_id=inspection.id,
        business_id=business.id,
        inspected_on=inspection.inspected_on,
        table_code=table.code,
        column=column,
        achieved_points=result.achieved,
        applicable_points=result.applicable,
        score_tenths=result.tenths,
        key_failed=result.key_failed,
        grade=grade,
        no_grade_reason=reason,
    )
    session.add(row)
    session.flush()
    # The store page shows the rating: its cached copies go (the backfill needs it; the
    # recording service drops them too).
    invalidate_after_commit(session, *store_cache_keys(business.public_code))
    audit.record(
        session=session,
        actor=actor,
        action="hygiene.score",
        entity_type="inspection",
        entity_id=inspection.id,
        after={
            "table": table.code,
            "column": column,
            "score": result.value,
            "grade": grade.value if grade else None,
            "no_grade_reason": reason.value if reason else None,
        },
    )
    return row


@hooks.listen
def _on_recorded(session: Session, actor: Principal, inspection: Inspection) -> None:
    score_inspection(session=session, actor=actor, inspection=inspection)


@dataclass(frozen=True)
class Backfilled:
    examined: int
    scored: int
    last_id: int


def backfill_scores(
    *,
    session: Session,
    actor: Principal,
    after_id: int = 0,
    limit: int = BACKFILL_BATCH,
    business_id: int | None = None,
) -> Backfilled:
    """Score up to ``limit`` unscored inspections with ids above ``after_id`` (call again
    with ``last_id`` until ``examined`` is 0; the command line commits each batch)."""
    ids = repo.unscored_inspection_ids(
        session, after_id=after_id, limit=limit, business_id=business_id
    )
    scored = 0
    for inspection_id in ids:
        inspection = session.get(Inspection, inspection_id)
        if inspection is not None and score_inspection(
            session=session, actor=actor, inspection=inspection
        ):
            scored += 1
    return Backfilled(examined=len(ids), scored=scored, last_id=ids[-1] if ids else after_id)


def backfill_all(*, session: Session, actor: Principal, business_id: int | None = None) -> int:
    """Score every unscored inspection in one transaction (the demo, tests); returns how
    many got a score."""
    total, after = 0, 0
    while True:
        done = backfill_scores(
            session=session, actor=actor, after_id=after, business_id=business_id
        )
        if done.examined == 0:
            return total
        total, after = total + done.scored, done.last_id


@dataclass(frozen=True)
class HygieneRating:
    """What a store page shows: the dynamic grade of the latest scored inspection and the
    annual grade of the last 12 months."""

    score: float
    grade: HygieneGrade | None
    no_grade_reason: NoGradeReason | None
    inspected_on: date
    annual: AnnualGrade | None
    annual_score: float | None
    annual_count: int
    annual_since: date
    table_code: str


def business_rating(
    *, session: Session, business_id: int, today: date | None = None
) -> HygieneRating | None:
    """The rating of a business (None: no scored inspection). Callers show it only where
    the business itself may be seen (a store page is public; the regulator's page is
    scoped before it asks)."""
    today = today or today_local()
    latest = repo.latest_score(session, business_id)
    if latest is None:
        return None
    table = next((t for t in rules.tables() if t.code == latest.table_code), None)
    months = table.annual_months if table else 12
    since = rules.add_months(today, -months) + timedelta(days=1)
    recent = repo.scores_since(session, business_id, since)
    annual, mean = (
        rules.annual_grade(table, [s.score_tenths for s in recent]) if table else (None, None)
    )
    return HygieneRating(
        score=latest.score,
        grade=latest.grade,
        no_grade_reason=latest.no_grade_reason,
        inspected_on=latest.inspected_on,
        annual=annual,
        annual_score=mean / 10 if mean is not None else None,
        annual_count=len(recent),
        annual_since=since,
        table_code=latest.table_code,
    )


@changes_by_date
def _next_annual_change(session: Session, business_id: int, today: date) -> date | None:
    """The day the annual grade on the store page changes by date alone: when the oldest
    score it counts leaves the 12 months."""
    since = rules.add_months(today, -12) + timedelta(days=1)
    oldest = repo.oldest_score_since(session, business_id, since)
    return rules.add_months(oldest, 12) if oldest else None


@dataclass(frozen=True)
class StoreScores:
    """The public page of a store's rating: its scores of the last 12 months."""

    code: str
    name: str
    scores: list[HygieneScore]


def _public_store(session: Session, code: str) -> tuple[int, str, str]:
    """The (id, code, name) of the store with this QR code; only caterers have pages."""
    row = registry_repo.public_store(session, code.strip().upper())
    if row is None or row.category is not BusinessCategory.CATERER:
        raise NotFoundError(N_("No store has this code."))
    return int(row.id), str(row.public_code), str(row.name)


def store_rating(*, session: Session, code: str) -> HygieneRating | None:
    """The rating the store page shows (404 for unknown codes)."""
    business_id, _, _ = _public_store(session, code)
    return business_rating(session=session, business_id=business_id)


def store_scores(*, session: Session, code: str, today: date | None = None) -> StoreScores:
    """The store's scores of the last 12 months, the latest first (404 for unknown codes)."""
    business_id, public_code, name = _public_store(session, code)
    since = rules.add_months(today or today_local(), -12) + timedelta(days=1)
    scores = list(repo.scores_since(session, business_id, since))
    return StoreScores(public_code, name, scores)
