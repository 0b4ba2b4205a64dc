"""Tokens: OAuth2 password grant for people, client credentials for machines; JWKS; password change."""
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from sqlmodel import select

from services.common.auth import AnyPrincipal
from services.common.db import SessionDep
from services.common.errors import ApiError
from services.registry.auth import captcha, service, throttle
from services.registry.auth.keys import get_signing_key
from services.registry.orgs.models import Organisation
from services.registry.users import service as users
from services.registry.users.models import PasswordChange, Token

router = APIRouter(tags=["auth"])


@router.post("/api/v1/auth/token", response_model=Token, summary="Obtain an access token")
def token(
    request: Request,
    session: SessionDep,
    grant_type: Annotated[str, Form(description="password | client_credentials")] = "password",
    username: Annotated[str | None, Form()] = None,
    password: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    captcha_id: Annotated[str | None, Form(max_length=64, description="after failed logins: GET /auth/captcha")] = None,
    captcha_answer: Annotated[str | None, Form(max_length=16)] = None,
) -> Token:
    if grant_type == "password":
        if not username or not password:
            raise ApiError(400, "invalid_request", "需要用户名和密码 (username and password required)")
        # Behind the front door the address is the proxy's X-Forwarded-For (uvicorn --forwarded-allow-ips).
        address = request.client.host if request.client else "unknown"
        throttle.check(username, address)  # locked: 429, the right password included
        # After failed attempts the password is not even looked at without the picture code; a missing or wrong
        # code counts as a failed attempt, so the lockout still comes after `login_max_failures`.
        if throttle.captcha_needed(username) and not captcha.verify(captcha_id, captcha_answer):
            throttle.failed(session, username, address)
            raise ApiError(401, "captcha_required" if not captcha_answer else "captcha_invalid",
                           "请输入图中的验证码" if not captcha_answer else "验证码错误，请重新输入",
                           field="captcha_answer", captcha_required=True)
        holder = service.authenticate_user(session, username, password)
        if holder is None:
            throttle.failed(session, username, address)  # 429 when this failure locks
            raise ApiError(401, "invalid_credentials", "用户名或密码错误，或账号已停用 (invalid credentials)",
                           captcha_required=throttle.captcha_needed(username))
        throttle.succeeded(username)
    elif grant_type == "client_credentials":
        if not client_id or not client_secret:
            raise ApiError(400, "invalid_request", "需要 client_id 和 client_secret")
        holder = service.authenticate_client(session, client_id, client_secret)
    else:
        raise ApiError(400, "unsupported_grant_type", f"不支持的授权方式: {grant_type}", field="grant_type")
    if holder is None:
        raise ApiError(401, "invalid_credentials", "用户名或密码错误，或账号已停用 (invalid credentials)")
    org = session.get(Organisation, holder.org_id)
    assert org is not None
    return service.issue_token(holder, org)


@router.get("/api/v1/auth/captcha", summary="A login picture code (验证码), asked for after failed logins")
def new_captcha(request: Request, response: Response) -> dict[str, str]:
    # Per address as the login throttle counts it (behind the front door: X-Forwarded-For).
    throttle.captcha_allowed(request.client.host if request.client else "unknown")
    captcha_id, image = captcha.issue()
    response.headers["Cache-Control"] = "no-store"
    return {"captcha_id": captcha_id, "image": image}


@router.get("/.well-known/jwks.json", summary="Public keys that verify registry tokens")
def jwks() -> dict:
    return get_signing_key().jwks()


@router.get("/api/v1/auth/me", summary="The caller's identity, with the names of its organisation and ancestors")
def me(session: SessionDep, principal: AnyPrincipal) -> dict:
    # Ancestors are outside the caller's scope for reading, but a unit must be able to name its
    # supervising units (e.g. to choose one when filing).
    ids = [int(part) for part in principal.org_path.strip("/").split("/") if part]
    orgs = {o.id: o for o in session.exec(select(Organisation).where(Organisation.id.in_(ids))).all()}
    chain = [{"id": i, "name": orgs[i].name, "kind": orgs[i].kind} for i in ids if i in orgs]
    return {**principal.model_dump(), "organisations": chain}


@router.post("/api/v1/auth/password", status_code=204, summary="Change one's own password (revokes tokens)")
def change_password(session: SessionDep, principal: AnyPrincipal, body: PasswordChange) -> None:
    users.change_own_password(session, principal, body.current_password, body.new_password)
