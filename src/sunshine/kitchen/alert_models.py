"""Kitchen alerts (智能预警), what was done with them, and each camera's health spans."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

import sunshine.cases.models
import sunshine.kitchen.camera_models  # noqa: F401 - the tables the foreign keys point at
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now
from sunshine.kitchen.enums import (
    AlertAction,
    AlertClass,
    AlertKind,
    AlertStatus,
    Area,
    CameraState,
)


class KitchenAlert(Base):
    """One alert a camera raised: a behaviour the rules confirmed, or the camera's health.

    ``business_id`` and ``area`` are copied from the camera so statistics and scopes need
    no join; ``started_on`` is the local day of ``started_at`` (daily counts on any
    database). The model and its SHA-256 say exactly which weights decided. Evidence (a
    boxed and a clean snapshot, a short clip) are ``evidence_files`` rows of owner type
    ``kitchen_alert``, each with the SHA-256 of its bytes; the alert is kept as soon as it is
    confirmed and its clip is attached once the clip's post-roll has passed, or
    ``clip_note`` says why there is none (quota full, encoding failed). ``review_note`` keeps the
    regulator's feedback (why a false alarm was false), which the models' maintainers read.
    """

    __tablename__ = "kitchen_alerts"
    __table_args__ = (
        Index("ix_kitchen_alerts_business_started", "business_id", "started_at"),
        Index("ix_kitchen_alerts_camera_class_started", "camera_id", "alert_class", "started_at"),
        Index("ix_kitchen_alerts_business_class_status", "business_id", "alert_class", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("kitchen_cameras.id"))
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    area: Mapped[Area] = mapped_column(str_enum(Area, 12))
    alert_class: Mapped[AlertClass] = mapped_column(str_enum(AlertClass, 24))
    kind: Mapped[AlertKind] = mapped_column(str_enum(AlertKind, 12))
    confidence: Mapped[float | None] = mapped_column(Float)
    model: Mapped[str | None] = mapped_column(String(60))
    model_sha256: Mapped[str | None] = mapped_column(String(64))
    boxes: Mapped[list[list[float]]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime]
    started_on: Mapped[date] = mapped_column(index=True)
    confirmed_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    status: Mapped[AlertStatus] = mapped_column(str_enum(AlertStatus, 12))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str] = mapped_column(Text, default="")
    clip_note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own attribute


class KitchenAlertAction(Base):
    """One step taken on an alert, by the business or the regulator, with its note."""

    __tablename__ = "kitchen_alert_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("kitchen_alerts.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(80))
    action: Mapped[AlertAction] = mapped_column(str_enum(AlertAction, 12))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utc_now)


class KitchenCameraHealthSpan(Base):
    """A stretch of time a camera spent in one unhealthy state (uptime charts); open while
    ``ended_at`` is empty. ``alert_id`` is the health alert the span opened."""

    __tablename__ = "kitchen_camera_health_spans"
    __table_args__ = (Index("ix_kitchen_camera_health_spans_camera", "camera_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("kitchen_cameras.id"))
    state: Mapped[CameraState] = mapped_column(str_enum(CameraState, 12))
    message: Mapped[str] = mapped_column(String(300), default="")
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("kitchen_alerts.id"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
