"""create the tables of business self-inspections (主体自查) and their to-dos

Revision ID: 0009a
Revises: 0008
Create Date: 2026-11-30 05:37:13.437362+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sunshine.core.db

revision: str = "0009a"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "self_check_daily_lists",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.Integer(), nullable=False),
        sa.Column("item_codes", sa.JSON(), nullable=False),
        sa.Column("updated_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_self_check_daily_lists_business_id_businesses"),
        ),
        sa.ForeignKeyConstraint(
            ["checklist_id"],
            ["checklists.id"],
            name=op.f("fk_self_check_daily_lists_checklist_id_checklists"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_self_check_daily_lists_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("business_id", name=op.f("pk_self_check_daily_lists")),
    )
    op.create_table(
        "self_inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column(
            "frequency",
            sa.Enum(
                "daily",
                "weekly",
                "monthly",
                name="selfcheckfrequency",
                native_enum=False,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("checklist_id", sa.Integer(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("checked_by_name", sa.String(length=60), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("not_applicable", sa.Integer(), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_self_inspections_business_id_businesses"),
        ),
        sa.ForeignKeyConstraint(
            ["checklist_id"],
            ["checklists.id"],
            name=op.f("fk_self_inspections_checklist_id_checklists"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_self_inspections_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_inspections")),
        sa.UniqueConstraint(
            "business_id", "frequency", "period_start", name=op.f("uq_self_inspections_business_id")
        ),
    )
    with op.batch_alter_table("self_inspections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_self_inspections_period", ["frequency", "period_start"], unique=False
        )

    op.create_table(
        "self_check_todos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("self_inspection_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="todostatus", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("created_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=False),
        sa.Column("closing_photos", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_self_check_todos_business_id_businesses"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_self_check_todos_closed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["checklist_items.id"],
            name=op.f("fk_self_check_todos_item_id_checklist_items"),
        ),
        sa.ForeignKeyConstraint(
            ["self_inspection_id"],
            ["self_inspections.id"],
            name=op.f("fk_self_check_todos_self_inspection_id_self_inspections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_check_todos")),
    )
    with op.batch_alter_table("self_check_todos", schema=None) as batch_op:
        batch_op.create_index(
            "ix_self_check_todos_business", ["business_id", "status"], unique=False
        )
        batch_op.create_index("ix_self_check_todos_due", ["status", "due_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_self_check_todos_self_inspection_id"),
            ["self_inspection_id"],
            unique=False,
        )

    op.create_table(
        "self_inspection_answers",
        sa.Column("self_inspection_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "pass", "fail", "not_applicable", name="itemoutcome", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["checklist_items.id"],
            name=op.f("fk_self_inspection_answers_item_id_checklist_items"),
        ),
        sa.ForeignKeyConstraint(
            ["self_inspection_id"],
            ["self_inspections.id"],
            name=op.f("fk_self_inspection_answers_self_inspection_id_self_inspections"),
        ),
        sa.PrimaryKeyConstraint(
            "self_inspection_id", "item_id", name=op.f("pk_self_inspection_answers")
        ),
    )


def downgrade() -> None:
    op.drop_table("self_inspection_answers")
    with op.batch_alter_table("self_check_todos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_self_check_todos_self_inspection_id"))
        batch_op.drop_index("ix_self_check_todos_due")
        batch_op.drop_index("ix_self_check_todos_business")

    op.drop_table("self_check_todos")
    with op.batch_alter_table("self_inspections", schema=None) as batch_op:
        batch_op.drop_index("ix_self_inspections_period")

    op.drop_table("self_inspections")
    op.drop_table("self_check_daily_lists")
