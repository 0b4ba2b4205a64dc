"""Typed dependency aliases of the checker API."""
from typing import Annotated

from arq import ArqRedis
from fastapi import Depends, Request

from services.checker.registry_client import RegistryError, org_as
from services.common.auth import Principal, Role, oauth2_scheme, require_roles
from services.common.errors import not_found, unavailable
from services.common.settings import get_settings

READ_ROLES = (Role.admin, Role.supervisor, Role.operator, Role.viewer, Role.integration, Role.service)
# Running inspections and reviewing findings is the supervising offices' work.
# Service clients run inspections too: the reporting service asks for re-checks of rectified targets (整改复查).
RUN_ROLES = (Role.admin, Role.supervisor, Role.service)
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Runner = Annotated[Principal, Depends(require_roles(*RUN_ROLES))]
Token = Annotated[str | None, Depends(oauth2_scheme)]


def arq_redis(request: Request) -> ArqRedis:
    return request.app.state.arq


Queue = Annotated[ArqRedis, Depends(arq_redis)]


async def org_path_of(principal: Principal, token: str | None, org_id: int | None) -> tuple[int, str]:
    """(org_id, path) of an organisation inside the caller's subtree; the caller's own by default."""
    if org_id is None or org_id == principal.org_id:
        return principal.org_id, principal.org_path
    try:
        org = await org_as(get_settings().registry_url, token or "", org_id)
    except RegistryError as exc:
        raise unavailable("registry_unavailable", "登记系统暂不可用，无法确认组织机构", exc) from exc
    if org is None or not principal.sees(org.get("path", "")):
        raise not_found("组织机构")
    return org_id, org["path"]
