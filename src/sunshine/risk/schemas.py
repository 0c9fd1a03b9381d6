"""What the risk API (``/api/v1/risk``) reads out."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class RiskSignalRead(BaseModel):
    """One risk signal: ``kind`` about the record ``subject_type`` ``subject_id``;
    ``detail`` is data (Chinese); ``weight`` the kind's weight when it was recorded."""

    id: int
    business_id: int
    business_name: str
    source: str
    kind: str
    subject_type: str
    subject_id: int
    detail: str
    weight: int
    occurred_at: datetime
    recorded_at: datetime


class RiskSignalPage(BaseModel):
    items: list[RiskSignalRead]
    total: int
    page: int
    per_page: int
    pages: int
