"""What national filing asks besides identity (issue 16): 负责人 and 联系电话 of sites and accounts, and the
account's 二维码 image (content-addressed in the evidence bucket: its sha256 and media type).

Revision ID: 0009
Revises: 0008
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("site", "account"):
        op.add_column(table, sa.Column("responsible_person", sa.String(length=50), nullable=True), schema="registry")
        op.add_column(table, sa.Column("contact_phone", sa.String(length=30), nullable=True), schema="registry")
    op.add_column("account", sa.Column("qr_code_sha256", sa.String(length=64), nullable=True), schema="registry")
    op.add_column("account", sa.Column("qr_code_type", sa.String(length=40), nullable=True), schema="registry")


def downgrade() -> None:
    op.drop_column("account", "qr_code_type", schema="registry")
    op.drop_column("account", "qr_code_sha256", schema="registry")
    for table in ("account", "site"):
        op.drop_column(table, "contact_phone", schema="registry")
        op.drop_column(table, "responsible_person", schema="registry")
