"""filter indexes that also cover the scope path, so filtered counts are index-only scans

Revision ID: 0004
Revises: 0003
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_site_state_kind", table_name="site", schema="registry")
    op.drop_index("ix_account_state_platform", table_name="account", schema="registry")
    op.create_index("ix_site_state_kind_path", "site", ["state", "kind", "org_path"], schema="registry",
                    postgresql_ops={"org_path": "text_pattern_ops"})
    op.create_index("ix_account_state_platform_path", "account", ["state", "platform", "org_path"],
                    schema="registry", postgresql_ops={"org_path": "text_pattern_ops"})


def downgrade() -> None:
    op.drop_index("ix_site_state_kind_path", table_name="site", schema="registry")
    op.drop_index("ix_account_state_platform_path", table_name="account", schema="registry")
    op.create_index("ix_site_state_kind", "site", ["state", "kind"], schema="registry")
    op.create_index("ix_account_state_platform", "account", ["state", "platform"], schema="registry")
