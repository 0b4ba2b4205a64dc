"""What a platform adapter delivers about one new-media account, and the adapter interface.

An adapter answers three questions (profile, posts since a time, menu and interaction entries). Any
failure of the platform's data source is a `FeedError` with a stable code; a missing account is a
`Profile(exists=False)`, not an error. Adapters never judge: checks read the `AccountSnapshot`.
"""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from services.checker.model import LinkStatus

PLATFORMS = ("wechat_subscription", "wechat_service", "weibo", "douyin", "toutiao", "kuaishou", "bilibili", "app")
PLATFORM_LABELS = {"wechat_subscription": "微信订阅号", "wechat_service": "微信服务号", "weibo": "新浪微博",
                   "douyin": "抖音", "toutiao": "今日头条", "kuaishou": "快手", "bilibili": "哔哩哔哩",
                   "app": "移动客户端", "other": "其他"}

# Stable codes of a data source that could not be read; the zh-CN text is what an inspection shows.
FEED_ERRORS = {
    "timeout": "平台数据接口超时",
    "http_error": "平台数据接口返回错误",
    "connect_error": "无法连接平台数据接口",
    "bad_feed": "平台数据无法解析（格式错误）",
    "endless_pagination": "平台数据分页超过上限（疑似无限分页）",
    "inconsistent_feed": "平台数据前后不一致",
    "unauthorized": "平台数据接口拒绝访问（凭据无效）",
    "not_configured": "未配置该平台的数据来源",
    "forbidden_address": "平台数据接口地址被拒绝（内网/回环地址）",
}


class FeedError(Exception):
    """The platform's data for one account could not be obtained or trusted."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code, self.detail = code, detail
        super().__init__(f"{FEED_ERRORS.get(code, code)}{'：' + detail if detail else ''}")


@dataclass
class Profile:
    exists: bool
    name: str | None = None                 # live name shown on the platform
    verified_subject: str | None = None     # 认证主体
    interaction_enabled: bool | None = None  # native comments/messages switched on (None: unknown)
    url: str | None = None                   # where the profile was read (evidence)


@dataclass
class Post:
    published: datetime | None
    title: str
    url: str | None
    original: bool                           # False: a repost/share of someone else's content
    text: str = ""
    id: str | None = None

    @property
    def key(self) -> str:
        return self.id or self.url or f"{self.published}|{self.title}"


@dataclass
class Entry:
    """A menu item or an interaction entry (留言, 互动, 咨询 …) with the URL it leads to."""
    name: str
    url: str | None
    kind: Literal["menu", "interaction"] = "menu"
    reported: str | None = None              # a reviewer recorded it as not working (observations)


@dataclass
class AccountRef:
    """The registry's view of an account (what the checker compares the platform with)."""
    id: int | None
    platform: str
    platform_id: str
    registered_name: str
    interaction_url: str | None = None

    @classmethod
    def from_dict(cls, account: dict[str, Any]) -> "AccountRef":
        platform = str(account.get("platform") or "")
        platform_id = str(account.get("platform_id") or "")
        if not platform or not platform_id:
            raise ValueError("account needs platform and platform_id")
        return cls(id=account.get("id"), platform=platform, platform_id=platform_id,
                   registered_name=str(account.get("registered_name") or account.get("name") or ""),
                   interaction_url=account.get("interaction_url") or None)


@dataclass
class AccountSnapshot:
    account: AccountRef
    now: datetime
    source: str                              # json, rss, observation
    observed_at: datetime
    profile: Profile
    posts: list[Post] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    links: dict[str, LinkStatus] = field(default_factory=dict)   # checked entry URLs
    notes: list[str] = field(default_factory=list)               # duplicates dropped, future posts …
    evidence_keys: list[str] = field(default_factory=list)       # reviewer screenshots (S3 keys)

    @property
    def interaction_entries(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == "interaction"]

    @property
    def menu_entries(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == "menu"]


class PlatformAdapter(Protocol):
    source: str

    async def profile(self, account: AccountRef) -> Profile: ...

    async def posts(self, account: AccountRef, since: datetime, *, live_name: str | None = None) -> list[Post]: ...

    async def entries(self, account: AccountRef) -> list[Entry]: ...

    async def aclose(self) -> None: ...
