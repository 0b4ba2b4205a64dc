"""Links, images, scripts and attachments that answer 4xx/5xx or fail; home page and other pages apart.

Two findings at most (data["scope"] = home / other, each counting its broken targets), so the indicator
set can price a broken link on the homepage differently from one deeper in the site.
"""
from urllib.parse import urlsplit

from services.checker.checks.base import CheckContext, failure_text, home_urls, is_ok, iso
from services.checker.model import Evidence, Finding, LinkStatus, SiteSnapshot

CODE = "broken_link"
MAX_EVIDENCE = 20
SCOPES = {"home": "首页", "other": "其他页面"}


def _evidence(link: LinkStatus, source: str, snapshot: SiteSnapshot) -> Evidence:
    source_page = snapshot.pages.get(source)
    reason = f"HTTP {link.status}" if link.error is None else failure_text(link.error)
    return Evidence(url=link.url, excerpt=f"{reason}；所在页面：{source}", observed_at=iso(link.checked_at),
                    snapshot=source_page.snapshot_key if source_page else None)


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    if not is_ok(snapshot.home):
        return []  # with the homepage down, failures are unreachable's, not the links'
    homes = home_urls(snapshot)
    broken: dict[str, list[tuple[LinkStatus, str]]] = {"home": [], "other": []}
    for link in snapshot.links.values():
        if not link.broken or link.url in homes or urlsplit(link.url).scheme not in ("http", "https"):
            continue
        # A target linked from the homepage counts there once, wherever else it also appears.
        on_home = [s for s in link.sources if s in homes]
        if on_home:
            broken["home"].append((link, on_home[0]))
        else:
            broken["other"].append((link, link.sources[0] if link.sources else ""))
    findings = []
    for scope, links in broken.items():
        if not links:
            continue
        findings.append(Finding(
            CODE, f"{SCOPES[scope]}存在{len(links)}个不可用链接",
            [_evidence(link, source, snapshot) for link, source in links[:MAX_EVIDENCE]],
            count=len(links), data={"scope": scope, "urls": [link.url for link, _ in links]},
        ))
    return findings
