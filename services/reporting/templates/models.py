"""Notice templates (通报模板): per issuing office, the parts of a notice that are the office's own — its
发文机关标志, 发文字号 prefix, 主送, 版记 (抄送, 印发机关), signature, the body's fixed paragraphs with
placeholders, the attachments' columns — and the per-office, per-year 文号 sequence."""
from datetime import datetime
from typing import Literal

from pydantic import field_validator
from sqlalchemy import Column, Index, Integer, PrimaryKeyConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.reporting.models_base import SCHEMA, ts_now
from services.reporting.notices.models import ACCOUNT_COLUMNS, SITE_COLUMNS, _columns


class TemplateFields(SQLModel):
    """What an office sets; every text may use the placeholders of `placeholders.PLACEHOLDERS`."""
    mark: str = Field(min_length=2, max_length=60, description="发文机关标志, e.g. 渭南市人民政府办公室")
    doc_prefix: str = Field(default="", max_length=20, description="发文字号的机关代字, e.g. 渭政办发 → "
                            "渭政办发〔2024〕3号; empty: no 文号")
    addressees: str = Field(default="", max_length=2000, description="主送机关")
    cc: str = Field(default="", max_length=1000, description="抄送机关 (版记)")
    printed_by: str = Field(default="", max_length=200, description="印发机关 (版记)")
    signature: str = Field(min_length=2, max_length=200, description="发文机关署名")
    report_to: str = Field(default="", max_length=1000, description="整改情况报送单位 (联系方式可写在括号内)")
    intro: str = Field(min_length=4, max_length=5000, description="开头段 (placeholders)")
    requirements: str = Field(min_length=4, max_length=20000, description="有关要求 (placeholders; one paragraph a line)")
    layout: Literal["overview", "by_kind"] = Field(
        default="overview", description="正文结构: overview = 一、总体情况 / 二、主要问题 / 三、有关要求 (seeds 000, 001); "
        "by_kind = 一、政府网站检查情况 / 二、政务新媒体检查情况 / 三、下一步工作要求, figures and problems together (seed 004)")
    site_columns: list[str] = Field(default_factory=lambda: list(SITE_COLUMNS), max_length=8)
    account_columns: list[str] = Field(default_factory=lambda: list(ACCOUNT_COLUMNS), max_length=8)

    _check_columns = field_validator("site_columns", "account_columns")(_columns)


class NoticeTemplate(SQLModel, table=True):
    __tablename__ = "notice_template"
    __table_args__ = (
        Index("ix_notice_template_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    org_id: int = Field(primary_key=True, description="the issuing office")
    org_path: str = Field(max_length=400)
    fields: dict = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    updated_by: str
    updated_at: datetime = ts_now()


class DocSequence(SQLModel, table=True):
    """The last 文号 an office used in a year; only ever incremented (a number is never handed out twice)."""
    __tablename__ = "doc_sequence"
    __table_args__ = (PrimaryKeyConstraint("org_id", "year", name="pk_doc_sequence"), {"schema": SCHEMA})
    org_id: int = Field(sa_column=Column(Integer, nullable=False))
    year: int = Field(sa_column=Column(Integer, nullable=False))
    last: int = 0


class TemplatePut(TemplateFields):
    org_id: int | None = Field(default=None, description="defaults to the caller's organisation")


class TemplatePublic(TemplateFields):
    org_id: int
    org_path: str
    source: str = Field(description="saved | default (the tier's default, not saved yet)")
    updated_by: str | None = None
    updated_at: datetime | None = None
    placeholders: dict[str, str] = {}
    next_doc_number: str = Field(default="", description="the 文号 the next issued notice of this year gets")
