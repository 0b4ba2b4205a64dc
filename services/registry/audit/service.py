"""Writing and reading the audit log. Writes join the caller's transaction, so a change and its
audit row commit together or not at all."""
from typing import Any

from sqlmodel import Session, SQLModel, func, or_, select

from services.common.auth import Principal
from services.common.scope import scope_filter
from services.registry.accounts.models import Account
from services.registry.audit.models import AuditLog, AuditLogPublic
from services.registry.filings.models import Filing, SubjectKind
from services.registry.orgs.models import Organisation
from services.registry.sites.models import Site
from services.registry.sync.models import OutboxRow
from services.registry.users.models import ApiClient, User

# The name people know each kind of object by (a sync row is named by the site or account it pushed).
_NAMES: dict[str, Any] = {"site": Site.name, "account": Account.registered_name, "user": User.display_name,
                          "organisation": Organisation.name, "filing": Filing.subject_name, "api_client": ApiClient.name}


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


def with_names(session: Session, rows: list[AuditLog]) -> list[AuditLogPublic]:
    """The rows for the screen, each with its object's present name: entries such as a password reset or an
    evidence upload record no state that names it, and a number means nothing to a reader."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        if row.entity_id is not None and (row.entity_kind in _NAMES or row.entity_kind == "sync_outbox"):
            wanted.setdefault(row.entity_kind, set()).add(row.entity_id)
    pushed = session.exec(select(OutboxRow.id, OutboxRow.subject_kind, OutboxRow.subject_id)
                          .where(OutboxRow.id.in_(wanted.pop("sync_outbox")))).all() if "sync_outbox" in wanted else []
    for _, kind, subject in pushed:
        wanted.setdefault(kind.value, set()).add(subject)
    names: dict[tuple[str, int | None], str] = {}
    for kind, ids in wanted.items():
        column = _NAMES[kind]
        for id_, name in session.exec(select(column.class_.id, column).where(column.class_.id.in_(ids))).all():
            names[(kind, id_)] = name
    for id_, kind, subject in pushed:
        if (name := names.get((kind.value, subject))) is not None:
            names[("sync_outbox", id_)] = name
    return [AuditLogPublic.model_validate(row, update={"entity_name": names.get((row.entity_kind, row.entity_id))})
            for row in rows]
