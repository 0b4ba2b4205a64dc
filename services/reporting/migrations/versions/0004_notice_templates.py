"""notice templates per issuing office and the per-office, per-year 文号 sequence

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 22:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notice_template',
                    sa.Column('org_id', sa.Integer(), nullable=False),
                    sa.Column('org_path', sa.String(length=400), nullable=False),
                    sa.Column('fields', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
                    sa.Column('updated_by', sa.String(), nullable=False),
                    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('org_id'),
                    schema='reporting')
    op.create_index('ix_notice_template_path', 'notice_template', ['org_path'], schema='reporting',
                    postgresql_ops={'org_path': 'text_pattern_ops'})
    op.create_table('doc_sequence',
                    sa.Column('org_id', sa.Integer(), nullable=False),
                    sa.Column('year', sa.Integer(), nullable=False),
                    sa.Column('last', sa.Integer(), nullable=False, server_default='0'),
                    sa.PrimaryKeyConstraint('org_id', 'year', name='pk_doc_sequence'),
                    schema='reporting')


def downgrade() -> None:
    op.drop_table('doc_sequence', schema='reporting')
    op.drop_index('ix_notice_template_path', table_name='notice_template', schema='reporting')
    op.drop_table('notice_template', schema='reporting')
