"""The other pages of a paginated column list, in the common Chinese CMS styles.

- TRS WCM: `createPageHTML(12, 0, "index", "shtml")` (count, 0-based current page, name, extension) or the
  newer `createPageHTML('page_div', 12, 1, 'index', 'shtml', 331)`, often with `var countPage = 12` as the
  argument: page 1 is index.shtml, the others index_1.shtml … index_11.shtml; all are returned at once.
- Hanweb JCMS `jpage`: the first records sit in `<script type="text/xml"><datastore>` and the rest come from
  `/module/web/jpage/dataproxy.jsp?…&startrecord=46&endrecord=90&perpage=15` (the `<nextgroup>` link plus
  record ranges; total from `<totalrecord>` or `totalRecord:`), which answer to GET as well as POST.
- Pager links: 下一页/下页/尾页/末页/上一页, 第N页 and page numbers beside them, or in an element whose class
  or id says page/fenye. Their URLs (`index_3.html`, `list_5_2.html`, `?page=3`, `pageIndex=3`,
  `pageNum=3`, `_2.html` …) vary in one number; the range between the smallest and the largest (the 尾页
  link, or the page count 共N页 / 页次 1/N) is filled in, so one list page yields every page of its column.

Article navigation (上一篇/下一篇) and breadcrumbs (首页 > 政务公开) are not pagination. Only same-host
URLs are returned, never the page itself, at most `max_pages`.
"""
from __future__ import annotations

import html as html_lib
import re
from urllib.parse import parse_qs, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from services.checker.crawl.parse import absolute

MAX_PAGES = 1000

_NEXT = re.compile(r"^(?:下一?页|后一?页|下一頁|next(?: page)?|[>›»]{1,2})$", re.I)
_LAST = re.compile(r"^(?:尾页|末页|最后一?页|最末页|last(?: page)?)$", re.I)
_PREV = re.compile(r"^(?:上一?页|前一?页|上一頁|prev(?:ious)?(?: page)?|[<‹«]{1,2})$", re.I)
_NUMBER = re.compile(r"^(?:第\s*)?[\[【(]?\s*(\d{1,5})\s*[\]】)]?(?:\s*页)?$")
_PAGER_NAME = re.compile(r"page|fenye|pagination|paging|turn|pg|fy\b", re.I)
_TOTAL = re.compile(r"共\s*(\d{1,5})\s*页|页次\s*[:：]?\s*\d{1,5}\s*/\s*(\d{1,5})|第?\s*\d{1,5}\s*/\s*(\d{1,5})\s*页"
                    r"|总页数\s*[:：]?\s*(\d{1,5})")
_CURRENT = re.compile(r"页次\s*[:：]?\s*(\d{1,5})\s*/|当前第?\s*(\d{1,5})\s*页|第\s*(\d{1,5})\s*/\s*\d{1,5}\s*页")
_DIGITS = re.compile(r"\d+")

