"""National-system sync: the outbox of approved filings and reconciliation reports."""
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, DateTime, Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.registry.filings.models import FilingKind, SubjectKind
from services.registry.models_base import SCHEMA, enum_type, fk, utcnow


class OutboxState(StrEnum):
    pending = "pending"            # waiting for (another) push attempt
    sent = "sent"                  # accepted by the national system, acknowledgement outstanding
    acknowledged = "acknowledged"  # the national system confirmed the record
    failed = "failed"              # rejected, or attempts exhausted: a supervisor retries or resolves it
    resolved = "resolved"          # handled by hand; no further pushes


STATE_LABELS = {OutboxState.pending: "待推送", OutboxState.sent: "已推送待确认", OutboxState.acknowledged: "已确认",
                OutboxState.failed: "推送失败", OutboxState.resolved: "已人工处理"}
OPEN_STATES = (OutboxState.pending, OutboxState.sent, OutboxState.failed)


class OutboxRow(SQLModel, table=True):
    __tablename__ = "sync_outbox"
    __table_args__ = (
        Index("ix_sync_outbox_due", "state", "next_attempt_at"),
        Index("ix_sync_outbox_subject", "subject_kind", "subject_id", "id"),
        Index("ix_sync_outbox_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True, description="idempotency key sent to the national system")
    # One row per decided filing (unique; resync rows have none): a repeated approval cannot push twice.
    filing_id: int | None = Field(default=None, foreign_key=fk("filing"), index=True, unique=True)
    subject_kind: SubjectKind = Field(sa_type=enum_type(SubjectKind))
    subject_id: int
    action: str = Field(max_length=40, description="filing kind, or 'resync' for a reconciliation push")
    record: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    org_path: str = Field(max_length=400)
    state: OutboxState = Field(default=OutboxState.pending, sa_type=enum_type(OutboxState))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow,
                                      sa_column=Column(DateTime(timezone=True), nullable=False))
    last_error: str | None = Field(default=None, max_length=2000)
    last_status: int | None = None
    national_id: str | None = Field(default=None, max_length=100)
    resolution_note: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class OutboxPublic(SQLModel):
    id: int
    key: str
    filing_id: int | None
    subject_kind: SubjectKind
    subject_id: int
    action: str
    record: dict[str, Any]
    org_path: str
    state: OutboxState
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    last_status: int | None
    national_id: str | None
    resolution_note: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    acknowledged_at: datetime | None


class OutboxResolve(SQLModel):
    note: str = Field(min_length=2, max_length=2000, description="how the failed push was handled")


class DifferenceKind(StrEnum):
    missing_there = "missing_there"                          # in the registry, unknown nationally
    missing_here = "missing_here"                            # in the national register, unknown here
    running_there_closed_here = "running_there_closed_here"
    closed_there_running_here = "closed_there_running_here"
    name_differs = "name_differs"                            # e.g. renamed here but not there
    field_differs = "field_differs"                          # 网站标识码 / ICP备案号 / 主办单位 / 首页网址 …


class Reconciliation(SQLModel, table=True):
    __tablename__ = "sync_reconciliation"
    __table_args__ = {"schema": SCHEMA}
    id: int | None = Field(default=None, primary_key=True)
    scope_org_id: int = Field(foreign_key=fk("organisation"))
    scope_path: str = Field(max_length=400)
    subject_kind: SubjectKind | None = Field(default=None, sa_type=enum_type(SubjectKind))
    started_by: str
    started_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    local_count: int = 0
    national_count: int = 0
    difference_count: int = 0
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))


class ReconciliationPublic(SQLModel):
    id: int
    scope_org_id: int
    scope_path: str
    subject_kind: SubjectKind | None
    started_by: str
    started_at: datetime
    local_count: int
    national_count: int
    difference_count: int
    counts: dict[str, Any]


class ReconciliationCreate(SQLModel):
    scope_org_id: int | None = Field(default=None, description="the caller's own organisation by default")
    subject_kind: SubjectKind | None = None


class Difference(SQLModel, table=True):
    __tablename__ = "sync_difference"
    __table_args__ = (
        Index("ix_sync_difference_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        # Differences adopted by a filing, per subject (read on every approval: sync.service.enqueue_filing).
        Index("ix_sync_difference_filed_subject", "subject_kind", "subject_id",
              postgresql_where=text("filing_id IS NOT NULL")),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    reconciliation_id: int = Field(foreign_key=fk("sync_reconciliation"), index=True)
    kind: DifferenceKind = Field(sa_type=enum_type(DifferenceKind))
    subject_kind: SubjectKind = Field(sa_type=enum_type(SubjectKind))
    subject_id: int | None = None
    name: str = Field(max_length=200)
    field: str | None = Field(default=None, max_length=40)
    ours: str | None = Field(default=None, max_length=500)
    theirs: str | None = Field(default=None, max_length=500)
    national: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    org_path: str = Field(max_length=400)
    filing_id: int | None = Field(default=None, foreign_key=fk("filing"))
    outbox_id: int | None = None


class DifferencePublic(SQLModel):
    id: int
    reconciliation_id: int
    kind: DifferenceKind
    subject_kind: SubjectKind
    subject_id: int | None
    name: str
    field: str | None
    ours: str | None
    theirs: str | None
    national: dict[str, Any] | None
    org_path: str
    filing_id: int | None
    outbox_id: int | None
    suggested_filing: FilingKind | None = None
