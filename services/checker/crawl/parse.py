"""Decoded HTML to the `Page` fields the checks read."""
import re
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from services.checker.crawl.dates import extract_items, labelled_date, node_text, parse_date
from services.checker.crawl.hidden import HiddenDetector, script_links
from services.checker.model import Link, Page

# (selector, URL attribute); a[href] first so dark-link candidates keep document order.
_LINK_SOURCES = (("a[href]", "href"), ("area[href]", "href"), ("img[src]", "src"), ("script[src]", "src"),
                 ("link[href]", "href"), ("iframe[src]", "src"), ("frame[src]", "src"),
                 ("embed[src]", "src"), ("source[src]", "src"), ("video[src]", "src"),
                 ("audio[src]", "src"), ("object[data]", "data"))
_HIDEABLE = {"a", "area", "iframe", "frame"}
_NOT_TEXT = {"script", "style", "noscript", "template", "title", "head"}
_BLOCK = {"p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "br", "h1", "h2", "h3", "h4", "h5", "h6",
          "section", "article", "header", "footer", "nav", "dd", "dt", "dl", "form", "hr", "blockquote",
          "pre"}
_DATE_META = {"pubdate", "publishdate", "publish_date", "publishtime", "publish-date",
              "article:published_time", "og:release_date", "dc.date", "dc.date.issued", "dcterms.issued",
              "dcterms.created"}
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.I)


def absolute(base: str, ref: str) -> str | None:
    """Absolute http(s) URL without fragment, or None for javascript:, mailto:, data: … targets."""
    ref = ref.strip().replace("\\", "/")
    if not ref or ref.startswith("#"):
        return None
    # The same navigation links recur on every page of a site: a join is computed once per distinct
    # (part of the base it depends on, reference). An absolute reference depends only on whether the base
    # has its scheme (urljoin), a root-relative one only on the base's scheme and host.
    head = ref[:8].lower()
    if head.startswith(("http://", "https://")):
        return _joined(base[:base.find(":") + 1].lower(), ref, base)
    if ref.startswith("/") and not ref.startswith("//"):
        return _joined(_origin(base), ref, base)
    return _joined(base, ref, base)


@lru_cache(maxsize=4096)
def _origin(base: str) -> str:
    try:
        parts = urlsplit(base)
    except ValueError:
        return base
    return f"{parts.scheme}://{parts.netloc}"


_JOINS: dict[tuple[str, str], str | None] = {}
_MAX_JOINS = 65536


def _joined(key: str, ref: str, base: str) -> str | None:
    """`base` is not part of the cache key: any base with the same `key` gives the same join."""
    found = _JOINS.get((key, ref), _JOINS)
    if found is not _JOINS:
        return found  # type: ignore[return-value]
    try:
        url: str | None = urldefrag(urljoin(base, ref)).url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            url = None
    except ValueError:
        url = None
    if len(_JOINS) >= _MAX_JOINS:
        _JOINS.clear()
    _JOINS[(key, ref)] = url
    return url


def visible_text(tree: LexborHTMLParser) -> str:
    """Text a reader can see (scripts, styles, templates removed), blocks on their own lines."""
    if tree.body is None:
        return ""
    parts: list[str] = []
    for node in tree.body.traverse(include_text=True):
        if node.tag in _BLOCK or (node.prev is not None and node.prev.tag in _BLOCK):
            parts.append("\n")  # a block starts, or inline content follows one
        if node.tag == "-text" and (node.parent is None or node.parent.tag not in _NOT_TEXT):
            parts.append(node.text_content or "")
    text = "".join(parts).replace("\xa0", " ").replace("\u3000", " ")
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _node_text(node: LexborNode, texts: dict[int, str] | None = None) -> str:
    text = node_text(node, texts)
    if not text:
        img = node.css_first("img[alt]")
        text = (node.attrs.get("alt") or node.attrs.get("title") or (img.attrs.get("alt") if img else "") or "")
    return text.strip()[:200]


def extract_links(tree: LexborHTMLParser, base: str, source_url: str, limit: int,
                  texts: dict[int, str] | None = None) -> list[Link]:
    """`texts` holds element texts already read from this tree (parse_page shares it with extract_items)."""
    detector = HiddenDetector(tree)
    links: list[Link] = []
    seen: set[tuple[str, str, str | None]] = set()

    def add(link: Link) -> None:
        key = (link.url, link.tag, link.hidden_reason)
        if key not in seen and len(links) < limit:
            seen.add(key)
            links.append(link)

    for selector, attr in _LINK_SOURCES:
        for node in tree.css(selector):
            if node.tag == "link" and "stylesheet" not in (node.attrs.get("rel") or "").lower():
                continue
            url = absolute(base, node.attrs.get(attr) or "")  # attrs: one attribute, not a dict of all
            if url is None:
                continue
            reason = detector.reason(node) if node.tag in _HIDEABLE else None
            add(Link(url=url, text=_node_text(node, texts), tag=node.tag or "", source_url=source_url,
                     hidden=reason is not None, hidden_reason=reason, html=(node.html or "")[:300]))
    for meta in tree.css("meta[http-equiv]"):
        if (meta.attributes.get("http-equiv") or "").lower() == "refresh":
            match = _REFRESH_URL.search(meta.attributes.get("content") or "")
            if match and (url := absolute(base, match.group(1))):
                add(Link(url=url, text="", tag="meta", source_url=source_url, html=(meta.html or "")[:300]))
    for href, text, excerpt in script_links(tree):
        if url := absolute(base, href):
            add(Link(url=url, text=text, tag="a", source_url=source_url, hidden=True,
                     hidden_reason="script_written", html=excerpt))
    return links


def _meta_date(tree: LexborHTMLParser, now: datetime) -> date | None:
    for meta in tree.css("meta[content]"):
        name = (meta.attributes.get("name") or meta.attributes.get("property") or "").strip().lower()
        if name in _DATE_META and (found := parse_date(meta.attributes.get("content") or "", now)):
            return found
    return None


def has_viewport(tree: LexborHTMLParser) -> bool:
    for meta in tree.css("meta[name]"):
        if (meta.attributes.get("name") or "").lower() == "viewport":
            content = (meta.attributes.get("content") or "").lower().replace(" ", "")
            return "width=device-width" in content or "initial-scale" in content
    return False


def parse_page(page: Page, now: datetime, *, max_links: int = 2000) -> LexborHTMLParser | None:
    """Fill title, text, links, items, page_date and has_viewport of a fetched page; returns the tree."""
    if page.html is None:
        return None
    tree = LexborHTMLParser(page.html)
    base = page.final_url
    base_tag = tree.css_first("base[href]")
    if base_tag is not None:
        base = absolute(page.final_url, base_tag.attributes.get("href") or "") or base
    title = tree.css_first("title")
    page.title = " ".join((title.text() if title else "").split())
    page.text = visible_text(tree)
    texts: dict[int, str] = {}  # an anchor's text is read once for its link and its list item
    page.links = extract_links(tree, base, page.final_url, max_links, texts)
    page.items = extract_items(tree, base, now, texts)
    page.page_date = _meta_date(tree, now) or labelled_date(page.text, now)
    page.has_viewport = has_viewport(tree)
    return tree
