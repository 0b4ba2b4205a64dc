"""Writing and reading the audit log. Writes join the caller's transaction, so a change and its
audit row commit together or not at all."""
from typing import Any

from sqlmodel import Session, SQLModel, func, or_, select

from services.common.auth import Principal
from services.common.scope import scope_filter
from services.registry.audit.models import AuditLog


def snapshot(record: SQLModel | None) -> dict[str, Any] | None:
    return None if record is None else record.model_dump(mode="json")


def record(session: Session, actor: Principal, action: str, entity_kind: str, entity_id: int | None,
           org_path: str, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           note: str | None = None) -> AuditLog:
    row = AuditLog(actor=actor.sub, actor_name=actor.name, actor_org_id=actor.org_id, action=action,
                   entity_kind=entity_kind, entity_id=entity_id, org_path=org_path,
                   before=before, after=after, note=note)
    session.add(row)
    return row


def list_entries(session: Session, principal: Principal, *, entity_kind: str | None, entity_id: int | None,
                 action: str | None, actor: str | None, limit: int, offset: int) -> tuple[list[AuditLog], int]:
    query = select(AuditLog).where(scope_filter(AuditLog.org_path, principal))
    if entity_kind:
        query = query.where(AuditLog.entity_kind == entity_kind)
    if entity_id is not None:
        query = query.where(AuditLog.entity_id == entity_id)
    if action:
        query = query.where(AuditLog.action == action)
    if actor:  # the subject ("user:3", for integrations) or part of the name people know the actor by
        query = query.where(or_(AuditLog.actor == actor, AuditLog.actor_name.contains(actor, autoescape=True)))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(AuditLog.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), total
