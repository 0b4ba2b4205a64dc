"""one outbox row per filing: a unique index on sync_outbox.filing_id; differences adopted by a filing
indexed per subject (read on every approval)

Concurrent approvals once wrote several rows for one filing. The earliest row of each filing keeps it;
later ones are detached (their record still names the filing) and, if not yet pushed, closed as resolved,
so the index can be built and nothing is pushed twice from now on.

Revision ID: 0005
Revises: 0004
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_registry_sync_outbox_filing_id"


def upgrade() -> None:
    op.execute("""
        UPDATE registry.sync_outbox AS o
           SET filing_id = NULL,
               state = CASE WHEN o.state IN ('pending', 'failed') THEN 'resolved' ELSE o.state END,
               resolution_note = CASE WHEN o.state IN ('pending', 'failed')
                                      THEN '重复审批产生的重复推送，已撤销' ELSE o.resolution_note END,
               updated_at = now()
         WHERE o.filing_id IS NOT NULL
           AND EXISTS (SELECT 1 FROM registry.sync_outbox e WHERE e.filing_id = o.filing_id AND e.id < o.id)
    """)
    op.drop_index(INDEX, table_name="sync_outbox", schema="registry")
    op.create_index(INDEX, "sync_outbox", ["filing_id"], unique=True, schema="registry")
    op.create_index("ix_sync_difference_filed_subject", "sync_difference", ["subject_kind", "subject_id"],
                    schema="registry", postgresql_where=sa.text("filing_id IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_sync_difference_filed_subject", table_name="sync_difference", schema="registry")
    op.drop_index(INDEX, table_name="sync_outbox", schema="registry")
    op.create_index(INDEX, "sync_outbox", ["filing_id"], schema="registry")
