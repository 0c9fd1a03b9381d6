"""What the sampling API reads and writes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from sunshine.sampling.enums import (
    Comparator,
    Conclusion,
    ProductCategory,
    SampleStatus,
    Verdict,
)

_Short = Annotated[str, Field(max_length=120)]


class ItemIn(BaseModel):
    """A test item. ``comparator``: ``le`` ``lt`` ``ge`` ``gt`` ``not_detected``
    ``qualitative`` (or ≤ < ≥ > 不得检出 定性); ``limit`` and ``result`` as the report writes
    them ("0.2", "未检出", "阴性"); ``verdict`` (pass/fail, 合格/不合格) is needed for a
    qualitative item only, and must agree with the result otherwise."""

    name: Annotated[str, Field(max_length=100)]
    standard: _Short
    comparator: Annotated[str, Field(max_length=16)]
    limit: Annotated[str, Field(max_length=40)] = ""
    unit: Annotated[str, Field(max_length=24)] = ""
    method: _Short = ""
    result: Annotated[str, Field(max_length=40)] = ""
    result_unit: Annotated[str, Field(max_length=24)] = ""
    verdict: Annotated[str, Field(max_length=8)] = ""


class ReportIn(BaseModel):
    lab_name: _Short = ""
    report_number: Annotated[str, Field(max_length=60)] = ""
    report_date: Annotated[str, Field(max_length=10)] = ""


class SampleIn(BaseModel):
    """A sample. The business by ``business_id`` or ``business`` (store code, licence
    number or credit code). With every item's result and the report, it is completed at
    once; a failed one opens its verification and disposal case."""

    business_id: int | None = None
    business: Annotated[str, Field(max_length=20)] = ""
    product_name: Annotated[str, Field(max_length=100)]
    category: Annotated[str, Field(max_length=40)]
    batch_number: Annotated[str, Field(max_length=60)]
    production_date: Annotated[str, Field(max_length=10)] = ""
    sampled_at: Annotated[str, Field(max_length=40)]
    sampling_place: _Short
    sampling_agency: _Short
    samplers: _Short
    sampling_number: Annotated[str, Field(max_length=40)] = ""
    task_id: int | None = None
    plan_id: int | None = None
    items: Annotated[list[ItemIn], Field(min_length=1, max_length=60)]
    report: ReportIn = ReportIn()


class ResultIn(BaseModel):
    result: Annotated[str, Field(max_length=40)]
    result_unit: Annotated[str, Field(max_length=24)] = ""
    verdict: Annotated[str, Field(max_length=8)] = ""
    method: _Short = ""


class ResultsIn(BaseModel):
    """The results of every item, in the sample's item order, and the report."""

    items: Annotated[list[ResultIn], Field(min_length=1, max_length=60)]
    report: ReportIn
    expected_version: int | None = None


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    standard: str
    method: str
    comparator: Comparator
    limit_text: str
    limit_value: Decimal | None
    unit: str
    result_text: str | None
    result_value: Decimal | None
    result_unit: str | None
    verdict: Verdict | None


class SampleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    sampling_number: str | None
    business_id: int
    plan_id: int | None
    task_id: int | None
    product_name: str
    category: ProductCategory
    batch_number: str
    production_date: date | None
    sampled_at: datetime
    sampling_place: str
    sampling_agency: str
    samplers: str
    status: SampleStatus
    conclusion: Conclusion | None
    failed_items: int
    lab_name: str | None
    report_number: str | None
    report_date: date | None
    case_id: int | None
    version: int


class SampleDetail(SampleRead):
    items: list[ItemRead]


class SamplePage(BaseModel):
    items: list[SampleRead]
    total: int
    page: int
    per_page: int
    pages: int


class RateRead(BaseModel):
    key: str
    name: str
    tested: int
    failed: int
    rate: float | None


class SamplingStatisticsRead(BaseModel):
    year: int
    area_level: str
    completed: int
    awaiting: int
    failed: int
    rate: float | None
    by_category: list[RateRead]
    by_item: list[RateRead]
    by_area: list[RateRead]
