"""create batch recalls (批次召回) and their holders

The trace itself needs no new index: its hops read the EPCIS index tables, which are keyed
identifier first already (0011e).

Revision ID: 0013r
Revises: 0012
Create Date: 2026-11-30 07:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sunshine.core.db

revision: str = "0013r"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recalls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("lot", sa.String(length=512), nullable=False),
        sa.Column("product_label", sa.String(length=200), nullable=False),
        sa.Column("batch", sa.String(length=60), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "level_1", "level_2", "level_3", name="recalllevel", native_enum=False, length=8
            ),
            nullable=False,
        ),
        sa.Column(
            "origin",
            sa.Enum("regulator", "sampling", name="recallorigin", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledge_by", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_recalls_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_recalls_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"], ["samples.id"], name=op.f("fk_recalls_sample_id_samples")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recalls")),
        sa.UniqueConstraint("case_id", name=op.f("uq_recalls_case_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_recalls_reference")),
    )
    op.create_index(op.f("ix_recalls_lot"), "recalls", ["lot"], unique=False)
    op.create_index(op.f("ix_recalls_sample_id"), "recalls", ["sample_id"], unique=False)
    op.create_table(
        "recall_holders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recall_id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("received_quantity", sa.Float(), nullable=True),
        sa.Column("uom", sa.String(length=8), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "acknowledged", "reported", name="holderstatus", native_enum=False),
            nullable=False,
        ),
        sa.Column("acknowledged_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("kept", sa.Float(), nullable=True),
        sa.Column("destroyed", sa.Float(), nullable=True),
        sa.Column("returned", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reported_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["users.id"],
            name=op.f("fk_recall_holders_acknowledged_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_recall_holders_business_id_businesses"),
        ),
        sa.ForeignKeyConstraint(
            ["recall_id"], ["recalls.id"], name=op.f("fk_recall_holders_recall_id_recalls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_holders")),
        sa.UniqueConstraint("recall_id", "business_id", name=op.f("uq_recall_holders_recall_id")),
    )
    op.create_index(
        "ix_recall_holders_business_status",
        "recall_holders",
        ["business_id", "status"],
        unique=False,
    )
    op.create_index(
        op.f("ix_recall_holders_recall_id"), "recall_holders", ["recall_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_recall_holders_recall_id"), table_name="recall_holders")
    op.drop_index("ix_recall_holders_business_status", table_name="recall_holders")
    op.drop_table("recall_holders")
    op.drop_index(op.f("ix_recalls_sample_id"), table_name="recalls")
    op.drop_index(op.f("ix_recalls_lot"), table_name="recalls")
    op.drop_table("recalls")
