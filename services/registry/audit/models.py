"""Audit log: one row per write, with who, when, and the record before and after."""
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.registry.models_base import SCHEMA, utcnow


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        Index("ix_audit_entity", "entity_kind", "entity_id"),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
    actor: str
    actor_name: str | None = None
    actor_org_id: int | None = None
    action: str = Field(max_length=60)
    entity_kind: str = Field(max_length=40)
    entity_id: int | None = None
    org_path: str = Field(max_length=400)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    note: str | None = Field(default=None, max_length=2000)


class AuditLogPublic(SQLModel):
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
