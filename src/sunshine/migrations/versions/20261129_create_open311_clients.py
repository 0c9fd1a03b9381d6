"""create open311_clients (API keys of Open311 GeoReport v2 clients)

Revision ID: 0004o
Revises: 0003
Create Date: 2026-11-29 23:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sunshine.core.db

revision: str = "0004o"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "open311_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("key_digest", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("hourly_limit", sa.Integer(), nullable=False),
        sa.Column("created_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_clients")),
        sa.UniqueConstraint("key_digest", name=op.f("uq_open311_clients_key_digest")),
        sa.UniqueConstraint("name", name=op.f("uq_open311_clients_name")),
    )


def downgrade() -> None:
    op.drop_table("open311_clients")
