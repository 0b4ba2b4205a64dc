"""What every check receives besides the snapshot, and the helpers they share."""
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from ipaddress import ip_address
from urllib.parse import urlsplit

from services.checker.indicators import IndicatorSet, Parameters, RequiredColumn
from services.checker.model import Evidence, Item, Page, SiteSnapshot
from services.checker.wordlists import Matcher, default_matcher

CHINA = timezone(timedelta(hours=8))  # page dates are China local dates; China has no DST
EXCERPT_CHARS = 200


@dataclass(frozen=True)
class CheckContext:
    now: datetime                 # monitoring time point; every window counts back from it
    params: Parameters            # thresholds of the resolved indicator set
    matcher: Matcher              # word lists, with the organisation's additions and whitelist
    enabled: frozenset[str]       # indicator codes the set enables
    # Columns a site must have, by site kind (the set's required_columns; empty: none required).
    required_columns: Mapping[str, Mapping[str, RequiredColumn | None]] = field(default_factory=dict)

    @classmethod
    def for_set(cls, indicator_set: IndicatorSet, now: datetime,
                matcher: Matcher | None = None) -> "CheckContext":
        """The context an inspection under `indicator_set` runs with (built-in word lists by default)."""
        enabled = frozenset(code for code, rule in indicator_set.indicators.items() if rule.enabled)
        return cls(now=now, params=indicator_set.parameters, matcher=matcher or default_matcher(),
                   enabled=enabled, required_columns=indicator_set.required_columns)

    @property
    def today(self) -> date:
        """The monitoring date as printed on Chinese pages (a naive `now` is taken as China time)."""
        return (self.now.astimezone(CHINA) if self.now.tzinfo else self.now).date()

    def usable(self, day: date | None) -> date | None:
        """A published date, or None when it lies in the future (misparsed, or an event date)."""
        if isinstance(day, datetime):
            day = day.date()
        return day if day is not None and day <= self.today + timedelta(days=1) else None


# The crawler's failure codes (crawl/fetch.py) as evidence reads them; the SPA's labels.ts says the same.
_FAILURES = {
    "timeout": "访问超时", "dns_error": "域名无法解析", "connect_error": "无法连接", "reset": "连接被中断",
    "tls_error": "证书或加密连接错误", "protocol_error": "通信协议错误", "bad_url": "网址无效",
    "redirect_loop": "重定向循环", "too_many_redirects": "重定向次数过多", "too_large": "文件过大",
    "bad_content_encoding": "内容编码错误", "forbidden_address": "网址指向内部地址，不予访问", "not_html": "不是网页",
}


FAILURE_CODES = frozenset((*_FAILURES, "fetch_error"))


def failure_text(code: str) -> str:
    """A fetch failure as a person reads it (evidence, notices); never the code itself."""
    return _FAILURES.get(code, "访问出错")


def aware(moment: datetime) -> datetime:
    """Comparable moments: a naive datetime is taken as China time."""
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def clip(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def page_evidence(page: Page, excerpt: str) -> Evidence:
    return Evidence(url=page.final_url or page.url, excerpt=clip(excerpt), observed_at=iso(page.fetched_at),
                    snapshot=page.snapshot_key)


def span_zh(days: int) -> str:
    """A window as a notice words it: 14 → 2周, 90 → 3个月, 183 → 6个月, 365 → 1年."""
    if days >= 360 and days % 365 in (0, 1, 364):
        return f"{round(days / 365)}年"
    months = round(days / 30.44)
    if days >= 28 and abs(days - months * 30.44) <= 3:
        return "1年" if months == 12 else f"{months}个月"
    if days % 7 == 0:
        return f"{days // 7}周"
    return f"{days}天"


def is_ok(page: Page | None) -> bool:
    return page is not None and page.error is None and page.status is not None and page.status < 400


def site_pages(snapshot: SiteSnapshot) -> list[Page]:
    """Home first, then every other successfully fetched HTML page (column pages included), each once."""
    seen: set[str] = set()
    pages = []
    for page in [snapshot.home, *snapshot.pages.values(), *(c.page for c in snapshot.columns)]:
        if is_ok(page) and page.html is not None and (page.final_url or page.url) not in seen:
            seen.add(page.final_url or page.url)
            pages.append(page)
    return pages


def item_date(item: Item, snapshot: SiteSnapshot) -> date | None:
    """The item's listed date, else the date of its article page when that page was fetched."""
    if item.published is not None:
        return item.published
    page = snapshot.pages.get(item.url) if item.url else None
    return page.page_date if page is not None else None


def host_key(url: str) -> str:
    """Who runs a URL: the registrable domain (weinan.gov.cn for www.weinan.gov.cn), or the IP and port."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    try:
        ip_address(host)
        return parts.netloc.lower()
    except ValueError:
        labels = host.split(".")
        keep = 3 if len(labels) >= 3 and labels[-2] in {"gov", "com", "org", "net", "edu", "ac"} else 2
        return ".".join(labels[-keep:])


def is_gov_host(url: str) -> bool:
    host = (urlsplit(url).hostname or "").rstrip(".")
    return host.endswith((".gov.cn", ".gov", ".政务", ".xn--zfr164b")) or host in {"gov.cn"}


def home_urls(snapshot: SiteSnapshot) -> set[str]:
    urls = {snapshot.homepage_url}
    if snapshot.home is not None:
        urls |= {snapshot.home.url, snapshot.home.final_url}
    return urls
