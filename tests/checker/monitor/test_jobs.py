"""The arq side of monitoring with the real registry: the schedule takes the registry's running sites
(closed ones are not monitored), enqueues one slice per site with due pages and never a second one while
the first is pending; a slice job fetches under politeness and queues the next when more is due."""
import asyncio
from collections.abc import Iterator

import pytest
from arq import create_pool
from arq.jobs import deserialize_job
from sqlalchemy import text
from sqlmodel import Session, select

from services.checker.inspections.config import get_checker_settings
from services.checker.inspections.flows import redis_settings
from services.checker.monitor import jobs
from services.checker.monitor.models import MonitorPage, MonitorSite
from services.common.db import get_engine
from tests.checker.inspections.harness import World, checker_env, world  # noqa: F401


@pytest.fixture
def clean(world: World) -> Iterator[set[int]]:  # noqa: F811
    """Monitoring rows this test creates are removed afterwards (other tests count monitored sites)."""
    with Session(get_engine()) as session:
        before = set(session.exec(select(MonitorSite.site_id)).all())
    yield before
    with Session(get_engine()) as session:
        session.exec(text("DELETE FROM checker.monitor_site WHERE NOT (site_id = ANY(:keep))")
                     .bindparams(keep=sorted(before) or [0]))
        session.commit()


async def _scenario(world: World) -> dict:  # noqa: F811
    queue = get_checker_settings().monitor_queue
    redis = await create_pool(redis_settings(), default_queue_name=queue)
    try:
        await redis.delete(f"{queue}:monitor:sync", queue)
        for key in [k async for k in redis.scan_iter(match=f"{queue}:monitor:site:*")]:
            await redis.delete(key)
        ctx = {"redis": redis}
        first = await jobs.monitor_schedule(ctx)
        queued = await redis.zcard(queue)
        again = await jobs.monitor_schedule(ctx)       # the slices are still queued: nothing new
        queued_again = await redis.zcard(queue)
        portal = world.sites["portal"].id
        outcome = await jobs.monitor_slice(ctx, portal)
        marker = await redis.exists(jobs.marker_key(portal))
        await redis.delete(queue)                      # no worker here: leave nothing for other tests
        registry = ctx.pop("registry", None)
        if registry is not None:
            await registry.aclose()
        return dict(first=first, again=again, queued=queued, queued_again=queued_again, outcome=outcome,
                    marker=marker)
    finally:
        await redis.aclose()


def test_schedule_monitors_running_sites_and_slices_queue_the_next(world: World, clean: set[int]) -> None:  # noqa: F811
    out = asyncio.run(_scenario(world))
    with Session(get_engine()) as session:
        monitored = {s.site_id: s for s in session.exec(select(MonitorSite)).all()}
        portal = monitored[world.sites["portal"].id]
        home = session.exec(select(MonitorPage).where(MonitorPage.site_id == portal.site_id,
                                                      MonitorPage.kind == "home")).one()
    assert "sync" in out["first"] and out["queued"] >= 5, out
    assert out["queued_again"] == out["queued"] and "0 slices enqueued" in out["again"], out
    assert world.sites["closed"].id not in monitored or not monitored[world.sites["closed"].id].active
    assert {world.sites[k].id for k in ("portal", "edu", "neighbour")} <= set(monitored)
    assert portal.org_path == world.sites["portal"].org_path and portal.host_org_id == world.county.id
    assert home.http_status == 200 and home.last_fetched_at is not None
    assert "more=True" in out["outcome"] and out["marker"] == 1   # the next slice was queued


def test_sites_with_more_left_to_fetch_are_served_first() -> None:
    """The next slice of a site with a large backlog goes ahead of small sites' slices queued before it, by
    the time its due pages need at the host's politeness; a site with nothing much left keeps its turn."""
    from services.checker.monitor.politeness import Politeness
    rules = Politeness(per_host=2, delay=0.5)
    assert jobs.queue_ahead(5000, rules) == 1250.0        # 5,000 pages at 2 a second
    assert jobs.queue_ahead(50, rules) == 12.5
    assert jobs.queue_ahead(10**9, rules) == jobs.MAX_AHEAD
    assert jobs.queue_ahead(5000, Politeness(per_host=2, delay=0.0)) == 0.0

    async def scenario() -> list[int]:
        queue = get_checker_settings().monitor_queue
        redis = await create_pool(redis_settings(), default_queue_name=queue)
        small, middling, big = 990_101, 990_102, 990_103
        try:
            await redis.delete(queue, *(jobs.marker_key(s) for s in (small, middling, big)))
            await jobs.enqueue_slice(redis, small, ttl=60)
            await jobs.enqueue_slice(redis, middling, ttl=60, ahead=jobs.queue_ahead(40, rules))
            await jobs.enqueue_slice(redis, big, ttl=60, ahead=jobs.queue_ahead(4000, rules))
            order = []
            for job_id in await redis.zrange(queue, 0, -1):
                job = await redis.get(f"arq:job:{job_id.decode()}")
                order.append(deserialize_job(job).args[0])
            return order
        finally:
            ids = await redis.zrange(queue, 0, -1)
            await redis.delete(queue, *(jobs.marker_key(s) for s in (small, middling, big)),
                               *(f"arq:job:{i.decode()}" for i in ids))
            await redis.aclose()

    assert asyncio.run(scenario()) == [990_103, 990_102, 990_101]


def test_a_site_with_a_large_backlog_gets_more_lanes() -> None:
    """A finished slice of a site with much left opens the lanes its backlog calls for (each at most one job,
    by its marker); a small site keeps one lane, and a lane beyond what the backlog calls for ends."""
    assert [jobs.lanes(n) for n in (0, 150, 199, 200, 450, 10_000)] == [1, 1, 1, 2, 3, jobs.MAX_LANES]

    async def scenario() -> list[tuple[int, int]]:
        queue = get_checker_settings().monitor_queue
        redis = await create_pool(redis_settings(), default_queue_name=queue)
        site = 990_201
        try:
            keys = [jobs.marker_key(site, lane) for lane in range(jobs.MAX_LANES)]
            await redis.delete(queue, *keys)
            assert jobs.marker_key(site, 0) == jobs.marker_key(site)   # lane 0 is the site's one slice
            for _ in range(2):   # a second finished slice finds the lanes taken: nothing twice
                for lane in range(jobs.lanes(450)):
                    await jobs.enqueue_slice(redis, site, ttl=60, lane=lane)
            queued = []
            for job_id in await redis.zrange(queue, 0, -1):
                queued.append(tuple(deserialize_job(await redis.get(f"arq:job:{job_id.decode()}")).args))
            return sorted(queued)
        finally:
            ids = await redis.zrange(queue, 0, -1)
            await redis.delete(queue, *keys, *(f"arq:job:{i.decode()}" for i in ids))
            await redis.aclose()

    assert asyncio.run(scenario()) == [(990_201, 0), (990_201, 1), (990_201, 2)]
