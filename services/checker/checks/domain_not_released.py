"""A site closed in the registry still serves content at its domain (the domain should be released)."""
from services.checker.checks.base import CheckContext, is_ok, page_evidence
from services.checker.checks.html import page_text
from services.checker.model import Finding, SiteSnapshot

CODE = "domain_not_released"
CLOSED_STATES = {"closed", "deregistered"}


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    home = snapshot.home
    if snapshot.registry.state not in CLOSED_STATES or home is None or not is_ok(home):
        return []
    served = f"{home.title} {page_text(home)}".strip()
    return [Finding(CODE, "已关停网站域名未注销，仍可访问",
                    [page_evidence(home, f"HTTP {home.status}：{served or '（空白页面）'}")],
                    data={"state": snapshot.registry.state, "final_url": home.final_url})]
