"""create shipments and the ledger lines' EPCIS events

Shipments from suppliers to caterers (线上下单、线下核查) with their confirmation, and the
link from each purchase ledger line to its receiving event and error declaration.

Revision ID: 0013s
Revises: 0012
Create Date: 2026-11-30 13:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sunshine.core.db
from alembic import op

revision: str = "0013s"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ingredient_shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_business_id", sa.Integer(), nullable=False),
        sa.Column("caterer_business_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("product_name", sa.String(length=120), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "meat_poultry",
                "vegetables",
                "aquatic",
                "liquor",
                "dairy",
                "grain_oil",
                "eggs",
                "condiments",
                "other",
                name="productcategory",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("specification", sa.String(length=80), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("producer_name", sa.String(length=120), nullable=False),
        sa.Column("batch_number", sa.String(length=40), nullable=True),
        sa.Column("production_date", sa.Date(), nullable=True),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("no_shelf_life", sa.Boolean(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("shipped_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lot_id", sa.String(length=512), nullable=False),
        sa.Column("shipping_event_id", sa.String(length=512), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "received",
                "partial",
                "refused",
                name="shipmentstatus",
                native_enum=False,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("received_quantity", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=False),
        sa.Column("confirmed_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("ledger_line_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["caterer_business_id"],
            ["businesses.id"],
            name=op.f("fk_ingredient_shipments_caterer_business_id_businesses"),
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_ingredient_shipments_confirmed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_ingredient_shipments_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["ledger_line_id"],
            ["ledger_lines.id"],
            name=op.f("fk_ingredient_shipments_ledger_line_id_ledger_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["ingredient_products.id"],
            name=op.f("fk_ingredient_shipments_product_id_ingredient_products"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_business_id"],
            ["businesses.id"],
            name=op.f("fk_ingredient_shipments_supplier_business_id_businesses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingredient_shipments")),
    )
    with op.batch_alter_table("ingredient_shipments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ingredient_shipments_caterer_status",
            ["caterer_business_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_ingredient_shipments_lot_id"), ["lot_id"], unique=False
        )
        batch_op.create_index(
            "ix_ingredient_shipments_status_shipped", ["status", "shipped_at"], unique=False
        )
        batch_op.create_index(
            "ix_ingredient_shipments_supplier_shipped",
            ["supplier_business_id", "shipped_at"],
            unique=False,
        )

    op.create_table(
        "ledger_line_events",
        sa.Column("ledger_line_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=512), nullable=False),
        sa.Column("event_hash", sa.String(length=100), nullable=False),
        sa.Column("lot_id", sa.String(length=512), nullable=False),
        sa.Column("created_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ledger_line_id"],
            ["ledger_lines.id"],
            name=op.f("fk_ledger_line_events_ledger_line_id_ledger_lines"),
        ),
        sa.PrimaryKeyConstraint("ledger_line_id", "role", name=op.f("pk_ledger_line_events")),
    )
    with op.batch_alter_table("ledger_line_events", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_line_events_event_id", ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_line_events_lot_id"), ["lot_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ledger_line_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_line_events_lot_id"))
        batch_op.drop_index("ix_ledger_line_events_event_id")

    op.drop_table("ledger_line_events")
    with op.batch_alter_table("ingredient_shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_ingredient_shipments_supplier_shipped")
        batch_op.drop_index("ix_ingredient_shipments_status_shipped")
        batch_op.drop_index(batch_op.f("ix_ingredient_shipments_lot_id"))
        batch_op.drop_index("ix_ingredient_shipments_caterer_status")

    op.drop_table("ingredient_shipments")
