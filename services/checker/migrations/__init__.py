"""Alembic migrations of the checker schema.

    .venv/bin/alembic -c services/checker/alembic.ini upgrade head

The database is GOVWATCH_DATABASE_URL (services/common/migrations.py); `upgrade()` does the same from code.
"""
from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).resolve().parent


def alembic_config() -> Config:
    config = Config(str(HERE.parent / "alembic.ini"))
    config.set_main_option("script_location", str(HERE))
    return config


def upgrade(revision: str = "head") -> None:
    command.upgrade(alembic_config(), revision)
