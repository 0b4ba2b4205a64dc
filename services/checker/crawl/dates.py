"""Dates as Chinese government sites print them, and dated list items (栏目 entries).

`now` is the monitoring time point: a date without a year gets the latest year that does not put it
in the future.
"""
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, timezone

from selectolax.lexbor import LexborHTMLParser, LexborNode, create_tag

from services.checker.crawl.urls import Resolver
from services.checker.model import Item

BEIJING = timezone(timedelta(hours=8))
_SEP = r"\s*[-/.年]\s*"
_FULL = re.compile(r"(?<!\d)((?:19|20)\d{2})" + _SEP + r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?")
_SHORT = re.compile(r"(?<![\d./-])(\d{1,2})\s*[-/月]\s*(\d{1,2})(?![\d./-])\s*日?")
# What every match of _FULL and of _SHORT holds: a digit, then (spaces and) a separator.
_MAYBE = re.compile(r"\d\s*[-/.年月]")
# 发布时间： 成文日期： 时间： …: only where the label ends counts, and a prefix (发布, 成文, 更新 …) never moves
# it, so the pattern starts at 时间/日期 (a pattern that starts with an optional group is tried at every
# character).
_LABEL = re.compile(r"(?:时间|日期)\s*[:：]\s*")


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _local_today(now: datetime) -> date:
    # Sites print Beijing dates; an aware time point is read there (China has no DST).
    return now.astimezone(BEIJING).date() if now.tzinfo else now.date()


def _infer_year(month: int, day: int, now: datetime) -> date | None:
    today = _local_today(now)
    found = _make(today.year, month, day)
    if found is None or found <= today:
        return found
    return _make(today.year - 1, month, day)


def find_date(text: str, now: datetime, *, short: bool = True) -> tuple[date, str] | None:
    """First full date in `text` (else, when `short`, a month-day); returns (date, matched text)."""
    if not _MAYBE.search(text):
        return None  # most texts of a page: one scan instead of two
    for m in _FULL.finditer(text):
        found = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if found:
            return found, m.group(0).strip()
    if short:
        for m in _SHORT.finditer(text):
            found = _infer_year(int(m.group(1)), int(m.group(2)), now)
            if found:
                return found, m.group(0).strip()
    return None


def parse_date(text: str, now: datetime) -> date | None:
    hit = find_date(text, now)
    return hit[0] if hit else None


def labelled_date(text: str, now: datetime) -> date | None:
    """Date right after a label such as 发布时间： / 发布日期： / 时间： in visible text."""
    for m in _LABEL.finditer(text):
        hit = _FULL.match(text[m.end():m.end() + 40].lstrip())
        if hit and (found := _make(int(hit.group(1)), int(hit.group(2)), int(hit.group(3)))):
            return found
    return None


# --- list items -----------------------------------------------------------------------------

_ROW_TAGS = {"li", "tr", "dd", "dt", "p", "div", "dl", "section", "article", "span", "td", "h3", "h4"}
_PAGER = re.compile(r"^(首页|尾页|上一页|下一页|末页|上页|下页|更多|更多>+|more|MORE|>+|<+|\d+)$")
_MIN_TITLE = 4
_ROW_DEPTH = 4


def tag_ids(names: Iterable[str]) -> frozenset[int]:
    """lexbor's ids of these tag names: fixed for known names, the same in every document. `tag_id` is an int
    where `tag` decodes the element's name into a new string on every read."""
    return frozenset(create_tag(name).tag_id for name in names)


_ROW_IDS = tag_ids(_ROW_TAGS)


def _text(node: LexborNode) -> str:
    return " ".join((node.text(deep=True, separator=" ") or "").split())


def node_text(node: LexborNode, texts: dict[int, str] | None = None) -> str:
    """An element's text, whitespace collapsed; `texts` keeps it per element of one tree."""
    if texts is None:
        return _text(node)
    key = node.mem_id
    text = texts.get(key)
    if text is None:
        text = texts[key] = _text(node)
    return text


def _title(attrs: Mapping[str, str | None], text: str) -> str:
    """`attrs`: the anchor's attributes, `text` its own text."""
    title = (attrs.get("title") or "").strip()
    # Lists truncate long titles ("…"); the title attribute then holds the whole one.
    return title if len(title) > len(text.rstrip(".…")) else text


def _is_title_anchor(attrs: Mapping[str, str | None], text: str) -> bool:
    """`attrs`: the anchor's attributes, `text` its own text."""
    if len(text) < _MIN_TITLE or _PAGER.match(text):
        return False
    href = (attrs.get("href") or "").strip().lower()
    return bool(href) and not href.startswith(("javascript:", "mailto:", "#"))


def _ancestors(node: LexborNode, depth: int = _ROW_DEPTH) -> list[LexborNode]:
    """The enclosing row-like elements, nearest first, at most `depth`."""
    found = []
    node = node.parent
    for _ in range(depth):
        if node is None or node.tag_id not in _ROW_IDS:
            break
        found.append(node)
        node = node.parent
    return found


def _row_of(anchor: LexborNode, counts: dict[int, int], now: datetime, title: str,
            ancestors: list[LexborNode]) -> tuple[LexborNode, tuple[date, str] | None]:
    """Smallest ancestor holding this anchor as its only title link, and the date inside it.
    `title` is the anchor's text, `ancestors` its `_ancestors`.

    A date outside the anchor wins over one in the title ("关于2023年5月31日停电的通知  2023-05-20").
    """
    row = anchor
    for node in ancestors:
        if counts[node.mem_id] > 1:
            break
        # An element whose only child is the row so far has the same text: no date beside the title there
        # either (the anchor's own text is the title).
        if row.next is not None or row.prev is not None:
            hit = find_date(_text(node).replace(title, " ", 1), now)
            if hit:
                return node, hit
        row = node
    return row, find_date(title, now)


def extract_items(tree: LexborHTMLParser, base_url: str, now: datetime,
                  texts: dict[int, str] | None = None, anchors: list[LexborNode] | None = None,
                  anchor_attrs: Iterable[Mapping[str, str | None]] | None = None) -> list[Item]:
    """Entries of column lists: a link with a title and, nearby, a date.

    Works on the layouts of the common CMSs (ul/li + span date as Hanweb, TRS and www.gov.cn print
    them, table rows with a date cell, div.list entries, dates inside the anchor text). Undated
    entries are kept only inside a container that also holds dated ones, so navigation menus and
    link lists do not count as a column's content. `anchors`: the body's `a[href]` when the caller has them,
    `anchor_attrs` their attributes.
    """
    if tree.body is None:
        return []
    if anchors is None:
        anchors = tree.body.css("a[href]")
    if anchor_attrs is None:
        anchor_attrs = (anchor.attributes for anchor in anchors)
    titled = []  # (anchor, its attributes, its text, its row-like ancestors); each text and walk up read once
    counts: dict[int, int] = {}
    texts = {} if texts is None else texts
    for anchor, attrs in zip(anchors, anchor_attrs):
        if (text := texts.get(anchor.mem_id)) is None:
            text = node_text(anchor, texts)
        if _is_title_anchor(attrs, text):
            ancestors = _ancestors(anchor)
            titled.append((anchor, attrs, text, ancestors))
            for node in ancestors:
                key = node.mem_id
                counts[key] = counts.get(key, 0) + 1
    rows = []  # (anchor's attributes, its text, the date of its row, the row's parent)
    for anchor, attrs, text, ancestors in titled:
        row, hit = _row_of(anchor, counts, now, text, ancestors)
        rows.append((attrs, text, hit, None if (parent := row.parent) is None else parent.mem_id))
    dated_parents = {parent for _, _, hit, parent in rows if hit and parent is not None}
    items: list[Item] = []
    seen: set[tuple[str, str]] = set()
    resolve = Resolver(base_url)
    for attrs, text, hit, parent in rows:
        if hit is None and (parent is None or parent not in dated_parents):
            continue
        url = resolve.any_scheme(attrs.get("href") or "")
        title = _title(attrs, text)
        if (url, title) not in seen:
            seen.add((url, title))
            items.append(Item(title=title, url=url, published=hit[0] if hit else None,
                              raw_date=hit[1] if hit else None))
    return items
