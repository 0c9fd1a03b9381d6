"""What the inspections API reads and writes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Base64Bytes, BaseModel, ConfigDict, Field

from sunshine.inspections.enums import (
    ChecklistStatus,
    InspectionKind,
    InspectionResult,
    ItemOutcome,
)


class ChecklistItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    key: bool
    text_zh: str
    text_en: str
    applies_to: list[str] | None
    basis: list[dict[str, Any]]


class ChecklistSectionRead(BaseModel):
    code: str
    title_zh: str
    title_en: str
    items: list[ChecklistItemRead]


class ChecklistRead(BaseModel):
    """A checklist version as the inspector's device keeps it for offline work."""

    id: int
    code: str
    version: str
    jurisdiction: str
    name_zh: str
    name_en: str
    status: ChecklistStatus
    result_rule: dict[str, Any] | None
    consequences: dict[str, Any] | None
    sections: list[ChecklistSectionRead]


class ItemAnswerIn(BaseModel):
    item: Annotated[str, Field(min_length=1, max_length=12)]
    outcome: ItemOutcome
    note: Annotated[str, Field(max_length=2_000)] = ""


# A drawn signature or a phone photo, base64 in the JSON (the app keeps whole records,
# files included, while offline). The evidence checks then apply: type, size, pixels.
_FILE_B64_MAX = 16 * 1024 * 1024 * 4 // 3 + 4


class SignatureIn(BaseModel):
    user_id: int | None = None  # None: the business's representative
    png: Annotated[Base64Bytes, Field(max_length=_FILE_B64_MAX)]


class PhotoIn(BaseModel):
    item: Annotated[str, Field(min_length=1, max_length=12)]
    filename: Annotated[str, Field(max_length=200)] = "photo.jpg"
    data: Annotated[Base64Bytes, Field(max_length=_FILE_B64_MAX)]


class InspectionIn(BaseModel):
    """An inspection as the device sends it. ``client_key``: the device's own key for this
    record, so that sending it again stores nothing new."""

    business_id: int
    checklist_id: int
    kind: InspectionKind = InspectionKind.ROUTINE
    started_at: datetime
    finished_at: datetime
    inspector_ids: Annotated[list[int], Field(min_length=1, max_length=10)]
    items: Annotated[list[ItemAnswerIn], Field(min_length=1, max_length=500)]
    representative_name: Annotated[str, Field(max_length=60)]
    result: InspectionResult | None = None
    rectify_by: date | None = None
    latitude: Annotated[float | None, Field(ge=-90, le=90)] = None
    longitude: Annotated[float | None, Field(ge=-180, le=180)] = None
    location_accuracy_m: Annotated[float | None, Field(ge=0)] = None
    remarks: Annotated[str, Field(max_length=5_000)] = ""
    client_key: Annotated[str | None, Field(min_length=8, max_length=64)] = None
    # The task the device took the inspection for: a task changed meanwhile is a 409.
    task_id: int | None = None
    signatures: Annotated[list[SignatureIn], Field(max_length=12)] = []
    photos: Annotated[list[PhotoIn], Field(max_length=40)] = []


class ItemResultRead(BaseModel):
    item: str
    key: bool
    outcome: ItemOutcome
    note: str
    photos: list[str]  # evidence tokens (/files/{token})


class InspectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    business_id: int
    checklist_id: int
    kind: InspectionKind
    inspected_on: date
    started_at: datetime
    finished_at: datetime
    result: InspectionResult
    key_failed: int
    general_failed: int
    general_checked: int
    not_applicable: int
    rectify_by: date | None
    publish_by: date
    representative_name: str
    representative_signature: str
    client_key: str | None
    task_id: int | None


class InspectionDetail(InspectionRead):
    inspector_ids: list[int]
    items: list[ItemResultRead]


class InspectionPage(BaseModel):
    items: list[InspectionRead]
    total: int
    page: int
    per_page: int
    pages: int
