"""Every query of sampling plans, tasks, samples and their test items."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from sunshine.regions.enums import RegionLevel
from sunshine.registry.models import Business
from sunshine.sampling.enums import (
    Conclusion,
    ProductCategory,
    SampleStatus,
    TaskStatus,
    Verdict,
)
from sunshine.sampling.models import (
    Sample,
    SampleItem,
    SamplingPlan,
    SamplingTarget,
    SamplingTask,
)

# -- samples -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleFilter:
    """The filters of the regulators' sample list."""

    year: int | None = None
    status: SampleStatus | None = None
    conclusion: Conclusion | None = None
    category: ProductCategory | None = None
    text: str | None = None  # product, batch, reference or business name
    business_id: int | None = None


def _filtered(scope: ColumnElement[bool], filters: SampleFilter) -> list[ColumnElement[bool]]:
    where = [scope]
    if filters.year is not None:
        where.append(
            Sample.sampled_on.between(date(filters.year, 1, 1), date(filters.year, 12, 31))
        )
    if filters.status is not None:
        where.append(Sample.status == filters.status)
    if filters.conclusion is not None:
        where.append(Sample.conclusion == filters.conclusion)
    if filters.category is not None:
        where.append(Sample.category == filters.category)
    if filters.business_id is not None:
        where.append(Sample.business_id == filters.business_id)
    if filters.text:
        like = f"%{filters.text}%"
        where.append(
            or_(
                Sample.product_name.like(like),
                Sample.batch_number.like(like),
                Sample.reference == filters.text.upper(),
                Sample.sampling_number == filters.text,
                Sample.business_id.in_(select(Business.id).where(Business.name.like(like))),
            )
        )
    return where


def page_samples(
    session: Session,
    *,
    scope: ColumnElement[bool],
    filters: SampleFilter,
    offset: int,
    limit: int,
) -> tuple[list[tuple[Sample, str]], int]:
    """Samples with their business's name, the latest sampled first."""
    where = _filtered(scope, filters)
    stmt = (
        select(Sample, Business.name)
        .join(Business, Business.id == Sample.business_id)
        .where(*where)
        .order_by(Sample.sampled_on.desc(), Sample.id.desc())
        .offset(offset)
        .limit(limit)
    )
    total = session.execute(select(func.count()).select_from(Sample).where(*where)).scalar_one()
    return [(sample, name) for sample, name in session.execute(stmt)], int(total)


def get_sample(session: Session, *, sample_id: int, scope: ColumnElement[bool]) -> Sample | None:
    stmt = select(Sample).where(Sample.id == sample_id, scope)
    return session.execute(stmt).scalar_one_or_none()


def sample_of_case(session: Session, *, case_id: int, scope: ColumnElement[bool]) -> Sample | None:
    stmt = select(Sample).where(Sample.case_id == case_id, scope)
    return session.execute(stmt).scalar_one_or_none()


def items_of(session: Session, sample_id: int) -> Sequence[SampleItem]:
    stmt = select(SampleItem).where(SampleItem.sample_id == sample_id)
    return session.execute(stmt.order_by(SampleItem.position)).scalars().all()


def failed_items_of(session: Session, sample_ids: Sequence[int]) -> dict[int, list[SampleItem]]:
    """The failed items of several samples at once (one query), in their order."""
    if not sample_ids:
        return {}
    stmt = (
        select(SampleItem)
        .where(SampleItem.sample_id.in_(list(sample_ids)), SampleItem.verdict == Verdict.FAIL)
        .order_by(SampleItem.sample_id, SampleItem.position)
    )
    found: dict[int, list[SampleItem]] = {}
    for item in session.execute(stmt).scalars():
        found.setdefault(item.sample_id, []).append(item)
    return found


def reference_exists(session: Session, reference: str) -> bool:
    return (
        session.execute(select(Sample.id).where(Sample.reference == reference)).first() is not None
    )


def taken_sampling_numbers(session: Session, numbers: Sequence[str]) -> set[str]:
    """Which of these sampling-form numbers are already recorded."""
    if not numbers:
        return set()
    stmt = select(Sample.sampling_number).where(Sample.sampling_number.in_(list(numbers)))
    return {number for number in session.execute(stmt).scalars() if number}


def published_samples(
    session: Session, *, business_id: int, offset: int, limit: int
) -> tuple[Sequence[Sample], int]:
    """A business's completed samples (the public ones), the latest sampled first."""
    where = (Sample.business_id == business_id, Sample.status == SampleStatus.COMPLETED)
    stmt = (
        select(Sample)
        .where(*where)
        .order_by(Sample.sampled_on.desc(), Sample.id.desc())
        .offset(offset)
        .limit(limit)
    )
    total = session.execute(select(func.count()).select_from(Sample).where(*where)).scalar_one()
    return session.execute(stmt).scalars().all(), int(total)


# -- statistics --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    """How many completed samples (or items) there were and how many failed."""

    key: str
    tested: int
    failed: int


def _year(year: int) -> ColumnElement[bool]:
    return Sample.sampled_on.between(date(year, 1, 1), date(year, 12, 31))


_FAILED_SAMPLE = func.sum(case((Sample.conclusion == Conclusion.UNQUALIFIED, 1), else_=0))


