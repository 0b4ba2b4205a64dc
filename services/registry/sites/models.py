"""Government websites and their columns (栏目)."""
from datetime import date, datetime
from enum import StrEnum

from urllib.parse import urlsplit

from pydantic import field_validator, model_validator
from sqlalchemy import Column, DateTime, Index
from sqlmodel import Field, Relationship, SQLModel

from services.common.validation import plain_name
from services.registry.contacts import ContactFields
from services.registry.models_base import SCHEMA, enum_type, fk, search_index, utcnow


class SiteKind(StrEnum):
    portal = "portal"          # 政府门户网站
    department = "department"  # 部门网站
    # 信息公开专栏: a department's section hosted on another site (usually the portal), inspected as a target of
    # its own within its URL prefix (seed 001: "市级部门信息公开专栏38个 … 问题专栏1个，合格率97.37%").
    column = "column"


KIND_LABELS = {SiteKind.portal: "政府门户网站", SiteKind.department: "部门网站", SiteKind.column: "信息公开专栏"}


class SiteState(StrEnum):
    pending_open = "pending_open"
    active = "active"
    suspended = "suspended"
    closing = "closing"
    closed = "closed"
    deregistered = "deregistered"


STATE_LABELS = {SiteState.pending_open: "待审批", SiteState.active: "运行", SiteState.suspended: "临时关停",
                SiteState.closing: "关停中", SiteState.closed: "已下线", SiteState.deregistered: "已注销"}


class ColumnCategory(StrEnum):
    news = "news"              # 动态/要闻: 2 weeks
    notice = "notice"          # 通知公告: 6 months
    policy = "policy"          # 政策文件: 6 months
    interaction = "interaction"
    service = "service"
    disclosure = "disclosure"  # 信息公开 (other should-update columns)
    other = "other"


def _http_url(value: str) -> str:
    value = value.strip()
    if not value.lower().startswith(("http://", "https://")) or len(value) < 10:
        raise ValueError("网址应以 http:// 或 https:// 开头 (URL must start with http:// or https://)")
    return value


class SiteColumnBase(SQLModel):
    name: str = Field(min_length=1, max_length=100)
    url: str = Field(max_length=1000)
    category: ColumnCategory = Field(default=ColumnCategory.other, sa_type=enum_type(ColumnCategory))
    should_update: bool = True

    _url = field_validator("url")(classmethod(lambda cls, v: _http_url(v)))


class SiteColumn(SiteColumnBase, table=True):
    __tablename__ = "site_column"
    __table_args__ = {"schema": SCHEMA}
    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key=fk("site"), index=True, ondelete="CASCADE")
    site: "Site" = Relationship(back_populates="columns")


class SiteColumnPublic(SiteColumnBase):
    id: int


class SiteBase(ContactFields):
    name: str = Field(min_length=2, max_length=200)
    homepage_url: str = Field(max_length=500)
    kind: SiteKind = Field(default=SiteKind.department, sa_type=enum_type(SiteKind))
    site_code: str | None = Field(default=None, max_length=20, description="网站标识码")
    icp_number: str | None = Field(default=None, max_length=60, description="ICP备案号")
    psb_number: str | None = Field(default=None, max_length=60, description="公安机关备案号")
    has_badge: bool = Field(default=False, description="党政机关网站标识")
    host_org_id: int = Field(foreign_key=fk("organisation"), index=True, description="主办单位")
    supervising_org_id: int = Field(foreign_key=fk("organisation"), index=True, description="主管单位")

    host_site_id: int | None = Field(default=None, foreign_key=fk("site"), index=True,
                                     description="信息公开专栏: the site that hosts it")
    url_prefix: str | None = Field(default=None, max_length=500,
                                   description="信息公开专栏: its pages are the host site's URLs under this prefix")

    _url = field_validator("homepage_url")(classmethod(lambda cls, v: _http_url(v)))

    @field_validator("site_code")
    @classmethod
    def _site_code(cls, value: str | None) -> str | None:
        if value is not None and not (value.isascii() and value.isalnum() and 4 <= len(value) <= 20):
            raise ValueError("网站标识码格式有误 (site code must be 4-20 letters or digits)")
        return value


