"""create the hygiene scores (量化分级) and index the item results that did not pass

The partial index serves the problems-by-item aggregation: it reads only the failed and
not-applicable item results (a few per cent of the table), with all the columns it counts.

Revision ID: 0009h
Revises: 0008
Create Date: 2026-11-30 06:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sunshine.core.db

revision: str = "0009h"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOT_PASSED = "outcome <> 'pass'"


def upgrade() -> None:
    op.create_table(
        "hygiene_scores",
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("table_code", sa.String(length=40), nullable=False),
        sa.Column("column", sa.String(length=2), nullable=False),
        sa.Column("achieved_points", sa.Integer(), nullable=False),
        sa.Column("applicable_points", sa.Integer(), nullable=False),
        sa.Column("score_tenths", sa.Integer(), nullable=False),
        sa.Column("key_failed", sa.Integer(), nullable=False),
        sa.Column(
            "grade",
            sa.Enum(
                "excellent", "good", "average", name="hygienegrade", native_enum=False, length=12
            ),
            nullable=True,
        ),
        sa.Column(
            "no_grade_reason",
            sa.Enum(
                "below_minimum",
                "key_items",
                "new_licence",
                name="nogradereason",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("scored_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_hygiene_scores_business_id_businesses"),
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_hygiene_scores_inspection_id_inspections"),
        ),
        sa.PrimaryKeyConstraint("inspection_id", name=op.f("pk_hygiene_scores")),
    )
    with op.batch_alter_table("hygiene_scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hygiene_scores_business_on", ["business_id", "inspected_on"], unique=False
        )
    with op.batch_alter_table("inspection_item_results", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inspection_item_results_not_passed",
            ["item_id", "outcome", "inspection_id"],
            unique=False,
            postgresql_where=sa.text(_NOT_PASSED),
            sqlite_where=sa.text(_NOT_PASSED),
        )


def downgrade() -> None:
    with op.batch_alter_table("inspection_item_results", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_inspection_item_results_not_passed",
            postgresql_where=sa.text(_NOT_PASSED),
            sqlite_where=sa.text(_NOT_PASSED),
        )
    with op.batch_alter_table("hygiene_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_hygiene_scores_business_on")
    op.drop_table("hygiene_scores")
