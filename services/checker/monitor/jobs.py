"""arq jobs of whole-site monitoring.

- `monitor_schedule` (cron, every minute): re-reads the running sites from the registry every
  `monitor_sync_minutes` (one worker does it: a Redis key elects it), then enqueues one `monitor_slice` per
  site with due pages. A per-site Redis marker (set NX, with expiry) keeps one slice queued or running per
  site; a killed worker's marker expires and the site is picked up again.
- `monitor_slice(site_id)`: claims at most `monitor_slice_size` due pages of the site (row locks, SKIP LOCKED,
  leased), fetches them under the per-host politeness kept in Redis, records each, and enqueues the next
  slice when more is due. A worker killed mid-slice loses only that slice: its rows fall due again when the
  lease passes, and its politeness slots expire.
"""
import asyncio
import hashlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from arq import Retry
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from services.checker.checks.base import CheckContext
from services.checker.crawl import extract
from services.checker.crawl.config import CrawlSettings
from services.checker.crawl.crawler import _put
from services.checker.indicators import IndicatorSet, resolve
from services.checker.inspections.config import CheckerSettings, get_checker_settings
from services.checker.inspections.models import utcnow
from services.checker.monitor import pipeline, service, site_pass
from services.checker.monitor.models import MonitorPage, MonitorSite, PageKind
from services.checker.monitor.politeness import HostGate, PoliteFetcher, Politeness
from services.checker.monitor.targets import DEFER_SECONDS, TargetCache
from services.checker.registry_client import RegistryClient, RegistryError
from services.checker.store import wordlists
from services.checker.wordlists import builtin_version, default_matcher
from services.common.db import get_engine
from services.common.s3 import ensure_buckets
from services.common.settings import get_settings

log = logging.getLogger(__name__)
WRITE_BATCH = 20   # page results written per transaction
FACTS_VERSION = 1  # pipeline.read_facts' reading of a page; bump when it changes


def _session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


def _queue() -> str:
    return get_checker_settings().monitor_queue


def marker_key(site_id: int, lane: int = 0) -> str:
    return f"{_queue()}:monitor:site:{site_id}" + (f":{lane}" if lane else "")


# ---------------------------------------------------------------------------------------------------
# What a site is judged with


def wordlist_version(session: Session, org_path: str) -> str:
    """The built-in lists' version (release + digest of the shipped files, e.g. 2026.12.06+1f7f9233), then a
    digest of the organisation's additions / whitelist (entries are only added or deleted, so their ids say
    which are in force) and of what a scan reads besides words (FACTS_VERSION: a new reading rescans every
    page once). Stored with every page scanned; 32 characters at most."""
    additions, whitelist = wordlists.entries_for(session, org_path)
    ids = ",".join(str(e.id) for e in sorted(additions + whitelist, key=lambda e: e.id or 0))
    return f"{builtin_version()}-{hashlib.sha1(f'{FACTS_VERSION}|{ids}'.encode()).hexdigest()[:12]}"


@cache
def _indicator_set(code: str) -> IndicatorSet:
    return resolve(code)


def site_context(session: Session, site: MonitorSite, settings: CheckerSettings, crawl: CrawlSettings,
                 now: datetime) -> pipeline.SiteContext:
    indicator_set = _indicator_set(settings.monitor_indicator_set)
    matcher = wordlists.matcher_for(session, site.org_path) or default_matcher()
    home = session.exec(select(MonitorPage.http_status, MonitorPage.error).where(
        MonitorPage.site_id == site.site_id, MonitorPage.kind == PageKind.home)).first()
    home_ok = home is None or (home[1] is None and (home[0] is None or home[0] < 400))
    return pipeline.SiteContext(
        site_id=site.site_id, homepage_url=site.homepage_url, host=site.host,
        check=CheckContext.for_set(indicator_set, now, matcher), indicator_set=indicator_set,
        wordlist_version=wordlist_version(session, site.org_path), crawl=crawl,
        attachment_max_bytes=settings.monitor_attachment_max_bytes, max_depth=settings.monitor_max_depth,
        hub_list_pages=settings.monitor_hub_list_pages, home_ok=home_ok)


def monitor_crawl_settings() -> CrawlSettings:
    from services.checker.inspections.jobs import crawl_settings
    return crawl_settings()


