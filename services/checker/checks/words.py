"""Word-list checks over the visible text of every fetched page (serious_error, sensitive_content, typo).

A phrase in the site template repeats on every page; the same word in the same context is reported
once, on the first page it was seen, so counts reflect distinct errors rather than page views.
"""
from collections.abc import Callable

from services.checker.checks.base import CheckContext, page_evidence, site_pages
from services.checker.checks.html import page_text, per_page
from services.checker.model import Finding, Page, SiteSnapshot
from services.checker.wordlists import Match, Matcher
from services.checker.wordlists.dating import still_right

MAX_EVIDENCE = 10


def _current(match: Match, page: Page) -> bool:
    """An outdated name is only wrong in text written after the reorganisation (or undated)."""
    return not still_right(match.entry.obsolete_since, page.page_date, page.title)


def should_be(match: Match) -> str:
    return f"“{match.word}”应为“{match.suggestion}”" if match.suggestion else f"“{match.word}”"


@per_page
def _matchless(page: Page) -> dict[Matcher, str]:
    """Per word list, a text of the page in which it matches nothing of any category. Three checks read every
    page's text and almost every page has none of their words: one scan for all three then answers for each
    (a category's matches are among all categories' matches, whitelisted as they are). Filled by `_matches`:
    the matcher holds no page, so keeping it here does not keep the page."""
    return {}


def _matches(text: str, page: Page, ctx: CheckContext, code: str) -> list[Match]:
    matchless = _matchless(page)
    if matchless.get(ctx.matcher) == text:
        return []
    if not ctx.matcher.find(text):
        matchless[ctx.matcher] = text
        return []
    return ctx.matcher.find(text, (code,))


def page_findings(snapshot: SiteSnapshot, ctx: CheckContext, code: str, describe: Callable[[Match], str],
                  text_of: Callable[[Page], str] = page_text,
                  keep: Callable[[Match], bool] | None = None) -> list[Finding]:
    """One finding per page with new matches of the category `code`; `describe(match)` words one match,
    `text_of(page)` gives the text to read, `keep(match)` (when given) drops matches another check reports."""
    seen: set[tuple[str, str]] = set()
    findings = []
    for page in site_pages(snapshot):
        text = f"{page.title}\n{text_of(page)}"
        fresh = []
        for match in _matches(text, page, ctx, code):
            key = (match.entry.word, match.context)
            if key not in seen and _current(match, page) and (keep is None or keep(match)):
                seen.add(key)
                fresh.append(match)
        if not fresh:
            continue
        described = list(dict.fromkeys(describe(m) for m in fresh))
        findings.append(Finding(
            code, "；".join(described),
            [page_evidence(page, m.context) for m in fresh[:MAX_EVIDENCE]],
            count=len(fresh),
            data={"matches": [{"word": m.word, "suggestion": m.suggestion, "group": m.group, "position": m.start,
                               "context": m.context} for m in fresh],
                  "wordlist_version": ctx.matcher.version},
        ))
    return findings
