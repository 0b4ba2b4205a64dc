"""Public messages of the past year left without a reply for longer than the limit (3 months)."""
from datetime import timedelta

from services.checker.checks.base import CheckContext, page_evidence, span_zh
from services.checker.checks.messages import site_messages
from services.checker.model import Finding, SiteSnapshot

CODE = "message_unanswered"
MAX_EVIDENCE = 10


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    days = ctx.params.message_unanswered_days
    oldest = ctx.today - timedelta(days=ctx.params.message_lookback_days)
    latest = ctx.today - timedelta(days=days)
    overdue = [m for m in site_messages(snapshot)
               if m.answered is False and m.asked is not None and oldest <= m.asked < latest]
    if not overdue:
        return []
    return [Finding(
        CODE, f"存在超过{span_zh(days)}未回复的网民留言{len(overdue)}条",
        [page_evidence(m.page, f"留言“{m.title}”，留言时间{m.asked}，未回复") for m in overdue[:MAX_EVIDENCE]],
        count=len(overdue),
        data={"messages": [{"title": m.title, "asked": m.asked.isoformat()} for m in overdue]},
    )]
