"""Typed dependency aliases of the reporting API."""
from typing import Annotated

from fastapi import Depends

from services.common.auth import Principal, Role, oauth2_scheme, require_roles
from services.common.errors import not_found, unavailable
from services.reporting.clients import ServiceClient, UpstreamError, org_as

READ_ROLES = (Role.admin, Role.supervisor, Role.operator, Role.viewer, Role.integration, Role.service)
# Assembling, editing and issuing notices is the supervising offices' work.
ISSUE_ROLES = (Role.admin, Role.supervisor)
# Changing shared state (marks, evidence, reports, reviews): people of the organisations, never viewers,
# integrations or services; the service layer narrows each action further (worker, reviewer).
WRITE_ROLES = (Role.admin, Role.supervisor, Role.operator)
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Issuer = Annotated[Principal, Depends(require_roles(*ISSUE_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]
Token = Annotated[str | None, Depends(oauth2_scheme)]


def service_client() -> ServiceClient:
    return ServiceClient()


def org_record(principal: Principal, token: str | None, org_id: int | None) -> dict:
    """An organisation (id, path, name …) inside the caller's subtree, as the registry shows it to the caller."""
    try:
        org = org_as(token or "", org_id or principal.org_id)
    except UpstreamError as exc:
        raise unavailable("registry_unavailable", "登记系统暂不可用，无法确认组织机构", exc) from exc
    if org is None or not principal.sees(org.get("path", "")):
        raise not_found("组织机构")
    return org


def org_path_of(principal: Principal, token: str | None, org_id: int | None) -> tuple[int, str]:
    """(org_id, path) of an organisation inside the caller's subtree; the caller's own by default."""
    if org_id is None or org_id == principal.org_id:
        return principal.org_id, principal.org_path
    try:
        org = org_as(token or "", org_id)
    except UpstreamError as exc:
        raise unavailable("registry_unavailable", "登记系统暂不可用，无法确认组织机构", exc) from exc
    if org is None or not principal.sees(org.get("path", "")):
        raise not_found("组织机构")
    return org_id, org["path"]
