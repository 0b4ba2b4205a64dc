"""Notices (通报): a draft assembled from a completed inspection, edited, then issued as immutable
versioned files in S3. Everything lives in the PostgreSQL schema `reporting`."""
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import field_validator
from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.reporting.models_base import SCHEMA, enum_type, fk, ts, ts_now


class NoticeState(StrEnum):
    draft = "draft"                  # assembled, editable
    rendering = "rendering"          # being rendered and stored (not editable)
    issued = "issued"                # files stored; immutable (revise to start the next version)
    render_failed = "render_failed"  # rendering or storing failed; see `error`; editable and re-issuable


STATE_LABELS = {NoticeState.draft: "草稿", NoticeState.rendering: "生成中", NoticeState.issued: "已印发",
                NoticeState.render_failed: "生成失败"}
# The checker's inspection states, as a person reads them (the checker answers the codes).
INSPECTION_STATE_LABELS = {"pending": "准备中", "running": "检查中", "completed": "已完成", "cancelled": "已取消",
                           "failed": "失败"}
EDITABLE = (NoticeState.draft, NoticeState.render_failed)
ISSUABLE = (NoticeState.draft, NoticeState.render_failed)


class FileFormat(StrEnum):
    docx = "docx"
    xlsx = "xlsx"
    pdf = "pdf"


# ---------------------------------------------------------------------------------------------------
# Content (JSON inside the notice row; frozen into NoticeVersion when issued)


# Attachment columns: the header a table prints → the row field it shows. Seed 004's columns by default.
COLUMN_FIELDS = {"序号": "no", "网站名称": "name", "账号名称": "name", "专栏名称": "name", "名称": "name", "单位名称": "name",
                 "类型": "type", "网站类型": "type", "账号类型": "type", "检查结果": "result", "突出问题": "remark",
                 "备注": "remark", "存在问题": "remark", "主要问题": "remark"}
SITE_COLUMNS = ("序号", "网站名称", "检查结果", "突出问题")
ACCOUNT_COLUMNS = ("序号", "账号名称", "账号类型", "检查结果", "备注")
COLUMN_COLUMNS = ("序号", "专栏名称", "检查结果", "突出问题")  # 信息公开专栏 (seed 001 counts them apart)


