"""Site checks, one module per indicator code. Each module has `CODE` and
`check(snapshot, ctx) -> list[Finding]`; checks only judge what the snapshot holds and never fetch."""
from types import ModuleType

from services.checker.checks import (
    broken_link, closure_notice_missing, column_empty, column_missing, column_name_outdated, column_not_updated,
    dark_link, domain_not_released, home_not_updated, message_unanswered, missing_error_entry, missing_footer_ids,
    mobile_unfriendly, no_interaction_channel, no_services, personal_data, reply_slow, secrecy_marking,
    sensitive_content, serious_error, service_guide_incomplete, typo, unreachable,
)
from services.checker.checks import (
    account_interaction_link_broken, account_menu_broken, account_no_interaction, account_no_original,
    account_not_found, account_not_updated, account_renamed_unfiled, account_sensitive_content,
    account_serious_error, account_typo,
)
from services.checker.checks.base import CheckContext
from services.checker.model import Finding, SiteSnapshot
from services.checker.platforms.base import AccountSnapshot

# In the order of indicators.md, which is the order a notice lists problems in.
SITE_CHECKS: tuple[ModuleType, ...] = (
    unreachable, home_not_updated, column_not_updated, column_empty, column_missing, broken_link, dark_link,
    serious_error, sensitive_content, typo, column_name_outdated, secrecy_marking, personal_data,
    no_interaction_channel, message_unanswered, reply_slow, no_services, service_guide_incomplete,
    missing_footer_ids, missing_error_entry, mobile_unfriendly, domain_not_released, closure_notice_missing,
)
# A site closed in the registry is only checked for still serving its domain.
CLOSED_SITE_CHECKS: tuple[ModuleType, ...] = (domain_not_released,)


# Account checks (modules `account_*`, same contract over an `AccountSnapshot`), in the order of indicators.md.
ACCOUNT_CHECKS: tuple[ModuleType, ...] = (
    account_not_found, account_not_updated, account_no_interaction, account_interaction_link_broken,
    account_no_original, account_renamed_unfiled, account_menu_broken, account_serious_error,
    account_sensitive_content, account_typo,
)


def run_account_checks(snapshot: AccountSnapshot, ctx: CheckContext) -> list[Finding]:
    """Findings of every enabled account check; an account the platform does not know is only that."""
    modules = (account_not_found,) if not snapshot.profile.exists else ACCOUNT_CHECKS
    findings: list[Finding] = []
    for module in modules:
        if module.CODE in ctx.enabled:
            findings += module.check(snapshot, ctx)
    return findings


def run_site_checks(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    """Findings of every check the indicator set enables, in registry order (severity and points are
    left to `indicators.evaluate`)."""
    closed = snapshot.registry.state in domain_not_released.CLOSED_STATES
    findings: list[Finding] = []
    for module in CLOSED_SITE_CHECKS if closed else SITE_CHECKS:
        if module.CODE in ctx.enabled:
            findings += module.check(snapshot, ctx)
    return findings


__all__ = ["ACCOUNT_CHECKS", "CLOSED_SITE_CHECKS", "SITE_CHECKS", "CheckContext", "run_account_checks",
           "run_site_checks"]
