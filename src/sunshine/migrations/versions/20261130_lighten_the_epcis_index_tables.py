"""Lighten the EPCIS index tables for bulk capture: no foreign keys on the index rows, no
unused indexes on events, partial indexes on read point and business location; index the
few transformation events (the FSMA export's transformation sheet).

PostgreSQL checks each foreign key with a per-row trigger that locks the parent row; the index
rows are written only with their event, in one transaction (see the models' docstring).

Revision ID: 0015c
Revises: 0014
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015c"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHILDREN = (
    "epcis_event_biz_transactions",
    "epcis_event_epcs",
    "epcis_event_parties",
    "epcis_event_quantities",
    "epcis_event_viewers",
)
_TRANSFORMATIONS = sa.text("event_type = 'TransformationEvent'")
_PARTIAL = (
    ("ix_epcis_events_biz_location_event_time", "biz_location"),
    ("ix_epcis_events_read_point_event_time", "read_point"),
)


def upgrade() -> None:
    for table in _CHILDREN:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_event_pk_epcis_events", type_="foreignkey")
            if table == "epcis_event_viewers":
                batch_op.drop_constraint(
                    "fk_epcis_event_viewers_business_id_businesses", type_="foreignkey"
                )
    with op.batch_alter_table("epcis_events", schema=None) as batch_op:
        batch_op.drop_constraint("fk_epcis_events_capture_id_epcis_captures", type_="foreignkey")
        batch_op.drop_index("ix_epcis_events_capture_id")
        batch_op.drop_index("ix_epcis_events_business_id")
        for name, column in _PARTIAL:
            batch_op.drop_index(name)
            batch_op.create_index(
                name,
                [column, "event_time"],
                unique=False,
                postgresql_where=sa.text(f"{column} IS NOT NULL"),
                sqlite_where=sa.text(f"{column} IS NOT NULL"),
            )
        batch_op.create_index(
            "ix_epcis_events_transformations",
            ["event_time", "id"],
            unique=False,
            postgresql_where=_TRANSFORMATIONS,
            sqlite_where=_TRANSFORMATIONS,
        )


def downgrade() -> None:
    with op.batch_alter_table("epcis_events", schema=None) as batch_op:
        batch_op.drop_index("ix_epcis_events_transformations")
        for name, column in _PARTIAL:
            batch_op.drop_index(name)
            batch_op.create_index(name, [column, "event_time"], unique=False)
        batch_op.create_index("ix_epcis_events_business_id", ["business_id"], unique=False)
        batch_op.create_index("ix_epcis_events_capture_id", ["capture_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_epcis_events_capture_id_epcis_captures", "epcis_captures", ["capture_id"], ["id"]
        )
    for table in _CHILDREN:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_foreign_key(
                f"fk_{table}_event_pk_epcis_events",
                "epcis_events",
                ["event_pk"],
                ["id"],
                ondelete="CASCADE",
            )
            if table == "epcis_event_viewers":
                batch_op.create_foreign_key(
                    "fk_epcis_event_viewers_business_id_businesses",
                    "businesses",
                    ["business_id"],
                    ["id"],
                )
