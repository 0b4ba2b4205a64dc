"""Replies later than the set limit (unanswered messages past it included), and boards with no reply
published in the recent period although messages wait. A message still unanswered past the
message_unanswered limit (3 months) counts there, once, as unanswered: not here as well."""
from datetime import timedelta

from services.checker.checks.base import CheckContext, page_evidence, span_zh
from services.checker.checks.message_unanswered import overdue
from services.checker.checks.messages import Message, site_messages
from services.checker.model import Finding, SiteSnapshot

CODE = "reply_slow"
MAX_EVIDENCE = 10


def _late(message: Message, ctx: CheckContext) -> bool:
    limit = timedelta(days=ctx.params.reply_limit_days)
    if message.asked is None or message.asked < ctx.today - timedelta(days=ctx.params.message_lookback_days):
        return False
    if message.replied is not None:
        return message.replied - message.asked > limit
    return message.answered is False and ctx.today - message.asked > limit and not overdue(message, ctx)


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    messages = site_messages(snapshot)
    findings = []
    late = [m for m in messages if _late(m, ctx)]
    if late:
        days = ctx.params.reply_limit_days
        findings.append(Finding(
            CODE, f"{len(late)}条留言未在{days}天内答复",
            [page_evidence(m.page, f"留言“{m.title}”，留言时间{m.asked}，回复时间{m.replied or '未回复'}")
             for m in late[:MAX_EVIDENCE]],
            count=len(late), data={"scope": "late", "messages": [m.title for m in late]},
        ))
    recent = ctx.today - timedelta(days=ctx.params.reply_recent_days)
    replies = [m.replied for m in messages if m.replied is not None]
    waiting = [m for m in messages
               if m.answered is False and m.asked is not None and m.asked < recent and not overdue(m, ctx)]
    if messages and (max(replies) < recent if replies else waiting):
        last = max(replies).isoformat() if replies else "无"
        findings.append(Finding(
            CODE, f"近{span_zh(ctx.params.reply_recent_days)}未公开留言答复",
            [page_evidence(messages[0].page, f"最近一次公开答复：{last}")],
            data={"scope": "recent", "last_reply": last},
        ))
    return findings
