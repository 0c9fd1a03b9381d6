"""record who closed a batch recall and why

A regulator closes a recall once every holder has acknowledged it, or earlier with a stated
reason; the recall keeps who closed it and that reason (the case's timeline keeps the step).

Revision ID: 0015f
Revises: 0014
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015f"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("recalls") as batch:
        batch.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("close_reason", sa.Text(), nullable=False, server_default=""))
        batch.create_foreign_key(
            op.f("fk_recalls_closed_by_id_users"), "users", ["closed_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("recalls") as batch:
        batch.drop_constraint(op.f("fk_recalls_closed_by_id_users"), type_="foreignkey")
        batch.drop_column("close_reason")
        batch.drop_column("closed_by_id")
