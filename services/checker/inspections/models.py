"""Inspections (检查任务), their targets, per-target results with findings, probes and the audit log.

Everything lives in the PostgreSQL schema `checker`. A result is unique per (inspection, kind, target):
workers upsert it, so a retried or duplicated job never yields a second result.
"""
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import model_validator
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.common.audit import AuditFields, AuditPublic  # noqa: F401 (AuditPublic is re-exported)

SCHEMA = "checker"


def utcnow() -> datetime:
    return datetime.now(UTC)


def fk(table: str) -> str:
    return f"{SCHEMA}.{table}.id"


def ts(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index))


def enum_str(default: Any = ..., **kw: Any) -> Any:
    # Enums are stored as plain strings: no PostgreSQL enum types to migrate or to collide across schemas.
    return Field(default=default, sa_type=String(20), **kw)


def ts_now() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class TargetKind(StrEnum):
    site = "site"
    account = "account"


class InspectionState(StrEnum):
    pending = "pending"        # accepted, targets not yet fetched from the registry
    running = "running"        # jobs enqueued (probes and checks)
    completed = "completed"    # every target has a result
    cancelled = "cancelled"
    failed = "failed"          # planning failed (registry unreachable …); see `error`


STATE_LABELS = {InspectionState.pending: "准备中", InspectionState.running: "检查中", InspectionState.completed: "已完成",
                InspectionState.cancelled: "已取消", InspectionState.failed: "失败"}
TERMINAL = (InspectionState.completed, InspectionState.cancelled, InspectionState.failed)
# Sites that run (and are probed): a closing site runs through its notice period, 关停公告 on its homepage.
RUNNING_STATES = ("active", "closing")


class ResultStatus(StrEnum):
    ok = "ok"          # the check ran; verdict and findings are meaningful
    error = "error"    # the check could not run to the end (hostile target, crash, retries exhausted)


class Verdict(StrEnum):
    pass_ = "pass"
    fail = "fail"


class FindingSource(StrEnum):
    auto = "auto"
    manual = "manual"


# ---------------------------------------------------------------------------------------------------
# Inspection

MAX_TARGETS = 1000


class TargetRef(SQLModel):
    """One site or account a targeted inspection (复查) checks."""
    kind: TargetKind
    target_id: int = Field(gt=0)


class InspectionBase(SQLModel):
    name: str = Field(min_length=2, max_length=200, description="e.g. 2024年第一次全面检查")
    scope_org_id: int = Field(description="organisation whose subtree is inspected")
    target_kinds: list[TargetKind] = Field(default_factory=lambda: [TargetKind.site, TargetKind.account],
                                           sa_column=Column(JSONB, nullable=False))
    indicator_set: str = Field(default="gov-2019", max_length=80)
    include_closed: bool = Field(default=True, description="check closed sites for domain_not_released")


