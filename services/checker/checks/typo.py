"""Ordinary wrong characters, and outdated names of reorganised bodies in text dated after the change."""
from services.checker.checks.base import CheckContext
from services.checker.checks.words import page_findings, should_be
from services.checker.model import Finding, SiteSnapshot
from services.checker.wordlists import Match

CODE = "typo"


def _describe(match: Match) -> str:
    if match.entry.obsolete_since is not None:
        return f"使用已变更的机构名称：{should_be(match)}"
    return f"存在错别字：{should_be(match)}"


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    return page_findings(snapshot, ctx, CODE, _describe)
