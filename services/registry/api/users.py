"""Users and API clients, administered within the admin's subtree."""
from typing import Annotated

from fastapi import APIRouter, Query

from services.common.auth import Role
from services.common.db import SessionDep
from services.common.pagination import Page, PageDep
from services.registry.api.deps import Admin
from services.registry.users import service
from services.registry.users.models import (
    ApiClientCreate, ApiClientCreated, ApiClientPublic, PasswordReset, UserCreate, UserPublic, UserUpdate,
)

router = APIRouter(tags=["users"])


@router.get("/api/v1/users", response_model=Page[UserPublic])
def list_users(session: SessionDep, principal: Admin, page: PageDep, role: Role | None = None,
               org_id: int | None = None, q: Annotated[str | None, Query(max_length=100)] = None) -> Page[UserPublic]:
    rows, total = service.list_users(session, principal, q=q, role=role, org_id=org_id,
                                     limit=page.limit, offset=page.offset)
    return Page(items=rows, total=total, limit=page.limit, offset=page.offset)


@router.post("/api/v1/users", response_model=UserPublic, status_code=201)
def create_user(session: SessionDep, principal: Admin, body: UserCreate) -> UserPublic:
    return service.create_user(session, principal, body)


@router.get("/api/v1/users/{user_id}", response_model=UserPublic)
def get_user(session: SessionDep, principal: Admin, user_id: int) -> UserPublic:
    return service.get_visible_user(session, principal, user_id)[0]


@router.patch("/api/v1/users/{user_id}", response_model=UserPublic)
def update_user(session: SessionDep, principal: Admin, user_id: int, body: UserUpdate) -> UserPublic:
    return service.update_user(session, principal, user_id, body)


@router.post("/api/v1/users/{user_id}/password", status_code=204, summary="Reset a user's password (revokes tokens)")
def reset_password(session: SessionDep, principal: Admin, user_id: int, body: PasswordReset) -> None:
    user, org = service.get_visible_user(session, principal, user_id)
    service.set_password(session, principal, user, org, body.new_password, "user.password_reset")


@router.get("/api/v1/clients", response_model=list[ApiClientPublic])
def list_clients(session: SessionDep, principal: Admin) -> list[ApiClientPublic]:
    return service.list_clients(session, principal)


@router.post("/api/v1/clients", response_model=ApiClientCreated, status_code=201)
def create_client(session: SessionDep, principal: Admin, body: ApiClientCreate) -> ApiClientCreated:
    client, secret = service.create_client(session, principal, body)
    return ApiClientCreated.model_validate(client, update={"client_secret": secret})


@router.post("/api/v1/clients/{client_pk}/deactivate", response_model=ApiClientPublic)
def deactivate_client(session: SessionDep, principal: Admin, client_pk: int) -> ApiClientPublic:
    return service.deactivate_client(session, principal, client_pk)
