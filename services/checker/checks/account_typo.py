"""typo over post text (outdated names only in posts dated after the change)."""
from services.checker.checks.account_words import post_findings
from services.checker.checks.base import CheckContext
from services.checker.checks.typo import _describe
from services.checker.model import Finding
from services.checker.platforms.base import AccountSnapshot

CODE = "typo"


def check(snapshot: AccountSnapshot, ctx: CheckContext) -> list[Finding]:
    return post_findings(snapshot, ctx, CODE, lambda m: f"发文{_describe(m)}")
