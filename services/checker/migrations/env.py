"""Alembic environment of the checker: only the `checker` schema, versioned in checker.alembic_version."""
from sqlmodel import SQLModel

import services.checker.inspections.models  # noqa: F401  (registers the tables)
import services.checker.monitor.models  # noqa: F401
import services.checker.observations.models  # noqa: F401
import services.checker.schedules.models  # noqa: F401
import services.checker.store.models  # noqa: F401
from services.checker.inspections.models import SCHEMA
from services.common.migrations import run

run(SCHEMA, SQLModel.metadata)
