"""Site checks, one module per indicator code. Each module has `CODE` and
`check(snapshot, ctx) -> list[Finding]`; checks only judge what the snapshot holds and never fetch."""
from types import ModuleType

from services.checker.checks import (
    broken_link, column_empty, column_not_updated, dark_link, domain_not_released, home_not_updated,
    message_unanswered, missing_error_entry, missing_footer_ids, mobile_unfriendly, no_interaction_channel,
    no_services, reply_slow, sensitive_content, serious_error, service_guide_incomplete, typo, unreachable,
)
from services.checker.checks.base import CheckContext
from services.checker.model import Finding, SiteSnapshot

# In the order of indicators.md, which is the order a notice lists problems in.
SITE_CHECKS: tuple[ModuleType, ...] = (
    unreachable, home_not_updated, column_not_updated, column_empty, broken_link, dark_link,
    serious_error, sensitive_content, typo, no_interaction_channel, message_unanswered, reply_slow,
    no_services, service_guide_incomplete, missing_footer_ids, missing_error_entry, mobile_unfriendly,
    domain_not_released,
)
# A site closed in the registry is only checked for still serving its domain.
CLOSED_SITE_CHECKS: tuple[ModuleType, ...] = (domain_not_released,)


def run_site_checks(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    """Findings of every check the indicator set enables, in registry order (severity and points are
    left to `indicators.evaluate`)."""
    closed = snapshot.registry.state in domain_not_released.CLOSED_STATES
    findings: list[Finding] = []
    for module in CLOSED_SITE_CHECKS if closed else SITE_CHECKS:
        if module.CODE in ctx.enabled:
            findings += module.check(snapshot, ctx)
    return findings


__all__ = ["CLOSED_SITE_CHECKS", "SITE_CHECKS", "CheckContext", "run_site_checks"]
