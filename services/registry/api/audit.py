"""The audit log of the caller's subtree (supervisors and admins)."""
from fastapi import APIRouter

from services.common.auth import Supervisor
from services.common.db import SessionDep
from services.common.pagination import Page, PageDep
from services.registry.audit import service
from services.registry.audit.models import AuditLogPublic

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", response_model=Page[AuditLogPublic])
def list_audit(session: SessionDep, principal: Supervisor, page: PageDep, entity_kind: str | None = None,
               entity_id: int | None = None, action: str | None = None,
               actor: str | None = None) -> Page[AuditLogPublic]:
    rows, total = service.list_entries(session, principal, entity_kind=entity_kind, entity_id=entity_id,
                                       action=action, actor=actor, limit=page.limit, offset=page.offset)
    return Page(items=service.with_names(session, rows), total=total, limit=page.limit, offset=page.offset)
