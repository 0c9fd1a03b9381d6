"""create the EPCIS event repository

Events with their query indexes (identifiers by role, quantities, business transactions,
sources and destinations, the businesses that may see them), capture jobs and the GS1
identifiers businesses own.

Revision ID: 0011e
Revises: 0010
Create Date: 2026-11-30 12:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sunshine.core.db
from alembic import op

revision: str = "0011e"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "epcis_business_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("identifier", sa.String(length=512), nullable=False),
        sa.Column("created_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_epcis_business_identifiers_business_id_businesses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_business_identifiers")),
        sa.UniqueConstraint("identifier", name=op.f("uq_epcis_business_identifiers_identifier")),
    )
    with op.batch_alter_table("epcis_business_identifiers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_epcis_business_identifiers_business_id"), ["business_id"], unique=False
        )

    op.create_table(
        "epcis_captures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("error_behaviour", sa.String(length=10), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("stored_count", sa.Integer(), nullable=False),
        sa.Column("duplicate_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("created_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_epcis_captures_business_id_businesses"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_epcis_captures_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_captures")),
    )
    with op.batch_alter_table("epcis_captures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_epcis_captures_business_id"), ["business_id"], unique=False
        )

    op.create_table(
        "epcis_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.String(length=512), nullable=False),
        sa.Column("event_hash", sa.String(length=100), nullable=False),
        sa.Column("event_type", sa.String(length=24), nullable=False),
        sa.Column("event_time", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_time_zone_offset", sa.String(length=6), nullable=False),
        sa.Column("record_time", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=True),
        sa.Column("biz_step", sa.String(length=255), nullable=True),
        sa.Column("disposition", sa.String(length=255), nullable=True),
        sa.Column("read_point", sa.String(length=512), nullable=True),
        sa.Column("biz_location", sa.String(length=512), nullable=True),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("capture_id", sa.String(length=36), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_epcis_events_business_id_businesses")
        ),
        sa.ForeignKeyConstraint(
            ["capture_id"],
            ["epcis_captures.id"],
            name=op.f("fk_epcis_events_capture_id_epcis_captures"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_events")),
        sa.UniqueConstraint("event_hash", name=op.f("uq_epcis_events_event_hash")),
    )
    with op.batch_alter_table("epcis_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_epcis_events_biz_location_event_time", ["biz_location", "event_time"], unique=False
        )
        batch_op.create_index(
            "ix_epcis_events_biz_step_event_time", ["biz_step", "event_time"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_epcis_events_business_id"), ["business_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_epcis_events_capture_id"), ["capture_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_epcis_events_event_id"), ["event_id"], unique=False)
        batch_op.create_index("ix_epcis_events_event_time_id", ["event_time", "id"], unique=False)
        batch_op.create_index(
            "ix_epcis_events_read_point_event_time", ["read_point", "event_time"], unique=False
        )
        batch_op.create_index("ix_epcis_events_record_time_id", ["record_time", "id"], unique=False)

    op.create_table(
        "epcis_event_biz_transactions",
        sa.Column("event_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("type", sa.String(length=255), nullable=False),
        sa.Column("biz_transaction", sa.String(length=512), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_pk"],
            ["epcis_events.id"],
            name=op.f("fk_epcis_event_biz_transactions_event_pk_epcis_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "event_pk", "type", "biz_transaction", name=op.f("pk_epcis_event_biz_transactions")
        ),
    )
    with op.batch_alter_table("epcis_event_biz_transactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_epcis_event_biz_transactions_value",
            ["biz_transaction", "type", "event_pk"],
            unique=False,
        )

    op.create_table(
        "epcis_event_epcs",
        sa.Column("event_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("epc", sa.String(length=512), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_pk"],
            ["epcis_events.id"],
            name=op.f("fk_epcis_event_epcs_event_pk_epcis_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_pk", "role", "epc", name=op.f("pk_epcis_event_epcs")),
    )
    with op.batch_alter_table("epcis_event_epcs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_epcis_event_epcs_epc_role", ["epc", "role", "event_pk"], unique=False
        )

    op.create_table(
        "epcis_event_parties",
        sa.Column("event_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("direction", sa.String(length=12), nullable=False),
        sa.Column("type", sa.String(length=255), nullable=False),
        sa.Column("value", sa.String(length=512), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_pk"],
            ["epcis_events.id"],
            name=op.f("fk_epcis_event_parties_event_pk_epcis_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "event_pk", "direction", "type", "value", name=op.f("pk_epcis_event_parties")
        ),
    )
    with op.batch_alter_table("epcis_event_parties", schema=None) as batch_op:
        batch_op.create_index(
            "ix_epcis_event_parties_value", ["value", "direction", "type", "event_pk"], unique=False
        )

    op.create_table(
        "epcis_event_quantities",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("epc_class", sa.String(length=512), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("uom", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_pk"],
            ["epcis_events.id"],
            name=op.f("fk_epcis_event_quantities_event_pk_epcis_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_event_quantities")),
    )
    with op.batch_alter_table("epcis_event_quantities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_epcis_event_quantities_class_role", ["epc_class", "role", "event_pk"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_epcis_event_quantities_event_pk"), ["event_pk"], unique=False
        )

    op.create_table(
        "epcis_event_viewers",
        sa.Column("event_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_epcis_event_viewers_business_id_businesses"),
        ),
        sa.ForeignKeyConstraint(
            ["event_pk"],
            ["epcis_events.id"],
            name=op.f("fk_epcis_event_viewers_event_pk_epcis_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_pk", "business_id", name=op.f("pk_epcis_event_viewers")),
    )
    with op.batch_alter_table("epcis_event_viewers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_epcis_event_viewers_business", ["business_id", "event_pk"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("epcis_event_viewers", schema=None) as batch_op:
        batch_op.drop_index("ix_epcis_event_viewers_business")

    op.drop_table("epcis_event_viewers")
    with op.batch_alter_table("epcis_event_quantities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_epcis_event_quantities_event_pk"))
        batch_op.drop_index("ix_epcis_event_quantities_class_role")

    op.drop_table("epcis_event_quantities")
    with op.batch_alter_table("epcis_event_parties", schema=None) as batch_op:
        batch_op.drop_index("ix_epcis_event_parties_value")

    op.drop_table("epcis_event_parties")
    with op.batch_alter_table("epcis_event_epcs", schema=None) as batch_op:
        batch_op.drop_index("ix_epcis_event_epcs_epc_role")

    op.drop_table("epcis_event_epcs")
    with op.batch_alter_table("epcis_event_biz_transactions", schema=None) as batch_op:
        batch_op.drop_index("ix_epcis_event_biz_transactions_value")

    op.drop_table("epcis_captures")
    with op.batch_alter_table("epcis_business_identifiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_epcis_business_identifiers_business_id"))

    op.drop_table("epcis_business_identifiers")
