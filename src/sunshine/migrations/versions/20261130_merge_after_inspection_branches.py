"""join the after-inspection branches into one head

Self-inspection (0009a), rectification orders and penalty decisions (0009b) and hygiene
scores with the index of failed items (0009h) were written side by side, each on top of
0008; this revision joins them.

Revision ID: 0010
Revises: 0009a, 0009b, 0009h
Create Date: 2026-11-30 06:00:00.000000+00:00
"""

from collections.abc import Sequence

revision: str = "0010"
down_revision: str | Sequence[str] | None = ("0009a", "0009b", "0009h")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