_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)", re.I)
_JS_VAR = re.compile(r"(?:var\s+|let\s+|const\s+|\b)([A-Za-z_$][\w$]*)\s*=\s*['\"]?(\d{1,6})['\"]?\s*(?=[;,\n]|//|$)", re.M)
_NEXTGROUP = re.compile(r"<nextgroup>.*?href\s*=\s*['\"]([^'\"]+)['\"]", re.I | re.S)
_TOTALRECORD = re.compile(r"<totalrecord>\s*(\d+)|totalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
_PERPAGE = re.compile(r"perPage\s*[:=]\s*['\"]?(\d+)", re.I)
_RECORD_HREF = re.compile(r"<record>.*?href\s*=\s*['\"]([^'\"]+)['\"]", re.I | re.S)
_JPAGE_GROUP = 3  # jpage loads three pages per request


def pagination_urls(tree: LexborHTMLParser | str, page_url: str, *, max_pages: int = MAX_PAGES) -> list[str]:
    """Absolute same-host URLs of the other pages of the list shown by `tree` (see module doc)."""
    if isinstance(tree, str):
        tree = LexborHTMLParser(tree)
    base = _base(tree, page_url)
    found: list[str] = []
    scripts = [s.text(deep=True) or "" for s in tree.css("script") if not s.attributes.get("src")]
    for code in scripts:
        found += _trs(code, base)
    found += _jpage(tree, scripts, base, page_url)
    found += _pager_links(tree, base, page_url)
    return _clean(found, page_url, max_pages)


def record_links(tree: LexborHTMLParser | str, page_url: str) -> list[str]:
    """Article links of a Hanweb jpage list: the `<record>` entries embedded in the page's
    `<script type="text/xml">` datastore, or of a dataproxy.jsp answer. An HTML parser does not see them
    as anchors (they are script text or CDATA), so link discovery must add them."""
    if isinstance(tree, str):
        tree = LexborHTMLParser(tree)
    base = _base(tree, page_url)
    raw = "\n".join(s.text(deep=True) or "" for s in tree.css('script[type="text/xml"]'))
    if not raw and tree.css_first("recordset") is not None:
        raw = tree.html or ""                   # a dataproxy.jsp answer itself
    urls = []
    for record in re.split(r"</record>", raw, flags=re.I):
        match = _RECORD_HREF.search(record + "</record>") if "<record>" in record.lower() else None
        if match and (url := absolute(base, html_lib.unescape(match.group(1)))):
            urls.append(url)
    return list(dict.fromkeys(urls))


def _base(tree: LexborHTMLParser, page_url: str) -> str:
    tag = tree.css_first("base[href]")
    return (absolute(page_url, tag.attributes.get("href") or "") or page_url) if tag is not None else page_url


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _clean(urls: list[str], page_url: str, max_pages: int) -> list[str]:
    host, own = _host(page_url), urlsplit(page_url)._replace(fragment="").geturl()
    out: dict[str, None] = {}
    for url in urls:
        if _host(url) == host and url != own and url not in out:
            out[url] = None
            if len(out) >= max_pages:
                break
    return list(out)


# ------------------------------------------------------------------------------------------- TRS

def _trs(code: str, base: str) -> list[str]:
    if "createpagehtml" not in code.lower():
        return []
    variables = {name: int(value) for name, value in _JS_VAR.findall(code)}
    urls: list[str] = []
    for call in _CREATE_PAGE.finditer(code):
        args = [a.strip().strip("'\"").strip() for a in call.group(1).split(",")]
        if args and not args[0].isdigit() and args[0] not in variables:
            args = args[1:]                       # the newer form starts with the pager's element id
        numbers = [int(a) if a.isdigit() else variables.get(a) for a in args[:2]]
        if len(args) < 4 or numbers[0] is None:
            continue
        count, name, ext = numbers[0], args[2], args[3]
        if not re.fullmatch(r"[\w.-]{1,40}", name) or not re.fullmatch(r"\w{1,8}", ext):
            continue
        urls.append(urljoin(base, f"{name}.{ext}"))
        urls += [urljoin(base, f"{name}_{i}.{ext}") for i in range(1, min(count, MAX_PAGES + 1))]
    return urls


# ----------------------------------------------------------------------------------- Hanweb jpage

def _jpage(tree: LexborHTMLParser, scripts: list[str], base: str, page_url: str) -> list[str]:
    code = "\n".join(scripts)
    if "<nextgroup>" not in code.lower() and "dataproxy" not in code.lower():
        if tree.css_first("nextgroup") is None:   # not a dataproxy.jsp answer either
            return []
        code = tree.html or ""                  # the answer itself, parsed as HTML (CDATA as comments)
    match = _NEXTGROUP.search(code)
    if not match:
        return []
    proxy = absolute(base, html_lib.unescape(match.group(1)).replace("<!--[CDATA[", ""))
    if proxy is None:
        return []
    totals = [int(a or b) for a, b in _TOTALRECORD.findall(code)]
    per = _PERPAGE.search(code)
    per_page = max(int(per.group(1)) if per else 15, 1)
    group = per_page * _JPAGE_GROUP
    parts = urlsplit(proxy)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in ("startrecord", "endrecord", "perpage")]

    def url(start: int) -> str:
        extra = [("startrecord", str(start)), ("endrecord", str(start + group - 1)), ("perpage", str(per_page))]
        return urlunsplit(parts._replace(query=urlencode(extra + query)))

    current = parse_qs(urlsplit(page_url).query).get("startrecord", ["1"])[0]
    current_start = int(current) if current.isdigit() else 1
    if not totals:
        return [url(current_start + group)]     # the next group; its answer carries the total
    # Group 1 is embedded in the column page itself.
    return [url(start) for start in range(group + 1, max(totals) + 1, group) if start != current_start][:MAX_PAGES]


# ------------------------------------------------------------------------------------- pager links

def _label(node: LexborNode) -> str:
    text = " ".join((node.text(deep=True) or "").split())
    return text or (node.attributes.get("title") or "").strip()


