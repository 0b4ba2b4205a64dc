"""User and API-client administration."""
import secrets

from sqlmodel import Session, func, or_, select

from services.common.auth import Principal, Role
from services.common.errors import ApiError, conflict, not_found
from services.common.scope import scope_filter
from services.registry.audit import service as audit
from services.registry.auth.service import hash_secret, revoke_tokens, verify_secret
from services.registry.models_base import utcnow
from services.registry.orgs.models import Organisation
from services.registry.orgs.service import get_visible
from services.registry.users.models import (
    CLIENT_ROLES, PEOPLE_ROLES, ApiClient, ApiClientCreate, User, UserCreate, UserUpdate,
)


def _public(user: User) -> dict:
    data = audit.snapshot(user) or {}
    data.pop("password_hash", None)
    return data


def get_visible_user(session: Session, principal: Principal, user_id: int) -> tuple[User, Organisation]:
    row = session.exec(
        select(User, Organisation).join(Organisation, Organisation.id == User.org_id)
        .where(User.id == user_id, scope_filter(Organisation.path, principal))
    ).first()
    if row is None:
        raise not_found("用户")
    return row[0], row[1]


def list_users(session: Session, principal: Principal, *, q: str | None, role: Role | None,
               org_id: int | None, limit: int, offset: int) -> tuple[list[User], int]:
    query = (select(User).join(Organisation, Organisation.id == User.org_id)
             .where(scope_filter(Organisation.path, principal)))
    if q:
        query = query.where(or_(User.username.contains(q, autoescape=True),
                                User.display_name.contains(q, autoescape=True)))
    if role:
        query = query.where(User.role == role)
    if org_id is not None:
        query = query.where(User.org_id == org_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(User.id).offset(offset).limit(limit)).all()
    return list(rows), total


def create_user(session: Session, principal: Principal, data: UserCreate) -> User:
    org = get_visible(session, principal, data.org_id)
    if data.role not in PEOPLE_ROLES:
        raise ApiError(422, "role_not_for_people", "该角色只能用于接口客户端 (role is for API clients)", field="role")
    if session.exec(select(User).where(User.username == data.username)).first():
        raise conflict("username_taken", f"用户名已存在: {data.username}", field="username")
    user = User.model_validate(data, update={"password_hash": hash_secret(data.password)})
    session.add(user)
    session.flush()
    audit.record(session, principal, "user.create", "user", user.id, org.path, after=_public(user))
    session.commit()
    session.refresh(user)
    return user


def update_user(session: Session, principal: Principal, user_id: int, data: UserUpdate) -> User:
    user, org = get_visible_user(session, principal, user_id)
    before = _public(user)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("role") is not None and changes["role"] not in PEOPLE_ROLES:
        raise ApiError(422, "role_not_for_people", "该角色只能用于接口客户端 (role is for API clients)", field="role")
    if user.id == principal.user_id and (changes.get("is_active") is False or "role" in changes):
        raise conflict("self_lockout", "不能停用自己或修改自己的角色 (cannot deactivate or re-role yourself)")
    revoke = changes.get("is_active") is False or ("role" in changes and changes["role"] != user.role)
    user.sqlmodel_update(changes)
    if revoke:
        revoke_tokens(session, user)  # outstanding tokens stop working, on every service
    audit.record(session, principal, "user.update", "user", user.id, org.path, before=before, after=_public(user))
    session.commit()
    session.refresh(user)
    return user


def set_password(session: Session, principal: Principal, user: User, org: Organisation, new_password: str,
                 action: str) -> None:
    user.password_hash = hash_secret(new_password)
    # One an administrator set is temporary: its holder chooses their own at the next login.
    user.password_changed_at = None if action == "user.password_reset" else utcnow()
    revoke_tokens(session, user)
    audit.record(session, principal, action, "user", user.id, org.path)
    session.commit()


def change_own_password(session: Session, principal: Principal, current: str, new: str) -> None:
    user = session.get(User, principal.user_id) if principal.user_id else None
    if user is None:
        raise ApiError(400, "not_a_user", "接口客户端没有密码 (API clients have no password)")
    if not verify_secret(user.password_hash, current):
        raise ApiError(400, "wrong_password", "当前密码不正确 (current password is wrong)", field="current_password")
    if verify_secret(user.password_hash, new):
        raise ApiError(422, "same_password", "新密码不能与当前密码相同", field="new_password")
    org = session.get(Organisation, user.org_id)
    assert org is not None
    set_password(session, principal, user, org, new, "user.password_change")


def create_client(session: Session, principal: Principal, data: ApiClientCreate) -> tuple[ApiClient, str]:
    org = get_visible(session, principal, data.org_id)
    if data.role not in CLIENT_ROLES:
        raise ApiError(422, "role_not_for_clients", "接口客户端角色须为 integration 或 service", field="role")
    if session.exec(select(ApiClient).where(ApiClient.client_id == data.client_id)).first():
        raise conflict("client_id_taken", f"客户端ID已存在: {data.client_id}", field="client_id")
    secret = secrets.token_urlsafe(32)
    client = ApiClient.model_validate(data, update={"secret_hash": hash_secret(secret)})
    session.add(client)
    session.flush()
    after = audit.snapshot(client) or {}
    after.pop("secret_hash", None)
    audit.record(session, principal, "client.create", "api_client", client.id, org.path, after=after)
    session.commit()
    session.refresh(client)
    return client, secret


def list_clients(session: Session, principal: Principal) -> list[ApiClient]:
    query = (select(ApiClient).join(Organisation, Organisation.id == ApiClient.org_id)
             .where(scope_filter(Organisation.path, principal)).order_by(ApiClient.id))
    return list(session.exec(query).all())


def deactivate_client(session: Session, principal: Principal, client_pk: int) -> ApiClient:
    row = session.exec(
        select(ApiClient, Organisation).join(Organisation, Organisation.id == ApiClient.org_id)
        .where(ApiClient.id == client_pk, scope_filter(Organisation.path, principal))
    ).first()
    if row is None:
        raise not_found("接口客户端")
    client, org = row
    client.is_active = False
    revoke_tokens(session, client)
    audit.record(session, principal, "client.deactivate", "api_client", client.id, org.path)
    session.commit()
    session.refresh(client)
    return client