class Inspection(InspectionBase, table=True):
    __tablename__ = "inspection"
    __table_args__ = (
        Index("ix_inspection_scope_path", "scope_org_path", postgresql_ops={"scope_org_path": "text_pattern_ops"}),
        # One round per schedule and period, however many cron runs race (services/checker/schedules).
        UniqueConstraint("schedule_id", "schedule_period", name="uq_inspection_schedule_period"),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    scope_org_path: str = Field(max_length=400)
    indicator_set_version: int = 1
    now: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    window_start: datetime | None = ts()
    window_end: datetime | None = ts()
    probe_count: int = 0
    window_scale: float | None = None
    state: InspectionState = enum_str(InspectionState.pending, index=True)
    error: str | None = Field(default=None, max_length=2000)
    target_count: int = 0
    # Real (wall-clock) schedule of the availability window after compression.
    schedule_start: datetime | None = ts()
    schedule_end: datetime | None = ts()
    created_by: str
    created_by_name: str | None = None
    created_at: datetime = ts_now()
    started_at: datetime | None = ts()
    finished_at: datetime | None = ts()
    cancelled_by: str | None = None
    # A targeted inspection (re-check) plans only these [{kind, target_id}]; None plans the whole scope.
    targets: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    # The schedule (定期检查) that created it, and for which period ("2026Q4", "2026-12"). The foreign key
    # (ON DELETE SET NULL) is the migration's: declaring it here would tie this module to the schedules package.
    schedule_id: int | None = Field(default=None, index=True)
    schedule_period: str | None = Field(default=None, max_length=10)


class InspectionCreate(InspectionBase):
    now: datetime | None = Field(default=None, description="监测时间点; defaults to the creation time")
    window_start: datetime | None = Field(default=None, description="availability window start")
    window_end: datetime | None = Field(default=None, description="availability window end")
    probe_count: int = Field(default=0, ge=0, le=5000, description="homepage probes spread over the window")
    window_scale: float | None = Field(default=None, gt=0, le=1,
                                       description="compress the window in real time (tests, demos)")
    targets: list[TargetRef] | None = Field(
        default=None, min_length=1, max_length=MAX_TARGETS,
        description="check only these (复查); those outside the scope or the target kinds are ignored")

    @model_validator(mode="after")
    def _window(self) -> "InspectionCreate":
        if not self.target_kinds:
            raise ValueError("target_kinds must not be empty")
        if self.targets is not None and len({(t.kind, t.target_id) for t in self.targets}) < len(self.targets):
            raise ValueError("targets must not repeat a (kind, target_id)")
        if (self.window_start is None) != (self.window_end is None):
            raise ValueError("window_start and window_end go together")
        if self.window_start and self.window_end and self.window_end <= self.window_start:
            raise ValueError("window_end must be after window_start")
        if self.probe_count and self.window_start is None:
            raise ValueError("probes need a window (window_start, window_end)")
        for name in ("now", "window_start", "window_end"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                setattr(self, name, value.replace(tzinfo=UTC))
        return self


class InspectionUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=2, max_length=200)


class Progress(SQLModel):
    total: int
    done: int          # results with status ok
    failed: int        # results with status error
    remaining: int
    passed: int        # verdict pass among done
    not_passed: int    # verdict fail among done
    probes_done: int
    probes_total: int
    percent: float
    running: int = 0   # targets a live worker is checking now
    stalled: int = 0   # targets whose worker died mid-check (lease lapsed); they are retried automatically
    retried: int = 0   # targets checked more than once (a try died or failed transiently)


class InspectionPublic(InspectionBase):
    id: int
    scope_org_path: str
    indicator_set_version: int
    now: datetime
    window_start: datetime | None
    window_end: datetime | None
    probe_count: int
    window_scale: float | None
    state: InspectionState
    error: str | None
    schedule_start: datetime | None
    schedule_end: datetime | None
    created_by: str
    created_by_name: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    targets: list[TargetRef] | None = None
    schedule_id: int | None = None
    schedule_period: str | None = None
    progress: Progress | None = None


# ---------------------------------------------------------------------------------------------------
# Targets, probes, results, findings


class InspectionTarget(SQLModel, table=True):
    """A site or account the inspection checks, as the registry described it when planned."""
    __tablename__ = "inspection_target"
    __table_args__ = (
        UniqueConstraint("inspection_id", "kind", "target_id", name="uq_target_inspection_kind_id"),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(sa_column=Column(Integer, ForeignKey(fk("inspection"), ondelete="CASCADE"),
                                                nullable=False, index=True))
    kind: TargetKind = enum_str()
    target_id: int
    name: str = Field(max_length=200)
    url: str | None = Field(default=None, max_length=1000)
    platform: str | None = Field(default=None, max_length=40)
    state: str | None = Field(default=None, max_length=40, description="registry state when planned")
    org_path: str = Field(max_length=400)
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    job_id: str = Field(max_length=200)
    due_at: datetime | None = ts()
    reruns: int = 0
    # The try that runs (or last ran) the check, when it started and until when its lease holds (renewed by
    # the live worker): a target without a result whose lease has passed lost its worker; it is retried.
    attempts: int = 0
    started_at: datetime | None = ts()
    lease_until: datetime | None = ts()


class Probe(SQLModel, table=True):
    """One availability probe of a site's homepage. `at` is in monitoring time (inside the window);
    `observed_at` is when it really ran (differs when the window is compressed)."""
    __tablename__ = "probe"
    __table_args__ = (
        UniqueConstraint("inspection_id", "target_id", "seq", name="uq_probe_inspection_target_seq"),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(sa_column=Column(Integer, ForeignKey(fk("inspection"), ondelete="CASCADE"),
                                                nullable=False, index=True))
    target_id: int
    seq: int
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    observed_at: datetime = ts_now()
    ok: bool
    status: int | None = None
    elapsed_ms: int = 0
    error: str | None = Field(default=None, max_length=200)


class InspectionResult(SQLModel, table=True):
    __tablename__ = "inspection_result"
    __table_args__ = (
        UniqueConstraint("inspection_id", "kind", "target_id", name="uq_result_inspection_kind_target"),
        Index("ix_result_inspection_verdict", "inspection_id", "verdict"),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(sa_column=Column(Integer, ForeignKey(fk("inspection"), ondelete="CASCADE"),
                                                nullable=False, index=True))
    kind: TargetKind = enum_str()
    target_id: int
    name: str = Field(max_length=200)
    url: str | None = Field(default=None, max_length=1000)
    org_path: str = Field(max_length=400)
    status: ResultStatus = enum_str()
    verdict: Verdict | None = enum_str(None)
    score: float | None = None
    error: str | None = Field(default=None, max_length=4000)
    checked_at: datetime = ts_now()
    attempts: int = 1
    # The check output in the DESIGN.md contract shape as the engine produced it (auto findings).
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    updated_at: datetime = ts_now()


class Finding(SQLModel, table=True):
    __tablename__ = "finding"
    __table_args__ = (
        Index("ix_finding_inspection_indicator", "inspection_id", "indicator"),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    result_id: int = Field(sa_column=Column(Integer, ForeignKey(fk("inspection_result"), ondelete="CASCADE"),
                                            nullable=False, index=True))
    inspection_id: int = Field(index=True)
    kind: TargetKind = enum_str()
    target_id: int
    indicator: str = Field(max_length=60)
    severity: str = Field(max_length=10)
    message: str
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    count: int = 1
    points: float = 0.0
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    source: FindingSource = enum_str(FindingSource.auto)
    created_by: str | None = None
    created_at: datetime = ts_now()
    dismissed: bool = False
    dismissed_reason: str | None = Field(default=None, max_length=2000)
    dismissed_by: str | None = None
    dismissed_at: datetime | None = ts()


class EvidenceIn(SQLModel):
    url: str = Field(min_length=1, max_length=2000)
    excerpt: str = Field(default="", max_length=4000)
    observed_at: datetime | None = None
    snapshot: str | None = Field(default=None, max_length=400, description="S3 key of a stored snapshot")


class FindingCreate(SQLModel):
    """A finding added by a reviewer (e.g. bought followers, which checks rarely detect)."""
    indicator: str = Field(min_length=2, max_length=60)
    message: str = Field(min_length=2, max_length=2000)
    count: int = Field(default=1, ge=1, le=10000, description="occurrences; severity and points follow the set")
    evidence: list[EvidenceIn] = Field(min_length=1)


class FindingDismiss(SQLModel):
    reason: str = Field(min_length=2, max_length=2000)


class FindingPublic(SQLModel):
    id: int
    indicator: str
    severity: str
    message: str
    evidence: list[dict[str, Any]]
    count: int
    points: float
    source: FindingSource
    created_by: str | None
    created_at: datetime
    dismissed: bool
    dismissed_reason: str | None
    dismissed_by: str | None
    dismissed_at: datetime | None


class ResultSummary(SQLModel):
    id: int
    inspection_id: int
    kind: TargetKind
    target_id: int
    name: str
    url: str | None
    org_path: str
    status: ResultStatus
    verdict: Verdict | None
    score: float | None
    error: str | None
    checked_at: datetime
    attempts: int
    indicators: list[str] = []  # codes of the active findings
    vetoes: list[str] = []      # those of them that are 单项否决 (a failing site may still score 100)


class ResultDetail(ResultSummary):
    """The contract shape (target, indicator_set, checked_at, verdict, score, findings) plus review data."""
    target: dict[str, Any]
    indicator_set: str
    indicator_set_version: int | None
    findings: list[FindingPublic]        # active (not dismissed)
    dismissed_findings: list[FindingPublic]
    # The stored engine output as the worker wrote it (findings before review, `metrics` …).
    result: dict[str, Any] = {}


class TargetPublic(SQLModel):
    kind: TargetKind
    target_id: int
    name: str
    url: str | None
    platform: str | None
    org_path: str
    job_id: str
    due_at: datetime | None
    reruns: int
    has_result: bool
    attempts: int = 0                  # the try running or last run (2 and more: retried)
    started_at: datetime | None = None
    lease_until: datetime | None = None
    stalled: bool = False              # no result and its worker stopped renewing the lease: retry pending


# ---------------------------------------------------------------------------------------------------
# Audit


class Audit(AuditFields, table=True):
    """Who changed what in the checker (inspections, findings, indicator sets, word lists)."""
    __tablename__ = "audit"
    __table_args__ = (
        Index("ix_checker_audit_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        Index("ix_checker_audit_entity", "entity_kind", "entity_id"),
        {"schema": SCHEMA},
    )
