"""Gambling, pornographic, violent or otherwise illegal content in page text or in visible link addresses
(hidden links are dark_link's)."""
from services.checker.checks.base import CheckContext, page_evidence, site_pages
from services.checker.checks.html import page_text
from services.checker.checks.words import page_findings
from services.checker.model import Finding, Page, SiteSnapshot
from services.checker.wordlists import Match

CODE = "sensitive_content"


def _link_findings(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    seen: set[str] = set()  # every visible target read: the navigation's recur on every page
    findings = []
    for page in site_pages(snapshot):
        for link in page.links:
            if link.hidden or link.url in seen:
                continue
            seen.add(link.url)
            words = sorted({m.word for m in ctx.matcher.find(link.url, (CODE,))})
            if words:
                findings.append(Finding(
                    CODE, f"存在违法违规链接：{link.url}（涉及“{'、'.join(words)}”）",
                    [page_evidence(page, link.html or f"{link.text} {link.url}")],
                    data={"target": link.url, "words": words},
                ))
    return findings


def _shown_text(page: Page) -> str:
    """Page text without the text of hidden links (the crawler cannot apply CSS to its text)."""
    text = page_text(page)
    for link in page.links:
        if link.hidden and link.text.strip():
            text = text.replace(link.text.strip(), " ")
    return text


def _describe(match: Match) -> str:
    # The entry's category (赌博, 色情 …) names what kind of content it is.
    return f"存在违法违规信息：“{match.word}”（{match.group or match.suggestion or '违法违规'}）"


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    text = page_findings(snapshot, ctx, CODE, _describe, _shown_text)
    return text + _link_findings(snapshot, ctx)