def _columns(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    unknown = [c for c in value if c not in COLUMN_FIELDS]
    if unknown or not value or len(set(value)) != len(value):
        raise ValueError(f"附件列须为以下名称之一且不重复：{'、'.join(COLUMN_FIELDS)}")
    return value


class KindFigures(SQLModel):
    """Raw counts of one target kind; rates are computed when printed."""
    total: int = 0            # targets of the inspection
    checked: int = 0          # with a verdict
    passed: int = 0
    failed: int = 0
    errors: int = 0           # the check could not run to the end
    groups: list[dict[str, Any]] = []   # [{label, total, passed, failed}] by site type / by platform
    prev_checked: int | None = None
    prev_passed: int | None = None


class ProblemGroup(SQLModel):
    kind: str                 # site | account
    phrase: str               # notice wording, e.g. 内容14天未更新
    units: list[str]          # the units (targets) as running text names them, examples first
    indicator: str = ""       # one group per indicator
    platforms: list[str | None] = []  # accounts: platform code of each unit (same order)


class FollowUp(SQLModel):
    """The previous round's rectification, as re-checked (seed 001: 经复查，…均已完成整改)."""
    name: str                 # 2021年第一季度检查
    sites: int = 0            # tasks opened for failing sites
    sites_done: int = 0       # of which verified by a re-check or closed
    accounts: int = 0
    accounts_done: int = 0
    columns: int = 0          # 信息公开专栏 (seed 001: 3个问题专栏), counted apart from the sites
    columns_done: int = 0
    pending: list[str] = []   # units still not rectified (running-text names)


class PeriodFigures(SQLModel):
    """Registry and checker figures of the period the inspection falls in (seed 001's 新增/注销 and 网民留言)."""
    label: str                # 2021年二季度
    accounts_opened: int | None = None       # approved 开设 filings of accounts
    accounts_closed_wechat: int | None = None
    accounts_closed_other: int | None = None
    messages_received: int | None = None
    messages_answered: int | None = None
    message_sites: int | None = None          # sites whose messages were counted


class TableRow(SQLModel):
    no: int
    name: str
    type: str
    result: str               # 合格 | 不合格 | 未完成检查
    remark: str
    target_id: int | None = None


class NoticeContent(SQLModel):
    title: str
    doc_number: str = ""      # 文号; empty with a doc_prefix: the office's next number is assigned at issue
    doc_prefix: str = ""      # 机关代字 of the office's template (渭政办发)
    mark: str = ""            # 发文机关标志 (the issuing office's name by default)
    issuing_office: str
    addressees: str = ""
    issue_date: date
    basis: str
    scope_name: str
    inspection_name: str
    layout: str = "overview"  # the body's sections: overview (seeds 000, 001) or by_kind (seed 004), see text.py
    check_period: str = ""
    intro: str = ""
    overview: str = ""
    problems: str = ""
    requirements: str = ""
    # The template's 有关要求 with its placeholders: re-filled when the deadline or 报送单位 changes.
    requirements_template: str = ""
    placeholder_values: dict[str, str] = {}   # 期次, 检查类型 … as assembled (the dynamic ones are re-read)
    deadline: date | None = None
    report_to: str = ""
    signature: str = ""
    rate_decimals: int = 1
    rate_strip_zeros: bool = True
    previous_name: str | None = None
    sites: KindFigures = KindFigures()
    accounts: KindFigures = KindFigures()
    columns: KindFigures = KindFigures()      # 信息公开专栏, counted apart from the sites (seed 001)
    columns_label: str = "信息公开专栏"        # as the overview names them: 市级部门信息公开专栏
    problem_groups: list[ProblemGroup] = []
    follow_up: FollowUp | None = None
    period: PeriodFigures | None = None
    site_rows: list[TableRow] = []
    account_rows: list[TableRow] = []
    column_rows: list[TableRow] = []
    attachment1_title: str = ""
    attachment2_title: str = ""
    # Per attachment: its 检查时间 (from when its targets were checked) and its columns (seed 004's by default).
    attachment1_period: str = ""
    attachment2_period: str = ""
    attachment1_columns: list[str] = list(SITE_COLUMNS)
    attachment2_columns: list[str] = list(ACCOUNT_COLUMNS)
    # The 专栏 table follows the two of seed 004 (a notice without 专栏 has exactly seed 004's attachments).
    columns_title: str = ""
    columns_period: str = ""
    columns_columns: list[str] = list(COLUMN_COLUMNS)
    # 版记 (GB/T 9704 7.4): 抄送机关, 印发机关 and 印发日期 (default: the issue date).
    cc: str = ""
    printed_by: str = ""
    printed_on: date | None = None

    def period_of(self, n: int) -> str:
        """The attachment's 检查时间 (drafts assembled before per-attachment periods carry one for both)."""
        return (self.attachment1_period if n == 1 else self.attachment2_period) or self.check_period


# Fields a supervisor may change before issuing (the figures and tables come from the results).
EDITABLE_FIELDS = ("title", "doc_number", "mark", "issuing_office", "addressees", "issue_date", "basis", "intro",
                   "overview", "problems", "requirements", "deadline", "report_to", "signature", "rate_decimals",
                   "rate_strip_zeros", "check_period", "attachment1_title", "attachment2_title",
                   "attachment1_period", "attachment2_period", "attachment1_columns", "attachment2_columns",
                   "columns_title", "columns_period", "columns_columns", "cc", "printed_by", "printed_on")


class NoticeUpdate(SQLModel):
    title: str | None = Field(default=None, min_length=2, max_length=300)
    doc_number: str | None = Field(default=None, max_length=100)
    mark: str | None = Field(default=None, max_length=60)
    issuing_office: str | None = Field(default=None, min_length=2, max_length=200)
    addressees: str | None = Field(default=None, max_length=2000)
    issue_date: date | None = None
    basis: str | None = Field(default=None, max_length=500)
    intro: str | None = Field(default=None, max_length=20000)
    overview: str | None = Field(default=None, max_length=50000)
    problems: str | None = Field(default=None, max_length=50000)
    requirements: str | None = Field(default=None, max_length=50000)
    deadline: date | None = None
    report_to: str | None = Field(default=None, max_length=1000)
    signature: str | None = Field(default=None, max_length=200)
    rate_decimals: int | None = Field(default=None, ge=0, le=4)
    rate_strip_zeros: bool | None = None
    check_period: str | None = Field(default=None, max_length=200)
    attachment1_title: str | None = Field(default=None, max_length=300)
    attachment2_title: str | None = Field(default=None, max_length=300)
    attachment1_period: str | None = Field(default=None, max_length=200)
    attachment2_period: str | None = Field(default=None, max_length=200)
    attachment1_columns: list[str] | None = Field(default=None, max_length=8)
    attachment2_columns: list[str] | None = Field(default=None, max_length=8)
    columns_title: str | None = Field(default=None, max_length=300)     # the 信息公开专栏 table's
    columns_period: str | None = Field(default=None, max_length=200)
    columns_columns: list[str] | None = Field(default=None, max_length=8)

    cc: str | None = Field(default=None, max_length=1000)
    printed_by: str | None = Field(default=None, max_length=200)
    printed_on: date | None = None

    _check_columns = field_validator("attachment1_columns", "attachment2_columns", "columns_columns")(_columns)


# ---------------------------------------------------------------------------------------------------
# Tables


class Notice(SQLModel, table=True):
    __tablename__ = "notice"
    __table_args__ = (
        Index("ix_notice_scope_path", "scope_org_path", postgresql_ops={"scope_org_path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(index=True)
    previous_inspection_id: int | None = None
    scope_org_id: int
    scope_org_path: str = Field(max_length=400, description="the inspection's scope; the scope key")
    state: NoticeState = Field(default=NoticeState.draft, sa_type=enum_type(NoticeState))
    version: int = Field(default=0, description="number of issued versions")
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    edited: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    error: str | None = Field(default=None, max_length=4000)
    created_by: str
    created_at: datetime = ts_now()
    updated_at: datetime = ts_now()
    issued_by: str | None = None
    issued_at: datetime | None = ts()
    # The issued version whose rectification tasks are opened (the worker opens any that are missing).
    tasks_opened_version: int | None = None
    # The rendering of the issue under way or last run (notices/flows.py): attempt, formats, step, heartbeat.
    render: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))


class NoticeVersion(SQLModel, table=True):
    """One issued version: the content exactly as printed. Never updated."""
    __tablename__ = "notice_version"
    __table_args__ = (UniqueConstraint("notice_id", "version", name="uq_notice_version"), {"schema": SCHEMA})
    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(sa_column=Column(Integer, ForeignKey(fk("notice"), ondelete="RESTRICT"),
                                            nullable=False, index=True))
    version: int
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    issued_by: str
    issued_at: datetime = ts_now()


class NoticeFile(SQLModel, table=True):
    """A stored file of an issued version: key `notices/<notice_id>/v<version>/<sha256>.<ext>`."""
    __tablename__ = "notice_file"
    __table_args__ = (UniqueConstraint("notice_id", "version", "format", name="uq_notice_file"),
                      {"schema": SCHEMA})
    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(sa_column=Column(Integer, ForeignKey(fk("notice"), ondelete="RESTRICT"),
                                            nullable=False, index=True))
    version: int
    format: FileFormat = Field(sa_type=enum_type(FileFormat))
    bucket: str = Field(max_length=100)
    key: str = Field(max_length=400)
    sha256: str = Field(max_length=64)
    size: int
    content_type: str = Field(max_length=200)
    created_at: datetime = ts_now()


# ---------------------------------------------------------------------------------------------------
# API shapes


class NoticeCreate(SQLModel):
    inspection_id: int
    previous_inspection_id: int | None = Field(default=None, description="defaults to the previous completed "
                                               "inspection of the same scope organisation")
    doc_number: str | None = Field(default=None, max_length=100)
    issuing_office: str | None = Field(default=None, max_length=200)
    issue_date: date | None = None
    deadline: date | None = None
    report_to: str | None = Field(default=None, max_length=1000)


class NoticeProgress(SQLModel):
    """How far the rendering of an issue is (the SPA shows it while the state is `rendering`)."""
    step: str                 # queued | docx | pdf | store | done | failed
    label: str                # the step as a person reads it
    done: int                 # steps finished
    total: int
    attempt: int = 1          # >1: redone after a worker stopped mid-way
    formats: list[FileFormat] = []
    requested_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


class NoticeFilePublic(SQLModel):
    version: int
    format: FileFormat
    key: str
    sha256: str
    size: int
    content_type: str
    created_at: datetime
    url: str = ""


class NoticePublic(SQLModel):
    id: int
    inspection_id: int
    previous_inspection_id: int | None
    scope_org_id: int
    scope_org_path: str
    state: NoticeState
    version: int
    error: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    issued_by: str | None
    issued_at: datetime | None
    edited: list[str]
    content: NoticeContent
    text: str = Field(default="", description="the body as it will print (preview)")
    files: list[NoticeFilePublic] = []
    progress: NoticeProgress | None = Field(default=None, description="the rendering of the latest issue")
    tasks_opened_version: int | None = Field(default=None, description="the issued version whose rectification "
                                             "tasks are opened (the worker opens them right after the files)")


class NoticeSummary(SQLModel):
    id: int
    inspection_id: int
    scope_org_id: int
    scope_org_path: str
    state: NoticeState
    version: int
    title: str
    created_at: datetime
    issued_at: datetime | None
