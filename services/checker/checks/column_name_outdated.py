"""栏目名称使用已撤销机构名称: a navigation entry or column still named after a body the 2018/2019 reforms
abolished or renamed (the outdated-name entries of the typo word list). One finding per column, with the
column's name as evidence; articles under a current column name are body text, left to `typo` (dated)."""
from services.checker.checks.base import CheckContext, clip, iso
from services.checker.checks.navigation import nav_entries
from services.checker.checks.words import should_be
from services.checker.model import Evidence, Finding, SiteSnapshot
from services.checker.wordlists import Match

CODE = "column_name_outdated"
LIST = "typo"  # the word list category holding outdated names (entries with obsolete_since)


def outdated(name: str, ctx: CheckContext) -> list[Match]:
    """Outdated-name matches in a column name (a column shown today is current: no date exemption)."""
    return [m for m in ctx.matcher.find(name, (LIST,)) if m.entry.obsolete_since is not None]


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    findings = []
    for entry in nav_entries(snapshot):
        matches = outdated(entry.name, ctx)
        if not matches:
            continue
        page = entry.page
        described = "；".join(dict.fromkeys(should_be(m) for m in matches))
        findings.append(Finding(
            CODE, f"栏目名称“{entry.name}”使用已变更的机构名称：{described}",
            [Evidence(url=page.final_url or page.url, excerpt=clip(f"栏目“{entry.name}”（{entry.url}）"),
                      observed_at=iso(page.fetched_at), snapshot=page.snapshot_key)],
            data={"column": entry.name, "url": entry.url,
                  "matches": [{"word": m.word, "suggestion": m.suggestion} for m in matches]}))
    return findings
