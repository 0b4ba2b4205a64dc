"""Bearer-token verification shared by every service.

The registry signs RS256 tokens and publishes its keys as JWKS; every service verifies against those
keys with the algorithm pinned (so `alg: none` and HS256-with-the-public-key tricks fail), then checks
revocation (services/common/revocation.py) so a password change, role change or deactivation ends the
old tokens on every service, not only the registry.
"""
import time
from collections.abc import Callable
from enum import StrEnum
from threading import Lock
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from jose import JWTError, jwt
from pydantic import BaseModel

from services.common import revocation
from services.common.errors import ApiError
from services.common.settings import get_settings

ALGORITHM = "RS256"


class Role(StrEnum):
    admin = "admin"
    supervisor = "supervisor"
    operator = "operator"
    viewer = "viewer"
    integration = "integration"
    service = "service"  # other govwatch services acting on their own behalf


class Principal(BaseModel):
    sub: str  # "user:<id>" or "client:<client_id>"
    org_id: int
    org_path: str
    role: Role
    jti: str
    iat: int
    exp: int
    name: str | None = None
    ver: int = 0  # the holder's token version at issue; revoked when the registry has bumped it since
    # The password had expired or an administrator had reset it when the token was issued: until it is changed
    # (which revokes this token) the holder may only change it, read who it is, and log out.
    password_expired: bool = False

    @property
    def user_id(self) -> int | None:
        kind, _, ident = self.sub.partition(":")
        return int(ident) if kind == "user" else None

    def sees(self, org_path: str) -> bool:
        """The scope rule: an organisation's records are visible to its own and its ancestors' users."""
        return org_path.startswith(self.org_path)


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message)


class JwksVerifier:
    """Verifies tokens against a JWKS document obtained from `fetch_jwks`, cached for `ttl` seconds, and
    (with `check_revocation`) against the shared revocation markers."""

    def __init__(self, fetch_jwks: Callable[[], dict[str, Any]], ttl: int | None = None,
                 check_revocation: bool = False):
        self._fetch = fetch_jwks
        self._check_revocation = check_revocation
        self._ttl = ttl if ttl is not None else get_settings().jwks_cache_seconds
        self._jwks: dict[str, Any] | None = None
        self._fetched_at = 0.0
        self._lock = Lock()

    def _keys(self, refresh: bool = False) -> dict[str, dict[str, Any]]:
        with self._lock:
            stale = time.monotonic() - self._fetched_at > self._ttl
            if self._jwks is None or stale or refresh:
                self._jwks = self._fetch()
                self._fetched_at = time.monotonic()
            return {k["kid"]: k for k in self._jwks.get("keys", [])}

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except JWTError as exc:
            raise unauthorized(f"令牌格式无效 (malformed token: {exc})") from exc
        if header.get("alg") != ALGORITHM:
            raise unauthorized(f"令牌算法不被接受 (algorithm {header.get('alg')!r} not accepted)")
        kid = header.get("kid")
        key = self._keys().get(kid) or self._keys(refresh=True).get(kid)
        if key is None:
            raise unauthorized("令牌签名密钥未知 (unknown signing key)")
        try:
            claims = jwt.decode(
                token, key, algorithms=[ALGORITHM], issuer=get_settings().jwt_issuer,
                options={"require_exp": True, "require_iat": True, "verify_aud": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise unauthorized("令牌已过期 (token expired)") from exc
        except JWTError as exc:
            raise unauthorized(f"令牌无效 (invalid token: {exc})") from exc
        try:
            principal = Principal.model_validate(claims)
        except ValueError as exc:
            raise unauthorized("令牌声明不完整 (token claims incomplete)") from exc
        if self._check_revocation:
            revocation.check(principal.sub, principal.ver)
        return principal


def service_verifier() -> JwksVerifier:
    """The verifier of every service but the registry: the registry's JWKS plus the revocation markers."""
    return JwksVerifier(remote_jwks, check_revocation=True)


def remote_jwks() -> dict[str, Any]:
    """JWKS of the registry, for services other than the registry itself."""
    response = httpx.get(f"{get_settings().registry_url}/.well-known/jwks.json", timeout=5)
    response.raise_for_status()
    return response.json()


oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def any_principal(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Principal:
    """The verified token holder, whether or not its password must be changed first (the password change and
    /auth/me only; every other endpoint takes CurrentPrincipal)."""
    if not token:
        raise unauthorized("需要登录 (bearer token required)")
    # Each service puts its verifier on app.state at start-up (`service_verifier()`; the registry overrides
    # this dependency to check revocation against its own tables).
    return request.app.state.verifier.verify(token)


AnyPrincipal = Annotated[Principal, Depends(any_principal)]


def password_expired() -> ApiError:
    return ApiError(403, "password_expired", "密码已过期或已被管理员重置，请先修改密码后再继续操作")


def ensure_password_current(principal: Principal) -> Principal:
    """Enforced by every API, not only the SPA's router: a token issued for an expired password does nothing."""
    if principal.password_expired:
        raise password_expired()
    return principal


def current_principal(principal: AnyPrincipal) -> Principal:
    return ensure_password_current(principal)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    allowed = set(roles)

    def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise ApiError(403, "forbidden", f"当前角色无权执行此操作 (requires role: {names})")
        return principal

    return dependency


SUPERVISORS = (Role.admin, Role.supervisor)
WRITERS = (Role.admin, Role.supervisor, Role.operator)
Supervisor = Annotated[Principal, Depends(require_roles(*SUPERVISORS))]
Writer = Annotated[Principal, Depends(require_roles(*WRITERS))]
