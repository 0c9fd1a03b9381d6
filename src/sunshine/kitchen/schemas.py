"""What the kitchen API (``/api/v1/kitchen``) reads and writes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field


class CameraIn(BaseModel):
    """A camera's settings, all at once. ``stream_url`` without credentials: give
    ``username`` and ``password`` (both, or both empty to remove them; leave them out to
    keep the stored ones when changing a camera). ``operating_hours``: weekly windows
    ``{"day": 0..6 (Monday first), "start": "HH:MM", "end": "HH:MM"}`` in local time, an end
    not after the start running past midnight; ``null`` for always open. Polygons are lists
    of ``[x, y]`` fractions of the picture (0..1). ``rule_overrides``: by alert class, any of
    ``enabled``, ``n``, ``m``, ``min_confidence``, ``cooldown_s``, ``when``, ``zone``."""

    name: Annotated[str, Field(max_length=200)]
    area: Annotated[str, Field(max_length=40)]
    stream_kind: Annotated[str, Field(max_length=40)]
    stream_url: Annotated[str, Field(max_length=2000)]
    username: Annotated[str, Field(max_length=200)] | None = None
    password: Annotated[str, Field(max_length=500)] | None = None
    operating_hours: list[Any] | None = None
    privacy_masks: list[Any] = []
    zones: list[Any] = []
    rule_overrides: dict[str, Any] | None = None
    public: bool = False
    enabled: bool = True
    analysis_fps: float | None = None
    person_model: Annotated[str, Field(max_length=60)] = "person"


class CameraCreate(CameraIn):
    business_id: int


class CameraUpdate(CameraIn):
    expected_version: int | None = None


class RuleRead(BaseModel):
    alert_class: str
    detect_cls: str
    n: int
    m: int
    min_confidence: float
    cooldown_s: float
    when: str
    zone: str | None


class CameraRead(BaseModel):
    """A camera. ``credentials`` is ``"set"`` or ``"none"``: they are never shown."""

    id: int
    business_id: int
    business_name: str
    area: str
    name: str
    stream_kind: str
    stream_url: str
    credentials: Literal["set", "none"]
    operating_hours: list[dict[str, Any]] | None
    privacy_masks: list[list[list[float]]]
    zones: list[dict[str, Any]]
    rule_overrides: dict[str, dict[str, Any]]
    rules: list[RuleRead]
    public: bool
    public_token: str | None
    enabled: bool
    analysis_fps: float
    person_model: str
    state: str
    state_message: str
    state_since: datetime
    last_frame_at: datetime | None
    fps: float | None
    drops: int
    false_alarm_rate: float | None
    version: int


class CameraPage(BaseModel):
    items: list[CameraRead]
    total: int
    page: int
    per_page: int
    pages: int


class FileRead(BaseModel):
    """An evidence file: fetch it at ``url`` (the original, audited)."""

    token: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    url: str


class AlertRead(BaseModel):
    id: int
    camera_id: int
    camera_name: str
    business_id: int
    business_name: str
    area: str
    alert_class: str
    kind: str
    confidence: float | None
    model: str | None
    model_sha256: str | None
    boxes: list[list[float]]
    started_at: datetime
    confirmed_at: datetime
    ended_at: datetime | None
    status: str
    case_id: int | None  # regulators only


class ActionRead(BaseModel):
    action: str
    actor: str
    note: str
    at: datetime
    files: list[FileRead]


class AlertDetail(AlertRead):
    files: list[FileRead]
    # Why the alert has no clip (quota full, encoding failed); null while the clip is on
    # its way (it is attached a few seconds after the alert) or once it is there.
    clip_note: str | None
    actions: list[ActionRead]
    review_note: str
    case_reference: str | None


class AlertPage(BaseModel):
    items: list[AlertRead]
    total: int
    page: int
    per_page: int
    pages: int


class ActionIn(BaseModel):
    """The business: ``acknowledge``, ``rectify`` (note required), ``explain`` (note
    required). The regulator: ``confirm``, ``false_alarm`` (the reason in ``note``)."""

    action: Literal["acknowledge", "rectify", "explain", "confirm", "false_alarm"]
    note: Annotated[str, Field(max_length=4000)] = ""


class TallyRead(BaseModel):
    key: str
    count: int


class BusinessTallyRead(BaseModel):
    business_id: int
    business_name: str
    alerts: int
    confirmed: int


class CameraFalseAlarmsRead(BaseModel):
    camera_id: int
    camera_name: str
    business_name: str
    alerts: int
    reviewed: int
    false_alarms: int
    rate: float | None


class KitchenStatisticsRead(BaseModel):
    since: date
    until: date
    total: int
    by_area: list[TallyRead]
    by_class: list[TallyRead]
    by_kind: list[TallyRead]
    by_status: list[TallyRead]
    by_day: list[TallyRead]
    by_week: list[TallyRead]
    by_business: list[BusinessTallyRead]
    false_alarms: list[CameraFalseAlarmsRead]


class RuleDefaultRead(BaseModel):
    alert_class: str
    detect_cls: str
    n: int
    m: int
    min_confidence: float
    cooldown_s: int
    when: str
    citation: str
    source_status: str
    rule_summary: str
    areas: list[str]
