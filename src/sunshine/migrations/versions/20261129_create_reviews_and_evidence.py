"""create reviews and evidence files

Revision ID: 0004r
Revises: 0003
Create Date: 2026-11-29 23:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sunshine.core.db

revision: str = "0004r"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_summaries",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("visible_count", sa.Integer(), nullable=False),
        sa.Column("folded_count", sa.Integer(), nullable=False),
        sa.Column("environment_total", sa.Integer(), nullable=False),
        sa.Column("quality_total", sa.Integer(), nullable=False),
        sa.Column("service_total", sa.Integer(), nullable=False),
        sa.Column("updated_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_review_summaries_business_id_businesses"),
        ),
        sa.PrimaryKeyConstraint("business_id", name=op.f("pk_review_summaries")),
    )
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("owner_type", sa.String(length=24), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("photo", "video", name="evidencekind", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("original_path", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "public_copy",
            sa.Enum("stripped", "withheld", name="publiccopy", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("public_path", sa.String(length=200), nullable=True),
        sa.Column("thumb_path", sa.String(length=200), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_evidence_files_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
        sa.UniqueConstraint("token", name=op.f("uq_evidence_files_token")),
    )
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_files_owner", ["owner_type", "owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_files_sha256"), ["sha256"], unique=False)

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("visible", "folded", name="reviewstatus", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("environment_score", sa.Integer(), nullable=False),
        sa.Column("quality_score", sa.Integer(), nullable=False),
        sa.Column("service_score", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_display", sa.String(length=40), nullable=False),
        sa.Column("receipt_digest", sa.String(length=64), nullable=False),
        sa.Column("ip_digest", sa.String(length=64), nullable=True),
        sa.Column("device_digest", sa.String(length=64), nullable=True),
        sa.Column("fill_seconds", sa.Integer(), nullable=True),
        sa.Column(
            "fold_reason",
            sa.Enum(
                "duplicate_text",
                "store_burst",
                "fast_fill",
                "regulator",
                name="foldreason",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("fold_note", sa.Text(), nullable=True),
        sa.Column("folded_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("reply_by_id", sa.Integer(), nullable=True),
        sa.Column("replied_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reply_edited_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "environment_score BETWEEN 1 AND 5", name=op.f("ck_reviews_environment_score_range")
        ),
        sa.CheckConstraint(
            "quality_score BETWEEN 1 AND 5", name=op.f("ck_reviews_quality_score_range")
        ),
        sa.CheckConstraint(
            "service_score BETWEEN 1 AND 5", name=op.f("ck_reviews_service_score_range")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_reviews_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_reviews_business_id_businesses")
        ),
        sa.ForeignKeyConstraint(
            ["reply_by_id"], ["users.id"], name=op.f("fk_reviews_reply_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("receipt_digest", name=op.f("uq_reviews_receipt_digest")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reviews_author_created", ["author_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_reviews_business_created", ["business_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_reviews_business_status_created",
            ["business_id", "status", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_reviews_device_created", ["device_digest", "created_at"], unique=False
        )
        batch_op.create_index("ix_reviews_ip_created", ["ip_digest", "created_at"], unique=False)

    op.create_table(
        "review_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "upheld", "dismissed", name="appealstatus", native_enum=False, length=12
            ),
            nullable=False,
        ),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("filed_by_id", sa.Integer(), nullable=True),
        sa.Column("filed_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sunshine.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_review_appeals_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_id"], ["users.id"], name=op.f("fk_review_appeals_filed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_review_appeals_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_appeals")),
        sa.UniqueConstraint("review_id", name=op.f("uq_review_appeals_review_id")),
    )
    with op.batch_alter_table("review_appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_appeals_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_appeals_status"))

    op.drop_table("review_appeals")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_reviews_ip_created")
        batch_op.drop_index("ix_reviews_device_created")
        batch_op.drop_index("ix_reviews_business_status_created")
        batch_op.drop_index("ix_reviews_business_created")
        batch_op.drop_index("ix_reviews_author_created")

    op.drop_table("reviews")
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_files_sha256"))
        batch_op.drop_index("ix_evidence_files_owner")

    op.drop_table("evidence_files")
    op.drop_table("review_summaries")
