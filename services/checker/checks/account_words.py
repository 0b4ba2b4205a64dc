"""Word lists over post titles and text (serious_error, sensitive_content, typo), one finding per post
with new matches; the same word in the same context is reported once."""
from collections.abc import Callable

from services.checker.checks.account_common import evidence
from services.checker.checks.base import CheckContext, aware
from services.checker.checks.words import MAX_EVIDENCE
from services.checker.model import Finding
from services.checker.platforms.base import AccountSnapshot
from services.checker.wordlists import Match
from services.common.clock import to_beijing


def post_findings(snapshot: AccountSnapshot, ctx: CheckContext, code: str,
                  describe: Callable[[Match], str]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    findings = []
    for post in snapshot.posts:
        day = to_beijing(aware(post.published)).date() if post.published else None  # a Beijing day
        fresh = []
        for match in ctx.matcher.find(f"{post.title}\n{post.text}", (code,)):
            since = match.entry.obsolete_since
            key = (match.entry.word, match.context)
            if key not in seen and (since is None or day is None or day >= since):
                seen.add(key)
                fresh.append(match)
        if not fresh:
            continue
        findings.append(Finding(
            code, "；".join(dict.fromkeys(describe(m) for m in fresh)),
            [evidence(snapshot, f"《{post.title}》{m.context}", post.url) for m in fresh[:MAX_EVIDENCE]],
            count=len(fresh),
            data={"post": post.url or post.id, "matches": [{"word": m.word, "suggestion": m.suggestion,
                                                            "context": m.context} for m in fresh]},
        ))
    return findings
