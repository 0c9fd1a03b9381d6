"""keep the supplier's licence scope on each ledger line

The big ledger's scope rule judges a purchase by the supplier's licence scope as it stood
when the line was recorded, like the licence number, expiry and state the line already
copies. Lines recorded before keep NULL: their scope is unknown and the rule says nothing.

Revision ID: 0015d
Revises: 0014
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015d"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_lines") as batch:
        batch.add_column(sa.Column("supplier_licence_scope", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger_lines") as batch:
        batch.drop_column("supplier_licence_scope")
