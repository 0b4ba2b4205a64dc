"""Quarterly self-inspection reports (自查报告, seed 003): one per unit and quarter, pre-filled with the
figures the system already has, edited and submitted by the unit, reviewed by its supervising office."""
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import Column, Date, Index, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.reporting.models_base import SCHEMA, enum_type, ts, ts_now


class ReportState(StrEnum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"     # sent back by the reviewer; editable and re-submittable
    accepted = "accepted"


STATE_LABELS = {ReportState.draft: "草稿", ReportState.submitted: "已提交", ReportState.returned: "已退回",
                ReportState.accepted: "审核通过"}
EDITABLE = (ReportState.draft, ReportState.returned)

# The report's parts in the order seed 003's best reports use; all pre-filled and editable. `addressee` (主送) and
# `intro` (the basis cited and the 自查结果 statement) print before the numbered sections.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("addressee", "主送机关"),
    ("intro", "开头段（依据与自查结果）"),
    ("sites", "网站运行情况"),
    ("security", "安全运行情况"),
    ("messages", "网民留言办理情况"),
    ("accounts", "政务新媒体运行情况"),
    ("problems", "自查发现的问题及整改情况"),
    ("next_steps", "下一步工作"),
)
UNNUMBERED = ("addressee", "intro")
CUSTOM = "custom:"   # an added section: "custom:<its heading>", printed before 下一步工作
MAX_CUSTOM = 10


class Figures(SQLModel):
    """Counts the system knows for the unit's subtree in the quarter (editable: the unit answers for them)."""
    sites: int = 0
    columns: int = 0          # 信息公开专栏 on other units' sites (counted apart from the sites, as seed 001 does)
    accounts: int = 0
    inspections: int = 0
    items_published: int = 0
    posts: int = 0
    messages_received: int = 0
    messages_answered: int = 0
    problems_found: int = 0
    problems_fixed: int = 0
    tasks_open: int = 0
    problem_kinds: list[dict[str, Any]] = []   # [{indicator, label, count}]: targets with the problem, in words
    accounts_by_platform: list[dict[str, Any]] = []  # [{label, count}] active accounts by platform family
    accounts_opened: int | None = None          # approved 开设 filings in the quarter (None: registry not asked)
    accounts_closed: int | None = None          # approved 关停/注销 filings in the quarter


class SelfReport(SQLModel, table=True):
    __tablename__ = "self_report"
    __table_args__ = (
        UniqueConstraint("org_id", "year", "quarter", name="uq_self_report_org_quarter"),
        Index("ix_self_report_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(index=True)
    org_path: str = Field(max_length=400)
    unit_name: str = Field(max_length=200)
    year: int
    quarter: int
    title: str = Field(max_length=300)
    state: ReportState = Field(default=ReportState.draft, sa_type=enum_type(ReportState), index=True)
    due_date: date = Field(sa_column=Column(Date, nullable=False))
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    sections: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    figures_at: datetime | None = ts()
    signature: str = Field(default="", max_length=200)
    report_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    created_by: str
    created_at: datetime = ts_now()
    updated_at: datetime = ts_now()
    submitted_at: datetime | None = ts()
    submitted_by: str | None = None
    late: bool = Field(default=False, description="submitted after the due date")
    reviewed_at: datetime | None = ts()
    reviewed_by: str | None = None
    review_note: str | None = Field(default=None, max_length=2000)


class SelfReportCreate(SQLModel):
    year: int = Field(ge=2015, le=2100)
    quarter: int = Field(ge=1, le=4)
    org_id: int | None = Field(default=None, description="defaults to the caller's organisation")


class SelfReportUpdate(SQLModel):
    title: str | None = Field(default=None, min_length=4, max_length=300)
    sections: dict[str, str] | None = Field(default=None, description="keys: addressee, intro, sites, security, "
                                            "messages, accounts, problems, next_steps, or custom:<heading> to add a "
                                            "section (empty text removes an added one)")
    figures: Figures | None = None
    signature: str | None = Field(default=None, max_length=200)
    report_date: date | None = None


class SelfReportReview(SQLModel):
    decision: Literal["accept", "return"]
    note: str | None = Field(default=None, max_length=2000)


class SelfReportPublic(SQLModel):
    id: int
    org_id: int
    org_path: str
    unit_name: str
    year: int
    quarter: int
    title: str
    state: ReportState
    due_date: date
    figures: Figures
    sections: dict[str, str]
    section_titles: dict[str, str] = {}
    figures_at: datetime | None
    signature: str
    report_date: date | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    submitted_by: str | None
    late: bool
    overdue: bool = False
    reviewed_at: datetime | None
    reviewed_by: str | None
    review_note: str | None
