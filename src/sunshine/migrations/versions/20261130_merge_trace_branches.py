"""join the shipments, recall and big-ledger branches into one head

Shipments and the ledger's EPCIS events (0013s), trace and recall (0013r) and the big
ledger's risk signals (0013a) were written side by side, each on top of 0012; this revision
joins them.

Revision ID: 0014
Revises: 0013a, 0013r, 0013s
Create Date: 2026-11-30 07:15:00.000000+00:00
"""

from collections.abc import Sequence

revision: str = "0014"
down_revision: str | Sequence[str] | None = ("0013a", "0013r", "0013s")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
