"""create complaints, whistleblower reports, rewards and insurance policies

Revision ID: 0004c
Revises: 0003
Create Date: 2026-11-29 23:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sunshine.core.db

revision: str = "0004c"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "insurance_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("insurer", sa.String(length=80), nullable=False),
        sa.Column("policy_number", sa.String(length=40), nullable=False),
        sa.Column("cover_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("claims_email", sa.String(length=120), nullable=True),
        sa.Column("claims_phone", sa.String(length=20), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_insurance_policies_business_id_businesses"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_insurance_policies_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_policies")),
        sa.UniqueConstraint("insurer", "policy_number", name=op.f("uq_insurance_policies_insurer")),
    )
    with op.batch_alter_table("insurance_policies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_insurance_policies_business_period",
            ["business_id", "start_on", "end_on"],
            unique=False,
        )

    op.create_table(
        "whistleblower_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "group",
            sa.Enum(
                "journalist",
                "teacher",
                "student",
                "rider",
                name="whistleblowergroup",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("organisation", sa.String(length=120), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "verified", "revoked", name="profilestatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_whistleblower_profiles_decided_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_whistleblower_profiles_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whistleblower_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_whistleblower_profiles_user_id")),
    )
    with op.batch_alter_table("whistleblower_profiles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_whistleblower_profiles_status"), ["status"], unique=False
        )

    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_code", sa.String(length=16), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("head_business_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "category",
            sa.Enum(
                "foreign_matter",
                "spoiled_food",
                "illness",
                "hygiene",
                "price",
                "service",
                "other",
                name="complaintcategory",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "desired_outcome",
            sa.Enum(
                "apology",
                "refund",
                "compensation",
                "rectification",
                "other",
                name="desiredoutcome",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("request_text", sa.Text(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("claims_damage", sa.Boolean(), nullable=False),
        sa.Column("contact_ciphertext", sa.Text(), nullable=False),
        sa.Column("contact_masked", sa.String(length=60), nullable=False),
        sa.Column("phone_digest", sa.String(length=64), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "with_merchant",
                "merchant_answered",
                "with_head",
                "head_answered",
                "with_regulator",
                "resolved",
                "closed",
                name="complaintstate",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("stage_due_on", sa.Date(), nullable=True),
        sa.Column("reminded_for_due_on", sa.Date(), nullable=True),
        sa.Column("overdue_for_due_on", sa.Date(), nullable=True),
        sa.Column("merchant_answer", sa.Text(), nullable=True),
        sa.Column(
            "merchant_answered_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("head_answer", sa.Text(), nullable=True),
        sa.Column("head_answered_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("submitted_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_complaints_business_id_businesses")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_complaints_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["head_business_id"],
            ["businesses.id"],
            name=op.f("fk_complaints_head_business_id_businesses"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_complaints_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("case_id", name=op.f("uq_complaints_case_id")),
        sa.UniqueConstraint("receipt_code", name=op.f("uq_complaints_receipt_code")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(
            "ix_complaints_business_state", ["business_id", "state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaints_head_business_id"), ["head_business_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaints_phone_digest"), ["phone_digest"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_complaints_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_complaints_submitted_at"), ["submitted_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_complaints_user_id"), ["user_id"], unique=False)

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_code", sa.String(length=16), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "unlicensed",
                "expired_or_spoiled",
                "illegal_additives",
                "unsafe_sources",
                "hygiene",
                "staff_health",
                "fraud",
                "other",
                name="reportcategory",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("identity_ciphertext", sa.Text(), nullable=True),
        sa.Column(
            "group",
            sa.Enum(
                "journalist",
                "teacher",
                "student",
                "rider",
                name="whistleblowergroup",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("insider", sa.Boolean(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_reports_business_id_businesses")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_reports_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_reports_region_code_regions")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reports_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("case_id", name=op.f("uq_reports_case_id")),
        sa.UniqueConstraint("receipt_code", name=op.f("uq_reports_receipt_code")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_business_id"), ["business_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_submitted_at"), ["submitted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_user_id"), ["user_id"], unique=False)

    op.create_table(
        "complaint_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "party",
            sa.Enum(
                "diner",
                "merchant",
                "head",
                "regulator",
                "system",
                name="party",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "step",
            sa.Enum(
                "submit",
                "answer",
                "escalate_head",
                "head_answer",
                "escalate_regulator",
                "accept",
                "rate",
                "overdue",
                "insurer_notified",
                "case_update",
                "close",
                name="complaintstep",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "with_merchant",
                "merchant_answered",
                "with_head",
                "head_answered",
                "with_regulator",
                "resolved",
                "closed",
                name="complaintstate",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_complaint_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_events_complaint_id_complaints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_events")),
    )
    with op.batch_alter_table("complaint_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_events_complaint_id"), ["complaint_id"], unique=False
        )

    op.create_table(
        "reward_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column(
            "level",
            sa.Enum("first", "second", "third", name="rewardlevel", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("fines_and_confiscations", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("insider_rate", sa.Numeric(precision=6, scale=4), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("needs_finance_cosign", sa.Boolean(), nullable=False),
        sa.Column("finance_cosigned_by", sa.String(length=80), nullable=True),
        sa.Column("finance_cosigned_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "not_eligible",
                "calculated",
                "approved",
                "paid",
                name="rewardstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("calculated_by_id", sa.Integer(), nullable=False),
        sa.Column("calculated_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_reward_decisions_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["calculated_by_id"],
            ["users.id"],
            name=op.f("fk_reward_decisions_calculated_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_reward_decisions_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward_decisions")),
        sa.UniqueConstraint("report_id", name=op.f("uq_reward_decisions_report_id")),
    )
    op.create_table(
        "reward_payouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=24), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sequence", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["reward_decisions.id"],
            name=op.f("fk_reward_payouts_decision_id_reward_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_reward_payouts_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward_payouts")),
    )
    with op.batch_alter_table("reward_payouts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reward_payouts_decision_id"), ["decision_id"], unique=False
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("priority", sa.SmallInteger(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("priority")

    with op.batch_alter_table("reward_payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reward_payouts_decision_id"))

    op.drop_table("reward_payouts")
    op.drop_table("reward_decisions")
    with op.batch_alter_table("complaint_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_events_complaint_id"))

    op.drop_table("complaint_events")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_user_id"))
        batch_op.drop_index(batch_op.f("ix_reports_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_reports_category"))
        batch_op.drop_index(batch_op.f("ix_reports_business_id"))

    op.drop_table("reports")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_user_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_complaints_state"))
        batch_op.drop_index(batch_op.f("ix_complaints_phone_digest"))
        batch_op.drop_index(batch_op.f("ix_complaints_head_business_id"))
        batch_op.drop_index("ix_complaints_business_state")

    op.drop_table("complaints")
    with op.batch_alter_table("whistleblower_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_whistleblower_profiles_status"))

    op.drop_table("whistleblower_profiles")
    with op.batch_alter_table("insurance_policies", schema=None) as batch_op:
        batch_op.drop_index("ix_insurance_policies_business_period")

    op.drop_table("insurance_policies")
