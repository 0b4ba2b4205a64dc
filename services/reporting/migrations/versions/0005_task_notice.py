"""task_notice: the notices that name a rectification task (one task per target and problem across notices)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 23:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('task_notice',
                    sa.Column('task_id', sa.Integer(), nullable=False),
                    sa.Column('notice_id', sa.Integer(), nullable=False),
                    sa.ForeignKeyConstraint(['task_id'], ['reporting.rectification_task.id'], ondelete='CASCADE'),
                    sa.ForeignKeyConstraint(['notice_id'], ['reporting.notice.id'], ondelete='RESTRICT'),
                    sa.PrimaryKeyConstraint('task_id', 'notice_id', name='pk_task_notice'),
                    schema='reporting')
    op.create_index('ix_reporting_task_notice_notice_id', 'task_notice', ['notice_id'], schema='reporting')
    op.execute("INSERT INTO reporting.task_notice (task_id, notice_id) SELECT id, notice_id FROM reporting.rectification_task")


def downgrade() -> None:
    op.drop_index('ix_reporting_task_notice_notice_id', table_name='task_notice', schema='reporting')
    op.drop_table('task_notice', schema='reporting')
