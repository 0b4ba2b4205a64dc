"""The bridge from a planned target to the check engine (`services.checker.engine`).

The worker runs exactly the code path of `python -m services.checker check-site`; this module only
assembles its inputs (registry facts, the probe series, the indicator set, the organisation's word list)
and turns the `CheckResult` into the stored JSON shape.
"""
from datetime import datetime
from typing import Any

from services.checker import engine
from services.checker.crawl import CrawlSettings
from services.checker.indicators import IndicatorSet
from services.checker.model import Probe, RegistryFacts
from services.checker.monitor.ledger import LedgerPlan
from services.checker.wordlists import Matcher


def registry_facts(site: dict[str, Any]) -> RegistryFacts:
    return RegistryFacts(site_id=site.get("id"), name=site.get("name"), site_code=site.get("site_code"),
                         icp_number=site.get("icp_number"), psb_number=site.get("psb_number"),
                         has_badge=site.get("has_badge"), state=site.get("state"), kind=site.get("kind"),
                         closure_notice_on=site.get("closure_notice_on"),
                         migration_target_url=site.get("migration_target_url"),
                         columns=[{k: c.get(k) for k in ("name", "url", "category", "should_update")}
                                  for c in site.get("columns") or []])


def as_probes(rows: list[Any]) -> list[Probe]:
    return [Probe(at=r.at, ok=r.ok, status=r.status, elapsed_ms=r.elapsed_ms, error=r.error) for r in rows]


async def check_site(url: str, *, now: datetime, indicator_set: IndicatorSet, facts: RegistryFacts,
                     probes: list[Probe] | None, matcher: Matcher | None = None,
                     crawl_settings: CrawlSettings | None = None,
                     ledger: LedgerPlan | None = None, scope: str | None = None) -> dict[str, Any]:
    result = await engine.check_site(url, now=now, indicator_set=indicator_set, registry=facts, probes=probes,
                                     matcher=matcher, settings=crawl_settings, ledger=ledger, scope=scope)
    return result.to_json()


async def check_account(account: dict[str, Any], *, now: datetime, indicator_set: IndicatorSet,
                        matcher: Matcher | None = None) -> dict[str, Any]:
    result = await engine.check_account(account, now=now, indicator_set=indicator_set, matcher=matcher)
    return result.to_json()
