"""What the case API reads and writes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from sunshine.cases.enums import CaseAction, CaseKind, CaseState


class CaseCreate(BaseModel):
    kind: CaseKind
    title: Annotated[str, Field(min_length=1, max_length=200)]
    summary: Annotated[str, Field(min_length=1, max_length=20_000)]
    business_id: int | None = None
    region_code: Annotated[str | None, Field(pattern=r"^\d{6}(\d{3})?$")] = None
    received_on: date | None = None


class StepIn(BaseModel):
    action: CaseAction
    expected_version: int
    reason: Annotated[str | None, Field(max_length=5_000)] = None
    assignee_id: int | None = None
    to_org_unit_id: int | None = None


class CaseEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    occurred_at: datetime
    actor_id: int | None
    action: str
    from_state: CaseState | None
    to_state: CaseState
    from_org_unit_id: int | None
    to_org_unit_id: int
    assignee_id: int | None
    reason: str | None


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    kind: CaseKind
    state: CaseState
    title: str
    summary: str
    business_id: int | None
    county_code: str
    township_code: str | None
    org_unit_id: int
    assignee_id: int | None
    escalations: int
    received_on: date
    due_on: date | None
    due_limit_key: str | None
    version: int


class CaseDetail(CaseRead):
    timeline: list[CaseEventRead]


class CasePage(BaseModel):
    items: list[CaseRead]
    # A large closed queue is counted only up to a cap: then ``total_capped`` is true and
    # ``total`` means "more than total - 1" (a million closed cases are not counted per view).
    total: int
    total_capped: bool = False
    page: int
    per_page: int
    pages: int
