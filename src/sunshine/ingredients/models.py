"""Tables of the ingredients domain: the product library (产品库), each caterer's suppliers
(供货者) and the purchase ledger (进货查验记录)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

import sunshine.registry.models  # noqa: F401 - businesses the keys point at
from sunshine.core.db import Base
from sunshine.core.enums import str_enum
from sunshine.core.time import utc_now
from sunshine.ingredients.enums import LicenceState, ProductCategory, TestKind


class Product(Base):
    """An ingredient of the product library (产品库).

    The platform's library (``owner_business_id`` NULL) is curated by administrators and
    offered to every caterer; a business may add products of its own (a market's loose
    vegetables, a local brand), seen only by itself and its chain HQ. Ledger lines copy the
    product's name, category, specification and GTIN, so a product edited later does not
    change what was recorded.
    """

    __tablename__ = "ingredient_products"
    __table_args__ = (Index("ix_ingredient_products_owner_name", "owner_business_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"))
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[ProductCategory] = mapped_column(str_enum(ProductCategory, 16), index=True)
    specification: Mapped[str] = mapped_column(String(80))
    gtin: Mapped[str | None] = mapped_column(String(14), index=True)  # 14-digit form
    shelf_life_days: Mapped[int | None]
    producer_name: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Supplier(Base):
    """One supplier of one business (供货者): a business of the registry, or an external
    supplier typed by the caterer (name, licence, address, contact) when it is not on the
    platform.

    The upstream supplier (上一级) of a registered supplier is found in that business's own
    supplier list; an external supplier may name one of its buyer's supplier records as its
    upstream (``upstream_id``).
    """

    __tablename__ = "ingredient_suppliers"
    __table_args__ = (
        Index(
            "uq_ingredient_suppliers_registered",
            "business_id",
            "supplier_business_id",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    supplier_business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"))
    upstream_id: Mapped[int | None] = mapped_column(ForeignKey("ingredient_suppliers.id"))
    # External suppliers' details (NULL or blank for a registered business).
    name: Mapped[str] = mapped_column(String(120), default="")
    licence_number: Mapped[str | None] = mapped_column(String(20))
    licence_expiry_date: Mapped[date | None]
    licence_scope: Mapped[list[str]] = mapped_column(JSON, default=list)
    address: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(40), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class LedgerLine(Base):
    """One line of a caterer's purchase ledger (进货查验记录; 食品安全法 Art. 53).

    A line is never changed or deleted (``retain_until``, Art. 50 ¶2): a correction is a new
    line (``corrects_id``, with a reason) and the old one is marked with the line that
    replaced it (``corrected_by_id``, set once in the same transaction), so lists read the
    current version with one indexed condition. The supplier's details and licence as they
    stood on the purchase date are copied onto the line.
    """

    __tablename__ = "ledger_lines"
    __table_args__ = (
        Index("ix_ledger_lines_business_date", "business_id", "purchase_date"),
        Index("ix_ledger_lines_county_date", "county_code", "purchase_date"),
        Index("ix_ledger_lines_prefecture_date", "prefecture_code", "purchase_date"),
        # A provincial regulator's list, latest first (the big ledger's migration, 0013a).
        Index("ix_ledger_lines_province_date", "province_code", "purchase_date", "id"),
        # The regulators' lists read current lines only: these partial indexes answer a
        # list's capped count and its page from the index alone, date and category filters
        # included (bench/ledger_export.py, 1 million lines).
        *(
            Index(
                f"ix_ledger_lines_{level}_current",
                f"{level}_code",
                "purchase_date",
                "id",
                postgresql_include=["category"],
                postgresql_where=text("corrected_by_id IS NULL"),
                sqlite_where=text("corrected_by_id IS NULL"),
            )
            for level in ("province", "prefecture", "county")
        ),
        Index(
            "ix_ledger_lines_province_category_current",
            "province_code",
            "category",
            "purchase_date",
            "id",
            postgresql_where=text("corrected_by_id IS NULL"),
            sqlite_where=text("corrected_by_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    # Region codes of the business, denormalised: a regulator's list is one equality.
    province_code: Mapped[str] = mapped_column(String(6))
    prefecture_code: Mapped[str] = mapped_column(String(6))
    county_code: Mapped[str] = mapped_column(String(6))
    township_code: Mapped[str | None] = mapped_column(String(9))

    purchase_date: Mapped[date]
    product_id: Mapped[int | None] = mapped_column(ForeignKey("ingredient_products.id"))
    product_name: Mapped[str] = mapped_column(String(120))
    category: Mapped[ProductCategory] = mapped_column(str_enum(ProductCategory, 16))
    specification: Mapped[str] = mapped_column(String(80))
    gtin: Mapped[str | None] = mapped_column(String(14))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    unit: Mapped[str] = mapped_column(String(16))
    batch_number: Mapped[str | None] = mapped_column(String(40))
    production_date: Mapped[date | None]
    shelf_life_days: Mapped[int | None]
    expiry_date: Mapped[date | None]  # given, or production date + shelf life
    no_shelf_life: Mapped[bool] = mapped_column(Boolean, default=False)
    producer_name: Mapped[str] = mapped_column(String(120), default="")

    supplier_id: Mapped[int] = mapped_column(ForeignKey("ingredient_suppliers.id"), index=True)
    supplier_business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"))
    supplier_name: Mapped[str] = mapped_column(String(120))
    supplier_address: Mapped[str] = mapped_column(String(200))
    supplier_contact: Mapped[str] = mapped_column(String(80))
    supplier_licence_number: Mapped[str | None] = mapped_column(String(20))
    supplier_licence_expiry: Mapped[date | None]
    supplier_licence_state: Mapped[LicenceState] = mapped_column(str_enum(LicenceState, 12))
    # The licence's scope entries (经营项目) as recorded then; NULL for lines older than the
    # copy (0015d): unknown, so the big ledger's scope rule does not judge them.
    supplier_licence_scope: Mapped[list[str] | None] = mapped_column(JSON)

    documents: Mapped[list[str]] = mapped_column(JSON, default=list)  # DocumentKind values
    document_files: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    appearance_ok: Mapped[bool] = mapped_column(Boolean)
    appearance_note: Mapped[str] = mapped_column(String(200), default="")
    temperature_c: Mapped[float | None] = mapped_column(Float)
    test_kind: Mapped[TestKind] = mapped_column(str_enum(TestKind, 16), default=TestKind.NONE)
    test_result: Mapped[str] = mapped_column(String(200), default="")
    recorder_name: Mapped[str] = mapped_column(String(40))
    remarks: Mapped[str] = mapped_column(Text, default="")

    retain_until: Mapped[date] = mapped_column(index=True)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_lines.id"))
    correction_reason: Mapped[str] = mapped_column(String(500), default="")
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_lines.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)
    entered_on: Mapped[date]  # the local day of entry (retention counts from it)

    @property
    def current(self) -> bool:
        return self.corrected_by_id is None
