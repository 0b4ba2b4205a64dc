"""Stored indicator sets (immutable versions) and per-organisation word-list entries."""
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.checker.inspections.models import SCHEMA, enum_str, ts_now


class IndicatorSetVersion(SQLModel, table=True):
    """One version of a tier's indicator set. Rows are never updated: a change is version n+1, so an
    inspection that recorded (code, version) stays explainable."""
    __tablename__ = "indicator_set"
    __table_args__ = (
        UniqueConstraint("code", "version", name="uq_indicator_set_code_version"),
        Index("ix_indicator_set_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=80, index=True)
    version: int
    name: str = Field(max_length=200)
    parent: str | None = Field(default=None, max_length=80)
    parent_version: int | None = None
    org_id: int
    org_path: str = Field(max_length=400)
    overrides: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    definition: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    note: str | None = Field(default=None, max_length=2000)
    created_by: str
    created_at: datetime = ts_now()


class IndicatorSetCreate(SQLModel):
    """A new set inheriting from `parent` (built-in or stored) with `overrides` merged over it, or — when
    `code` already exists — the next version of that set (same owner tier)."""
    code: str = Field(min_length=2, max_length=80, schema_extra={"pattern": r"^[a-z0-9][a-z0-9_.\-]*$"})
    name: str | None = Field(default=None, min_length=2, max_length=200)
    parent: str | None = Field(default=None, max_length=80, description="defaults to gov-2019 for new sets")
    parent_version: int | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)
    note: str | None = Field(default=None, max_length=2000)
    org_id: int | None = Field(default=None, description="owner tier; defaults to the caller's organisation")


class IndicatorSetPublic(SQLModel):
    code: str
    version: int
    name: str
    builtin: bool
    parent: str | None
    parent_version: int | None
    org_id: int | None
    org_path: str | None
    overrides: dict[str, Any]
    definition: dict[str, Any]
    note: str | None = None
    created_by: str | None = None
    created_at: datetime | None = None


class WordList(StrEnum):
    addition = "addition"    # extra words this organisation's checks flag
    whitelist = "whitelist"  # words never flagged in this organisation's subtree


class WordCategory(StrEnum):
    serious_error = "serious_error"
    sensitive_content = "sensitive_content"
    typo = "typo"


class WordEntryBase(SQLModel):
    list: WordList = enum_str(WordList.addition)
    category: WordCategory | None = enum_str(None, description="required for additions")
    word: str = Field(min_length=1, max_length=200)
    suggestion: str | None = Field(default=None, max_length=200, description="correct form (typo, serious_error)")
    note: str | None = Field(default=None, max_length=500)


class WordEntry(WordEntryBase, table=True):
    __tablename__ = "word_entry"
    __table_args__ = (
        UniqueConstraint("org_id", "list", "category", "word", name="uq_word_entry_org_list_word"),
        Index("ix_word_entry_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    org_id: int
    org_path: str = Field(max_length=400)
    created_by: str
    created_at: datetime = ts_now()


class WordEntryCreate(WordEntryBase):
    org_id: int | None = Field(default=None, description="defaults to the caller's organisation")


class WordEntryPublic(WordEntryBase):
    id: int
    org_id: int
    org_path: str
    created_by: str
    created_at: datetime
