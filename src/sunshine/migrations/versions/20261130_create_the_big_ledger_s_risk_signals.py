"""create the big ledger's risk signals (大台账风险信号)

Revision ID: 0013a
Revises: 0012
Create Date: 2026-11-30 06:48:49.213624+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sunshine.core.db

revision: str = "0013a"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "rule",
            sa.Enum(
                "licence_missing",
                "licence_expired",
                "licence_scope",
                "expired_on_receipt",
                "missing_documents",
                "batch_spread",
                "mass_balance",
                name="signalrule",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("fingerprint", sa.String(length=120), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=True),
        sa.Column("line_ids", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("prefecture_code", sa.String(length=6), nullable=True),
        sa.Column("county_code", sa.String(length=6), nullable=True),
        sa.Column("township_code", sa.String(length=9), nullable=True),
        sa.Column("found_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "case_opened", name="signalstatus", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_ledger_signals_business_id_businesses"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_ledger_signals_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_signals")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_ledger_signals_fingerprint")),
    )
    with op.batch_alter_table("ledger_signals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_signals_business_id"), ["business_id"], unique=False
        )
        batch_op.create_index(
            "ix_ledger_signals_county_status", ["county_code", "status"], unique=False
        )
        batch_op.create_index(
            "ix_ledger_signals_prefecture_status", ["prefecture_code", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ledger_signals_rule"), ["rule"], unique=False)

    # A provincial regulator's ledger list, latest first, reads this index in order.
    with op.batch_alter_table("ledger_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_lines_province_date",
            ["province_code", "purchase_date", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("ledger_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_lines_province_date")
    with op.batch_alter_table("ledger_signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_signals_rule"))
        batch_op.drop_index("ix_ledger_signals_prefecture_status")
        batch_op.drop_index("ix_ledger_signals_county_status")
        batch_op.drop_index(batch_op.f("ix_ledger_signals_business_id"))

    op.drop_table("ledger_signals")
