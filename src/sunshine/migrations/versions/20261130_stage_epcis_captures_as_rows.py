"""stage epcis captures as rows

A capture keeps its checked events staged as the rows its job writes (``staged``, a compact
JSON array read with orjson) instead of the normalised events as a JSON value that the job
had to check, hash and index again (issue 5 §9, bulk capture). On PostgreSQL the column is
compressed with lz4 where the server has it: pglz cost about ten microseconds per event.
The events' business loses its foreign key, as the index tables did (see the models): the
repository alone writes it, from the capturing principal, and the check cost PostgreSQL a
trigger call per event.

Captures still pending at the upgrade (their job had not run) are marked failed with a
message asking to send the document again: the old form cannot be staged without the
application's code.

Revision ID: 0019e
Revises: 0018r
Create Date: 2026-11-30 18:30:00.000000+00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import sunshine.core.db

revision: str = "0019e"
down_revision: str | Sequence[str] | None = "0018r"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: ``service.STOPPED_BY_UPGRADE`` (the message is translated where it is shown).
_STOPPED = "the capture was waiting when the repository was upgraded; send the document again"

_captures = sa.table(
    "epcis_captures",
    sa.column("id", sa.String),
    sa.column("status", sa.String),
    sa.column("errors", sa.JSON),
    sa.column("finished_at", sunshine.core.db.UTCDateTime(timezone=True)),
)


def _fail_pending() -> None:
    connection = op.get_bind()
    pending = connection.execute(
        sa.select(_captures.c.id, _captures.c.errors).where(_captures.c.status == "pending")
    ).all()
    for capture_id, errors in pending:
        connection.execute(
            sa.update(_captures)
            .where(_captures.c.id == capture_id)
            .values(
                status="failed",
                errors=[*(errors or []), {"field": "/", "message": _STOPPED}],
                finished_at=datetime.now(UTC),
            )
        )


def upgrade() -> None:
    _fail_pending()
    with op.batch_alter_table("epcis_captures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staged", sa.Text(), nullable=True))
        batch_op.drop_column("payload")
    with op.batch_alter_table("epcis_events", schema=None) as batch_op:
        batch_op.drop_constraint("fk_epcis_events_business_id_businesses", type_="foreignkey")
    if op.get_bind().dialect.name == "postgresql":
        # lz4 needs PostgreSQL 14 built with it; without it the column keeps pglz.
        op.execute(
            """
            DO $$
            BEGIN
                ALTER TABLE epcis_captures ALTER COLUMN staged SET COMPRESSION lz4;
            EXCEPTION WHEN feature_not_supported OR syntax_error OR invalid_parameter_value
            THEN NULL;
            END $$
            """
        )


def downgrade() -> None:
    _fail_pending()
    with op.batch_alter_table("epcis_captures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload", sa.JSON(), nullable=True))
        batch_op.drop_column("staged")
    with op.batch_alter_table("epcis_events", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_epcis_events_business_id_businesses", "businesses", ["business_id"], ["id"]
        )
