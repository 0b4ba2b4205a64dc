"""Decoded HTML to the `Page` fields the checks read."""
import re
from collections.abc import Mapping
from datetime import date, datetime

from selectolax.lexbor import LexborHTMLParser, LexborNode

from services.checker.crawl.dates import extract_items, labelled_date, node_text, parse_date, tag_ids
from services.checker.crawl.hidden import HiddenDetector, css, script_links
from services.checker.crawl.urls import Resolver, absolute
from services.checker.model import Link, Page

# (tag, URL attribute) of the elements that link; links are listed in this order of tags, a first so
# dark-link candidates keep document order.
_LINK_SOURCES = (("a", "href"), ("area", "href"), ("img", "src"), ("script", "src"), ("link", "href"),
                 ("iframe", "src"), ("frame", "src"), ("embed", "src"), ("source", "src"), ("video", "src"),
                 ("audio", "src"), ("object", "data"))
# Every element parse_page reads: <script> without src too (links that scripts write), <meta> for refresh,
# dates and viewport.
_TAGS = (*(tag for tag, _ in _LINK_SOURCES), "meta", "style", "title", "base")
_HIDEABLE = {"a", "area", "iframe", "frame"}
_NOT_TEXT = {"script", "style", "noscript", "template", "title", "head"}
_BLOCK = {"p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "br", "h1", "h2", "h3", "h4", "h5", "h6",
          "section", "article", "header", "footer", "nav", "dd", "dt", "dl", "form", "hr", "blockquote",
          "pre"}
_BLOCK_IDS = tag_ids(_BLOCK)
_NOT_TEXT_IDS = tag_ids(_NOT_TEXT)
_TEXT_ID = LexborHTMLParser("x").body.first_child.tag_id  # type: ignore[union-attr]
_DATE_META = {"pubdate", "publishdate", "publish_date", "publishtime", "publish-date",
              "article:published_time", "og:release_date", "dc.date", "dc.date.issued", "dcterms.issued",
              "dcterms.created"}
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.I)


def visible_text(tree: LexborHTMLParser) -> str:
    """Text a reader can see (scripts, styles, templates removed), blocks on their own lines."""
    if tree.body is None:
        return ""
    parts: list[str] = []
    for node in tree.body.traverse(include_text=True):
        tag = node.tag_id
        if tag in _BLOCK_IDS or ((prev := node.prev) is not None and prev.tag_id in _BLOCK_IDS):
            parts.append("\n")  # a block starts, or inline content follows one
        if tag == _TEXT_ID and ((parent := node.parent) is None or parent.tag_id not in _NOT_TEXT_IDS):
            parts.append(node.text_content or "")
    text = "".join(parts).replace("\xa0", " ").replace("\u3000", " ")
    # each line's whitespace collapsed, empty lines dropped (map and filter: no Python frame per line)
    return "\n".join(filter(None, map(" ".join, map(str.split, text.splitlines()))))


def elements(tree: LexborHTMLParser) -> dict[str, list[LexborNode]]:
    """The elements of `_TAGS` by tag, each list in document order. Lexbor's lookup by tag name walks the tree
    in C: all of them cost less than one CSS query. An element without its URL attribute (an <a> without
    href) gives no link and no list item, as if a[href] had left it out."""
    return {tag: tree.tags(tag) for tag in _TAGS}


_attributes = LexborNode.attributes.__get__


def _node_text(node: LexborNode, texts: dict[int, str], attrs: Mapping[str, str | None]) -> str:
    """`attrs`: the node's attributes."""
    inside = node.first_child is not None  # <img>, <link>, <source> … have no text and no image inside
    text = node_text(node, texts) if inside else ""
    if not text:
        text = attrs.get("alt") or attrs.get("title") or ""
        # an image inside gives its alt (a query, so only where there is an inside: an <img> is its own)
        if not text and inside and (imgs := css(node, "img[alt]")):
            text = imgs[0].attrs.get("alt") or ""
    return text.strip()[:200]


