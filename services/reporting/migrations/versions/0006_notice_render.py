"""notice.render: the background rendering of an issue (attempt, formats, step, heartbeat)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 22:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('notice', sa.Column('render', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
                  schema='reporting')
    # A rendering claim left by the synchronous issuing of before: back to issuable.
    op.execute("UPDATE reporting.notice SET state = 'render_failed', error = '文件生成中断，请重新印发' "
               "WHERE state = 'rendering'")


def downgrade() -> None:
    op.drop_column('notice', 'render', schema='reporting')
