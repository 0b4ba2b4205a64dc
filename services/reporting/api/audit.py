"""The reporting audit log: rectification decisions, evidence (also refused uploads), self-inspection
reports, assessment weights — who, when, before/after; for the supervising offices of the subtree."""
from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import func, select

from services.common.audit import AuditPublic
from services.common.db import SessionDep
from services.common.pagination import Page, PageDep
from services.common.scope import scope_filter
from services.reporting.api.deps import Issuer
from services.reporting.rectification.models import Audit

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", response_model=Page[AuditPublic])
def list_audit(session: SessionDep, principal: Issuer, page: PageDep,
               entity_kind: Annotated[str | None, Query(max_length=40)] = None, entity_id: int | None = None,
               action: Annotated[str | None, Query(max_length=60)] = None,
               actor: Annotated[str | None, Query(max_length=200)] = None) -> Page[AuditPublic]:
    query = select(Audit).where(scope_filter(Audit.org_path, principal))
    for column, value in ((Audit.entity_kind, entity_kind), (Audit.entity_id, entity_id), (Audit.action, action),
                          (Audit.actor, actor)):
        if value is not None:
            query = query.where(column == value)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(Audit.id.desc()).offset(page.offset).limit(page.limit)).all()
    return Page(items=list(rows), total=total, limit=page.limit, offset=page.offset)