def politeness(settings: CheckerSettings, crawl: CrawlSettings) -> Politeness:
    # A slot outlives the longest request it can cover (page deadline), then frees itself.
    return Politeness(per_host=settings.monitor_per_host, delay=settings.monitor_delay_seconds,
                      slot_lease=crawl.page_deadline + 15)


# ---------------------------------------------------------------------------------------------------
# One slice


@dataclass
class SliceReport:
    site_id: int
    claimed: int = 0
    fetched: int = 0
    released: int = 0
    unchanged: int = 0
    findings: int = 0
    dropped: int = 0
    deferred: int = 0
    more: bool = False
    backlog: int = 0        # pages still due when the slice ended
    statuses: dict[str, int] = field(default_factory=dict)


_snapshots_ready = False
_store_retry_at = 0.0   # monotonic time: the store was unreachable, do not ask again before this
STORE_RETRY_SECONDS = 60


async def _store_snapshot(result: pipeline.PageResult) -> None:
    """Upload the page body when a finding's evidence cites it (otherwise nothing is stored)."""
    global _snapshots_ready, _store_retry_at
    if not result.findings or result.snapshot is None:
        return
    cited = {e.snapshot for f in result.findings for e in f.evidence if e.snapshot}
    if not cited:
        return
    if not _snapshots_ready:
        # An unreachable store costs the S3 client's retries (seconds) on one of the few shared threads:
        # asked once a minute, not for every page with a finding (the bench's slices stalled on it).
        if time.monotonic() < _store_retry_at:
            _drop_snapshots(result)
            return
        try:
            await asyncio.to_thread(ensure_buckets, get_settings().bucket_snapshots)
            _snapshots_ready = True
        except Exception:  # noqa: BLE001 - evidence without a snapshot is still evidence
            _store_retry_at = time.monotonic() + STORE_RETRY_SECONDS
            _drop_snapshots(result)
            return
    body, content_type = result.snapshot
    for key in cited:
        if not await _put(key, body, content_type):
            _drop_snapshots(result)


def _drop_snapshots(result: pipeline.PageResult) -> None:
    for finding in result.findings or []:
        for evidence in finding.evidence:
            evidence.snapshot = None


