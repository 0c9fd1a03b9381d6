"""Input and output shapes of the ingredients domain (pydantic): the API's bodies, and the
types every entry path (phone form, import file, API) is parsed into before the rules run."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from sunshine.ingredients.enums import DocumentKind, LicenceState, ProductCategory, TestKind


class LedgerLineIn(BaseModel):
    """One purchase as entered. The product may be picked from the library (``product_id``:
    its name, category, specification, GTIN, shelf life and producer fill what is left blank)
    or typed; the rules (``service.check_line``) then say what is missing or contradictory."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    purchase_date: date
    product_id: int | None = None
    product_name: Annotated[str, Field(max_length=120)] | None = None
    category: ProductCategory | None = None
    specification: Annotated[str, Field(max_length=80)] | None = None
    gtin: Annotated[str, Field(max_length=20)] | None = None
    quantity: Annotated[Decimal, Field(gt=0, lt=10**9, decimal_places=3)]
    unit: Annotated[str, Field(min_length=1, max_length=16)]
    batch_number: Annotated[str, Field(max_length=40)] | None = None
    production_date: date | None = None
    shelf_life_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    expiry_date: date | None = None
    no_shelf_life: bool = False
    producer_name: Annotated[str, Field(max_length=120)] | None = None
    supplier_id: int
    documents: Annotated[list[DocumentKind], Field(max_length=10)] = Field(default_factory=list)
    appearance_ok: bool
    appearance_note: Annotated[str, Field(max_length=200)] = ""
    temperature_c: Annotated[float, Field(ge=-60, le=100)] | None = None
    test_kind: TestKind = TestKind.NONE
    test_result: Annotated[str, Field(max_length=200)] = ""
    recorder_name: Annotated[str, Field(min_length=1, max_length=40)]
    remarks: Annotated[str, Field(max_length=500)] = ""


class LedgerCorrectionIn(BaseModel):
    """A correction: the whole line as it should have been, and why the old one was wrong."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=500)]
    line: LedgerLineIn


class LedgerLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    business_id: int
    purchase_date: date
    product_id: int | None
    product_name: str
    category: ProductCategory
    specification: str
    gtin: str | None
    quantity: Decimal
    unit: str
    batch_number: str | None
    production_date: date | None
    shelf_life_days: int | None
    expiry_date: date | None
    no_shelf_life: bool
    producer_name: str
    supplier_id: int
    supplier_business_id: int | None
    supplier_name: str
    supplier_address: str
    supplier_contact: str
    supplier_licence_number: str | None
    supplier_licence_expiry: date | None
    supplier_licence_state: LicenceState
    documents: list[str]
    document_files: dict[str, list[str]]
    appearance_ok: bool
    appearance_note: str
    temperature_c: float | None
    test_kind: TestKind
    test_result: str
    recorder_name: str
    remarks: str
    retain_until: date
    corrects_id: int | None
    correction_reason: str
    corrected_by_id: int | None
    recorded_at: datetime
    entered_on: date


class LedgerLinePage(BaseModel):
    items: list[LedgerLineRead]
    total: int
    page: int
    per_page: int
    pages: int


class LedgerLineDetail(LedgerLineRead):
    flags: list[str]
    versions: list[int]
