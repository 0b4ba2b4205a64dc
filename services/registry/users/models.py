"""Users (people, password login) and API clients (machines, client-credentials login)."""
from datetime import datetime

from pydantic import field_validator
from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel

from services.common.auth import Role
from services.common.validation import plain_name
from services.registry.models_base import SCHEMA, enum_type, fk, utcnow

PEOPLE_ROLES = (Role.admin, Role.supervisor, Role.operator, Role.viewer)
CLIENT_ROLES = (Role.integration, Role.service)


class UserBase(SQLModel):
    username: str = Field(min_length=3, max_length=64, schema_extra={"pattern": r"^[A-Za-z0-9_.\-]+$"},
                          unique=True, index=True)
    display_name: str = Field(min_length=1, max_length=100)
    org_id: int = Field(foreign_key=fk("organisation"), index=True)
    role: Role = Field(sa_type=enum_type(Role))


class User(UserBase, table=True):
    __tablename__ = "user_account"
    __table_args__ = {"schema": SCHEMA}
    id: int | None = Field(default=None, primary_key=True)
    password_hash: str
    is_active: bool = True
    # Bumped on password change or deactivation; tokens carrying an older version are refused.
    token_version: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    # When the holder last chose the password; None after an administrator's reset (change at the next login).
    password_changed_at: datetime | None = Field(default_factory=utcnow,
                                                 sa_column=Column(DateTime(timezone=True), nullable=True))


class UserCreate(UserBase):
    password: str = Field(min_length=8, max_length=128)
    _plain = field_validator("display_name")(classmethod(lambda cls, v: plain_name(v)))


class UserUpdate(SQLModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=100)
    role: Role | None = None
    _plain = field_validator("display_name")(classmethod(lambda cls, v: plain_name(v)))
    is_active: bool | None = None


class UserPublic(UserBase):
    id: int
    is_active: bool


class PasswordChange(SQLModel):
    current_password: str
    new_password: str = Field(min_length=8, max_length=128)


class PasswordReset(SQLModel):
    new_password: str = Field(min_length=8, max_length=128)


class ApiClientBase(SQLModel):
    client_id: str = Field(min_length=3, max_length=64, schema_extra={"pattern": r"^[A-Za-z0-9_.\-]+$"},
                          unique=True, index=True)
    name: str = Field(min_length=1, max_length=100)
    org_id: int = Field(foreign_key=fk("organisation"), index=True)
    role: Role = Field(sa_type=enum_type(Role))


class ApiClient(ApiClientBase, table=True):
    __tablename__ = "api_client"
    __table_args__ = {"schema": SCHEMA}
    id: int | None = Field(default=None, primary_key=True)
    secret_hash: str
    is_active: bool = True
    token_version: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class ApiClientCreate(ApiClientBase):
    pass


class ApiClientPublic(ApiClientBase):
    id: int
    is_active: bool


class ApiClientCreated(ApiClientPublic):
    client_secret: str  # shown once


class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: Role
    org_id: int
    org_path: str
    name: str
    password_expired: bool = Field(default=False, description="the password expired or an administrator reset it: "
                                                              "change it before anything else")
