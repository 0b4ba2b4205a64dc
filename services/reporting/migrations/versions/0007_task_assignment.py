"""rectification_task: responsible person and phone (指派), the last 催办

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 06:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('rectification_task', sa.Column('responsible_person', sa.String(50), nullable=True), schema='reporting')
    op.add_column('rectification_task', sa.Column('responsible_phone', sa.String(30), nullable=True), schema='reporting')
    op.add_column('rectification_task', sa.Column('last_urged_at', sa.DateTime(timezone=True), nullable=True),
                  schema='reporting')


def downgrade() -> None:
    op.drop_column('rectification_task', 'last_urged_at', schema='reporting')
    op.drop_column('rectification_task', 'responsible_phone', schema='reporting')
    op.drop_column('rectification_task', 'responsible_person', schema='reporting')
