"""Index the current ledger lines by area, date and category (the regulators' lists).

Partial indexes on ``corrected_by_id IS NULL`` (a list shows current lines only) answer the
list's capped count and its page without reading the table.

Revision ID: 0015l
Revises: 0014
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015l"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CURRENT = sa.text("corrected_by_id IS NULL")
_LEVELS = ("province", "prefecture", "county")


def upgrade() -> None:
    with op.batch_alter_table("ledger_lines", schema=None) as batch_op:
        for level in _LEVELS:
            batch_op.create_index(
                f"ix_ledger_lines_{level}_current",
                [f"{level}_code", "purchase_date", "id"],
                unique=False,
                postgresql_include=["category"],
                postgresql_where=_CURRENT,
                sqlite_where=_CURRENT,
            )
        batch_op.create_index(
            "ix_ledger_lines_province_category_current",
            ["province_code", "category", "purchase_date", "id"],
            unique=False,
            postgresql_where=_CURRENT,
            sqlite_where=_CURRENT,
        )


def downgrade() -> None:
    with op.batch_alter_table("ledger_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_lines_province_category_current")
        for level in _LEVELS:
            batch_op.drop_index(f"ix_ledger_lines_{level}_current")
