"""Outside link targets are checked once per cycle for every site that links to them (monitor/targets.py):
two county sites linking to the same provincial page cost that host one request, both sites record its
answer, a failing target gives each site its own broken-link problem, and a target another slice is checking
is put off (not fetched twice, not lost)."""
import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlmodel import Session

from services.checker.model import LinkStatus
from services.checker.monitor import jobs, ledger, service, targets
from services.checker.monitor.models import MonitorSite, PageKind
from services.checker.monitor.targets import TargetCache
from services.common.db import get_engine
from services.common.settings import get_settings
from tests.checker.monitor.site import Site
from tests.checker.monitor.test_monitor import CRAWL, rows, settings

SITES = (9301, 9302)


def register(sites: dict[int, Site]) -> None:
    with Session(get_engine()) as session:
        session.exec(text("DELETE FROM checker.monitor_site WHERE site_id = ANY(:s)").bindparams(s=list(sites)))
        session.commit()
        service.sync_sites(session, [{"id": i, "name": f"测试县{i}", "homepage_url": s.url, "org_path": "/1/",
                                      "host_org_id": 1, "supervising_org_id": 1} for i, s in sites.items()])


async def full_cycles(sites: dict[int, Site], **kw: object) -> list[jobs.SliceReport]:
    cfg = settings(**kw)
    reports = []
    async with Redis.from_url(get_settings().redis_url) as redis:
        for _ in range(40):
            batch = await asyncio.gather(*(jobs.run_slice(redis, i, settings=cfg, crawl=CRAWL, store_snapshots=False)
                                           for i in sites))
            reports += batch
            if any(r.deferred for r in batch):
                bring_deferred_forward(sites)   # as if DEFER_SECONDS had passed
            elif not any(r.more for r in batch):
                break
    return reports


def bring_deferred_forward(sites: dict[int, Site]) -> None:
    with Session(get_engine()) as session:
        session.exec(text("UPDATE checker.monitor_page SET due_at = now() WHERE site_id = ANY(:s) AND kind = 'external' "
                          "AND last_fetched_at IS NULL AND due_at > now()").bindparams(s=list(sites)))
        session.commit()


async def forget(url: str) -> None:
    async with Redis.from_url(get_settings().redis_url) as redis:
        cache = TargetCache(redis, jobs._queue(), ttl=60, broken_ttl=60)
        await redis.delete(cache._key(url, "status"), cache._key(url, "claim"))


@pytest.fixture
def province() -> Iterator[tuple[Site, dict[int, Site]]]:
    outside = Site("127.0.7.29").start()
    target = outside.url + "about.html"
    counties = {SITES[0]: Site("127.0.7.27", external=target, lists=1).start(),
                SITES[1]: Site("127.0.7.28", external=target, lists=1).start()}
    asyncio.run(forget(target))
    yield outside, counties
    for s in (outside, *counties.values()):
        s.stop()


def test_an_outside_target_is_checked_once_for_every_site(province: tuple[Site, dict[int, Site]]) -> None:
    outside, counties = province
    register(counties)
    asyncio.run(full_cycles(counties))
    target = outside.url + "about.html"
    assert outside.heads["/about.html"] + outside.ok["/about.html"] == 1   # one check for both sites
    for site_id in counties:
        row = rows(site_id)[target]
        assert row.kind == PageKind.external and row.http_status == 200 and row.due_at is not None


def test_a_failing_outside_target_is_each_sites_problem(province: tuple[Site, dict[int, Site]]) -> None:
    outside, counties = province
    outside.stop()                       # the provincial page is down for everyone
    register(counties)
    asyncio.run(full_cycles(counties))
    target = outside.url + "about.html"
    with Session(get_engine()) as session:
        for site_id in counties:
            problems = [p for p in ledger.open_problems(session, site_id)
                        if p.indicator == "broken_link" and p.url == target]
            assert len(problems) == 1, site_id
            assert rows(site_id)[target].error is not None


def test_a_target_being_checked_elsewhere_is_awaited_not_fetched_again(
        province: tuple[Site, dict[int, Site]]) -> None:
    outside, counties = province
    site_id, county = SITES[0], counties[SITES[0]]
    register({site_id: county})
    target = outside.url + "about.html"

    async def run() -> list[jobs.SliceReport]:
        async with Redis.from_url(get_settings().redis_url) as redis:
            cache = TargetCache(redis, jobs._queue(), ttl=60, broken_ttl=60)
            assert await cache.claim(target)            # another worker is checking it right now …

            async def other_worker_answers() -> None:   # … and stores its answer a moment later
                await asyncio.sleep(1.0)
                await cache.put(LinkStatus(url=target, status=200, error=None, checked_at=service.utcnow()))

            answer = asyncio.create_task(other_worker_answers())
            reports = [await jobs.run_slice(redis, site_id, settings=settings(), crawl=CRAWL, store_snapshots=False)]
            while reports[-1].more:
                reports.append(await jobs.run_slice(redis, site_id, settings=settings(), crawl=CRAWL,
                                                    store_snapshots=False))
            await answer
            return reports

    reports = asyncio.run(run())
    assert sum(r.deferred for r in reports) == 0
    assert outside.heads["/about.html"] + outside.ok["/about.html"] == 0   # its answer came from the other
    assert rows(site_id)[target].http_status == 200


def test_a_target_not_answered_in_time_is_put_off_and_the_cycle_waits(
        province: tuple[Site, dict[int, Site]], monkeypatch: pytest.MonkeyPatch) -> None:
    outside, counties = province
    site_id, county = SITES[0], counties[SITES[0]]
    register({site_id: county})
    target = outside.url + "about.html"
    monkeypatch.setattr(targets, "WAIT_SECONDS", 0.5)

    async def run() -> list[jobs.SliceReport]:
        async with Redis.from_url(get_settings().redis_url) as redis:
            cache = TargetCache(redis, jobs._queue(), ttl=60, broken_ttl=60)
            assert await cache.claim(target)            # a worker that went quiet holds the claim
            reports = [await jobs.run_slice(redis, site_id, settings=settings(), crawl=CRAWL, store_snapshots=False)]
            while reports[-1].more:
                reports.append(await jobs.run_slice(redis, site_id, settings=settings(), crawl=CRAWL,
                                                    store_snapshots=False))
            return reports

    reports = asyncio.run(run())
    assert sum(r.deferred for r in reports) == 1
    assert outside.heads["/about.html"] + outside.ok["/about.html"] == 0
    row = rows(site_id)[target]
    assert row.last_fetched_at is None
    assert row.due_at is not None and row.due_at - service.utcnow() <= timedelta(seconds=targets.DEFER_SECONDS + 5)
    with Session(get_engine()) as session:   # the site's cycle is not complete while the row waits
        site = session.get(MonitorSite, site_id)
        assert site.last_full_cycle_at is None