class Site(SiteBase, table=True):
    __tablename__ = "site"
    __table_args__ = (
        Index("ix_site_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        search_index("ix_site_search", "name", "homepage_url", "site_code"),
        # Covers the common filtered count (state, kind within a subtree) as an index-only scan.
        Index("ix_site_state_kind_path", "state", "kind", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    site_code: str | None = Field(default=None, max_length=20, unique=True)
    state: SiteState = Field(default=SiteState.pending_open, sa_type=enum_type(SiteState))
    org_path: str = Field(max_length=400, description="path of the host unit; the scope key")
    # Permanent closure: migration target, closure notice date, then the deregistration checklist.
    migration_target_url: str | None = None
    closure_notice_on: date | None = None
    icp_cancelled: bool = False
    badge_cancelled: bool = False
    psb_cancelled: bool = False
    domain_released: bool = False
    rule_override_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    columns: list[SiteColumn] = Relationship(back_populates="site", cascade_delete=True,
                                             sa_relationship_kwargs={"order_by": "SiteColumn.id"})


def prefix_of(homepage_url: str) -> str:
    """A 专栏's default prefix: its entry page's directory (…/bmxxgk/sjj/index.html → …/bmxxgk/sjj/)."""
    parts = urlsplit(homepage_url)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/', 1)[0]}/"


def within_prefix(url: str, prefix: str) -> bool:
    """`url` is one of the 专栏's pages: same host (www. aside, case-insensitive) and path under the prefix."""
    a, b = urlsplit(url), urlsplit(prefix)
    host = lambda p: ((p.hostname or "").lower().removeprefix("www."), p.port)  # noqa: E731
    return host(a) == host(b) and (a.path or "/").startswith(b.path or "/")


class SiteCreate(SiteBase):
    columns: list[SiteColumnBase] = []
    _plain = field_validator("name")(classmethod(lambda cls, v: plain_name(v)))

    @model_validator(mode="after")
    def _column_scope(self) -> "SiteCreate":
        """A 专栏 names its host site and a prefix on it (its entry page under the prefix); a site names neither."""
        if self.kind != SiteKind.column:
            if self.host_site_id is not None or self.url_prefix:
                raise ValueError("只有信息公开专栏需要填写所在网站和网址前缀 (host site and prefix are for 专栏 only)")
            return self
        if self.host_site_id is None:
            raise ValueError("信息公开专栏应选择所在网站 (a 专栏 needs its host site)")
        prefix = _http_url(self.url_prefix or prefix_of(self.homepage_url))
        if urlsplit(prefix).query or urlsplit(prefix).fragment:
            raise ValueError("网址前缀不能包含查询参数 (the prefix must not have a query)")
        if not urlsplit(prefix).path.endswith("/"):
            prefix += "/"  # …/sjj must not take in …/sjjzx/
        if not within_prefix(self.homepage_url, prefix):
            raise ValueError("专栏入口网址应在网址前缀之下 (the 专栏's entry page must be under its prefix)")
        self.url_prefix = prefix
        return self
    override_reason: str | None = Field(default=None, max_length=500,
                                        description="recorded reason to override the one-site-per-unit or domain rule")


class SitePublic(SiteBase):
    id: int
    state: SiteState
    org_path: str
    migration_target_url: str | None
    closure_notice_on: date | None
    icp_cancelled: bool
    badge_cancelled: bool
    psb_cancelled: bool
    domain_released: bool
    rule_override_reason: str | None
    created_at: datetime
    updated_at: datetime


class SiteDetail(SitePublic):
    columns: list[SiteColumnPublic]
    preconditions: dict[str, bool]
