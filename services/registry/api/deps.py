"""Typed dependency aliases of the registry API."""
import time
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from services.common.auth import Principal, Role, ensure_password_current, oauth2_scheme, require_roles, unauthorized
from services.common.db import get_engine
from services.common.errors import ApiError
from services.registry.auth.service import REPUBLISH_CHECK_SECONDS, keep_published

# Reading the inventory: everyone but machines of other kinds.
READ_ROLES = (Role.admin, Role.supervisor, Role.operator, Role.viewer, Role.integration, Role.service)
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]

# Signature checks of the list path, by token, for at most a minute and never past the token's expiry. The
# registry's verifier trusts its key set for an hour anyway; revocation is still checked on every request.
VERIFIED_SECONDS = 60
_verified: dict[str, tuple[Principal, float]] = {}
_published = {"at": 0.0}


def _verify(request: Request, token: str) -> Principal:
    now = time.time()
    hit = _verified.get(token)
    if hit is not None and hit[1] > now:
        return hit[0]
    principal: Principal = request.app.state.verifier.verify(token)
    if len(_verified) >= 10_000:
        _verified.clear()
    _verified[token] = (principal, min(principal.exp, now + VERIFIED_SECONDS))
    return principal


def _keep_published() -> None:
    with Session(get_engine()) as session:
        keep_published(session)


async def list_reader(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Principal:
    """Reader for the lean list path, without thread hops: the shared verification and role rule; the caller
    checks revocation in its own round trip (listing.list_page)."""
    if not token:
        raise unauthorized("需要登录 (bearer token required)")
    principal = ensure_password_current(_verify(request, token))
    if principal.role not in READ_ROLES:
        names = ", ".join(sorted(r.value for r in READ_ROLES))
        raise ApiError(403, "forbidden", f"当前角色无权执行此操作 (requires role: {names})")
    if time.monotonic() - _published["at"] >= REPUBLISH_CHECK_SECONDS:  # as registry_principal does
        _published["at"] = time.monotonic()
        await run_in_threadpool(_keep_published)
    return principal


ListReader = Annotated[Principal, Depends(list_reader)]
