"""Administrative divisions and regulator org units (jurisdictions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now
from sunshine.regions.enums import OrgUnitKind, RegionLevel


class Region(Base):
    """Administrative division (行政区划): province, prefecture, county or township."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    level: Mapped[RegionLevel] = mapped_column(str_enum(RegionLevel, 12), index=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    province_code: Mapped[str] = mapped_column(String(6), index=True)
    prefecture_code: Mapped[str | None] = mapped_column(String(6), index=True)
    county_code: Mapped[str | None] = mapped_column(String(6), index=True)
    source: Mapped[str] = mapped_column(String(120))


class OrgUnit(Base):
    """Regulator office (市场监管局 / 市场监管所) with its jurisdiction, a region subtree."""

    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[OrgUnitKind] = mapped_column(str_enum(OrgUnitKind, 24))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    region_level: Mapped[RegionLevel] = mapped_column(str_enum(RegionLevel, 12))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
