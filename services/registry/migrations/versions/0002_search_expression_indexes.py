"""search by one trigram index over the joined searchable columns

Revision ID: 0002
Revises: 0001
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One expression index instead of a multi-column one: an OR of three ILIKEs was planned as a
    # sequential scan; a single ILIKE on the joined text is an index scan.
    op.drop_index("ix_site_search", table_name="site", schema="registry")
    op.drop_index("ix_account_search", table_name="account", schema="registry")
    op.execute("CREATE INDEX ix_site_search ON registry.site USING gin "
               "((coalesce(name, '') || ' ' || coalesce(homepage_url, '') || ' ' || coalesce(site_code, '')) gin_trgm_ops)")
    op.execute("CREATE INDEX ix_account_search ON registry.account USING gin "
               "((coalesce(registered_name, '') || ' ' || coalesce(platform_id, '')) gin_trgm_ops)")


def downgrade() -> None:
    op.drop_index("ix_site_search", table_name="site", schema="registry")
    op.drop_index("ix_account_search", table_name="account", schema="registry")
    op.create_index("ix_site_search", "site", ["name", "homepage_url", "site_code"], schema="registry",
                    postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops", "homepage_url": "gin_trgm_ops",
                                                            "site_code": "gin_trgm_ops"})
    op.create_index("ix_account_search", "account", ["registered_name", "platform_id"], schema="registry",
                    postgresql_using="gin", postgresql_ops={"registered_name": "gin_trgm_ops",
                                                            "platform_id": "gin_trgm_ops"})