def _pager_links(tree: LexborHTMLParser, base: str, page_url: str) -> list[str]:
    anchors = tree.css("a[href]")
    strong: list[tuple[str, str]] = []         # (kind, url) of next/last/prev/first links
    containers: dict[int, LexborNode] = {}
    for node in anchors:
        label = _label(node)
        kind = ("next" if _NEXT.match(label) else "last" if _LAST.match(label)
                else "prev" if _PREV.match(label) else None)
        if kind is None:
            continue
        url = absolute(base, node.attributes.get("href") or "")
        if url:
            strong.append((kind, url))
        parent = node.parent
        # the pager is the nearest ancestor holding other links too (a <span> may wrap each link)
        for _ in range(3):
            if parent is None or len(parent.css("a")) > 1:
                break
            parent = parent.parent
        if parent is not None:
            containers[parent.mem_id] = parent
    for node in tree.css("[class], [id]"):
        name = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if _PAGER_NAME.search(name) and node.mem_id not in containers:
            links = node.css("a[href]")
            if 2 <= len(links) <= 60 and sum(bool(_NUMBER.match(_label(a))) for a in links) >= 2:
                containers[node.mem_id] = node
    numbered: list[tuple[int, str]] = []        # (page number as shown, url)
    text = ""
    for container in containers.values():
        text += " " + " ".join((container.text(deep=True) or "").split())
        if len(container.css("a")) > 80:        # a whole page region, not a pager
            continue
        for node in container.css("a[href]"):
            label = _label(node)
            url = absolute(base, node.attributes.get("href") or "")
            if not url:
                continue
            number = _NUMBER.match(label)
            if number:
                numbered.append((int(number.group(1)), url))
    if not strong and not numbered:
        return []
    # 首页 is left out: it also names the site's homepage, and a list's first page is its column URL.
    urls = [u for _, u in strong] + [u for _, u in numbered]
    return urls + _fill(urls, strong, numbered, text, page_url)


def _shape(url: str) -> tuple[str, list[int], list[tuple[int, int]]]:
    spans = [m.span() for m in _DIGITS.finditer(url)]
    return _DIGITS.sub("#", url), [int(url[a:b]) for a, b in spans], spans


def _fill(urls: list[str], strong: list[tuple[str, str]], numbered: list[tuple[int, str]], text: str,
          page_url: str) -> list[str]:
    """The pages between the smallest and largest page number, from the one URL position that varies."""
    total_match = _TOTAL.search(text)
    total = int(next(g for g in total_match.groups() if g)) if total_match else None
    groups: dict[str, list[tuple[list[int], list[tuple[int, int]], str]]] = {}
    for url in dict.fromkeys(urls + [page_url]):
        shape, numbers, spans = _shape(url)
        groups.setdefault(shape, []).append((numbers, spans, url))
    out: list[str] = []
    for shape, members in groups.items():
        if "#" not in shape:
            continue
        position = _varying(members)
        if position is None:
            continue
        values = {m[0][position]: m for m in members}
        template_numbers, template_spans, template_url = members[0]
        a, b = template_spans[position]

        def page(n: int) -> str:
            return template_url[:a] + str(n) + template_url[b:]

        low, high = min(values), max(values)
        offset = _offset(members, position, strong, numbered, text, page_url)
        if total is not None and offset is not None:
            high = max(high, total + offset)
            low = min(low, max(1 + offset, 1))
        for kind, url in strong:
            if kind == "last" and url in {m[2] for m in members}:
                high = max(high, _shape(url)[1][position])
        if high - low > MAX_PAGES:
            high = low + MAX_PAGES
        out += [page(n) for n in range(low, high + 1) if n not in values or values[n][2] != page_url]
    return out


def _varying(members: list[tuple[list[int], list[tuple[int, int]], str]]) -> int | None:
    """The one digit position whose value differs between the URLs of a shape; with a single URL, its
    last number (index_3.html, ?page=3, list_5_2.html)."""
    if len(members) == 1:
        return len(members[0][0]) - 1
    varying = [i for i in range(len(members[0][0])) if len({m[0][i] for m in members}) > 1]
    return varying[0] if len(varying) == 1 else None


def _offset(members, position: int, strong: list[tuple[str, str]], numbered: list[tuple[int, str]], text: str,
            page_url: str) -> int | None:
    """URL number minus page number shown (index_1.html is page 2: offset -1; ?page=2 is page 2: 0)."""
    by_url = {m[2]: m[0][position] for m in members}
    for shown, url in numbered:
        if url in by_url:
            return by_url[url] - shown
    current_match = _CURRENT.search(text)
    current = int(next(g for g in current_match.groups() if g)) if current_match else None
    if current is None and page_url not in by_url:
        current = 1                             # a list's first page has no number in its URL
    if current is not None:
        for kind, url in strong:
            if kind == "next" and url in by_url:
                return by_url[url] - (current + 1)
    return None
