"""Monitoring the deep farm (tests/fixtures/farm/deep.py): every planted word is found wherever it sits
(old articles deep in paginated lists of every CMS style, list pages, attachments of every format, GBK and
UTF-8 sites), image-only pdfs are reported as not scannable; after the sites change, the incremental cycle
fetches whole only what changed (the server's 200s against its 304s), finds what was added and resolves
what was fixed."""
import asyncio
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlmodel import Session, select

from services.checker.crawl.config import CrawlSettings
from services.checker.inspections.config import CheckerSettings
from services.checker.monitor import jobs, ledger, service
from services.checker.monitor.models import MonitorPage, MonitorSite
from services.common.db import get_engine
from services.common.settings import get_settings
from tests.fixtures.farm.deep import DeepFarm

SITES = 4
FIRST_ID = 870000
CFG = CheckerSettings(monitor_slice_size=200, monitor_lease_seconds=60, monitor_per_host=8,
                      monitor_delay_seconds=0.0)


@pytest.fixture(scope="module")
def farm() -> Iterator[DeepFarm]:
    with DeepFarm(sites=SITES, pages_min=50, pages_max=80, seed=23, base="127.4.0.1") as f:
        yield f


async def _cycle(site_ids: list[int]) -> None:
    async with Redis.from_url(get_settings().redis_url) as redis:
        async def one(site_id: int) -> None:
            for _ in range(40):
                report = await jobs.run_slice(redis, site_id, settings=CFG, crawl=CrawlSettings.fast(),
                                              store_snapshots=False)
                if not report.more:
                    return
            raise AssertionError(f"site {site_id} did not finish its cycle")
        await asyncio.gather(*(one(s) for s in site_ids))


def _open(site_id: int) -> set[tuple[str, str]]:
    with Session(get_engine()) as session:
        return {(p.indicator, p.url) for p in ledger.open_problems(session, site_id)}


def _plants(farm: DeepFarm, index: int) -> list[dict]:
    farm._manifest = None  # re-read after advance()
    return [p for p in farm.manifest["sites"][index]["plants"] if p["url"]]


def test_every_planted_word_found_then_only_changes_fetched(farm: DeepFarm) -> None:
    ids = [FIRST_ID + i for i in range(SITES)]
    with Session(get_engine()) as session:
        session.exec(text("DELETE FROM checker.monitor_site WHERE site_id = ANY(:ids)").bindparams(ids=ids))
        session.commit()
        service.sync_sites(session, [{"id": FIRST_ID + i, "name": farm.manifest["sites"][i]["name"],
                                      "homepage_url": farm.url(i), "org_path": "/1/"} for i in range(SITES)])
    asyncio.run(_cycle(ids))

    for index, site_id in enumerate(ids):
        found = _open(site_id)
        with Session(get_engine()) as session:
            rows = {p.url: p for p in session.exec(select(MonitorPage).where(MonitorPage.site_id == site_id))}
            monitored = session.get(MonitorSite, site_id)
        missing = []
        for plant in _plants(farm, index):
            url = service.normalise(plant["url"])
            if plant["scannable"]:
                if (plant["category"], url) not in found:
                    missing.append(plant)
            else:
                assert rows[url].scannable is False and rows[url].reason == "image_only", plant
                assert (plant["category"], url) not in found
        assert not missing, missing
        # Every page and attachment of the site is known and was fetched.
        expected = {service.normalise(u) for u, _ in farm.urls(index)}
        assert expected <= {u for u, p in rows.items() if p.last_fetched_at is not None}, \
            sorted(expected - set(rows))[:10]
        assert monitored.last_full_cycle_at is not None

    # The sites change; the next cycle re-validates everything it knows, conditionally.
    farm.advance()
    for index in range(SITES):
        stats = farm.stats(index)
        stats.statuses.clear()
    with Session(get_engine()) as session:
        session.exec(text("UPDATE checker.monitor_page SET due_at = now() - interval '1 second' "
                          "WHERE site_id = ANY(:ids) AND due_at IS NOT NULL").bindparams(ids=ids))
        session.commit()
    asyncio.run(_cycle(ids))
    for index, site_id in enumerate(ids):
        stats = farm.stats(index)
        changed = farm.changed_urls(index)
        assert stats.count(304) >= len(farm.urls(index)) - len(changed) - 5, stats.as_dict()
        assert stats.count(200) <= len(changed) + 5, (stats.as_dict(), len(changed))   # + robots/sitemaps
        found = _open(site_id)
        for plant in _plants(farm, index):
            url = service.normalise(plant["url"])
            if plant["scannable"] and plant["until"] is None:
                assert (plant["category"], url) in found, plant
        change = farm.history[index][-1]
        for plant in change["plants_fixed"]:
            if plant["url"]:
                assert (plant["category"], service.normalise(plant["url"])) not in found, plant
