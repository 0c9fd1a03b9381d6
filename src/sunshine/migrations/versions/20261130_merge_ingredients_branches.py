"""join the ingredients branches into one head

The EPCIS event repository (0011e) and the products, suppliers and purchase ledger (0011i)
were written side by side, each on top of 0010; this revision joins them.

Revision ID: 0012
Revises: 0011e, 0011i
Create Date: 2026-11-30 07:00:00.000000+00:00
"""

from collections.abc import Sequence

revision: str = "0012"
down_revision: str | Sequence[str] | None = ("0011e", "0011i")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
