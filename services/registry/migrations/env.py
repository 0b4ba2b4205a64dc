from sqlmodel import SQLModel

from services.common.migrations import run
from services.registry import models

run(models.SCHEMA, SQLModel.metadata)
