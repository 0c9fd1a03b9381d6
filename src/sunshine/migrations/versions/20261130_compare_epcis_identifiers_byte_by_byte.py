"""compare epcis identifiers byte by byte

The identifiers, URIs, hashes and CBV values that the EPCIS event tables index take the "C"
collation on PostgreSQL: byte order, as SQLite always compares them. A database's own
collation (en_US, zh_CN, even C.UTF-8 before PostgreSQL 17) compares through the C library's
locale rules, several times the cost of a byte comparison for every index entry written or
searched, and bulk capture writes some twenty index entries per event (issue 5 §9). Equality
is the same under either (both are deterministic); only the order of these columns among
themselves changes, and nothing orders by them for meaning. The indexes on them are rebuilt:
minutes on a repository of ten million events.

Revision ID: 0021e
Revises: 0020e
Create Date: 2026-11-30 21:30:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021e"
down_revision: str | Sequence[str] | None = "0020e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The columns changed, by table, with their length.
_COLUMNS = {
    "epcis_events": {
        "event_id": 512,
        "event_hash": 100,
        "biz_step": 255,
        "read_point": 512,
        "biz_location": 512,
    },
    "epcis_event_epcs": {"role": 8, "epc": 512},
    "epcis_event_quantities": {"role": 8, "epc_class": 512},
    "epcis_event_biz_transactions": {"type": 255, "biz_transaction": 512},
    "epcis_event_parties": {"direction": 12, "type": 255, "value": 512},
}


def _collate(collation: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite compares text byte by byte already
    for table, columns in _COLUMNS.items():
        changes = ", ".join(
            f'ALTER COLUMN {column} TYPE varchar({length}) COLLATE "{collation}"'
            for column, length in columns.items()
        )
        op.execute(f"ALTER TABLE {table} {changes}")


def upgrade() -> None:
    _collate("C")


def downgrade() -> None:
    _collate("default")
