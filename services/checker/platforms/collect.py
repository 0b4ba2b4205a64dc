"""One account, from its data source to an `AccountSnapshot`: profile, posts over the longest window
the set judges, menu and interaction entries, and the status of every entry link (fetched through the
crawler's Fetcher, so the SSRF guard and per-host limits apply).

Feed defects that can be repaired are repaired and noted: duplicate posts are dropped, posts dated in
the future are kept for the word lists but never count as an update. Defects that make the data
untrustworthy (a name changing between pages, endless pages, garbage) raise `FeedError`.
"""
import asyncio
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from services.checker.indicators import Parameters
from services.checker.model import LinkStatus
from services.checker.platforms.base import AccountRef, AccountSnapshot, Entry, PlatformAdapter, Post
from services.checker.platforms.config import FeedConfig
from services.checker.platforms.transport import fetcher_for

FUTURE_SLACK = timedelta(days=1)        # clocks and time zones: a post up to a day ahead is not "future"
MAX_POSTS = 5000
MAX_LINKS = 50
REGISTERED_ENTRY = "登记的互动交流链接"


def window_start(now: datetime, params: Parameters) -> datetime:
    return now - timedelta(days=max(params.account_update_days, params.account_original_days) + 1)


def is_future(post: Post, now: datetime) -> bool:
    return post.published is not None and post.published > now + FUTURE_SLACK


def tidy(posts: list[Post], now: datetime, notes: list[str]) -> list[Post]:
    seen: dict[str, Post] = {}
    duplicates = 0
    for post in posts[:MAX_POSTS]:
        if post.key in seen:
            duplicates += 1
            continue
        seen[post.key] = post
    if duplicates:
        notes.append(f"平台数据含重复发文{duplicates}条，已去重")
    future = sum(1 for p in seen.values() if is_future(p, now))
    if future:
        notes.append(f"平台数据含发布时间晚于监测时间点的发文{future}条，不计为更新")
    if len(posts) > MAX_POSTS:
        notes.append(f"发文超过{MAX_POSTS}条，仅检查前{MAX_POSTS}条")
    epoch = datetime.min.replace(tzinfo=UTC)
    return sorted(seen.values(), key=lambda p: p.published or epoch, reverse=True)


def with_registered_link(entries: list[Entry], account: AccountRef) -> list[Entry]:
    url = account.interaction_url
    if url and not any(e.url == url for e in entries):
        entries = [*entries, Entry(REGISTERED_ENTRY, url, "interaction")]
    return entries


def checkable(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in ("http", "https")


async def check_links(entries: list[Entry], config: FeedConfig) -> dict[str, LinkStatus]:
    urls = list(dict.fromkeys(e.url for e in entries if checkable(e.url)))[:MAX_LINKS]
    if not urls:
        return {}
    fetcher = fetcher_for(config)
    statuses = await asyncio.gather(*(fetcher.check_link(u) for u in urls))
    return {s.url: s for s in statuses}


async def collect(account: AccountRef, adapter: PlatformAdapter, *, now: datetime, params: Parameters,
                  config: FeedConfig) -> AccountSnapshot:
    observed_at = datetime.now(UTC)
    profile = await adapter.profile(account)
    snapshot = AccountSnapshot(account=account, now=now, source=adapter.source,
                               observed_at=getattr(adapter, "observed_at", None) or observed_at, profile=profile,
                               evidence_keys=list(getattr(adapter, "evidence_keys", [])))
    if not profile.exists:
        return snapshot
    # The posts pages, and the entries with their links, are read at the same time (each is a chain of
    # requests to the data source). A failure is reported as the serial order would: the posts' first.
    posts, linked = await asyncio.gather(adapter.posts(account, window_start(now, params), live_name=profile.name),
                                         _entries_and_links(account, adapter, config), return_exceptions=True)
    for outcome in (posts, linked):
        if isinstance(outcome, BaseException):
            raise outcome
    snapshot.posts = tidy(posts, now, snapshot.notes)
    snapshot.entries, snapshot.links = linked
    return snapshot


async def _entries_and_links(account: AccountRef, adapter: PlatformAdapter, config: FeedConfig
                             ) -> tuple[list[Entry], dict[str, LinkStatus]]:
    entries = with_registered_link(await adapter.entries(account), account)
    return entries, await check_links(entries, config)
