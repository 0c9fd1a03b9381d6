"""join the capture, ledger index, licence scope and recall closing branches into one head

The lighter EPCIS index tables (0015c), the current ledger lines' indexes (0015l), the
licence scope kept on each ledger line (0015d) and who closed a recall (0015f) were written
side by side on top of 0014; this revision joins them.

Revision ID: 0016
Revises: 0015c, 0015d, 0015f, 0015l
Create Date: 2026-11-30 09:50:00.000000+00:00
"""

from collections.abc import Sequence

revision: str = "0016"
down_revision: str | Sequence[str] | None = ("0015c", "0015d", "0015f", "0015l")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
