"""JSON routes of sampling (抽检) under ``/api/v1``: samples, results, statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sunshine.api.router import Authed
from sunshine.core.pagination import PageRequest
from sunshine.portals.shared.deps import DbSession, SignedIn
from sunshine.sampling import records, service, statistics
from sunshine.sampling.enums import Conclusion, ProductCategory, SampleStatus
from sunshine.sampling.forms import ItemForm, ReportForm, ResultForm, ResultsForm, SampleForm
from sunshine.sampling.repository import SampleFilter
from sunshine.sampling.schemas import (
    ItemRead,
    RateRead,
    ReportIn,
    ResultsIn,
    SampleDetail,
    SampleIn,
    SamplePage,
    SampleRead,
    SamplingStatisticsRead,
)

router = APIRouter(tags=["sampling"], dependencies=Authed)


@router.get("/samples", response_model=SamplePage)
def list_samples(
    session: DbSession,
    principal: SignedIn,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    status: SampleStatus | None = None,
    conclusion: Conclusion | None = None,
    category: ProductCategory | None = None,
    q: Annotated[str | None, Query(max_length=60)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 20,
) -> SamplePage:
    """The samples the caller may see (a regulator's jurisdiction; a business its own),
    the latest sampled first."""
    result = records.list_samples(
        session=session,
        actor=principal,
        filters=SampleFilter(
            year=year, status=status, conclusion=conclusion, category=category, text=q
        ),
        page=PageRequest(page, per_page),
    )
    return SamplePage(
        items=[SampleRead.model_validate(sample) for sample, _name in result.items],
        total=result.total,
        page=result.page,
        per_page=result.request.per_page,
        pages=result.pages,
    )


@router.post("/samples", response_model=SampleDetail, status_code=201)
def record_sample(session: DbSession, principal: SignedIn, body: SampleIn) -> SampleDetail:
    """Record a sample with its test items (and their results, if the report is in).
    Refused whole with every problem named (``errors[].field`` such as
    ``items[1].result``)."""
    form = SampleForm(
        business_id=body.business_id,
        business=body.business,
        product_name=body.product_name,
        category=body.category,
        batch_number=body.batch_number,
        production_date=body.production_date,
        sampled_at=body.sampled_at,
        sampling_place=body.sampling_place,
        sampling_agency=body.sampling_agency,
        samplers=body.samplers,
        sampling_number=body.sampling_number,
        task_id=body.task_id,
        plan_id=body.plan_id,
        items=[ItemForm(**item.model_dump()) for item in body.items],
        report=_report(body.report),
    )
    sample = service.record_sample(session=session, actor=principal, form=form)
    return _detail(session, principal, sample.id)


@router.post("/samples/{sample_id}/results", response_model=SampleDetail)
def record_results(
    session: DbSession, principal: SignedIn, sample_id: int, body: ResultsIn
) -> SampleDetail:
    """Record the results of every item of a sample awaiting them; 409 when they are
    already recorded or the sample changed since ``expected_version``."""
    form = ResultsForm(
        items=[ResultForm(**item.model_dump()) for item in body.items],
        report=_report(body.report),
        expected_version=body.expected_version,
    )
    sample = service.record_results(
        session=session, actor=principal, sample_id=sample_id, form=form
    )
    return _detail(session, principal, sample.id)


@router.get("/samples/{sample_id}", response_model=SampleDetail)
def get_sample(session: DbSession, principal: SignedIn, sample_id: int) -> SampleDetail:
    """One sample with its items (404 for one the caller may not see)."""
    return _detail(session, principal, sample_id)


@router.get("/sampling/statistics", response_model=SamplingStatisticsRead)
def sampling_statistics(
    session: DbSession,
    principal: SignedIn,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> SamplingStatisticsRead:
    """Failure rates of the year's completed samples in the caller's jurisdiction, by
    product category, test item and area."""
    stats = statistics.sampling_statistics(session=session, actor=principal, year=year)

    def rates(rows: list[statistics.Rate]) -> list[RateRead]:
        return [
            RateRead(key=r.key, name=r.name, tested=r.tested, failed=r.failed, rate=r.rate)
            for r in rows
        ]

    return SamplingStatisticsRead(
        year=stats.year,
        area_level=stats.area_level.value,
        completed=stats.completed,
        awaiting=stats.awaiting,
        failed=stats.failed,
        rate=stats.rate,
        by_category=rates(stats.by_category),
        by_item=rates(stats.by_item),
        by_area=rates(stats.by_area),
    )


def _report(body: ReportIn) -> ReportForm:
    return ReportForm(
        lab_name=body.lab_name, report_number=body.report_number, report_date=body.report_date
    )


def _detail(session: DbSession, principal: SignedIn, sample_id: int) -> SampleDetail:
    shown = records.sample_file(session=session, actor=principal, sample_id=sample_id)
    return SampleDetail(
        **SampleRead.model_validate(shown.sample).model_dump(),
        items=[ItemRead.model_validate(item) for item in shown.items],
    )
