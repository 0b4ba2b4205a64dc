"""inspection targets: the running try and its lease heartbeat (stalled targets and their retry are shown)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 00:55:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('inspection_target', sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'),
                  schema='checker')
    op.add_column('inspection_target', sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
                  schema='checker')
    op.add_column('inspection_target', sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
                  schema='checker')


def downgrade() -> None:
    for column in ('lease_until', 'started_at', 'attempts'):
        op.drop_column('inspection_target', column, schema='checker')
