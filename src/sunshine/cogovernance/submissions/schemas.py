"""JSON bodies of the intake API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class ComplaintIn(BaseModel):
    """A diner's complaint about a store (the store's public code, as on its QR code)."""

    store_code: str = Field(max_length=16)
    category: str = Field(max_length=32)
    desired_outcome: str = Field(max_length=32)
    description: str = Field(max_length=20_000)
    request_text: str = Field(default="", max_length=20_000)
    occurred_on: date | None = None
    claims_damage: bool = False
    name: str = Field(max_length=200)
    phone: str = Field(max_length=40)
    email: str = Field(default="", max_length=200)


class ReportIn(BaseModel):
    """A lead about a store (``store_code``) or a place (``region_code`` + ``address``).
    Without ``name`` and ``phone`` the report is anonymous."""

    category: str = Field(max_length=32)
    description: str = Field(max_length=20_000)
    store_code: str = Field(default="", max_length=16)
    region_code: str = Field(default="", max_length=12)
    address: str = Field(default="", max_length=400)
    latitude: float | None = None
    longitude: float | None = None
    insider: bool = False
    name: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=200)
    id_number: str = Field(default="", max_length=40)


class Receipt(BaseModel):
    receipt_code: str
    status: str  # received: registration follows within seconds


class IntakeStatus(BaseModel):
    receipt_code: str
    kind: str
    status: str  # received | registered | refused
    received_at: datetime
    detail: str | None = None
