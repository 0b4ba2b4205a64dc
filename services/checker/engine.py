"""One site, end to end: crawl → every site check → indicator set → `CheckResult`.

The single code path of `python -m services.checker check-site` and of the inspection worker (which
passes the probe series of the monitoring window, the resolved set and the organisation's word list).
"""
from datetime import datetime

from services.checker.checks import CheckContext, run_site_checks
from services.checker.crawl import CrawlSettings, crawl_site
from services.checker.indicators import IndicatorSet, evaluate, resolve
from services.checker.model import CheckResult, Probe, RegistryFacts
from services.checker.wordlists import Matcher


class TargetRefused(Exception):
    """The deployment refuses the target's address (loopback/private; GOVWATCH_ALLOW_PRIVATE_TARGETS)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


async def check_site(url: str, *, now: datetime, indicator_set: str | IndicatorSet = "gov-2019",
                     registry: RegistryFacts | None = None, probes: list[Probe] | None = None,
                     settings: CrawlSettings | None = None, store_snapshot: bool = True,
                     matcher: Matcher | None = None) -> CheckResult:
    """`indicator_set` is an id of a built-in set or an already resolved set (the worker's stored one).
    `probes` is the availability series over the window; the crawl's own homepage probe is added to it.
    A failing site is a result; a target the SSRF guard refuses raises `TargetRefused` (nothing was
    checked, so there is no verdict), an unknown set id raises KeyError."""
    chosen = resolve(indicator_set) if isinstance(indicator_set, str) else indicator_set
    registry = registry or RegistryFacts()
    snapshot = await crawl_site(url, now=now, registry=registry, settings=settings, store_snapshot=store_snapshot)
    if snapshot.home is not None and snapshot.home.error == "forbidden_address":
        raise TargetRefused(snapshot.home.final_url or url)
    if probes:
        snapshot.probes = sorted([*probes, *snapshot.probes], key=lambda p: p.at)
    findings = run_site_checks(snapshot, CheckContext.for_set(chosen, now, matcher))
    verdict, score, findings = evaluate(findings, chosen)
    return CheckResult(target={"kind": "site", "id": registry.site_id, "url": url}, indicator_set=chosen.id,
                       indicator_set_version=chosen.version, checked_at=now.isoformat(), verdict=verdict,
                       score=score, findings=findings)
