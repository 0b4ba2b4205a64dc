"""Columns (栏目): discovered from the homepage navigation and merged with the registry's list."""
import re
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from services.checker.crawl.parse import absolute
from services.checker.crawl.urls import Resolver
from services.checker.model import ColumnSnapshot

# First match wins, so the more specific words come first (工作动态 is news, 公开征集 interaction).
CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("news", ("动态", "要闻", "新闻")),
    ("notice", ("通知公告", "公告", "公示", "通知")),
    ("policy", ("政策", "文件")),
    ("interaction", ("互动", "留言", "信箱", "咨询", "征集", "调查", "写信")),
    ("service", ("办事", "服务")),
    ("disclosure", ("公开",)),
)
SHOULD_UPDATE = {"news", "notice", "policy"}
_NAV = ("nav", "Nav", "NAV", "menu", "Menu", "MENU", "daohang", "dh")
_NAV_SELECTOR = ", ".join(["nav", "header"] + [f"[{a}*={w}]" for w in _NAV for a in ("class", "id")])
_HOME_WORDS = {"首页", "网站首页", "返回首页", "主页", "首 页"}
_MORE = re.compile(r"^\s*(更多|more|查看更多|更多信息|下一页|下页|>>|»)\s*[>»›]*\s*$", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def categorize(name: str) -> str:
    for category, words in CATEGORIES:
        if any(word in name for word in words):
            return category
    return "other"


def same_site(url: str, home: str) -> bool:
    """Same host, or a subdomain of the homepage's domain (www. dropped)."""
    parts = urlsplit(home)
    return _on_site(url, parts.netloc, parts.hostname or "")


def _on_site(url: str, home_netloc: str, home_host: str) -> bool:
    """`same_site` with the homepage's parts read already (a discovery asks it of every link). An http(s) URL
    with the homepage's own netloc, as most links have it, has its host: no split."""
    if url.startswith(("http://", "https://")):
        start = url.index("//") + 2
        end = len(url)
        for stop in "/?#":  # the netloc ends where urlsplit ends it
            if (at := url.find(stop, start)) != -1 and at < end:
                end = at
        if url[start:end] == home_netloc:
            return True
    host = urlsplit(url).hostname or ""
    root = home_host.removeprefix("www.")
    return host == home_host or host == root or host.endswith("." + root)


def _is_column_name(text: str) -> bool:
    return 2 <= len(text) <= 10 and len(_CJK.findall(text)) * 2 >= len(text) and text not in _HOME_WORDS


def _in_footer(node: LexborNode) -> bool:
    current: LexborNode | None = node
    while current is not None:
        attrs = current.attributes
        marks = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
        if current.tag == "footer" or "foot" in marks or "bottom" in marks:
            return True
        current = current.parent
    return False


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _holds(node: LexborNode, anchor: LexborNode) -> bool:
    """`anchor` is `node` or inside it (a walk up from the anchor, not a query of the node's links)."""
    target = node.mem_id
    current: LexborNode | None = anchor
    while current is not None:
        if current.mem_id == target:
            return True
        current = current.parent
    return False


def _more_name(anchor: LexborNode) -> str | None:
    """Column name for a "更多" link: its title, or the heading of the block it closes."""
    if _is_column_name(title := _clean(anchor.attributes.get("title"))):
        return title
    block = anchor.parent
    for _ in range(3):
        if block is None:
            return None
        for node in block.css("h1, h2, h3, h4, h5, strong, b, span, a, div, li"):
            if _holds(node, anchor):
                continue  # the link itself or a box around it
            if _is_column_name(text := _clean(node.text(deep=True))):
                return text
        block = block.parent
    return None


def discover_columns(tree: LexborHTMLParser, home_url: str) -> list[tuple[str, str]]:
    """(name, url) of columns: short Chinese link texts in nav/menu/header blocks, and "更多" links."""
    found: dict[str, str] = {}
    resolve = Resolver(home_url)
    home, home_parts = resolve(home_url), urlsplit(home_url)
    home_site = home_parts.netloc, home_parts.hostname or ""
    for container in tree.css(_NAV_SELECTOR):
        if _in_footer(container):
            continue
        for anchor in container.css("a[href]"):
            attrs = anchor.attributes
            name = _clean(anchor.text(deep=True)) or _clean(attrs.get("title"))
            if not _is_column_name(name):  # most links of a navigation block: no URL read
                continue
            url = resolve(attrs.get("href") or "")
            if url and url != home and _on_site(url, *home_site):
                found.setdefault(url, name)
    for anchor in tree.css("a[href]"):
        attrs = anchor.attributes
        if _MORE.match(_clean(anchor.text(deep=True))) or _MORE.match(_clean(attrs.get("alt"))):
            url = resolve(attrs.get("href") or "")
            name = _more_name(anchor)
            if url and url != home and name and _on_site(url, *home_site):
                found.setdefault(url, name)
    return [(name, url) for url, name in found.items()]


def more_link(tree: LexborHTMLParser, page_url: str) -> str | None:
    """The "更多"/"下一页" target of a list page, for lists whose first page shows no items."""
    for anchor in tree.css("a[href]"):
        if _MORE.match(_clean(anchor.text(deep=True))):
            url = absolute(page_url, anchor.attributes.get("href") or "")
            if url and url != page_url and same_site(url, page_url):
                return url
    return None


def merge_columns(registry: list[dict[str, Any]], discovered: list[tuple[str, str]], home_url: str,
                  limit: int) -> list[ColumnSnapshot]:
    """Registry columns first (their name, category and should_update win; a missing URL is taken
    from the navigation entry of the same name), then navigation columns not in the registry."""
    by_name = {name: url for name, url in reversed(discovered)}
    columns: list[ColumnSnapshot] = []
    taken: set[str] = set()
    for entry in registry:
        name = str(entry.get("name") or "")
        url = absolute(home_url, str(entry.get("url") or "")) or by_name.get(name, "")
        category = entry.get("category") or categorize(name)
        should = entry.get("should_update")
        should = category in SHOULD_UPDATE if should is None else bool(should)
        columns.append(ColumnSnapshot(name=name, url=url, category=category, should_update=should,
                                      source="registry", page=None))
        taken.update((name, url))
    for name, url in discovered:
        if name in taken or url in taken:
            continue
        taken.update((name, url))
        category = categorize(name)
        columns.append(ColumnSnapshot(name=name, url=url, category=category,
                                      should_update=category in SHOULD_UPDATE, source="navigation",
                                      page=None))
    return columns[:max(limit, len(registry))]
