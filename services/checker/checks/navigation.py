"""What a site shows as its columns (栏目): the homepage navigation, the crawl's columns, and short link names.

Shared by the column checks (column_missing, column_name_outdated); judges nothing itself."""
import re
from dataclasses import dataclass

from services.checker.checks.base import is_ok
from services.checker.checks.html import per_page, read_only_tree
from services.checker.crawl.columns import discover_columns
from services.checker.crawl.parse import absolute
from services.checker.model import Page, SiteSnapshot

MAX_ENTRY_CHARS = 16       # a column name is short; longer anchors are article titles
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Entry:
    name: str                  # as shown, whitespace removed
    url: str
    page: Page                 # where it was seen (evidence)
    nav: bool                  # in a navigation/menu block or a column of the crawl (not just a link)


def _name(text: str) -> str:
    return _SPACE.sub("", text or "")


def is_entry_name(name: str) -> bool:
    return 2 <= len(name) <= MAX_ENTRY_CHARS and bool(_CJK.search(name))


def nav_entries(snapshot: SiteSnapshot) -> list[Entry]:
    """Columns as the site names them: the homepage's navigation (all of it: the crawl keeps only its first
    columns) and every column of the snapshot (registry names included), each name once."""
    home = snapshot.home
    if home is None or not is_ok(home):
        return []
    found: dict[str, Entry] = {}
    for name, url in snapshot.navigation if snapshot.navigation is not None else _navigation(home):
        if is_entry_name(name := _name(name)):
            found.setdefault(name, Entry(name, url, home, True))
    for column in snapshot.columns:
        if is_entry_name(name := _name(column.name)):
            found.setdefault(name, Entry(name, column.url, column.page if is_ok(column.page) else home, True))
    return list(found.values())


@per_page
def _navigation(home: Page) -> tuple[tuple[str, str], ...]:
    """The homepage's navigation, read once for column_missing, column_name_outdated and typo, when the
    snapshot does not carry the crawl's."""
    tree = read_only_tree(home)
    return tuple(discover_columns(tree, home.final_url or home.url)) if tree is not None else ()


def link_entries(page: Page) -> list[Entry]:
    """Visible short links of a page (blocks such as 政务公开 on a homepage, the entries of a 信息公开 page);
    dated items are articles, not columns. Read from the HTML: the crawl keeps one text per link target, and
    a 法定主动公开内容 entry often leads to the 政策文件 column the navigation already names."""
    return [Entry(name, url, page, False) for name, url in _link_entries(page)]


@per_page
def _link_entries(page: Page) -> tuple[tuple[str, str], ...]:
    dated = {i.url for i in page.items if i.url and i.published}
    hidden = {link.url for link in page.links if link.hidden}
    found: dict[str, str] = {}
    tree = read_only_tree(page)
    base = page.final_url or page.url
    for anchor in tree.css("a[href]") if tree is not None else []:
        name = _name(anchor.text(deep=True)) or _name(anchor.attributes.get("title") or "")
        if name in found or not is_entry_name(name):
            continue  # most anchors are article titles: their address is not resolved
        url = absolute(base, anchor.attributes.get("href") or "")
        if url and url not in dated and url not in hidden:
            found[name] = url
    return tuple(found.items())
