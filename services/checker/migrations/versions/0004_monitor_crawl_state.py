"""whole-site monitoring: crawl state (sites, pages with the frontier, link graph)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 00:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text('0'))


def upgrade() -> None:
    op.create_table(
        'monitor_site',
        sa.Column('site_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('homepage_url', sa.Text(), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('supervising_org_id', sa.Integer(), nullable=True),
        sa.Column('host_org_id', sa.Integer(), nullable=True),
        sa.Column('org_path', sa.String(length=400), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.text('true')),
        sa.Column('hub_interval_hours', sa.Integer(), nullable=True),
        sa.Column('revalidate_days', sa.Integer(), nullable=True),
        _count('cycle'),
        _ts('cycle_started_at'), _ts('last_full_cycle_at'), _ts('last_hub_at'), _ts('last_fetch_at'),
        _ts('sitemap_at'),
        sa.Column('wordlist_version', sa.String(length=32), nullable=True),
        _ts('synced_at'),
        _count('pages_known'), _count('pages_fetched_cycle'), _count('attachments_known'),
        _count('attachments_scanned'), _count('attachments_unscannable'), _count('links_checked'),
        _count('links_broken'),
        sa.Column('not_reached', postgresql.JSONB(astext_type=sa.Text()), nullable=False,
                  server_default=sa.text("'{}'")),
        _ts('coverage_at'),
        sa.PrimaryKeyConstraint('site_id'),
        schema='checker',
    )
    op.create_index('ix_monitor_site_org_path', 'monitor_site', ['org_path'], unique=False, schema='checker',
                    postgresql_ops={'org_path': 'text_pattern_ops'})
    op.create_table(
        'monitor_page',
        sa.Column('id', sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('url_hash', sa.BigInteger(), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('hub', sa.Boolean(), nullable=False, server_default=sa.text('false')),
        sa.Column('depth', sa.SmallInteger(), nullable=False, server_default=sa.text('0')),
        sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
        _ts('last_fetched_at'), _ts('last_changed_at'),
        sa.Column('http_status', sa.SmallInteger(), nullable=True),
        sa.Column('error', sa.String(length=32), nullable=True),
        sa.Column('etag', sa.String(length=200), nullable=True),
        sa.Column('last_modified', sa.String(length=64), nullable=True),
        sa.Column('content_hash', sa.BigInteger(), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('published', sa.Date(), nullable=True),
        sa.Column('wordlist_version', sa.String(length=32), nullable=True),
        sa.Column('scannable', sa.Boolean(), nullable=True),
        sa.Column('reason', sa.String(length=20), nullable=True),
        _ts('gone_at'),
        sa.Column('priority', sa.SmallInteger(), nullable=False, server_default=sa.text('10')),
        _ts('due_at'), _ts('lease_until'),
        sa.Column('attempts', sa.SmallInteger(), nullable=False, server_default=sa.text('0')),
        sa.ForeignKeyConstraint(['site_id'], ['checker.monitor_site.site_id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('site_id', 'url_hash', name='uq_monitor_page_site_url'),
        schema='checker',
    )
    op.create_index('ix_monitor_page_frontier', 'monitor_page', ['site_id', 'priority', 'due_at'], unique=False,
                    schema='checker', postgresql_where=sa.text('due_at IS NOT NULL'))
    op.create_index('ix_monitor_page_gone', 'monitor_page', ['gone_at'], unique=False, schema='checker',
                    postgresql_where=sa.text('gone_at IS NOT NULL'))
    op.create_table(
        'monitor_link',
        sa.Column('source_id', sa.BigInteger(), nullable=False),
        sa.Column('target_id', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['source_id'], ['checker.monitor_page.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['target_id'], ['checker.monitor_page.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('source_id', 'target_id'),
        schema='checker',
    )
    op.create_index('ix_monitor_link_target', 'monitor_link', ['target_id'], unique=False, schema='checker')


def downgrade() -> None:
    op.drop_table('monitor_link', schema='checker')
    op.drop_table('monitor_page', schema='checker')
    op.drop_table('monitor_site', schema='checker')
