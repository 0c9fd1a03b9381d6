"""Kitchen cameras (明厨亮灶 cameras): where they look, how to read them, what they check.

Zones, privacy masks, opening hours and rule overrides are JSON on the camera row: they are
always read and written with their camera (a form, the worker's configuration) and never
queried on their own, so the worker's load of every enabled camera is one row each.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import sunshine.auth.models
import sunshine.registry.models  # noqa: F401 - the tables the foreign keys point at
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now
from sunshine.kitchen.enums import Area, CameraState, StreamKind


class KitchenCamera(Base):
    """One camera of a business's kitchen.

    ``stream_url`` never holds credentials: the user name and password are kept apart,
    encrypted (``credentials_encrypted``, Fernet via :mod:`sunshine.core.crypto`), and only
    the worker gets them back, inserted into the address it opens. ``public_token`` names
    the camera's public live page; it is replaced whenever the camera stops being public,
    so a link handed out while it was public stops working.
    """

    __tablename__ = "kitchen_cameras"
    __table_args__ = (UniqueConstraint("business_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    area: Mapped[Area] = mapped_column(str_enum(Area, 12))
    name: Mapped[str] = mapped_column(String(60))
    stream_kind: Mapped[StreamKind] = mapped_column(str_enum(StreamKind, 12))
    stream_url: Mapped[str] = mapped_column(String(1000))
    credentials_encrypted: Mapped[str | None] = mapped_column(Text)
    # Weekly windows in local time, [{"day": 0, "start": "08:00", "end": "22:00"}]; None:
    # always open (the after-hours rule then never fires).
    operating_hours: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    privacy_masks: Mapped[list[list[list[float]]]] = mapped_column(JSON, default=list)
    zones: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rule_overrides: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSON, default=dict)
    public: Mapped[bool] = mapped_column(default=False)
    public_token: Mapped[str] = mapped_column(String(43), unique=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    analysis_fps: Mapped[float] = mapped_column(Float)
    person_model: Mapped[str] = mapped_column(String(40), default="person")
    state: Mapped[CameraState] = mapped_column(str_enum(CameraState, 12))
    state_message: Mapped[str] = mapped_column(String(300), default="")
    state_since: Mapped[datetime] = mapped_column(default=utc_now)
    last_frame_at: Mapped[datetime | None]
    fps: Mapped[float | None] = mapped_column(Float)
    drops: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own attribute
