"""serious_error over post text."""
from services.checker.checks.account_words import post_findings
from services.checker.checks.base import CheckContext
from services.checker.checks.words import should_be
from services.checker.model import Finding
from services.checker.platforms.base import AccountSnapshot

CODE = "serious_error"


def check(snapshot: AccountSnapshot, ctx: CheckContext) -> list[Finding]:
    return post_findings(snapshot, ctx, CODE, lambda m: f"发文存在严重表述错误：{should_be(m)}")
