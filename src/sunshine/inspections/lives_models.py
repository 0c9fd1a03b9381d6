"""Inspection data from other systems in the LIVES open-data format (businesses, their
inspections and violations), kept as received, beside the registry: such a business has no
Chinese licence or credit code, so it is not a registry business; the region it was
imported into decides which regulators see it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import sunshine.regions.models  # noqa: F401 - the regions table a foreign key names
from sunshine.core.db import Base
from sunshine.core.time import utc_now


class LivesBusiness(Base):
    __tablename__ = "lives_businesses"
    __table_args__ = (
        UniqueConstraint("region_code", "external_id"),
        Index("ix_lives_businesses_county", "county_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    province_code: Mapped[str] = mapped_column(String(6), index=True)
    prefecture_code: Mapped[str | None] = mapped_column(String(6), index=True)
    county_code: Mapped[str | None] = mapped_column(String(6))
    township_code: Mapped[str | None] = mapped_column(String(12))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    phone_number: Mapped[str] = mapped_column(String(40), default="")
    imported_at: Mapped[datetime] = mapped_column(default=utc_now)


class LivesInspection(Base):
    __tablename__ = "lives_inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("lives_businesses.id"), index=True)
    inspected_on: Mapped[date]
    score: Mapped[int | None]
    type: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")


class LivesViolation(Base):
    __tablename__ = "lives_violations"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("lives_businesses.id"), index=True)
    inspected_on: Mapped[date]
    code: Mapped[str] = mapped_column(String(40), default="")
    risk_category: Mapped[str] = mapped_column(String(40), default="")
    description: Mapped[str] = mapped_column(Text, default="")
