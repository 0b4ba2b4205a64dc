"""Ordinary wrong characters, and outdated names of reorganised bodies in text dated after the change."""
from services.checker.checks import column_name_outdated
from services.checker.checks.base import CheckContext
from services.checker.checks.navigation import nav_entries
from services.checker.checks.words import page_findings, should_be
from services.checker.model import Finding, SiteSnapshot
from services.checker.wordlists import Match

CODE = "typo"


def _describe(match: Match) -> str:
    if match.entry.obsolete_since is not None:
        return f"使用已变更的机构名称：{should_be(match)}"
    return f"存在错别字：{should_be(match)}"


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    if column_name_outdated.CODE not in ctx.enabled:
        return page_findings(snapshot, ctx, CODE, _describe)
    # An outdated name in a column's name is that column's finding (column_name_outdated), not a typo on
    # every page showing the navigation.
    words = {m.word for e in nav_entries(snapshot) for m in column_name_outdated.outdated(e.name, ctx)}
    return page_findings(snapshot, ctx, CODE, _describe,
                         keep=lambda m: m.entry.obsolete_since is None or m.word not in words)
