"""A stored page snapshot made safe to show: sanitised by nh3 (Ammonia) to inert markup — no scripts, event
handlers, frames, forms, styles or anything that loads from elsewhere — with the text a finding cites marked.

The document also carries its own Content-Security-Policy (a <meta>, besides the response header), so it stays
inert however the SPA embeds it (an iframe from a blob inherits no header of ours)."""
import base64
import hashlib
import re
from collections.abc import Iterable
from typing import Any

import lxml.html
import nh3

# Text-level and structural markup only; everything else is dropped (its text kept), see CONTENT_DROPPED.
TAGS = {
    "a", "abbr", "address", "article", "aside", "b", "blockquote", "br", "caption", "center", "cite", "code",
    "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "font",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li", "main", "mark",
    "nav", "ol", "p", "pre", "q", "s", "samp", "section", "small", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
}
# Dropped with everything inside them (their text is code, or a document of its own).
CONTENT_DROPPED = {"script", "style", "title", "template", "noscript", "iframe", "frame", "frameset", "object",
                   "embed", "applet", "svg", "math", "textarea", "select", "button", "head", "audio", "video"}
# No attribute that names a URL survives except <a href> (http/https, turned into a tooltip below); no style,
# no class, no id: nothing can load, run or reach outside the page.
ATTRIBUTES = {"*": {"title", "lang", "dir"}, "a": {"href"}, "img": {"alt", "width", "height"},
              "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}

STYLE = ("body{font:14px/1.7 'PingFang SC','Microsoft YaHei',sans-serif;color:#303133;margin:16px;"
         "word-break:break-word}mark.gw-hit{background:#ffe58f;outline:2px solid #fa8c16;color:inherit}"
         "a{color:#1f5faa;text-decoration:underline dotted}.gw-img{color:#909399;font-size:12px}"
         "table{border-collapse:collapse}td,th{border:1px solid #ebeef5;padding:2px 6px}")
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
# No script, no load from anywhere, no form, no frame; only our one style block (by hash).
DOCUMENT_CSP = (f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; img-src 'none'; base-uri 'none'; "
                "form-action 'none'")
# The response header adds what a <meta> policy cannot carry.
CSP = f"{DOCUMENT_CSP}; frame-ancestors 'self'; sandbox"
HIT_CLASS = "gw-hit"
MIN_TERM = 2
_QUOTED = re.compile(r"[“《「『\"](.+?)[”》」』\"]")


def decode(body: bytes, content_type: str | None) -> str:
    charset = "utf-8"
    if content_type and (m := re.search(r"charset=([\w-]+)", content_type, re.I)):
        charset = m.group(1)
    try:
        return body.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name recorded with the page
        return body.decode("utf-8", errors="replace")


def cited_terms(evidence: Iterable[dict[str, Any]], data: Iterable[dict[str, Any]] = ()) -> list[str]:
    """What to mark: each excerpt as cited (the parts between ellipses), what it quotes (“…”, 《…》) and the
    matched words of the findings' data; longest first, so a whole excerpt wins over a word inside it."""
    terms: set[str] = set()
    for item in evidence:
        excerpt = " ".join(str(item.get("excerpt") or "").split())
        terms.update(part.strip() for part in re.split(r"…+|\.\.\.", excerpt))
        terms.update(m.group(1).strip() for m in _QUOTED.finditer(excerpt))
    for datum in data:
        for match in datum.get("matches") or []:
            if isinstance(match, dict):
                terms.update(str(match.get(k) or "").strip() for k in ("context", "word"))
    return sorted((t for t in terms if len(t) >= MIN_TERM), key=lambda t: (-len(t), t))


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    # Whitespace in an excerpt was collapsed by the check: any run of it matches in the page.
    return re.compile("|".join(r"\s+".join(map(re.escape, t.split())) for t in terms))


def _mark(element: Any, pattern: re.Pattern[str], counter: list[int]) -> None:
    """Wrap matches in the text under element in <mark class="gw-hit" id="gw-hit-N">, in document order."""
    def split(text: str) -> list[Any]:
        parts: list[Any] = []
        last = 0
        for m in pattern.finditer(text):
            parts.append(text[last:m.start()])
            counter[0] += 1
            mark = lxml.html.Element("mark", {"class": HIT_CLASS, "id": f"gw-hit-{counter[0]}"})
            mark.text = m.group(0)
            parts.append(mark)
            last = m.end()
        parts.append(text[last:])
        return parts

    children = list(element)  # taken before marks are inserted, so no mark is searched again
    if element.text and len(parts := split(element.text)) > 1:
        element.text = parts[0]
        _place(element, 0, parts[1:])
    for child in children:
        _mark(child, pattern, counter)
        if child.tail and len(parts := split(child.tail)) > 1:
            child.tail = parts[0]
            _place(element, element.index(child) + 1, parts[1:])


def _place(parent: Any, index: int, parts: list[str | Any]) -> None:
    """Insert alternating (mark, text, mark, text …) parts at `index` of parent."""
    for mark, text in zip(parts[0::2], parts[1::2], strict=True):
        mark.tail = text
        parent.insert(index, mark)
        index += 1


def render(body: bytes, content_type: str | None, terms: list[str], source_url: str) -> tuple[str, int]:
    """The snapshot as an inert standalone document and the number of marked citations."""
    clean = nh3.clean(decode(body, content_type), tags=TAGS, clean_content_tags=CONTENT_DROPPED,
                      attributes=ATTRIBUTES, url_schemes={"http", "https"}, link_rel=None, strip_comments=True)
    root = lxml.html.fragment_fromstring(clean or "", create_parent="div")
    for link in root.iter("a"):  # a link says where it pointed; it navigates nowhere
        if (href := link.attrib.pop("href", None)) and not link.get("title"):
            link.set("title", href)
    for img in list(root.iter("img")):  # images are not stored with the page
        placeholder = lxml.html.Element("span", {"class": "gw-img"})
        placeholder.text = f"［图片{'：' + img.get('alt') if img.get('alt') else ''}］"
        placeholder.tail = img.tail
        img.getparent().replace(img, placeholder)
    counter = [0]
    if (pattern := _pattern(terms)) is not None:
        _mark(root, pattern, counter)
    head = lxml.html.fromstring(
        '<html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"></head><body></body></html>')
    meta = lxml.html.Element("meta", {"http-equiv": "Content-Security-Policy", "content": DOCUMENT_CSP})
    head.find("head").insert(0, meta)
    style = lxml.html.Element("style")
    style.text = STYLE
    head.find("head").append(style)
    base_note = lxml.html.Element("meta", {"name": "govwatch-source", "content": source_url})
    head.find("head").append(base_note)
    head.find("body").append(root)
    return "<!DOCTYPE html>\n" + lxml.html.tostring(head, encoding="unicode"), counter[0]
