"""whole-site monitoring: the findings ledger (one row per problem, open until a scan no longer sees it)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 00:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The alert feed's positions: drawn when a problem opens, reopens or becomes veto-level.
    op.execute("CREATE SEQUENCE checker.monitor_finding_alert_seq")
    op.create_table(
        'monitor_finding',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('page_id', sa.BigInteger(), nullable=True),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('indicator', sa.String(length=40), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('severity', sa.String(length=8), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('excerpt', sa.Text(), nullable=False, server_default=''),
        sa.Column('evidence', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False, server_default=sa.text("'{}'")),
        sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('alert_seq', sa.BigInteger(), nullable=False,
                  server_default=sa.text("nextval('checker.monitor_finding_alert_seq')")),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False, server_default=sa.text('clock_timestamp()')),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('site_id', 'key', name='uq_monitor_finding_site_key'),
        schema='checker',
    )
    op.execute("ALTER SEQUENCE checker.monitor_finding_alert_seq OWNED BY checker.monitor_finding.alert_seq")
    op.create_index('ix_monitor_finding_open', 'monitor_finding', ['site_id', 'page_id'], unique=False,
                    schema='checker', postgresql_where=sa.text('resolved_at IS NULL'))
    op.create_index('ix_monitor_finding_alert', 'monitor_finding', ['alert_seq'], unique=False, schema='checker',
                    postgresql_where=sa.text("severity = 'veto'"))
    op.create_index('ix_monitor_finding_resolved', 'monitor_finding', ['resolved_at'], unique=False,
                    schema='checker', postgresql_where=sa.text('resolved_at IS NOT NULL'))


def downgrade() -> None:
    op.drop_table('monitor_finding', schema='checker')
    op.execute("DROP SEQUENCE IF EXISTS checker.monitor_finding_alert_seq")
