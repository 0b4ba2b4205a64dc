"""Should-update columns whose newest item is older than the column's window.

One finding per stale column, with data["category"]; the indicator set escalates them to a veto by
the counts in its parameters (≥ 5 news+notice+policy columns, ≥ 10 should-update columns).
"""
from datetime import timedelta

from services.checker.checks.base import CheckContext, is_ok, item_date, page_evidence, span_zh
from services.checker.model import ColumnSnapshot, Finding, SiteSnapshot

CODE = "column_not_updated"


def window_days(column: ColumnSnapshot, ctx: CheckContext) -> int:
    if column.category == "news":
        return ctx.params.news_window_days
    if column.category in ("notice", "policy"):
        return ctx.params.notice_window_days
    return ctx.params.other_window_days


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    findings = []
    for column in snapshot.columns:
        # Empty columns are column_empty's; unfetchable ones are broken links.
        if not column.should_update or not column.items or not is_ok(column.page):
            continue
        window = window_days(column, ctx)
        dates = [d for item in column.items if (d := ctx.usable(item_date(item, snapshot))) is not None]
        newest = max(dates, default=None)
        if newest is not None and newest >= ctx.today - timedelta(days=window):
            continue
        latest = f"最新信息发布于{newest.isoformat()}" if newest else "信息均无发布日期"
        findings.append(Finding(
            CODE, f"栏目“{column.name}”超过{span_zh(window)}未更新（{latest}）",
            [page_evidence(column.page, f"栏目“{column.name}”{latest}")],
            data={"category": column.category, "column": column.name, "url": column.url,
                  "newest": newest.isoformat() if newest else None, "window_days": window},
        ))
    return findings
