"""Serious wording errors: leaders' names and titles, the country's name, territory, political terms."""
from services.checker.checks.base import CheckContext
from services.checker.checks.words import page_findings, should_be
from services.checker.model import Finding, SiteSnapshot

CODE = "serious_error"


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    return page_findings(snapshot, ctx, CODE, lambda m: f"存在严重表述错误：{should_be(m)}")
