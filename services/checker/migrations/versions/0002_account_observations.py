"""account observations (reviewer imports and hand-recorded observations of new-media accounts)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 13:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('account_observation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('platform_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('registered_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('org_path', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('observed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('profile', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('posts', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('entries', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('evidence', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('created_by_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    schema='checker'
    )
    op.create_index(op.f('ix_checker_account_observation_account_id'), 'account_observation', ['account_id'],
                    unique=False, schema='checker')
    op.create_index('ix_observation_account', 'account_observation', ['platform', 'platform_id', 'observed_at'],
                    unique=False, schema='checker')
    op.create_index('ix_observation_org_path', 'account_observation', ['org_path'], unique=False, schema='checker',
                    postgresql_ops={'org_path': 'text_pattern_ops'})


def downgrade() -> None:
    op.drop_index('ix_observation_org_path', table_name='account_observation', schema='checker',
                  postgresql_ops={'org_path': 'text_pattern_ops'})
    op.drop_index('ix_observation_account', table_name='account_observation', schema='checker')
    op.drop_index(op.f('ix_checker_account_observation_account_id'), table_name='account_observation',
                  schema='checker')
    op.drop_table('account_observation', schema='checker')