async def run_slice(redis: Redis, site_id: int, *, settings: CheckerSettings | None = None,
                    crawl: CrawlSettings | None = None, store_snapshots: bool = True) -> SliceReport:
    """Claim, fetch, record one slice of a site. Safe to run on any number of workers at once."""
    settings = settings or get_checker_settings()
    crawl = crawl or monitor_crawl_settings()
    report = SliceReport(site_id)
    now = utcnow()

    def begin() -> tuple[MonitorSite, pipeline.SiteContext, list[service.Claimed]] | None:
        with _session() as session:
            site = session.get(MonitorSite, site_id)
            if site is None or not site.active:
                return None
            service.start_cycle_if_needed(session, site, now)
            ctx = site_context(session, site, settings, crawl, now)
            claimed = service.claim_slice(session, site_id, settings.monitor_slice_size,
                                          settings.monitor_lease_seconds, now)
            return site, ctx, claimed

    begun = await asyncio.to_thread(begin)
    if begun is None:
        return report
    site, ctx, claimed = begun
    report.claimed = len(claimed)
    ctx.targets = TargetCache(redis, _queue(), ttl=settings.monitor_target_hours * 3600,
                              broken_ttl=min(settings.monitor_target_hours * 3600, settings.monitor_retry_minutes * 30),
                              wait=settings.monitor_lease_seconds * 0.4)
    gate = HostGate(redis, politeness(settings, crawl))
    deadline = time.monotonic() + settings.monitor_lease_seconds * 0.8
    lock = asyncio.Lock()  # one writer at a time (one session, used from a thread)
    session = _session()

    def load_site() -> MonitorSite:
        # Detached: upsert_urls counts known pages on it for the budget without writing the site row per page.
        row = session.get(MonitorSite, site_id)
        session.expunge(row)
        # Ended in the same thread call: a transaction left open across an await holds its pooled connection
        # while the slice fetches (or waits for a thread), and a worker running more slices than its pool has
        # connections stalls (the bench's slices timed out waiting for one).
        session.rollback()
        return row

    site_row = await asyncio.to_thread(load_site)
    ready: list[pipeline.PageResult] = []

    def store(batch: list[pipeline.PageResult]) -> int:
        return pipeline.store(session, site_row, ctx, batch,
                              hub_hours=service.hub_hours(site_row, settings.monitor_hub_hours),
                              revalidate_days=service.revalidate_days(site_row, settings.monitor_revalidate_days),
                              retry_minutes=settings.monitor_retry_minutes,
                              max_attempts=settings.monitor_max_attempts, max_pages=settings.monitor_max_pages)

    def write(batch: list[pipeline.PageResult]) -> int:
        """One transaction per batch, without waiting for the WAL flush: crawl state lost in a crash is
        only refetched (its leases expire), so durability per page is not worth a disk sync per page."""
        known = site_row.pages_known
        try:
            session.exec(text("SET LOCAL synchronous_commit TO OFF"))
            dropped = store(batch)
            session.commit()
            return dropped
        except Exception:  # noqa: BLE001 - one bad page must not lose the others: write them one by one
            session.rollback()
            site_row.pages_known = known
            log.warning("monitor batch of site %s failed; writing pages one by one", site_id, exc_info=True)
        dropped = 0
        for result in batch:
            try:
                dropped += store([result])
                session.commit()
            except Exception:  # noqa: BLE001 - the page stays leased and is redone after its lease
                session.rollback()
                log.warning("monitor page %s not recorded", result.claimed.url, exc_info=True)
        return dropped

    async def flush(minimum: int = 1) -> None:
        async with lock:
            if len(ready) < minimum:
                return
            batch = ready[:]
            ready.clear()
            report.dropped += await asyncio.to_thread(write, batch)

    try:
        async with PoliteFetcher(gate, crawl) as fetcher:
            if site.sitemap_at is None or site.sitemap_at < now - timedelta(days=site.revalidate_days
                                                                            or settings.monitor_revalidate_days):
                report.dropped += await _sitemaps(fetcher, ctx, site_row, session, settings, now,
                                                  timeout=max(1.0, deadline - time.monotonic()))
            semaphore = asyncio.Semaphore(max(4, settings.monitor_per_host * 4))

            async def one(item: service.Claimed) -> None:
                async with semaphore:
                    result = await pipeline.process(fetcher, ctx, item, now)
                if store_snapshots:
                    await _store_snapshot(result)
                ready.append(result)
                if result.deferred:
                    report.deferred += 1
                    await flush(WRITE_BATCH)
                    return
                report.fetched += 1
                report.unchanged += int(result.rec.unchanged)
                report.findings += len(result.findings or [])
                key = str(result.rec.status or result.rec.error)
                report.statuses[key] = report.statuses.get(key, 0) + 1
                await flush(WRITE_BATCH)

            # Home first: whether it answers decides how failing links are judged.
            for item in (c for c in claimed if c.kind == PageKind.home):
                await one(item)
                await flush()
            tasks = {asyncio.create_task(one(c)): c for c in claimed if c.kind != PageKind.home}
            if tasks:
                done, left = await asyncio.wait(tasks, timeout=max(1.0, deadline - time.monotonic()))
                for task in left:
                    task.cancel()
                if left:
                    await asyncio.wait(left)
                for task in done:
                    if task.exception() is not None:
                        log.warning("monitor page %s failed", tasks[task].url, exc_info=task.exception())
                await flush()
                unfinished = [tasks[t].id for t in left] + [tasks[t].id for t in done if t.exception()]
                if unfinished:
                    await asyncio.to_thread(service.release, session, unfinished)
                    report.released = len(unfinished)
        report.more, report.backlog = await asyncio.to_thread(_finish, site_id, report.dropped, settings)
    finally:
        await asyncio.to_thread(session.close)
    return report


def _finish(site_id: int, dropped: int, settings: CheckerSettings) -> tuple[bool, int]:
    with _session() as session:
        now = utcnow()
        more = service.finish_slice(session, site_id, now, budget_dropped=dropped,
                                    lease_seconds=settings.monitor_lease_seconds)
        if more:
            return True, service.backlog(session, site_id, now)
        site = session.get(MonitorSite, site_id)
        if site is not None and site.last_full_cycle_at == now:
            service.prune(session, site_id, now, settings.monitor_prune_days)
            try:
                site_pass.run(session, site_id, now)
            except Exception:  # noqa: BLE001 - the pass is redone after the next cycle; the crawl goes on
                session.rollback()
                log.warning("site pass of site %s failed", site_id, exc_info=True)
        return False, 0


