"""The audit row every service writes in the transaction of each change: who, when, before/after.
Each service keeps its own table (in its own schema) built on these fields."""
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


class AuditFields(SQLModel):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=_now, sa_type=DateTime(timezone=True), nullable=False, index=True)
    actor: str
    actor_name: str | None = None
    actor_org_id: int | None = None
    action: str = Field(max_length=60)
    entity_kind: str = Field(max_length=40)
    entity_id: int | None = None
    org_path: str = Field(max_length=400, description="scope of the changed record")
    before: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    note: str | None = Field(default=None, max_length=2000)


class AuditPublic(SQLModel):
    id: int
    at: datetime
    actor: str
    actor_name: str | None
    actor_org_id: int | None
    action: str
    entity_kind: str
    entity_id: int | None
    org_path: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None
