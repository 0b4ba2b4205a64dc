"""A menu item leads nowhere (missing link, error answer or no answer)."""
from services.checker.checks.account_common import broken, evidence, in_words
from services.checker.checks.base import CheckContext
from services.checker.model import Finding
from services.checker.platforms.base import AccountSnapshot

CODE = "account_menu_broken"


def check(snapshot: AccountSnapshot, ctx: CheckContext) -> list[Finding]:
    bad = [(e, why) for e in snapshot.menu_entries if (why := broken(snapshot, e)) is not None]
    if not bad:
        return []
    names = "、".join(f"“{e.name}”" for e, _ in bad[:5])
    return [Finding(CODE, f"菜单{names}无法打开",
                    [evidence(snapshot, f"菜单“{e.name}”链接无法访问（{in_words(why)}）：{e.url or '无'}", e.url)
                     for e, why in bad[:10]],
                    count=len(bad), data={"links": [{"name": e.name, "url": e.url, "error": why} for e, why in bad]})]
