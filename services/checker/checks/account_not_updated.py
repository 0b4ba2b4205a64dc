"""No post within `account_update_days` before the time point (seed 004: "14天未更新"); posts dated in
the future do not count."""
from datetime import timedelta

from services.checker.checks.account_common import dated, evidence, post_line
from services.checker.checks.base import CheckContext, aware
from services.checker.model import Finding
from services.checker.platforms.base import AccountSnapshot

CODE = "account_not_updated"


def check(snapshot: AccountSnapshot, ctx: CheckContext) -> list[Finding]:
    days = ctx.params.account_update_days
    posts = dated(snapshot, ctx)
    if posts and posts[0][0] >= aware(ctx.now) - timedelta(days=days):
        return []
    if posts:
        newest, post = posts[0]
        excerpt, url = f"最近一次发文：{post_line(post)}", post.url
    else:
        newest, excerpt, url = None, f"监测时间点前{days}天内及更早均未发现发文", None
    return [Finding(CODE, f"{days}天未更新", [evidence(snapshot, excerpt, url)],
                    data={"newest": newest.isoformat() if newest else None, "days": days})]
