"""checker.account_observation: what a reviewer saw of an account on its platform, when, and the proof."""
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field as PydField
from sqlalchemy import Column, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.checker.inspections.models import SCHEMA, ts_now


class AccountObservation(SQLModel, table=True):
    __tablename__ = "account_observation"
    __table_args__ = (
        Index("ix_observation_account", "platform", "platform_id", "observed_at"),
        Index("ix_observation_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(index=True)                  # registry account id
    platform: str = Field(max_length=40)
    platform_id: str = Field(max_length=120)
    registered_name: str = Field(default="", max_length=200)
    org_path: str = Field(max_length=400)                # the account's organisation (scope)
    source: str = Field(max_length=20)                   # import (platform export) or manual
    observed_at: datetime = ts_now()
    profile: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    posts: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    entries: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    file_name: str | None = Field(default=None, max_length=300)
    note: str | None = Field(default=None, max_length=2000)
    created_by: str = Field(max_length=120)
    created_by_name: str | None = Field(default=None, max_length=200)
    created_at: datetime = ts_now()


class ProfileIn(BaseModel):
    exists: bool = True
    name: str | None = PydField(default=None, max_length=200)
    verified_subject: str | None = PydField(default=None, max_length=200)
    interaction_enabled: bool | None = None
    url: str | None = PydField(default=None, max_length=2000)


class PostIn(BaseModel):
    published: datetime | None = None
    title: str = PydField(default="", max_length=500)
    url: str | None = PydField(default=None, max_length=2000)
    original: bool = True
    text: str = PydField(default="", max_length=20000)
    id: str | None = PydField(default=None, max_length=200)


class EntryIn(BaseModel):
    name: str = PydField(max_length=100)
    url: str | None = PydField(default=None, max_length=2000)
    kind: Literal["menu", "interaction"] = "menu"
    works: bool | None = None               # what the reviewer saw when following it (None: not recorded)


class ObservationCreate(BaseModel):
    account_id: int
    observed_at: datetime | None = None
    profile: ProfileIn = ProfileIn()
    posts: list[PostIn] = PydField(default_factory=list, max_length=5000)
    entries: list[EntryIn] = PydField(default_factory=list, max_length=200)
    note: str | None = PydField(default=None, max_length=2000)


class ObservationPublic(BaseModel):
    id: int
    account_id: int
    platform: str
    platform_id: str
    registered_name: str
    org_path: str
    source: str
    observed_at: datetime
    profile: dict[str, Any]
    posts: list[dict[str, Any]]
    entries: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    file_name: str | None
    note: str | None
    created_by: str
    created_by_name: str | None
    created_at: datetime