def extract_links(tree: LexborHTMLParser, base: str, source_url: str, limit: int,
                  texts: dict[int, str] | None = None, found: dict[str, list[LexborNode]] | None = None,
                  metas: list[dict[str, str | None]] | None = None,
                  anchor_attrs: list[dict[str, str | None]] | None = None) -> list[Link]:
    """`texts` holds element texts already read from this tree (parse_page shares it with extract_items);
    `found` is `elements(tree)`, `metas` the attributes of its <meta> elements and `anchor_attrs` those of
    its <a> elements, when the caller has them."""
    found = elements(tree) if found is None else found
    metas = [meta.attributes for meta in found["meta"]] if metas is None else metas
    anchor_attrs = [a.attributes for a in found["a"]] if anchor_attrs is None else anchor_attrs
    detector = HiddenDetector(tree, found["style"])
    resolve = Resolver(base)
    links: list[Link] = []
    seen: set[tuple[str, str, str | None]] = set()
    texts = {} if texts is None else texts
    for tag, attr in _LINK_SOURCES:
        hideable = tag in _HIDEABLE and detector.can_hide
        # Attributes as one dict: an attribute `attrs` does not find costs an exception (a <script> without src,
        # an <a> without title); the anchors' dicts are read once for the links and the list items.
        for node, attrs in zip(found[tag], anchor_attrs if tag == "a" else map(_attributes, found[tag])):
            if len(links) >= limit:
                return links
            if tag == "link" and "stylesheet" not in (attrs.get("rel") or "").lower():
                continue
            url = resolve(attrs.get(attr) or "")  # a <script> without src gives "": no URL
            if url is None:
                continue
            reason = detector.reason(node) if hideable else None
            if (key := (url, tag, reason)) in seen:
                continue  # a repeated link's text and HTML are not read
            seen.add(key)
            # positional: url, text, tag, source_url, hidden, hidden_reason, html (the dataclass's order)
            links.append(Link(url, _node_text(node, texts, attrs), tag, source_url, reason is not None,
                              reason, (node.html or "")[:300]))
    for meta, attrs in zip(found["meta"], metas):
        if (attrs.get("http-equiv") or "").lower() == "refresh" and len(links) < limit:
            match = _REFRESH_URL.search(attrs.get("content") or "")
            if match and (url := resolve(match.group(1))) and (key := (url, "meta", None)) not in seen:
                seen.add(key)
                links.append(Link(url=url, text="", tag="meta", source_url=source_url,
                                  html=(meta.html or "")[:300]))
    for href, text, excerpt in script_links(tree, found["script"]):
        if (url := resolve(href)) and (key := (url, "a", "script_written")) not in seen \
                and len(links) < limit:
            seen.add(key)
            links.append(Link(url=url, text=text, tag="a", source_url=source_url, hidden=True,
                              hidden_reason="script_written", html=excerpt))
    return links


def _meta_date(metas: list[dict[str, str | None]], now: datetime) -> date | None:
    """`metas`: the attributes of the page's <meta> elements."""
    for meta in metas:
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        if name in _DATE_META and (found := parse_date(meta.get("content") or "", now)):
            return found
    return None


def has_viewport(metas: list[dict[str, str | None]]) -> bool:
    """`metas`: the attributes of the page's <meta> elements."""
    for meta in metas:
        if (meta.get("name") or "").lower() == "viewport":
            content = (meta.get("content") or "").lower().replace(" ", "")
            return "width=device-width" in content or "initial-scale" in content
    return False


def parse_page(page: Page, now: datetime, *, max_links: int = 2000) -> LexborHTMLParser | None:
    """Fill title, text, links, items, page_date and has_viewport of a fetched page; returns the tree."""
    if page.html is None:
        return None
    tree = LexborHTMLParser(page.html)
    found = elements(tree)
    base = page.final_url
    if (tag := next((b for b in found["base"] if "href" in b.attrs), None)) is not None:
        base = absolute(page.final_url, tag.attrs.get("href") or "") or base
    titles = found["title"]
    page.title = " ".join((titles[0].text() if titles else "").split())
    page.text = visible_text(tree)
    texts: dict[int, str] = {}  # an anchor's text is read once for its link and its list item
    metas = [meta.attributes for meta in found["meta"]]
    anchor_attrs = [anchor.attributes for anchor in found["a"]]
    page.links = extract_links(tree, base, page.final_url, max_links, texts, found, metas, anchor_attrs)
    # Anchors are always inside <body> (the HTML parser moves them there): the body's are the tree's.
    page.items = extract_items(tree, base, now, texts, found["a"], anchor_attrs)
    page.page_date = _meta_date(metas, now) or labelled_date(page.text, now)
    page.has_viewport = has_viewport(metas)
    return tree
