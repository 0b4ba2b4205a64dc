"""Every site check against the site farm's ground truth: precision and recall 1.0 per code.

The farm serves real HTTP on 127.0.x.y (one site per address) with seeded defects; `check_site` runs
the whole path (crawl → checks → indicator set) with snapshots stored in the S3 store.
"""
import asyncio
import json
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import pytest

from services.checker.crawl import CrawlSettings
from services.checker.engine import check_site
from services.checker.model import CheckResult, RegistryFacts
from services.common.s3 import get_bytes
from services.common.settings import get_settings
from tests.fixtures.farm import SITE_CHECK_CODES, Farm, probe_series

FARM_SITES = 55           # every scenario of tests/fixtures/farm/generate.py
CONCURRENT_SITES = 12
# Deployment budgets, no politeness delay and short timeouts (the farm answers in milliseconds).
DEFAULTS = CrawlSettings()
SETTINGS = replace(CrawlSettings.fast(), page_budget=DEFAULTS.page_budget, max_link_checks=DEFAULTS.max_link_checks)


@pytest.fixture(scope="session")
def farm() -> Iterator[Farm]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVWATCH_ALLOW_PRIVATE_TARGETS", "1")
        get_settings.cache_clear()
        with Farm(sites=FARM_SITES) as running:
            yield running
    get_settings.cache_clear()


@dataclass
class Outcome:
    entry: dict[str, Any]
    result: CheckResult

    @property
    def found(self) -> set[str]:
        return {f.indicator for f in self.result.findings}

    @property
    def expected(self) -> set[str]:
        return set(self.entry["expected"])


@pytest.fixture(scope="session")
async def outcomes(farm: Farm) -> AsyncIterator[list[Outcome]]:
    now = datetime.fromisoformat(farm.manifest["now"])
    gate = asyncio.Semaphore(CONCURRENT_SITES)

    async def one(entry: dict[str, Any]) -> Outcome:
        async with gate:
            result = await check_site(entry["url"], now=now, registry=RegistryFacts(**entry["registry"]),
                                      probes=probe_series(entry, now), settings=SETTINGS)
        return Outcome(entry, result)

    yield list(await asyncio.gather(*(one(e) for e in farm.manifest["sites"])))


def table(outcomes: list[Outcome]) -> str:
    lines = [f"{'code':28} {'TP':>3} {'FP':>3} {'FN':>3} {'P':>5} {'R':>5}"]
    for code in SITE_CHECK_CODES:
        tp = sum(code in o.found and code in o.expected for o in outcomes)
        fp = sum(code in o.found and code not in o.expected for o in outcomes)
        fn = sum(code not in o.found and code in o.expected for o in outcomes)
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        lines.append(f"{code:28} {tp:3} {fp:3} {fn:3} {p:5.2f} {r:5.2f}")
    for o in outcomes:
        if o.found != o.expected:
            e = o.entry
            lines.append(f"\n#{e['index']} {e['name']} {e['url']} ({e['layout']}, {e['charset']}) "
                         f"missed={sorted(o.expected - o.found)} extra={sorted(o.found - o.expected)}")
            lines += [f"    {f.indicator}: {f.message} | {f.evidence[0].url if f.evidence else ''} "
                      f"{f.evidence[0].excerpt[:120] if f.evidence else ''}"
                      for f in o.result.findings if f.indicator not in o.expected]
    return "\n".join(lines)


def test_every_code_is_planted(farm: Farm) -> None:
    planted = {code for entry in farm.manifest["sites"] for code in entry["expected"]}
    assert planted == set(SITE_CHECK_CODES)
    assert any(not entry["expected"] for entry in farm.manifest["sites"])


def test_precision_and_recall_per_code(outcomes: list[Outcome]) -> None:
    report = table(outcomes)
    if os.environ.get("FARM_REPORT"):
        print(report)
    assert all(o.found == o.expected for o in outcomes), "\n" + report


def test_verdicts(outcomes: list[Outcome]) -> None:
    wrong = [(o.entry["index"], o.entry["name"], o.entry["expected_verdict"], o.result.verdict, o.result.score)
             for o in outcomes if o.entry["expected_verdict"] not in (None, o.result.verdict)]
    assert not wrong, wrong


def test_metrics_count_what_the_sites_publish(outcomes: list[Outcome]) -> None:
    """Every listed article once (homepage and column lists repeat them) by publication month, every board
    message by the month asked; nothing from message boards or service guides counts as published."""
    wrong = [(o.entry["index"], o.entry["layout"], o.result.metrics, o.entry["metrics"])
             for o in outcomes if o.result.metrics != o.entry["metrics"]]
    assert not wrong, wrong
    clean = next(o for o in outcomes if o.entry["index"] == 6)  # 渭南市人民政府: 8 list columns × 3 articles
    assert sum(clean.result.metrics["items_by_month"].values()) == 24
    # Seed 004's board: one message a month from July, the newest (yesterday) still 办理中.
    assert clean.result.metrics["messages_by_month"]["2024-02"] == {"received": 1, "answered": 0}
    assert sum(m["received"] for m in clean.result.metrics["messages_by_month"].values()) == 8


def test_result_contract(outcomes: list[Outcome], farm: Farm) -> None:
    """DESIGN.md's JSON shape, with snapshots stored as evidence."""
    for o in outcomes:
        data = json.loads(json.dumps(o.result.to_json(), default=str))
        assert data["target"] == {"kind": "site", "id": o.entry["registry"]["site_id"], "url": o.entry["url"]}
        assert (data["indicator_set"], data["checked_at"]) == ("gov-2019", farm.manifest["now"])
        assert data["verdict"] in ("pass", "fail") and 0 <= data["score"] <= 100
        assert set(data["metrics"]) == {"items_by_month", "messages_by_month"}
        for finding in data["findings"]:
            assert finding["severity"] in ("veto", "deduct") and finding["message"] and finding["evidence"]
    stored = [e.snapshot for o in outcomes for f in o.result.findings for e in f.evidence if e.snapshot]
    assert stored, "no finding carries an S3 snapshot key"
    # Cited snapshots are in S3 (stored after the checks; uncited pages are not uploaded).
    for key in stored[:20]:
        assert get_bytes(get_settings().bucket_snapshots, key)
