"""scheduled inspections (定期检查): inspection_schedule, and the schedule and period an inspection was created for

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 06:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'inspection_schedule',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('title', sa.String(100), nullable=False),
        sa.Column('scope_org_id', sa.Integer(), nullable=False),
        sa.Column('scope_org_path', sa.String(400), nullable=False),
        sa.Column('frequency', sa.String(20), nullable=False),
        sa.Column('day_of_period', sa.Integer(), nullable=False),
        sa.Column('hour', sa.Integer(), nullable=False),
        sa.Column('target_kinds', postgresql.JSONB(), nullable=False),
        sa.Column('indicator_set', sa.String(80), nullable=False),
        sa.Column('include_closed', sa.Boolean(), nullable=False),
        sa.Column('probe_count', sa.Integer(), nullable=False),
        sa.Column('window_hours', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.String(), nullable=False),
        sa.Column('created_by_name', sa.String(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_period', sa.String(10), nullable=True),
        sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_inspection_id', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.String(500), nullable=True),
        schema='checker',
    )
    op.create_index('ix_schedule_scope_path', 'inspection_schedule', ['scope_org_path'], schema='checker',
                    postgresql_ops={'scope_org_path': 'text_pattern_ops'})
    op.add_column('inspection', sa.Column('schedule_id', sa.Integer(), nullable=True), schema='checker')
    op.add_column('inspection', sa.Column('schedule_period', sa.String(10), nullable=True), schema='checker')
    op.create_foreign_key('fk_inspection_schedule', 'inspection', 'inspection_schedule', ['schedule_id'], ['id'],
                          source_schema='checker', referent_schema='checker', ondelete='SET NULL')
    op.create_index('ix_checker_inspection_schedule_id', 'inspection', ['schedule_id'], schema='checker')
    op.create_unique_constraint('uq_inspection_schedule_period', 'inspection', ['schedule_id', 'schedule_period'],
                                schema='checker')


def downgrade() -> None:
    op.drop_constraint('uq_inspection_schedule_period', 'inspection', schema='checker', type_='unique')
    op.drop_index('ix_checker_inspection_schedule_id', 'inspection', schema='checker')
    op.drop_constraint('fk_inspection_schedule', 'inspection', schema='checker', type_='foreignkey')
    op.drop_column('inspection', 'schedule_period', schema='checker')
    op.drop_column('inspection', 'schedule_id', schema='checker')
    op.drop_index('ix_schedule_scope_path', 'inspection_schedule', schema='checker')
    op.drop_table('inspection_schedule')
