"""Things every reporting table shares: its PostgreSQL schema, timestamps, enums stored as strings."""
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Column, DateTime
from sqlmodel import Field

SCHEMA = "reporting"


def utcnow() -> datetime:
    return datetime.now(UTC)


def fk(table: str) -> str:
    return f"{SCHEMA}.{table}.id"


def enum_type(enum_cls: type[StrEnum]) -> sa.Enum:
    return sa.Enum(enum_cls, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e],
                   validate_strings=True)


def ts_now() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


def ts() -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
