"""Government new-media accounts (政务新媒体)."""
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, DateTime, Index, UniqueConstraint
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from services.common.validation import plain_name
from services.registry.contacts import ContactFields, qr_digest
from services.registry.models_base import SCHEMA, enum_type, fk, search_index, utcnow


class Platform(StrEnum):
    wechat_subscription = "wechat_subscription"  # 微信订阅号
    wechat_service = "wechat_service"            # 微信服务号
    weibo = "weibo"                              # 新浪微博
    douyin = "douyin"                            # 抖音
    toutiao = "toutiao"                          # 今日头条
    kuaishou = "kuaishou"                        # 快手
    bilibili = "bilibili"                        # 哔哩哔哩
    app = "app"                                  # 移动客户端
    other = "other"


PLATFORM_LABELS: dict[Platform, str] = {
    Platform.wechat_subscription: "微信订阅号",
    Platform.wechat_service: "微信服务号",
    Platform.weibo: "新浪微博",
    Platform.douyin: "抖音短视频",
    Platform.toutiao: "今日头条",
    Platform.kuaishou: "快手",
    Platform.bilibili: "哔哩哔哩",
    Platform.app: "移动客户端",
    Platform.other: "其他",
}


class AccountState(StrEnum):
    pending_open = "pending_open"
    active = "active"
    suspended = "suspended"
    closing = "closing"
    deregistered = "deregistered"


STATE_LABELS = {AccountState.pending_open: "待审批", AccountState.active: "运行", AccountState.suspended: "暂停更新",
                AccountState.closing: "关停中", AccountState.deregistered: "已注销"}


class AccountBase(ContactFields):
    platform: Platform = Field(sa_type=enum_type(Platform))
    platform_id: str = Field(min_length=1, max_length=120, description="平台账号ID / 微信号")
    registered_name: str = Field(min_length=1, max_length=200)
    host_org_id: int = Field(foreign_key=fk("organisation"), index=True)
    supervising_org_id: int = Field(foreign_key=fk("organisation"), index=True)
    interaction_url: str | None = Field(default=None, max_length=1000)


class Account(AccountBase, table=True):
    __tablename__ = "account"
    __table_args__ = (
        UniqueConstraint("platform", "platform_id", name="uq_account_platform_id"),
        Index("ix_account_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        search_index("ix_account_search", "registered_name", "platform_id"),
        Index("ix_account_state_platform_path", "state", "platform", "org_path",
              postgresql_ops={"org_path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    state: AccountState = Field(default=AccountState.pending_open, sa_type=enum_type(AccountState))
    org_path: str = Field(max_length=400)
    closure_notice_on: date | None = None
    rule_override_reason: str | None = Field(default=None, max_length=500)
    # 二维码: an uploaded image (accounts/qrcode.py), content-addressed in the evidence bucket.
    qr_code_sha256: str | None = Field(default=None, max_length=64)
    qr_code_type: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class AccountCreate(AccountBase):
    override_reason: str | None = Field(default=None, max_length=500)
    qr_code_sha256: str | None = Field(default=None, max_length=64,
                                       description="二维码: `sha256` of POST /api/v1/accounts/qr-codes")
    _qr = field_validator("qr_code_sha256")(classmethod(lambda cls, v: qr_digest(v)))
    _plain = field_validator("registered_name")(classmethod(lambda cls, v: plain_name(v)))


class AccountPublic(AccountBase):
    id: int
    state: AccountState
    org_path: str
    closure_notice_on: date | None
    rule_override_reason: str | None
    qr_code_sha256: str | None = None
    created_at: datetime
    updated_at: datetime
