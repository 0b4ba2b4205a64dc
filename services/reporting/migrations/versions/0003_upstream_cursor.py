"""upstream cursor: how far the monitoring alerts of the checker were read

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 00:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('upstream_cursor',
                    sa.Column('name', sa.String(length=60), nullable=False),
                    sa.Column('position', sa.BigInteger(), nullable=False, server_default='0'),
                    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('name'),
                    schema='reporting')


def downgrade() -> None:
    op.drop_table('upstream_cursor', schema='reporting')
