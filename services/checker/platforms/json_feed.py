"""JSON-feed adapter: a platform data service (official open API behind a gateway, or a data vendor)
speaking this small protocol under the configured `base_url`:

    GET {base}/accounts/{platform_id}/profile
        200 {"exists": true, "name": "…", "verified_subject": "…", "interaction_enabled": true, "url": "…"}
        404 → the account cannot be found on the platform (搜索不到)
    GET {base}/accounts/{platform_id}/posts?since=<ISO-8601>&page=<n>     (n from 1, newest first)
        200 {"name": "<live name>", "posts": [{"id", "published", "title", "url", "original", "text"}],
             "next_page": <n+1> | null}
    GET {base}/accounts/{platform_id}/entries
        200 {"menu": [{"name", "url"}], "interaction": [{"name", "url"}]}

Pages are read until `next_page` is null, a page holds nothing newer than `since`, or `page_cap` pages
(beyond that the feed is treated as endless: an error for that account only).
"""
import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

from services.checker.platforms.base import AccountRef, Entry, FeedError, Post, Profile
from services.checker.platforms.config import FeedConfig
from services.checker.platforms.dates import parse_moment
from services.checker.platforms.transport import get


def _json(body: bytes, what: str) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FeedError("bad_feed", f"{what}不是有效的 JSON") from exc


def _text(value: Any, limit: int = 20000) -> str:
    return value[:limit] if isinstance(value, str) else ("" if value is None else str(value)[:limit])


def _post(raw: Any) -> Post:
    if not isinstance(raw, dict):
        raise FeedError("bad_feed", "发文记录不是对象")
    published = parse_moment(raw.get("published"))
    original = raw.get("original", True)
    if not isinstance(original, bool):
        original = str(original).lower() not in ("false", "0", "no", "repost", "转发")
    return Post(published=published, title=_text(raw.get("title"), 500), url=_text(raw.get("url"), 2000) or None,
                original=original, text=_text(raw.get("text")), id=_text(raw.get("id"), 200) or None)


class JsonFeedAdapter:
    source = "json"

    def __init__(self, config: FeedConfig) -> None:
        self.config = config
        self.base = config.base_url.rstrip("/")

    def _url(self, account: AccountRef, leaf: str) -> str:
        return f"{self.base}/accounts/{quote(account.platform_id, safe='')}/{leaf}"

    async def profile(self, account: AccountRef) -> Profile:
        url = self._url(account, "profile")
        status, body, _ = await get(self.config, url)
        if status in (404, 410):
            return Profile(exists=False, url=url)
        if status >= 400:
            raise FeedError("http_error", f"HTTP {status}")
        data = _json(body, "账号资料")
        if not isinstance(data, dict):
            raise FeedError("bad_feed", "账号资料不是对象")
        exists = data.get("exists", True) is not False
        enabled = data.get("interaction_enabled")
        return Profile(exists=exists, name=_text(data.get("name"), 200) or None,
                       verified_subject=_text(data.get("verified_subject"), 200) or None,
                       interaction_enabled=enabled if isinstance(enabled, bool) else None,
                       url=_text(data.get("url"), 2000) or url)

    async def posts(self, account: AccountRef, since: datetime, *, live_name: str | None = None) -> list[Post]:
        url = self._url(account, "posts")
        out: list[Post] = []
        page, seen_pages, name = 1, set(), live_name
        while True:
            if len(seen_pages) >= self.config.page_cap:
                raise FeedError("endless_pagination", f"已读取{self.config.page_cap}页仍有下一页")
            seen_pages.add(page)
            status, body, _ = await get(self.config, url, {"since": since.isoformat(), "page": page})
            if status >= 400:
                raise FeedError("http_error", f"发文列表第{page}页 HTTP {status}")
            data = _json(body, f"发文列表第{page}页")
            if not isinstance(data, dict) or not isinstance(data.get("posts", []), list):
                raise FeedError("bad_feed", f"发文列表第{page}页格式错误")
            page_name = _text(data.get("name"), 200) or None
            if page_name and name and page_name != name:
                raise FeedError("inconsistent_feed", f"账号名称在读取过程中变化：{name} → {page_name}")
            name = name or page_name
            posts = [_post(p) for p in data.get("posts", [])]
            out += posts
            nxt = data.get("next_page")
            dated = [p.published for p in posts if p.published is not None]
            if nxt in (None, False, "") or not posts or (dated and max(dated) < since):
                return out
            if not isinstance(nxt, int) or isinstance(nxt, bool):
                raise FeedError("bad_feed", f"发文列表第{page}页的 next_page 无效")
            if nxt in seen_pages:
                raise FeedError("endless_pagination", f"第{page}页指向已读过的第{nxt}页")
            page = nxt

    async def entries(self, account: AccountRef) -> list[Entry]:
        status, body, _ = await get(self.config, self._url(account, "entries"))
        if status == 404:
            return []
        if status >= 400:
            raise FeedError("http_error", f"菜单 HTTP {status}")
        data = _json(body, "菜单与互动入口")
        if not isinstance(data, dict):
            raise FeedError("bad_feed", "菜单与互动入口不是对象")
        out = []
        for kind in ("menu", "interaction"):
            items = data.get(kind) or []
            if not isinstance(items, list):
                raise FeedError("bad_feed", f"{kind} 不是列表")
            for item in items[:200]:
                if isinstance(item, dict):
                    out.append(Entry(_text(item.get("name"), 100), _text(item.get("url"), 2000) or None, kind))
        return out

    async def aclose(self) -> None:
        pass  # the client is shared per event loop (transport.client_for)
