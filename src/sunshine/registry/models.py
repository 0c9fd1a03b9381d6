"""Businesses (主体库) and their staff (人员库)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now
from sunshine.registry.enums import (
    BusinessCategory,
    BusinessForm,
    BusinessScale,
    LicenceKind,
    LicenceStatus,
    OperatingStatus,
)


class Business(Base):
    """A registered food business: caterer or supplier (主体).

    The licence (食品经营许可证 / 食品生产许可证) is kept on the row because every list,
    filter and the public store page need it; its history lives in the audit trail.
    Region codes of every level are denormalised so jurisdiction scoping is one indexed
    equality, whatever the level of the regulator's office.
    """

    __tablename__ = "businesses"
    __table_args__ = (
        Index("ix_businesses_county_name", "county_code", "name"),
        Index("ix_businesses_prefecture_form", "prefecture_code", "form"),
        # Area-filtered lists sorted by county: without it PostgreSQL walks the whole
        # county index looking for the area's rows (100 ms at 100,000 businesses).
        Index("ix_businesses_prefecture_county", "prefecture_code", "county_code", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    category: Mapped[BusinessCategory] = mapped_column(str_enum(BusinessCategory, 16))
    form: Mapped[BusinessForm] = mapped_column(str_enum(BusinessForm, 24), index=True)
    scale: Mapped[BusinessScale] = mapped_column(str_enum(BusinessScale, 8))
    chain_hq_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"), index=True)
    is_chain_hq: Mapped[bool] = mapped_column(default=False)

    licence_kind: Mapped[LicenceKind] = mapped_column(str_enum(LicenceKind, 2))
    licence_number: Mapped[str] = mapped_column(String(16), unique=True)
    licence_issue_date: Mapped[date]
    licence_expiry_date: Mapped[date] = mapped_column(index=True)
    licence_status: Mapped[LicenceStatus] = mapped_column(str_enum(LicenceStatus, 12))
    licence_scope: Mapped[list[str]] = mapped_column(JSON, default=list)

    address: Mapped[str] = mapped_column(String(200))
    province_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    township_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    contact_name: Mapped[str] = mapped_column(String(40))
    contact_phone: Mapped[str] = mapped_column(String(20))
    food_safety_manager: Mapped[str] = mapped_column(String(40))
    operating_status: Mapped[OperatingStatus] = mapped_column(str_enum(OperatingStatus, 12))

    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class Staff(Base):
    """Staff member (从业人员) with the health certificate (健康证明) the law requires."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    position: Mapped[str] = mapped_column(String(40))
    gender: Mapped[str | None] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(20))
    # The ID number is personal information: stored encrypted, with a keyed digest for
    # duplicate detection and a masked form for every ordinary view.
    id_number_encrypted: Mapped[str] = mapped_column(String(200))
    id_number_digest: Mapped[str] = mapped_column(String(64), index=True)
    id_number_masked: Mapped[str] = mapped_column(String(18))
    direct_contact: Mapped[bool] = mapped_column(default=True)
    health_cert_number: Mapped[str | None] = mapped_column(String(40))
    health_cert_issue_date: Mapped[date | None]
    health_cert_expiry_date: Mapped[date | None] = mapped_column(index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class TrainingRecord(Base):
    """Food-safety training taken by a staff member (培训记录)."""

    __tablename__ = "training_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    taken_date: Mapped[date]
    topic: Mapped[str] = mapped_column(String(120))
    hours: Mapped[int]
    provider: Mapped[str] = mapped_column(String(120))


class ImportJob(Base):
    """A bulk import of businesses or staff, run as a job with progress and an error report."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    filename: Mapped[str] = mapped_column(String(200))
    stored_path: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"))
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    stored_rows: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column()
