"""password_changed_at on user accounts: passwords expire after GOVWATCH_PASSWORD_MAX_AGE_DAYS, and a password an
administrator reset (NULL) must be changed at the next login

Existing accounts count from their creation, so nobody is sent to change a password by the upgrade itself.

Revision ID: 0007
Revises: 0006
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("user_account", sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
                  schema="registry")
    op.execute("UPDATE registry.user_account SET password_changed_at = created_at")


def downgrade() -> None:
    op.drop_column("user_account", "password_changed_at", schema="registry")
