"""One site, end to end: crawl → every site check → indicator set → `CheckResult`; one new-media account
likewise: platform adapter → `AccountSnapshot` → every account check → indicator set.

The single code path of `python -m services.checker check-site` and of the inspection worker (which
passes the probe series of the monitoring window, the resolved set and the organisation's word list).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.checker.checks import CheckContext, run_account_checks, run_site_checks
from services.checker.crawl import CrawlSettings, Fetcher, crawl_site, store_snapshots
from services.checker.indicators import IndicatorSet, evaluate, resolve
from services.checker.metrics import account_metrics, site_metrics
from services.checker.model import CheckResult, Probe, RegistryFacts
from services.checker.monitor.coverage import crawl_coverage
from services.checker.platforms.base import AccountRef, FeedError
from services.checker.wordlists import Matcher

if TYPE_CHECKING:  # the ledger (SQLAlchemy models) and the feed adapters load only when a call needs them
    from services.checker.monitor.ledger import LedgerPlan
    from services.checker.platforms import FeedConfig


# Judged on the host site, not on a 信息公开专栏 it hosts: the footer's identifiers, the 找错 entry, the
# mobile template, the site-wide interaction and service channels, the domain. A 专栏's own board, if it has
# one, is still read (message_unanswered, reply_slow).
HOST_LEVEL = frozenset(("missing_footer_ids", "missing_error_entry", "mobile_unfriendly", "no_interaction_channel",
                        "no_services", "service_guide_incomplete", "domain_not_released"))


class TargetRefused(Exception):
    """The deployment refuses the target's address (loopback/private; GOVWATCH_ALLOW_PRIVATE_TARGETS)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


async def check_site(url: str, *, now: datetime, indicator_set: str | IndicatorSet = "gov-2019",
                     registry: RegistryFacts | None = None, probes: list[Probe] | None = None,
                     settings: CrawlSettings | None = None, store_snapshot: bool = True,
                     matcher: Matcher | None = None, ledger: LedgerPlan | None = None,
                     fetcher: Fetcher | None = None, scope: str | None = None) -> CheckResult:
    """`indicator_set` is an id of a built-in set or an already resolved set (the worker's stored one).
    `probes` is the availability series over the window; the crawl's own homepage probe is added to it.
    `ledger`, for a monitored site, is the monitoring ledger's open problems: the crawl then fetches the hub
    pages and the pages those problems cite instead of an article sample, what the cited pages show now is
    left in `ledger.recheck` for the caller to write back, and problems on pages not re-fetched are carried.
    `fetcher` shares one HTTP client among concurrent checks (the CLI's several sites).
    `scope`, a 信息公开专栏's URL prefix: the crawl keeps to the pages under it and the host-level checks
    (`HOST_LEVEL`) are left to the host site.
    A failing site is a result; a target the SSRF guard refuses raises `TargetRefused` (nothing was
    checked, so there is no verdict), an unknown set id raises KeyError."""
    chosen = resolve(indicator_set) if isinstance(indicator_set, str) else indicator_set
    registry = registry or RegistryFacts()
    settings = settings or CrawlSettings()
    if ledger is not None:
        from services.checker.monitor import ledger as ledgers
    cited_pages, cited_files, cited_targets = ledgers.split_cited(ledger) if ledger is not None else (None, [], [])
    if cited_pages:
        settings = replace(settings, page_budget=settings.page_budget + len(cited_pages))
    snapshot = await crawl_site(url, now=now, registry=registry, settings=settings, store_snapshot=store_snapshot,
                                pages=cited_pages, fetcher=fetcher, scope=scope)
    if snapshot.home is not None and snapshot.home.error == "forbidden_address":
        raise TargetRefused(snapshot.home.final_url or url)
    if ledger is not None:
        files, statuses = await ledgers.fetch_cited(cited_files, cited_targets, settings)
        snapshot.pages.update({p.final_url: p for p in files})
        ledgers.add_cited_links(snapshot, ledger, statuses)
    if probes:
        snapshot.probes = sorted([*probes, *snapshot.probes], key=lambda p: p.at)
    ctx = CheckContext.for_set(chosen, now, matcher)
    findings = run_site_checks(snapshot, ctx)
    if scope is not None:
        findings = [f for f in findings if f.indicator not in HOST_LEVEL]
    if ledger is not None:
        findings += ledgers.recheck(snapshot, ledger, ctx, chosen)
    verdict, score, findings = evaluate(findings, chosen)
    coverage = ledgers.result_coverage(snapshot, ledger) if ledger is not None else crawl_coverage(snapshot)
    if ledger is None:
        coverage.update(open_findings=len(findings), open_veto_findings=sum(f.severity == "veto" for f in findings))
    evidence = [e for f in findings for e in f.evidence]
    pending: set[str] = set()
    missing = await store_snapshots(snapshot, (e.snapshot for e in evidence), pending)
    for item in evidence:  # a snapshot not stored is said so (issue 18), never silently dropped
        if item.snapshot in missing:
            item.snapshot, item.snapshot_state = None, "lost"
        elif item.snapshot in pending:
            item.snapshot_state = "pending"
    target = {"kind": "site", "id": registry.site_id, "url": url}
    if scope is not None:
        target["scope"] = scope
    return CheckResult(target=target, indicator_set=chosen.id,
                       indicator_set_version=chosen.version, checked_at=now.isoformat(), verdict=verdict,
                       score=score, findings=findings, metrics=site_metrics(snapshot, ctx), coverage=coverage)


class AccountUnavailable(Exception):
    """The platform's data for the account could not be obtained or trusted (timeout, garbage, endless
    pagination, a name changing between pages …): no verdict; an inspection records an error result for
    this account only."""

    def __init__(self, account: AccountRef, error: FeedError) -> None:
        self.code = error.code
        super().__init__(f"{account.platform}:{account.platform_id}：{error}")


async def check_account(account: dict[str, Any], *, now: datetime, indicator_set: str | IndicatorSet = "gov-2019",
                        matcher: Matcher | None = None, feed: FeedConfig | None = None) -> CheckResult:
    """`account` is the registry's record (platform, platform_id, registered_name, interaction_url, id).
    The data source is the platform's configured feed (`GOVWATCH_PLATFORM_FEEDS`) or, when `feed` is
    given, that one. Raises `AccountUnavailable` when the source fails, KeyError for an unknown set id,
    ValueError for an account without platform/platform_id."""
    from services.checker.account_activity import account_activity
    from services.checker.platforms import adapter_for, collect, feed_config
    chosen = resolve(indicator_set) if isinstance(indicator_set, str) else indicator_set
    ref = AccountRef.from_dict(account)
    config = feed or feed_config(ref.platform)
    adapter = adapter_for(config)
    try:
        snapshot = await collect(ref, adapter, now=now, params=chosen.parameters, config=config)
    except FeedError as exc:
        raise AccountUnavailable(ref, exc) from exc
    finally:
        await adapter.aclose()
    ctx = CheckContext.for_set(chosen, now, matcher)
    findings = run_account_checks(snapshot, ctx)
    verdict, score, findings = evaluate(findings, chosen)
    target = {"kind": "account", "id": ref.id, "platform": ref.platform, "platform_id": ref.platform_id,
              "name": ref.registered_name, "source": snapshot.source}
    if snapshot.notes:
        target["notes"] = snapshot.notes
    return CheckResult(target=target, indicator_set=chosen.id, indicator_set_version=chosen.version,
                       checked_at=now.isoformat(), verdict=verdict, score=score, findings=findings,
                       metrics=account_metrics(snapshot, ctx), activity=account_activity(snapshot, ctx))
