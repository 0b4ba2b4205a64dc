"""sensitive_content over post text."""
from services.checker.checks.account_words import post_findings
from services.checker.checks.base import CheckContext
from services.checker.model import Finding
from services.checker.platforms.base import AccountSnapshot

CODE = "sensitive_content"


def check(snapshot: AccountSnapshot, ctx: CheckContext) -> list[Finding]:
    return post_findings(snapshot, ctx, CODE, lambda m: f"发文存在违法违规信息：“{m.word}”（{m.suggestion}）")
