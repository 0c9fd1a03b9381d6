"""Input and output shapes of shipments (发货记录): the API's bodies and the portal's forms."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from sunshine.ingredients.enums import DocumentKind, ProductCategory
from sunshine.ingredients.shipments_models import ShipmentStatus


class ShipmentIn(BaseModel):
    """A shipment as the supplier records it. The caterer is named by its public code (the
    code on its store page and QR poster); the product is picked from the library or typed."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    caterer_code: Annotated[str, Field(min_length=1, max_length=20)]
    product_id: int | None = None
    product_name: Annotated[str, Field(max_length=120)] | None = None
    category: ProductCategory | None = None
    specification: Annotated[str, Field(max_length=80)] | None = None
    gtin: Annotated[str, Field(max_length=20)] | None = None
    producer_name: Annotated[str, Field(max_length=120)] | None = None
    batch_number: Annotated[str, Field(max_length=40)] | None = None
    production_date: date | None = None
    expiry_date: date | None = None
    no_shelf_life: bool = False
    quantity: Annotated[Decimal, Field(gt=0, lt=10**9, decimal_places=3)]
    unit: Annotated[str, Field(min_length=1, max_length=16)]
    documents: Annotated[list[DocumentKind], Field(max_length=10)] = Field(default_factory=list)
    reference: Annotated[str, Field(max_length=40)] = ""
    note: Annotated[str, Field(max_length=500)] = ""
    shipped_at: datetime | None = None


class Outcome(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    REFUSED = "refused"


class ShipmentConfirmIn(BaseModel):
    """The caterer's check on arrival: received in full, in part, or refused with a reason."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    outcome: Outcome
    received_quantity: Annotated[Decimal, Field(gt=0, lt=10**9, decimal_places=3)] | None = None
    reason: Annotated[str, Field(max_length=500)] = ""
    appearance_ok: bool = True
    appearance_note: Annotated[str, Field(max_length=200)] = ""
    temperature_c: Annotated[float, Field(ge=-60, le=100)] | None = None
    recorder_name: Annotated[str, Field(max_length=40)] = ""


class ShipmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    supplier_business_id: int
    caterer_business_id: int
    product_id: int | None
    product_name: str
    category: ProductCategory
    specification: str
    gtin: str | None
    producer_name: str
    batch_number: str | None
    production_date: date | None
    expiry_date: date | None
    no_shelf_life: bool
    quantity: Decimal
    unit: str
    documents: list[str]
    reference: str
    note: str
    shipped_at: datetime
    lot_id: str
    shipping_event_id: str | None
    status: ShipmentStatus
    received_quantity: Decimal | None
    refusal_reason: str
    confirmed_at: datetime | None
    ledger_line_id: int | None
    mismatch: bool
    overdue: bool = False


class ShipmentPage(BaseModel):
    items: list[ShipmentRead]
    total: int
    page: int
    per_page: int
    pages: int
