"""reserve epcis event keys in blocks

A bulk capture reserves the keys of its events when it is accepted, so that its rows can be
written straight away by its job (``repository.render``). One ``nextval`` per event cost
PostgreSQL about two microseconds an event; with the sequence stepping by a block of keys,
one ``nextval`` reserves a block (``repository._reserve_keys`` reads the step, so it keys
events rightly with any step). The keys skipped by a small capture are of no consequence:
the key is a 64-bit number and nothing reads meaning into it.

Revision ID: 0020e
Revises: 0019e
Create Date: 2026-11-30 21:00:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020e"
down_revision: str | Sequence[str] | None = "0019e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Keys per block (``repository.KEY_BLOCK``; a copy: a migration keeps its own values).
_BLOCK = 1000


def _step(size: int) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DO $$ BEGIN EXECUTE format('ALTER SEQUENCE %s INCREMENT BY "
            f"{size}', pg_get_serial_sequence('epcis_events', 'id')); END $$"
        )


def upgrade() -> None:
    _step(_BLOCK)


def downgrade() -> None:
    _step(1)
