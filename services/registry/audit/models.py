"""Audit log: one row per write, with who, when, and the record before and after."""
from sqlalchemy import Index

from services.common.audit import AuditFields, AuditPublic
from services.registry.models_base import SCHEMA


class AuditLog(AuditFields, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        Index("ix_audit_entity", "entity_kind", "entity_id"),
        {"schema": SCHEMA},
    )


class AuditLogPublic(AuditPublic):
    entity_name: str | None = None  # the object's name today, for entries whose states name none (an upload)
