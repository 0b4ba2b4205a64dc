"""national-system sync: outbox, reconciliation reports and their differences

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "registry"


def _enum(*values: str) -> sa.Enum:
    return sa.Enum(*values, native_enum=False, length=40)


SUBJECT = ("site", "account")


def upgrade() -> None:
    op.create_table(
        "sync_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("filing_id", sa.Integer(), sa.ForeignKey(f"{S}.filing.id"), nullable=True),
        sa.Column("subject_kind", _enum(*SUBJECT), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("record", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("org_path", sa.String(400), nullable=False),
        sa.Column("state", _enum("pending", "sent", "acknowledged", "failed", "resolved"), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(2000), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("national_id", sa.String(100), nullable=True),
        sa.Column("resolution_note", sa.String(2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        schema=S,
    )
    op.create_index("ix_sync_outbox_due", "sync_outbox", ["state", "next_attempt_at"], schema=S)
    op.create_index("ix_sync_outbox_subject", "sync_outbox", ["subject_kind", "subject_id", "id"], schema=S)
    op.create_index("ix_sync_outbox_org_path", "sync_outbox", ["org_path"], schema=S,
                    postgresql_ops={"org_path": "text_pattern_ops"})
    op.create_index("ix_registry_sync_outbox_filing_id", "sync_outbox", ["filing_id"], schema=S)
    op.create_table(
        "sync_reconciliation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope_org_id", sa.Integer(), sa.ForeignKey(f"{S}.organisation.id"), nullable=False),
        sa.Column("scope_path", sa.String(400), nullable=False),
        sa.Column("subject_kind", _enum(*SUBJECT), nullable=True),
        sa.Column("started_by", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_count", sa.Integer(), nullable=False),
        sa.Column("national_count", sa.Integer(), nullable=False),
        sa.Column("difference_count", sa.Integer(), nullable=False),
        sa.Column("counts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        schema=S,
    )
    op.create_table(
        "sync_difference",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reconciliation_id", sa.Integer(), sa.ForeignKey(f"{S}.sync_reconciliation.id"), nullable=False),
        sa.Column("kind", _enum("missing_there", "missing_here", "running_there_closed_here",
                                "closed_there_running_here", "name_differs", "field_differs"), nullable=False),
        sa.Column("subject_kind", _enum(*SUBJECT), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("field", sa.String(40), nullable=True),
        sa.Column("ours", sa.String(500), nullable=True),
        sa.Column("theirs", sa.String(500), nullable=True),
        sa.Column("national", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("org_path", sa.String(400), nullable=False),
        sa.Column("filing_id", sa.Integer(), sa.ForeignKey(f"{S}.filing.id"), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        schema=S,
    )
    op.create_index("ix_registry_sync_difference_reconciliation_id", "sync_difference", ["reconciliation_id"],
                    schema=S)
    op.create_index("ix_sync_difference_org_path", "sync_difference", ["org_path"], schema=S,
                    postgresql_ops={"org_path": "text_pattern_ops"})


def downgrade() -> None:
    op.drop_table("sync_difference", schema=S)
    op.drop_table("sync_reconciliation", schema=S)
    op.drop_table("sync_outbox", schema=S)