async def _sitemaps(fetcher: PoliteFetcher, ctx: pipeline.SiteContext, site: MonitorSite, session: Session,
                    settings: CheckerSettings, now: datetime, timeout: float) -> int:
    """Queue the URLs the site's sitemaps list; returns how many the budget left out. Within the slice's
    time (the worker's job timeout is the slice's bound): sitemaps too slow to read are skipped, like broken
    ones, and the pages are reached through their links."""
    try:
        urls = await asyncio.wait_for(pipeline.sitemap_urls(fetcher, ctx, settings.monitor_max_pages), timeout)
    except Exception:  # noqa: BLE001 - sitemaps are a help, never a reason to fail a slice
        log.warning("sitemap of site %s failed", site.site_id, exc_info=True)
        urls = []
    found = []
    for url in urls:
        normal = service.normalise(url)
        if normal and service.same_site(normal, ctx.host):
            kind = PageKind.attachment if pipeline.looks_like_attachment(normal) else PageKind.other
            found.append(service.Found(normal, kind, 1))

    def write() -> int:
        session.exec(text("UPDATE checker.monitor_site SET sitemap_at = :at WHERE site_id = :s")
                     .bindparams(at=now, s=site.site_id))
        _, dropped = service.upsert_urls(session, site, found, now, settings.monitor_max_pages)
        session.commit()
        return dropped

    return await asyncio.to_thread(write)


# ---------------------------------------------------------------------------------------------------
# arq jobs


MAX_AHEAD = 6 * 3600.0   # seconds a slice may be placed ahead of the queue's newest (arq expires jobs after a day)
MAX_LANES = 4            # slices of one site at once, at most
LANE_BACKLOG = 200       # due pages per extra lane


def queue_ahead(backlog: int, rules: Politeness) -> float:
    """How far ahead of plain arrival order a site's next slice goes: the time its due pages need at the
    host's politeness at least. The queue is arq's sorted set, read in score order, so sites with the most
    left to fetch are served first (longest work first): a 5,000-page site is the cycle's floor at 2
    requests/s and must not wait its turn behind two thousand small sites after every slice."""
    if rules.delay <= 0:
        return 0.0
    return min(MAX_AHEAD, backlog * rules.delay / max(1, rules.per_host))


def lanes(backlog: int) -> int:
    """Slices a site may have queued or running at once. One is enough for most sites; a site with a large
    backlog gets more, so that its host stays busy at its politeness while a finished slice's successor waits
    for a worker (arq hands each worker a list of queued jobs read before, so even a slice queued ahead may
    wait a slice's length). The per-host gate in Redis keeps the rate whatever the number of slices, and
    claims never overlap (SKIP LOCKED), so lanes only fill the gaps."""
    return max(1, min(MAX_LANES, 1 + backlog // LANE_BACKLOG))


async def enqueue_slice(redis: Any, site_id: int, *, ttl: int, defer_by: float | None = None,
                        ahead: float = 0.0, lane: int = 0) -> bool:
    """Enqueue a slice in the site's lane unless one is queued or running there (the marker expires with a
    lost job)."""
    if not await redis.set(marker_key(site_id, lane), "1", nx=True, ex=ttl):
        return False
    until = datetime.now(UTC) - timedelta(seconds=ahead) if ahead > 0 and not defer_by else None
    await redis.enqueue_job("monitor_slice", site_id, lane, _queue_name=_queue(), _defer_by=defer_by,
                            _defer_until=until)
    return True


def _marker_ttl(settings: CheckerSettings) -> int:
    # Long enough to outlast a backlog in the queue (no duplicate slices), short enough that a site whose job
    # was lost altogether (arq retries a killed worker's job itself) is scheduled again within the hour.
    return max(3600, settings.checker_job_timeout + settings.monitor_lease_seconds)


async def monitor_slice(ctx: dict[str, Any], site_id: int, lane: int = 0) -> str:
    settings = get_checker_settings()
    redis = ctx["redis"]
    if not settings.monitor_enabled:
        await redis.delete(marker_key(site_id, lane))
        return "monitoring disabled"
    try:
        report = await run_slice(redis, site_id, settings=settings)
    except OperationalError as exc:   # the database is ours (e.g. out of connections): this slice again, later
        job_try = ctx.get("job_try", 1)
        if job_try < settings.checker_max_tries:
            raise Retry(defer=min(60, 5 * job_try)) from exc
        raise
    finally:
        await redis.delete(marker_key(site_id, lane))
    if report.more:
        # This lane goes on, and the lanes the backlog calls for are opened; a lane beyond them ends here.
        ahead = queue_ahead(report.backlog, politeness(settings, monitor_crawl_settings()))
        for other in range(lanes(report.backlog)):
            await enqueue_slice(redis, site_id, ttl=_marker_ttl(settings), ahead=ahead, lane=other)
    elif report.deferred:   # rows put off for an outside target's answer: back when they fall due, not at the cron
        await enqueue_slice(redis, site_id, ttl=_marker_ttl(settings), defer_by=DEFER_SECONDS + 1, lane=lane)
    return (f"site {site_id}: {report.fetched}/{report.claimed} fetched, {report.unchanged} unchanged, "
            f"{report.findings} findings, {report.deferred} deferred, more={report.more}")


THREADS = 16   # below the engine's pool (10 + 10 overflow): every thread may hold a connection


async def startup(ctx: dict[str, Any]) -> None:
    """The inspection worker's startup, and a wider default thread pool: slices hand their database writes,
    parsing and extraction to threads, and asyncio's default (cores + 4 = 6 here) queued a hundred slices'
    round trips behind six threads — homepage-only slices took 17 s on a province's first minute."""
    from services.checker.inspections import jobs as inspection_jobs
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=THREADS,
                                                                       thread_name_prefix="monitor"))
    await inspection_jobs.startup(ctx)