def rates_by_category(session: Session, *, scope: ColumnElement[bool], year: int) -> list[RateRow]:
    stmt = (
        select(Sample.category, func.count(), _FAILED_SAMPLE)
        .where(scope, _year(year), Sample.status == SampleStatus.COMPLETED)
        .group_by(Sample.category)
    )
    return [
        RateRow(str(ProductCategory(k)), int(n), int(f or 0)) for k, n, f in session.execute(stmt)
    ]


def rates_by_area(
    session: Session, *, scope: ColumnElement[bool], year: int, level: RegionLevel
) -> list[RateRow]:
    column: Any = getattr(Sample, f"{level.value}_code")
    stmt = (
        select(column, func.count(), _FAILED_SAMPLE)
        .where(scope, _year(year), Sample.status == SampleStatus.COMPLETED)
        .group_by(column)
    )
    return [RateRow(k or "", int(n), int(f or 0)) for k, n, f in session.execute(stmt)]


def rates_by_item(
    session: Session, *, scope: ColumnElement[bool], year: int, limit: int
) -> list[RateRow]:
    """Test items by how often they failed (then by how often they were tested)."""
    failed = func.sum(case((SampleItem.verdict == Verdict.FAIL, 1), else_=0))
    stmt = (
        select(SampleItem.name, func.count(), failed)
        .join(Sample, Sample.id == SampleItem.sample_id)
        .where(scope, _year(year), Sample.status == SampleStatus.COMPLETED)
        .group_by(SampleItem.name)
        .order_by(failed.desc(), func.count().desc(), SampleItem.name)
        .limit(limit)
    )
    return [RateRow(k, int(n), int(f or 0)) for k, n, f in session.execute(stmt)]


def status_counts(
    session: Session, *, scope: ColumnElement[bool], year: int
) -> dict[SampleStatus, int]:
    stmt = select(Sample.status, func.count()).where(scope, _year(year)).group_by(Sample.status)
    return {SampleStatus(s): int(n) for s, n in session.execute(stmt)}


# -- plans and tasks ---------------------------------------------------------------------------


def plans(
    session: Session, *, scope: ColumnElement[bool], year: int | None
) -> Sequence[SamplingPlan]:
    stmt = select(SamplingPlan).where(scope)
    if year is not None:
        stmt = stmt.where(SamplingPlan.year == year)
    return session.execute(stmt.order_by(SamplingPlan.year.desc(), SamplingPlan.id)).scalars().all()


def get_plan(session: Session, *, plan_id: int, scope: ColumnElement[bool]) -> SamplingPlan | None:
    stmt = select(SamplingPlan).where(SamplingPlan.id == plan_id, scope)
    return session.execute(stmt).scalar_one_or_none()


def targets_of(session: Session, plan_ids: Sequence[int]) -> dict[int, list[SamplingTarget]]:
    if not plan_ids:
        return {}
    stmt = select(SamplingTarget).where(SamplingTarget.plan_id.in_(list(plan_ids)))
    found: dict[int, list[SamplingTarget]] = {}
    for target in session.execute(stmt.order_by(SamplingTarget.plan_id)).scalars():
        found.setdefault(target.plan_id, []).append(target)
    return found


def taken_by_plan(
    session: Session, *, plan_ids: Sequence[int], scope: ColumnElement[bool]
) -> dict[tuple[int, ProductCategory], int]:
    """Samples taken for each plan and category (within the viewer's scope)."""
    if not plan_ids:
        return {}
    stmt = (
        select(Sample.plan_id, Sample.category, func.count())
        .where(Sample.plan_id.in_(list(plan_ids)), scope)
        .group_by(Sample.plan_id, Sample.category)
    )
    return {
        (int(plan or 0), ProductCategory(category)): int(n)
        for plan, category, n in session.execute(stmt)
    }


def tasks(
    session: Session,
    *,
    scope: ColumnElement[bool],
    plan_id: int | None = None,
    status: TaskStatus | None = None,
    limit: int = 500,
) -> list[tuple[SamplingTask, str]]:
    """Sampling tasks with their business's name, the soonest due first."""
    stmt = select(SamplingTask, Business.name).join(
        Business, Business.id == SamplingTask.business_id
    )
    stmt = stmt.where(scope)
    if plan_id is not None:
        stmt = stmt.where(SamplingTask.plan_id == plan_id)
    if status is not None:
        stmt = stmt.where(SamplingTask.status == status)
    stmt = stmt.order_by(SamplingTask.due_on, SamplingTask.id).limit(limit)
    return [(task, name) for task, name in session.execute(stmt)]


def get_task(session: Session, *, task_id: int, scope: ColumnElement[bool]) -> SamplingTask | None:
    stmt = select(SamplingTask).where(SamplingTask.id == task_id, scope)
    return session.execute(stmt).scalar_one_or_none()


# -- businesses --------------------------------------------------------------------------------


def find_business(
    session: Session, *, identifier: str, scope: ColumnElement[bool]
) -> Business | None:
    """The business a form or file names by its store code, licence number or credit code."""
    text = identifier.strip().upper()
    stmt = select(Business).where(
        scope,
        or_(
            Business.public_code == text,
            Business.licence_number == text,
            Business.uscc == text,
        ),
    )
    return session.execute(stmt.limit(1)).scalar_one_or_none()
