"""whole-site monitoring: a page's title and policy facts (文号, 解读 of which document), a site's policy summary

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 03:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('monitor_page', sa.Column('title', sa.String(200), nullable=True), schema='checker')
    op.add_column('monitor_page', sa.Column('policy', postgresql.JSONB(), nullable=True), schema='checker')
    op.add_column('monitor_site', sa.Column('policy_summary', postgresql.JSONB(), nullable=True), schema='checker')


def downgrade() -> None:
    op.drop_column('monitor_site', 'policy_summary', schema='checker')
    op.drop_column('monitor_page', 'policy', schema='checker')
    op.drop_column('monitor_page', 'title', schema='checker')
