"""Things every registry table shares: its PostgreSQL schema and timestamps."""
from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa

SCHEMA = "registry"


def utcnow() -> datetime:
    return datetime.now(UTC)


def fk(table: str) -> str:
    return f"{SCHEMA}.{table}.id"


def enum_type(enum_cls: type[StrEnum]) -> sa.Enum:
    """Enums are stored as their string values in VARCHAR columns: readable in SQL, no PostgreSQL
    enum types to migrate, no type-name clashes between the services' schemas."""
    return sa.Enum(enum_cls, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e],
                   validate_strings=True)


def search_index(name: str, *columns: str) -> sa.Index:
    """Trigram GIN index on the columns joined by spaces: the expression listing.search_text queries."""
    expression = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
    return sa.Index(name, sa.text(f"({expression}) gin_trgm_ops"), postgresql_using="gin")
