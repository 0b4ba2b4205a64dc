"""targeted inspections (re-checks, 复查): the targets an inspection is limited to

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL: the whole scope (every inspection so far); a list [{kind, target_id}]: only those targets.
    op.add_column('inspection', sa.Column('targets', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
                  schema='checker')


def downgrade() -> None:
    op.drop_column('inspection', 'targets', schema='checker')
