"""Rectification (整改): one task per failing site or account of an issued notice, assigned to the
target's host unit. The unit uploads evidence and submits; the supervising office accepts or rejects;
acceptance asks the checker for a re-check and the task is verified when the re-check passes (or the
supervisor closes it with a recorded reason)."""
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from services.common.audit import AuditFields
from services.common.validation import plain_name
from services.reporting.models_base import SCHEMA, enum_type, fk, ts, ts_now


class TaskState(StrEnum):
    open = "open"              # the unit works on it (again, after a rejection or a failed re-check)
    submitted = "submitted"    # evidence and explanation handed in; waiting for review
    accepted = "accepted"      # the reviewer accepted; waiting for the re-check
    verified = "verified"      # the re-check passed: closed
    closed = "closed"          # closed by the supervisor without a passing re-check (reason recorded)


STATE_LABELS = {TaskState.open: "待整改", TaskState.submitted: "待审核", TaskState.accepted: "待复查",
                TaskState.verified: "已复查通过", TaskState.closed: "已办结"}
ACTION_LABELS = {"upload": "上传材料", "submit": "提交整改", "close": "办结", "accept": "审核通过", "reject": "退回",
                 "recheck": "复查"}
FINAL = (TaskState.verified, TaskState.closed)
# Who may move a task where; anything else answers 409 naming the allowed actions.
ACTIONS: dict[TaskState, tuple[str, ...]] = {
    TaskState.open: ("upload", "submit", "close"),
    TaskState.submitted: ("accept", "reject", "close"),
    TaskState.accepted: ("recheck", "close"),
    TaskState.verified: (),
    TaskState.closed: (),
}


class EvidenceKind(StrEnum):
    screenshot = "screenshot"          # 整改截图
    document = "document"              # 整改材料
    signed_report = "signed_report"    # 签字扫描件 (the signed paper report)
    other = "other"


class ReviewDecision(StrEnum):
    accept = "accept"
    reject = "reject"


class RectificationTask(SQLModel, table=True):
    __tablename__ = "rectification_task"
    __table_args__ = (
        UniqueConstraint("notice_id", "kind", "target_id", name="uq_task_notice_target"),
        Index("ix_task_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(sa_column=Column(Integer, ForeignKey(fk("notice"), ondelete="RESTRICT"),
                                            nullable=False, index=True))
    notice_title: str = Field(max_length=300)
    inspection_id: int
    indicator_set: str = Field(default="gov-2019", max_length=80)
    kind: str = Field(max_length=20)             # site | account
    target_id: int
    target_name: str = Field(max_length=300)
    target_url: str | None = Field(default=None, max_length=2000)
    platform: str | None = Field(default=None, max_length=40)
    org_id: int = Field(index=True, description="the host unit (主办单位) the task is assigned to")
    org_path: str = Field(max_length=400)
    unit_name: str = Field(max_length=200)
    problems: str = Field(default="", max_length=2000, description="as the notice prints them")
    findings: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    deadline: date | None = Field(default=None, sa_column=Column(Date, nullable=True, index=True))
    state: TaskState = Field(default=TaskState.open, sa_type=enum_type(TaskState), index=True)
    round: int = Field(default=1, description="submission round; a rejection or failed re-check starts the next")
    explanation: str | None = Field(default=None, max_length=20000)
    submitted_at: datetime | None = ts()
    submitted_by: str | None = None
    reviewed_at: datetime | None = ts()
    reviewed_by: str | None = None
    review_reason: str | None = Field(default=None, max_length=2000)
    recheck_inspection_id: int | None = None
    recheck_requested_at: datetime | None = ts()
    recheck_verdict: str | None = Field(default=None, max_length=10)
    recheck_error: str | None = Field(default=None, max_length=2000)
    recheck_findings: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    closed_at: datetime | None = ts()
    closed_by: str | None = None
    close_reason: str | None = Field(default=None, max_length=2000)
    overdue_at: datetime | None = ts()  # first seen past its deadline unresolved; kept for the assessment
    # Who at the unit answers for it (指派责任人), set by the supervising office; the last 催办.
    responsible_person: str | None = Field(default=None, max_length=50)
    responsible_phone: str | None = Field(default=None, max_length=30)
    last_urged_at: datetime | None = ts()
    created_at: datetime = ts_now()
    updated_at: datetime = ts_now()


class TaskNotice(SQLModel, table=True):
    """The notices that name a task's target for its problem: a county's notice and its city's notice naming the
    same failing site share one task (one deadline, one deduction), and each lists it."""
    __tablename__ = "task_notice"
    __table_args__ = (PrimaryKeyConstraint("task_id", "notice_id", name="pk_task_notice"), {"schema": SCHEMA})
    task_id: int = Field(sa_column=Column(Integer, ForeignKey(fk("rectification_task"), ondelete="CASCADE"),
                                          nullable=False))
    notice_id: int = Field(sa_column=Column(Integer, ForeignKey(fk("notice"), ondelete="RESTRICT"), nullable=False,
                                            index=True))


