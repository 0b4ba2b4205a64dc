"""Alembic environment of the reporting service: only the `reporting` schema, versioned in
reporting.alembic_version."""
from sqlmodel import SQLModel

from services.reporting import models
from services.common.migrations import run

run(models.SCHEMA, SQLModel.metadata)
