"""join the co-governance branches into one head

Notifications, reviews and evidence, complaints and reports, Open311 clients, the intake
queue and the case-queue indexes were written side by side, each on top of 0003; this
revision joins them so the schema has one head again.

Revision ID: 0005
Revises: 0004b, 0004c, 0004n, 0004o, 0004r, 0004s
Create Date: 2026-11-30 00:30:00.000000+00:00
"""

from collections.abc import Sequence

revision: str = "0005"
down_revision: str | Sequence[str] | None = ("0004b", "0004c", "0004n", "0004o", "0004r", "0004s")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
