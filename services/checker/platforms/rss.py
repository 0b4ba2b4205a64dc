"""RSS 2.0 / Atom adapter (stdlib XML parser; documents with a DTD are refused, so no entity expansion).

The feed URL is the configured template with {platform_id} and {platform}. The channel title is the live
name; items are posts (a category or title marking 转发/repost makes a repost); Atom `rel="next"` links
are followed up to the page cap. Feeds carry no menu: interaction is judged from the registry's link.
"""
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import quote, urljoin

from services.checker.platforms.base import AccountRef, Entry, FeedError, Post, Profile
from services.checker.platforms.config import FeedConfig
from services.checker.platforms.dates import parse_moment
from services.checker.platforms.transport import get

ATOM = "{http://www.w3.org/2005/Atom}"
REPOST = re.compile(r"^\s*(转发|转载|repost|//@)|^RT\b", re.I)
TAGS = re.compile(r"<[^>]+>")


def _parse(body: bytes) -> ET.Element:
    head = body[:2048].lower()
    if b"<!doctype" in head or b"<!entity" in body[:65536].lower():
        raise FeedError("bad_feed", "订阅源含有 DTD/实体声明，拒绝解析")
    try:
        return ET.fromstring(body)
    except ET.ParseError as exc:
        raise FeedError("bad_feed", f"订阅源不是有效的 XML（{exc}）") from exc


def _t(element: ET.Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _plain(html: str) -> str:
    return " ".join(TAGS.sub(" ", html).split())


class RssAdapter:
    source = "rss"

    def __init__(self, config: FeedConfig) -> None:
        self.config = config
        self._pages: dict[str, list[ET.Element]] = {}

    def _url(self, account: AccountRef) -> str:
        return self.config.feed_url.format(platform_id=quote(account.platform_id, safe=""),
                                           platform=account.platform)

    async def _documents(self, account: AccountRef) -> list[ET.Element] | None:
        url = self._url(account)
        if url in self._pages:
            return self._pages[url]
        documents: list[ET.Element] = []
        seen: set[str] = set()
        current: str | None = url
        while current is not None:
            if len(seen) >= self.config.page_cap:
                raise FeedError("endless_pagination", f"已读取{self.config.page_cap}页仍有下一页")
            seen.add(current)
            status, body, _ = await get(self.config, current)
            if status in (404, 410) and not documents:
                return None
            if status >= 400:
                raise FeedError("http_error", f"HTTP {status}")
            root = _parse(body)
            if root.tag not in ("rss", f"{ATOM}feed", "{http://purl.org/rss/1.0/}RDF", "rdf:RDF") \
                    and not root.tag.endswith("RDF"):
                raise FeedError("bad_feed", f"不是 RSS/Atom 文档（根元素 {root.tag}）")
            documents.append(root)
            nxt = next((l.get("href") for l in root.iter(f"{ATOM}link") if l.get("rel") == "next"), None)
            current = urljoin(current, nxt) if nxt else None
            if current in seen:
                raise FeedError("endless_pagination", "下一页指向已读过的页面")
        self._pages[url] = documents
        return documents

    @staticmethod
    def _title(root: ET.Element) -> str:
        if root.tag == f"{ATOM}feed":
            return _t(root.find(f"{ATOM}title"))
        return _t(root.find("channel/title"))

    async def profile(self, account: AccountRef) -> Profile:
        documents = await self._documents(account)
        if documents is None:
            return Profile(exists=False, url=self._url(account))
        return Profile(exists=True, name=self._title(documents[0]) or None, url=self._url(account))

    async def posts(self, account: AccountRef, since: datetime, *, live_name: str | None = None) -> list[Post]:
        documents = await self._documents(account) or []
        out: list[Post] = []
        names = {self._title(d) for d in documents if self._title(d)}
        if len(names) > 1:
            raise FeedError("inconsistent_feed", f"账号名称在分页之间变化：{' → '.join(sorted(names))}")
        for root in documents:
            if root.tag == f"{ATOM}feed":
                for entry in root.findall(f"{ATOM}entry"):
                    link = next((l.get("href") for l in entry.findall(f"{ATOM}link")
                                 if l.get("rel") in (None, "alternate")), None)
                    via = any(l.get("rel") == "via" for l in entry.findall(f"{ATOM}link"))
                    title = _t(entry.find(f"{ATOM}title"))
                    cats = " ".join(c.get("term") or "" for c in entry.findall(f"{ATOM}category"))
                    text = _plain(_t(entry.find(f"{ATOM}content")) or _t(entry.find(f"{ATOM}summary")))
                    out.append(Post(parse_moment(_t(entry.find(f"{ATOM}published")) or _t(entry.find(f"{ATOM}updated"))),
                                    title, link, not (via or REPOST.search(title) or REPOST.search(cats)), text,
                                    _t(entry.find(f"{ATOM}id")) or link))
            else:
                for item in root.iter("item"):
                    title = _t(item.find("title"))
                    cats = " ".join(_t(c) for c in item.findall("category"))
                    link = _t(item.find("link")) or None
                    out.append(Post(parse_moment(_t(item.find("pubDate"))), title, link,
                                    not (REPOST.search(title) or REPOST.search(cats)),
                                    _plain(_t(item.find("description"))), _t(item.find("guid")) or link))
        return out

    async def entries(self, account: AccountRef) -> list[Entry]:
        return []

    async def aclose(self) -> None:
        self._pages.clear()
