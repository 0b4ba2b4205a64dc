"""An interaction entry (menu, profile, or the link filed in the registry) leads nowhere (seed 004:
"互动交流链接有误"); the links were fetched through the crawler's SSRF-guarded Fetcher."""
from services.checker.checks.account_common import broken, evidence, in_words
from services.checker.checks.base import CheckContext
from services.checker.model import Finding
from services.checker.platforms.base import AccountSnapshot

CODE = "account_interaction_link_broken"


def check(snapshot: AccountSnapshot, ctx: CheckContext) -> list[Finding]:
    bad = [(e, why) for e in snapshot.interaction_entries if (why := broken(snapshot, e)) is not None]
    if not bad:
        return []
    return [Finding(CODE, "互动交流链接有误",
                    [evidence(snapshot, f"“{e.name or '互动交流'}”链接无法访问（{in_words(why)}）：{e.url or '无'}", e.url)
                     for e, why in bad[:10]],
                    count=len(bad), data={"links": [{"name": e.name, "url": e.url, "error": why} for e, why in bad]})]
