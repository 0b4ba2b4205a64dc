"""信息公开专栏 as registry targets: a site row of kind 'column' names its host site and the URL prefix its pages
live under (kind is a VARCHAR enum, so the new value needs no type change).

Revision ID: 0008
Revises: 0007
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("site", sa.Column("host_site_id", sa.Integer(), nullable=True), schema="registry")
    op.add_column("site", sa.Column("url_prefix", sa.String(length=500), nullable=True), schema="registry")
    op.create_foreign_key("site_host_site_id_fkey", "site", "site", ["host_site_id"], ["id"],
                          source_schema="registry", referent_schema="registry")
    op.create_index("ix_registry_site_host_site_id", "site", ["host_site_id"], schema="registry")


def downgrade() -> None:
    op.drop_index("ix_registry_site_host_site_id", table_name="site", schema="registry")
    op.drop_constraint("site_host_site_id_fkey", "site", schema="registry", type_="foreignkey")
    op.drop_column("site", "url_prefix", schema="registry")
    op.drop_column("site", "host_site_id", schema="registry")