class EvidenceFile(SQLModel, table=True):
    """One uploaded file: `rectification/<task_id>/<sha256>.<ext>` in the evidence bucket."""
    __tablename__ = "evidence_file"
    __table_args__ = (UniqueConstraint("task_id", "sha256", name="uq_evidence_task_sha256"), {"schema": SCHEMA})
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(sa_column=Column(Integer, ForeignKey(fk("rectification_task"), ondelete="RESTRICT"),
                                          nullable=False, index=True))
    round: int
    kind: EvidenceKind = Field(sa_type=enum_type(EvidenceKind))
    filename: str = Field(max_length=200)
    extension: str = Field(max_length=10)
    content_type: str = Field(max_length=200)
    size: int
    sha256: str = Field(max_length=64)
    bucket: str = Field(max_length=100)
    key: str = Field(max_length=400)
    uploaded_by: str
    uploaded_at: datetime = ts_now()


class TaskEvent(SQLModel, table=True):
    """The task's history as the unit and the reviewer see it (the audit table keeps before/after)."""
    __tablename__ = "task_event"
    __table_args__ = {"schema": SCHEMA}
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(sa_column=Column(Integer, ForeignKey(fk("rectification_task"), ondelete="RESTRICT"),
                                          nullable=False, index=True))
    at: datetime = ts_now()
    actor: str
    actor_name: str | None = None
    action: str = Field(max_length=40)
    note: str | None = Field(default=None, max_length=4000)


class Audit(AuditFields, table=True):
    """Who changed what in reporting (tasks, evidence, reviews, self-inspection reports, weights),
    including refused uploads."""
    __tablename__ = "audit"
    __table_args__ = (
        Index("ix_reporting_audit_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        Index("ix_reporting_audit_entity", "entity_kind", "entity_id"),
        {"schema": SCHEMA},
    )


# ---------------------------------------------------------------------------------------------------
# API shapes


class EvidencePublic(SQLModel):
    id: int
    task_id: int
    round: int
    kind: EvidenceKind
    filename: str
    extension: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    url: str = ""


class TaskEventPublic(SQLModel):
    id: int
    at: datetime
    actor: str
    actor_name: str | None
    action: str
    note: str | None


class TaskSummary(SQLModel):
    id: int
    notice_id: int
    notice_title: str
    inspection_id: int
    kind: str
    target_id: int
    target_name: str
    target_url: str | None
    platform: str | None
    org_id: int
    org_path: str
    unit_name: str
    problems: str
    deadline: date | None
    state: TaskState
    round: int
    overdue: bool = Field(description="past the deadline and not verified or closed")
    was_overdue: bool = Field(description="went past its deadline unresolved at some point")
    days_left: int | None = None
    submitted_at: datetime | None
    reviewed_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    responsible_person: str | None = None
    responsible_phone: str | None = None
    last_urged_at: datetime | None = None


class TaskPublic(TaskSummary):
    findings: list[dict[str, Any]]
    explanation: str | None
    submitted_by: str | None
    reviewed_by: str | None
    review_reason: str | None
    recheck_inspection_id: int | None
    recheck_requested_at: datetime | None
    recheck_verdict: str | None
    recheck_error: str | None
    recheck_findings: list[dict[str, Any]]
    closed_by: str | None
    close_reason: str | None
    overdue_at: datetime | None
    allowed_actions: list[str]
    evidence: list[EvidencePublic] = []
    events: list[TaskEventPublic] = []


class TaskSubmit(SQLModel):
    explanation: str = Field(min_length=5, max_length=20000, description="整改情况说明")


class TaskReview(SQLModel):
    decision: ReviewDecision
    reason: str | None = Field(default=None, max_length=2000, description="required when rejecting")


class TaskClose(SQLModel):
    reason: str = Field(min_length=4, max_length=2000, description="why the task closes without a passing re-check")


MAX_BATCH = 500


class TaskBatch(SQLModel):
    """The tasks a batch action applies to: those listed, or every overdue task of the caller's subtree."""
    task_ids: list[int] = Field(default_factory=list, max_length=MAX_BATCH)
    all_overdue: bool = Field(default=False, description="every overdue task in the caller's subtree")


class TaskUrge(TaskBatch):
    note: str | None = Field(default=None, max_length=500, description="added to the 催办 message")


PHONE = r"^[0-9+\-() ]{5,30}$"


class TaskAssign(TaskBatch):
    org_id: int | None = Field(default=None, description="the unit that takes the tasks over; None keeps the unit")
    responsible_person: str | None = Field(default=None, min_length=2, max_length=50, description="责任人")
    responsible_phone: str | None = Field(default=None, max_length=30, regex=PHONE, description="联系电话")

    @field_validator("responsible_person")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        return plain_name(value)


class BatchItem(SQLModel):
    task_id: int
    ok: bool
    target_name: str | None = None
    code: str | None = None
    message: str = Field(description="zh-CN outcome of this task")


class BatchOutcome(SQLModel):
    succeeded: int
    failed: int
    items: list[BatchItem]


class UnitTaskCounts(SQLModel):
    org_id: int
    org_path: str
    unit_name: str
    open: int = 0
    submitted: int = 0
    accepted: int = 0
    closed: int = 0          # verified or closed
    overdue: int = 0         # currently overdue
    total: int = 0


class TaskCounts(SQLModel):
    open: int = 0
    submitted: int = 0
    accepted: int = 0
    closed: int = 0
    overdue: int = 0
    due_soon: int = 0
    total: int = 0
    units: list[UnitTaskCounts] = []