async def shutdown(ctx: dict[str, Any]) -> None:
    from services.checker.inspections import jobs as inspection_jobs
    await inspection_jobs.shutdown(ctx)
    await asyncio.to_thread(extract.shutdown)


async def sync_from_registry(registry: RegistryClient) -> tuple[int, int]:
    """The registry's running (active) sites become the monitored ones. A 信息公开专栏 is not one: its pages
    are its host site's, monitored with it; an inspection crawls the 专栏's prefix."""
    records = [site async for site in registry.sites(None, state="active") if site.get("kind") != "column"]

    def write() -> tuple[int, int]:
        with _session() as session:
            return service.sync_sites(session, records, overrides=service.schedule_overrides(session))

    return await asyncio.to_thread(write)


async def monitor_schedule(ctx: dict[str, Any]) -> str:
    settings = get_checker_settings()
    if not settings.monitor_enabled:
        return "monitoring disabled"
    redis = ctx["redis"]
    note = ""
    if await redis.set(f"{_queue()}:monitor:sync", "1", nx=True, ex=max(60, settings.monitor_sync_minutes * 60)):
        if "registry" not in ctx:
            ctx["registry"] = RegistryClient()
        try:
            added, stopped = await sync_from_registry(ctx["registry"])
            note = f"sync: {added} new, {stopped} stopped; "
        except RegistryError as exc:
            await redis.delete(f"{_queue()}:monitor:sync")  # try again next minute
            log.warning("monitor sync failed: %s", exc)
            note = "sync failed; "

    if await redis.set(f"{_queue()}:monitor:prune", "1", nx=True, ex=86400):
        def prune() -> int:
            from services.checker.monitor import ledger
            before, total = utcnow() - timedelta(days=settings.monitor_history_days), 0
            with _session() as session:
                while True:  # bounded batches, each its own transaction
                    deleted = ledger.prune_resolved(session, before)
                    session.commit()
                    total += deleted
                    if deleted < 10_000:
                        return total
        note += f"{await asyncio.to_thread(prune)} resolved problems pruned; "

    def due() -> list[int]:
        with _session() as session:
            now = utcnow()
            stalled = service.stalled_cycles(session, now, settings.monitor_lease_seconds)
            return service.sites_with_due(session, now) + stalled

    sites = await asyncio.to_thread(due)
    enqueued = 0
    for site_id in sites:
        enqueued += await enqueue_slice(redis, site_id, ttl=_marker_ttl(settings))
    return f"{note}{len(sites)} sites due, {enqueued} slices enqueued"


def table_sizes(session: Session) -> dict[str, int]:
    """Bytes on disk of the monitoring tables with their indexes (for the coverage report and the bench)."""
    rows = session.exec(text("""
        SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'checker' AND c.relname IN ('monitor_site', 'monitor_page', 'monitor_link')
    """)).all()
    return {name: int(size) for name, size in rows}
