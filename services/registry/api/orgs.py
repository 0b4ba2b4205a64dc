"""Organisations of the caller's subtree."""
from typing import Annotated

from fastapi import APIRouter, Query

from services.common.db import SessionDep
from services.common.pagination import Page, PageDep
from services.registry.api.deps import Admin, Reader
from services.registry.orgs import service
from services.registry.orgs.models import OrgCreate, OrgKind, OrgPublic, OrgUpdate

router = APIRouter(prefix="/api/v1/orgs", tags=["organisations"])


@router.get("", response_model=Page[OrgPublic])
def list_orgs(session: SessionDep, principal: Reader, page: PageDep,
              kind: OrgKind | None = None, parent_id: int | None = None,
              q: Annotated[str | None, Query(max_length=100)] = None) -> Page[OrgPublic]:
    rows, total = service.list_orgs(session, principal, kind=kind, q=q, parent_id=parent_id,
                                    limit=page.limit, offset=page.offset)
    return Page(items=rows, total=total, limit=page.limit, offset=page.offset)


@router.get("/{org_id}", response_model=OrgPublic)
def get_org(session: SessionDep, principal: Reader, org_id: int) -> OrgPublic:
    return service.get_visible(session, principal, org_id)


@router.post("", response_model=OrgPublic, status_code=201)
def create_org(session: SessionDep, principal: Admin, body: OrgCreate) -> OrgPublic:
    return service.create_org(session, principal, body)


@router.patch("/{org_id}", response_model=OrgPublic)
def update_org(session: SessionDep, principal: Admin, org_id: int, body: OrgUpdate) -> OrgPublic:
    return service.update_org(session, principal, org_id, body)
