"""Filings (备案): every lifecycle change of a site or account, with its evidence files."""
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import Column, DateTime, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.common.validation import plain_name
from services.registry.contacts import normalise_phone, qr_digest, responsible_name
from services.registry.models_base import SCHEMA, enum_type, fk, utcnow


class SubjectKind(StrEnum):
    site = "site"
    account = "account"


class FilingKind(StrEnum):
    open = "open"              # 开设
    rename = "rename"          # 更名 (sites: also domain change)
    change = "change"          # 变更 (codes, host unit, interaction URL …)
    suspend = "suspend"        # 临时关停
    resume = "resume"          # 恢复
    close = "close"            # 永久关停: migration + closure notice
    offline = "offline"        # 下线 (sites, after the ≥30-day notice)
    deregister = "deregister"  # 注销
    import_ = "import"         # bulk import of an existing inventory


KIND_LABELS = {FilingKind.open: "开设", FilingKind.rename: "更名", FilingKind.change: "变更",
               FilingKind.suspend: "临时关停", FilingKind.resume: "恢复", FilingKind.close: "关停",
               FilingKind.offline: "下线", FilingKind.deregister: "注销", FilingKind.import_: "导入"}


class FilingState(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"


class EvidenceKind(StrEnum):
    approval_document = "approval_document"          # 审批表/批复
    closure_notice = "closure_notice"                # 关停公告截图
    migration_proof = "migration_proof"              # 内容迁移证明
    icp_cancelled = "icp_cancelled"                  # ICP备案注销
    badge_cancelled = "badge_cancelled"              # 党政机关网站标识注销
    psb_cancelled = "psb_cancelled"                  # 公安备案注销
    domain_released = "domain_released"              # 域名注销
    platform_cancellation = "platform_cancellation"  # 平台账号注销证明
    other = "other"


EVIDENCE_LABELS = {EvidenceKind.approval_document: "审批表/批复文件", EvidenceKind.closure_notice: "关停公告截图",
                   EvidenceKind.migration_proof: "内容迁移证明", EvidenceKind.icp_cancelled: "ICP备案注销证明",
                   EvidenceKind.badge_cancelled: "党政机关网站标识注销证明", EvidenceKind.psb_cancelled: "公安备案注销证明",
                   EvidenceKind.domain_released: "域名注销证明", EvidenceKind.platform_cancellation: "平台账号注销证明",
                   EvidenceKind.other: "其他材料"}


class Filing(SQLModel, table=True):
    __tablename__ = "filing"
    __table_args__ = (
        Index("ix_filing_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        Index("ix_filing_subject", "subject_kind", "subject_id"),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    subject_kind: SubjectKind = Field(sa_type=enum_type(SubjectKind))
    subject_id: int
    subject_name: str = Field(max_length=200)
    kind: FilingKind = Field(sa_type=enum_type(FilingKind))
    state: FilingState = Field(default=FilingState.pending, index=True, sa_type=enum_type(FilingState))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    reason: str | None = Field(default=None, max_length=2000)
    override_reason: str | None = Field(default=None, max_length=500)
    org_path: str = Field(max_length=400, description="host unit path of the subject (scope)")
    supervising_path: str = Field(max_length=400, description="who may approve: supervisors seeing this path")
    requested_by: str
    requested_by_name: str | None = None
    requested_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    decided_by: str | None = None
    decided_by_name: str | None = None
    decided_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    decision_note: str | None = Field(default=None, max_length=2000)


class FilingEvidence(SQLModel, table=True):
    __tablename__ = "filing_evidence"
    __table_args__ = {"schema": SCHEMA}
    id: int | None = Field(default=None, primary_key=True)
    filing_id: int = Field(foreign_key=fk("filing"), index=True)
    kind: EvidenceKind = Field(sa_type=enum_type(EvidenceKind))
    filename: str = Field(max_length=255)
    content_type: str
    size: int
    sha256: str = Field(max_length=64)
    object_key: str
    uploaded_by: str
    uploaded_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class EvidencePublic(SQLModel):
    id: int
    kind: EvidenceKind
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


class FilingCreate(SQLModel):
    """A change on an existing subject. `payload` is validated per kind (see lifecycle.PAYLOADS)."""
    kind: FilingKind
    payload: dict[str, Any] = {}
    reason: str | None = Field(default=None, max_length=2000)
    override_reason: str | None = Field(default=None, max_length=500)


class FilingDecision(SQLModel):
    note: str | None = Field(default=None, max_length=2000)


class FilingRejection(SQLModel):
    note: str = Field(min_length=2, max_length=2000, description="why the filing is rejected")


class FilingPublic(SQLModel):
    id: int
    subject_kind: SubjectKind
    subject_id: int
    subject_name: str
    kind: FilingKind
    state: FilingState
    payload: dict[str, Any]
    reason: str | None
    override_reason: str | None
    org_path: str
    requested_by: str
    requested_by_name: str | None
    requested_at: datetime
    decided_by: str | None
    decided_by_name: str | None
    decided_at: datetime | None
    decision_note: str | None


class FilingDetail(FilingPublic):
    evidence: list[EvidencePublic]
    required_evidence: list[EvidenceKind]
    missing_evidence: list[EvidenceKind]


# Payload shapes per kind (validated on creation; unknown fields rejected).
class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContactPayload(Payload):
    """负责人 and 联系电话 as national filing asks them (services/registry/contacts.py)."""
    responsible_person: str | None = Field(default=None, max_length=50)
    contact_phone: str | None = Field(default=None, max_length=30)
    _person = field_validator("responsible_person")(classmethod(lambda cls, v: responsible_name(v)))
    _phone = field_validator("contact_phone")(classmethod(lambda cls, v: normalise_phone(v)))


class RenamePayload(Payload):
    new_name: str = Field(min_length=2, max_length=200)
    new_homepage_url: str | None = Field(default=None, max_length=500)
    # An account's new name shows on its QR code: the new picture (POST /api/v1/accounts/qr-codes) goes along.
    qr_code_sha256: str | None = Field(default=None, max_length=64)
    _qr = field_validator("qr_code_sha256")(classmethod(lambda cls, v: qr_digest(v)))
    _plain = field_validator("new_name")(classmethod(lambda cls, v: plain_name(v)))


class SiteChangePayload(ContactPayload):
    site_code: str | None = None
    icp_number: str | None = None
    psb_number: str | None = None
    has_badge: bool | None = None
    kind: str | None = None
    host_org_id: int | None = None
    supervising_org_id: int | None = None


class AccountChangePayload(ContactPayload):
    platform_id: str | None = None
    qr_code_sha256: str | None = Field(default=None, max_length=64)
    _qr = field_validator("qr_code_sha256")(classmethod(lambda cls, v: qr_digest(v)))
    interaction_url: str | None = None
    host_org_id: int | None = None
    supervising_org_id: int | None = None


class ClosePayload(Payload):
    migration_target_url: str | None = Field(default=None, max_length=500)
    closure_notice_on: date


class EmptyPayload(Payload):
    pass
