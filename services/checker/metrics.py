"""Monthly figures of one target, from what the crawl or the feed already loaded (nothing is fetched here).

They go into every result as `metrics`, for the reporting service's rectification and quarterly
self-inspection reports (信息发布数, 留言办理情况, 发文数):
  site     {"items_by_month": {"YYYY-MM": n},
            "messages_by_month": {"YYYY-MM": {"received": n, "answered": m}}}
  account  {"posts_by_month": {"YYYY-MM": n}, "original_by_month": {"YYYY-MM": n}}
Months are China local months (page dates are China dates; post times are converted). Dates after the
monitoring day (misparsed, event dates) are left out, as the checks leave them out.
"""
from collections import Counter
from datetime import date
from typing import Any

from services.checker.checks.account_common import dated
from services.checker.checks.base import CHINA, CheckContext, is_ok, item_date
from services.checker.checks.home_not_updated import NOT_PUBLISHED
from services.checker.checks.messages import site_messages
from services.checker.model import Item, SiteSnapshot
from services.checker.platforms.base import AccountSnapshot

# Pages whose dated entries are publications. An article's own dated bits (breadcrumb, attachment beside
# 发布时间) are not entries; the article counts by its page date instead.
LIST_ROLES = ("home", "column", "list_more")


def month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _sorted(counts: dict[str, Any]) -> dict[str, Any]:
    return {key: counts[key] for key in sorted(counts)}


def published_items(snapshot: SiteSnapshot, ctx: CheckContext) -> dict[str, date]:
    """Publication date of every distinct dated entry seen (key: URL, or title and date for an entry
    without a link). Column lists come first (they print full dates), then the other lists (homepage,
    "more" pages), then fetched articles whose listing gave no date. Message boards and service columns
    are not publications (as for home_not_updated)."""
    others = [c for c in snapshot.columns if c.category in NOT_PUBLISHED]
    not_published = {u for c in others for u in (c.url, c.page.final_url if c.page else None) if u}
    not_entries = {i.url for c in others for i in c.items if i.url}
    # A list page is not an entry (some CMS blocks date their heading link with the newest entry's date).
    not_entries |= {u for c in snapshot.columns for u in (c.url, c.page.final_url if c.page else None) if u}
    not_entries |= {snapshot.homepage_url} | ({snapshot.home.final_url} if snapshot.home else set())
    pages = [p for p in [snapshot.home, *snapshot.pages.values()] if p is not None and is_ok(p)]
    lists: list[list[Item]] = [c.items for c in snapshot.columns if c.category not in NOT_PUBLISHED]
    lists += [p.items for p in pages if p.role in LIST_ROLES and not {p.url, p.final_url} & not_published]
    found: dict[str, date] = {}
    for items in lists:
        for item in items:
            key = item.url or f"{item.title}|{item.published}"
            if key not in found and item.url not in not_entries:
                if (day := ctx.usable(item_date(item, snapshot))) is not None:
                    found[key] = day
    for page in pages:
        if page.role == "article" and not {page.url, page.final_url} & (found.keys() | not_entries):
            if (day := ctx.usable(page.page_date)) is not None:
                found[page.url] = day
    return found


def site_metrics(snapshot: SiteSnapshot, ctx: CheckContext) -> dict[str, Any]:
    items = Counter(month(day) for day in published_items(snapshot, ctx).values())
    messages: dict[str, dict[str, int]] = {}
    for message in site_messages(snapshot):  # the boards the interaction checks read, each message once
        asked = ctx.usable(message.asked)
        if asked is None:
            continue
        figures = messages.setdefault(month(asked), {"received": 0, "answered": 0})
        figures["received"] += 1
        figures["answered"] += message.answered is True  # None: the board does not say; not counted
    return {"items_by_month": _sorted(items), "messages_by_month": _sorted(messages)}


def account_metrics(snapshot: AccountSnapshot, ctx: CheckContext) -> dict[str, Any]:
    posts: Counter[str] = Counter()
    original: Counter[str] = Counter()
    for when, post in dated(snapshot, ctx):  # future-dated posts are not publications (account checks agree)
        key = month((when.astimezone(CHINA) if when.tzinfo else when).date())
        posts[key] += 1
        original[key] += post.original
    # The same months in both (0 originals is what a report needs to show).
    return {"posts_by_month": _sorted(posts), "original_by_month": _sorted(original)}
