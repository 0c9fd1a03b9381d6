"""create the tables of LIVES feeds (inspection data of other systems)

Revision ID: 0007l
Revises: 0006
Create Date: 2026-11-30 04:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sunshine.core.db

revision: str = "0007l"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lives_businesses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("prefecture_code", sa.String(length=6), nullable=True),
        sa.Column("county_code", sa.String(length=6), nullable=True),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=100), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("phone_number", sa.String(length=40), nullable=False),
        sa.Column("imported_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_lives_businesses_region_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lives_businesses")),
        sa.UniqueConstraint(
            "region_code", "external_id", name=op.f("uq_lives_businesses_region_code")
        ),
    )
    with op.batch_alter_table("lives_businesses", schema=None) as batch_op:
        batch_op.create_index("ix_lives_businesses_county", ["county_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_lives_businesses_province_code"), ["province_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_lives_businesses_prefecture_code"), ["prefecture_code"], unique=False
        )
    for table, columns in (
        (
            "lives_inspections",
            [
                sa.Column("score", sa.Integer(), nullable=True),
                sa.Column("type", sa.String(length=100), nullable=False),
            ],
        ),
        (
            "lives_violations",
            [
                sa.Column("code", sa.String(length=40), nullable=False),
                sa.Column("risk_category", sa.String(length=40), nullable=False),
            ],
        ),
    ):
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("business_id", sa.Integer(), nullable=False),
            sa.Column("inspected_on", sa.Date(), nullable=False),
            *columns,
            sa.Column("description", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(
                ["business_id"],
                ["lives_businesses.id"],
                name=op.f(f"fk_{table}_business_id_lives_businesses"),
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_business_id"), ["business_id"])


def downgrade() -> None:
    op.drop_table("lives_violations")
    op.drop_table("lives_inspections")
    op.drop_table("lives_businesses")
