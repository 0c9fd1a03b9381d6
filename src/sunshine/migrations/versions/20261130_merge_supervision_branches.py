"""join the supervision branches into one head

LIVES feeds (0007l), inspection plans, draws and tasks (0007p) and sampling (0007s) were
written side by side, each on top of 0006; this revision joins them.

Revision ID: 0008
Revises: 0007l, 0007p, 0007s
Create Date: 2026-11-30 04:20:00.000000+00:00
"""

from collections.abc import Sequence

revision: str = "0008"
down_revision: str | Sequence[str] | None = ("0007l", "0007p", "0007s")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
