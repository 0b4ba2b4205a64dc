"""Public messages of the past year left without a reply for longer than the limit (3 months)."""
from datetime import timedelta

from services.checker.checks.base import CheckContext, page_evidence, span_zh
from services.checker.checks.messages import Message, site_messages
from services.checker.model import Finding, SiteSnapshot

CODE = "message_unanswered"
MAX_EVIDENCE = 10


def overdue(message: Message, ctx: CheckContext) -> bool:
    """Asked within the past year and still unanswered after the limit. Such a message counts here only,
    not also as a slow reply (reply_slow.py)."""
    oldest = ctx.today - timedelta(days=ctx.params.message_lookback_days)
    latest = ctx.today - timedelta(days=ctx.params.message_unanswered_days)
    return message.answered is False and message.asked is not None and oldest <= message.asked < latest


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    days = ctx.params.message_unanswered_days
    overdue_messages = [m for m in site_messages(snapshot) if overdue(m, ctx)]
    if not overdue_messages:
        return []
    return [Finding(
        CODE, f"存在超过{span_zh(days)}未回复的网民留言{len(overdue_messages)}条",
        [page_evidence(m.page, f"留言“{m.title}”，留言时间{m.asked}，未回复") for m in overdue_messages[:MAX_EVIDENCE]],
        count=len(overdue_messages),
        data={"messages": [{"title": m.title, "asked": m.asked.isoformat()} for m in overdue_messages]},
    )]
