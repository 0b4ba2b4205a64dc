"""sensitive_content over post text."""
from services.checker.checks.account_words import post_findings
from services.checker.checks.base import CheckContext
from services.checker.model import Finding
from services.checker.platforms.base import AccountSnapshot

CODE = "sensitive_content"


def check(snapshot: AccountSnapshot, ctx: CheckContext) -> list[Finding]:
    # The entry's category (赌博, 色情 …) names what kind of content it is.
    return post_findings(snapshot, ctx, CODE,
                         lambda m: f"发文存在违法违规信息：“{m.word}”（{m.group or m.suggestion or '违法违规'}）")
