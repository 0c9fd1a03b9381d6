"""create the intake queue of complaints and reports

Revision ID: 0004s
Revises: 0003
Create Date: 2026-11-29 23:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sunshine.core.db

revision: str = "0004s"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "submission_intake",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("receipt_code", sa.String(length=16), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("complaint", "report", name="submissionkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=True),
        sa.Column("payload_ciphertext", sa.Text(), nullable=False),
        sa.Column("received_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum("stored", "refused", name="intakeoutcome", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column("result_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_submission_intake_business_id_businesses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_intake")),
        sa.UniqueConstraint("receipt_code", name=op.f("uq_submission_intake_receipt_code")),
    )
    with op.batch_alter_table("submission_intake", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submission_intake_pending",
            ["id"],
            unique=False,
            postgresql_where=sa.text("processed_at IS NULL"),
            sqlite_where=sa.text("processed_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("submission_intake", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_submission_intake_pending",
            postgresql_where=sa.text("processed_at IS NULL"),
            sqlite_where=sa.text("processed_at IS NULL"),
        )

    op.drop_table("submission_intake")
