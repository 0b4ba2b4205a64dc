"""The homepage shows nothing new within the window; an undated item counts as not new."""
from datetime import date, timedelta

from services.checker.checks.base import CheckContext, is_ok, item_date, page_evidence, span_zh
from services.checker.model import Finding, Page, SiteSnapshot

CODE = "home_not_updated"


NOT_PUBLISHED = {"interaction", "service"}  # citizens' messages and service items are not the site's updates


def _newest_reachable(home: Page, snapshot: SiteSnapshot, ctx: CheckContext) -> tuple[date | None, str]:
    """Newest usable date among homepage items, pages linked from home, and the site's columns."""
    others = [c for c in snapshot.columns if c.category in NOT_PUBLISHED]
    excluded = {c.url for c in others} | {i.url for c in others for i in c.items if i.url}
    candidates: list[tuple[date, str]] = []
    for item in home.items:
        if item.url not in excluded and (day := ctx.usable(item_date(item, snapshot))) is not None:
            candidates.append((day, item.title))
    for link in home.links:
        page = snapshot.pages.get(link.url)
        if page is not None and link.url not in excluded and (day := ctx.usable(page.page_date)) is not None:
            candidates.append((day, page.title or link.text))
    for column in snapshot.columns:
        if column.category in NOT_PUBLISHED:
            continue
        for item in column.items:
            if (day := ctx.usable(item_date(item, snapshot))) is not None:
                candidates.append((day, f"{column.name}：{item.title}"))
    if not candidates:
        return None, ""
    return max(candidates, key=lambda c: c[0])


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    home = snapshot.home
    if home is None or not is_ok(home):
        return []  # unreachable judges a homepage that cannot be fetched
    window = ctx.params.home_window_days
    newest, title = _newest_reachable(home, snapshot, ctx)
    if newest is not None and newest >= ctx.today - timedelta(days=window):
        return []
    excerpt = f"最新信息：{newest.isoformat()}《{title}》" if newest else "首页未发现带发布日期的信息"
    return [Finding(CODE, f"首页超过{span_zh(window)}未更新", [page_evidence(home, excerpt)],
                    data={"newest": newest.isoformat() if newest else None})]
