"""No original post within `account_original_days` (seed 004: "3个月无原创"); reposts only, or nothing."""
from datetime import timedelta

from services.checker.checks.account_common import dated, evidence, post_line
from services.checker.checks.base import CheckContext, aware, span_zh
from services.checker.model import Finding
from services.checker.platforms.base import AccountSnapshot

CODE = "account_no_original"


def check(snapshot: AccountSnapshot, ctx: CheckContext) -> list[Finding]:
    days = ctx.params.account_original_days
    start = aware(ctx.now) - timedelta(days=days)
    recent = [p for when, p in dated(snapshot, ctx) if when >= start]
    if any(p.original for p in recent):
        return []
    originals = [p for _, p in dated(snapshot, ctx) if p.original]
    lines = [f"近{span_zh(days)}发文{len(recent)}条，均为转发" if recent else f"近{span_zh(days)}无发文"]
    if originals:
        lines.append(f"最近一条原创：{post_line(originals[0])}")
    return [Finding(CODE, f"{span_zh(days)}无原创", [evidence(snapshot, "；".join(lines),
                                                             recent[0].url if recent else None)],
                    data={"recent_posts": len(recent), "days": days,
                          "last_original": originals[0].published.isoformat() if originals else None})]
