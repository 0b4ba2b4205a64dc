"""Column pages that exist but carry no content (空白栏目).

空白栏目 is an information column that shows no content at all. The crawler's item list may be empty
because its list extraction missed a layout, so a column without items is only called empty when its
page says so ("暂无信息" …) or, beyond the site's template (the text and links it shares with the
homepage and its articles, and the side menu it shares with other columns), it has almost no text and
no content links. A page of service items (short labels such as 社保 · 公积金, often icons) or of links
to other systems (政务服务网, a 依申请公开 system, an embedded frame) shows content: it is not empty.
"""
import re
from collections import Counter
from urllib.parse import urlsplit

from services.checker.checks.base import CheckContext, is_ok, page_evidence
from services.checker.checks.html import own_text
from services.checker.model import ColumnSnapshot, Finding, Link, Page, SiteSnapshot

CODE = "column_empty"
EMPTY_MARKERS = re.compile(r"暂无(?:相关)?(?:信息|数据|内容|记录|文章|公开信息)|没有(?:找到)?(?:相关|任何)?(?:信息|数据|记录|内容)"
                           r"|无相关(?:信息|数据|记录)|(?:栏目|内容|页面)(?:正在)?建设中|信息正在(?:更新|整理)中")
MIN_OWN_TEXT = 60       # characters of non-template text a page with real content has at least
MIN_OWN_LINKS = 2       # links not in the template that a list page has at least
MIN_LABEL = 2           # characters of a content link's label: service items are named 社保, 公积金 …
FRAME_TAGS = {"iframe", "frame"}
MARKER_MAX_TEXT = 300   # a marker in a longer text is a sentence of an article, not an empty list


def template_links(snapshot: SiteSnapshot, home: Page | None) -> set[str]:
    """Links of the site's header, navigation and footer: on the homepage and on its article pages too.
    (Homepage links alone would also take in the entries a homepage features from a column.)"""
    if home is None:
        return set()
    on_home = {l.url for l in home.links}
    column_pages = {id(c.page) for c in snapshot.columns}
    articles = [p for p in snapshot.pages.values() if p is not home and id(p) not in column_pages and p.links]
    if not articles:
        return on_home
    return on_home & {l.url for p in articles for l in p.links}


def side_menu_links(snapshot: SiteSnapshot) -> Counter[str]:
    """On how many column pages each link appears: a sibling-column menu repeats on all of them (a link
    on three or more is menu, not one column's content)."""
    counts: Counter[str] = Counter()
    seen: set[int] = set()
    for column in snapshot.columns:
        page = column.page
        if page is not None and id(page) not in seen and is_ok(page):
            seen.add(id(page))
            counts.update({l.url for l in page.links if l.tag == "a"})
    return counts


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _own_links(column: ColumnSnapshot, page: Page, template: set[str], menus: Counter[str]) -> list[Link]:
    """Links the page shows as its own content: not template, not a menu shared with other columns, not
    the column itself (breadcrumbs), and labelled or framed."""
    itself = {column.url, page.url, page.final_url}
    return [l for l in page.links
            if l.url not in template and l.url not in itself and menus[l.url] < 3 and not l.hidden
            and ((l.tag in ("a", "area") and len(l.text.strip()) >= MIN_LABEL) or l.tag in FRAME_TAGS)]


def _is_empty(column: ColumnSnapshot, page: Page, home: Page | None, template: set[str],
              menus: Counter[str] | None = None, site_hosts: set[str] = frozenset()) -> bool:
    own = own_text(page, home).replace("\n", "")
    if len(own) < MARKER_MAX_TEXT and EMPTY_MARKERS.search(own):
        return True
    links = _own_links(column, page, template, menus or Counter())
    # A link out to another system (or a frame showing one) is what such a column offers.
    if any(l.tag in FRAME_TAGS or _host(l.url) not in site_hosts for l in links):
        return False
    return len(own) - len(column.name) < MIN_OWN_TEXT and len(links) < MIN_OWN_LINKS


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    home = snapshot.home if is_ok(snapshot.home) else None
    template = template_links(snapshot, home)
    menus = side_menu_links(snapshot)
    site_hosts = {_host(snapshot.homepage_url)} | ({_host(home.url), _host(home.final_url)} if home else set())
    findings = []
    for column in snapshot.columns:
        page = column.page
        if column.items or page is None or not is_ok(page) or page.html is None or page is home:
            continue
        if not _is_empty(column, page, home, template, menus, site_hosts | {_host(page.final_url)}):
            continue
        findings.append(Finding(
            CODE, f"栏目“{column.name}”为空白栏目",
            [page_evidence(page, f"栏目“{column.name}”页面无信息条目")],
            data={"category": column.category, "column": column.name, "url": column.url},
        ))
    return findings
