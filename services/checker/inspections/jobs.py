"""The arq job bodies: plan an inspection, run a probe round, check one target, sweep orphans.

Robustness rules:
- results are upserted (unique per inspection/kind/target), so a retried or duplicated job is harmless;
- infrastructure failures (registry, database) raise and arq retries them (`max_tries`); on the last
  try the target gets an `error` result instead, so it never stays without one;
- whatever a target does to the check (hangs, garbage, crashes the parser) ends as an `error` result on
  that target only; the check is cut before arq's own job timeout would discard it;
- a worker killed with SIGKILL leaves its jobs in the queue; another worker picks them up once arq's
  in-progress lock expires. arq sets that lock to job timeout + 10 s (610 s); every job here holds it as
  a short lease instead (`_lease`: cut to `checker_lease_seconds` at the start, renewed every quarter of
  it while the job is alive), so a dead worker's job is retried seconds later while a long live check
  keeps it. If even that was the last try, the sweeper writes the `error` result. A probe round lost
  that way is made up by each site's check (`_probe_series`).
"""
import asyncio
import contextlib
import logging
import traceback
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from arq import Retry
from arq.constants import in_progress_key_prefix
from arq.jobs import Job, JobStatus
from minio.error import S3Error
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from services.checker.crawl import spool
from services.checker.crawl.config import CrawlSettings
from services.checker.crawl.fetch import Fetcher
from services.checker.inspections import flows, runner, service
from services.checker.inspections.config import get_checker_settings
from services.checker.inspections.models import (
    RUNNING_STATES, Inspection, InspectionResult, InspectionState, InspectionTarget, ResultStatus, TargetKind,
    utcnow,
)
from services.checker.monitor import ledger as ledgers
from services.checker.monitor.models import MonitorSite
from services.checker.platforms import transport
from services.checker.registry_client import RegistryClient, RegistryError
from services.checker.store import indicator_sets, wordlists
from services.common.db import get_engine
from services.common.s3 import get_s3
from services.common.settings import get_settings

log = logging.getLogger(__name__)
PROBE_CONCURRENCY = 32


class Transient(Exception):
    """Worth retrying: the problem is ours (registry, database), not the target's."""


def _session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


def crawl_settings() -> CrawlSettings:
    settings = get_checker_settings()
    base = CrawlSettings.fast() if settings.checker_crawl_profile == "fast" else CrawlSettings()
    return replace(base, probe_deadline=settings.probe_timeout)


def _registry(ctx: dict[str, Any]) -> RegistryClient:
    if "registry" not in ctx:
        ctx["registry"] = RegistryClient()
    return ctx["registry"]


def _backoff(job_try: int) -> int:
    return min(5 * 2 ** (job_try - 1), 120)


@contextlib.asynccontextmanager
async def _lease(ctx: dict[str, Any], target_pk: int | None = None) -> AsyncIterator[None]:
    """Hold the job's arq in-progress lock as a short lease while the job body runs, and (for a check)
    record the try and its heartbeat on the target. The renewal is a task of the job's own event loop:
    when the worker dies the lock lapses `checker_lease_seconds` later and any worker retries the job.
    arq deletes the lock when the job ends; a renewal after that is a no-op (PEXPIRE of a missing key)."""
    redis, job_id = ctx.get("redis"), ctx.get("job_id")
    lease_ms = get_checker_settings().checker_lease_seconds * 1000
    key = in_progress_key_prefix + str(job_id)

    async def renew() -> None:
        await redis.pexpire(key, lease_ms)
        if target_pk is not None:
            await asyncio.to_thread(_heartbeat, target_pk, lease_ms / 1000)

    async def keep() -> None:
        while True:
            await asyncio.sleep(lease_ms / 4000)
            try:
                await renew()
            except Exception:  # noqa: BLE001  a missed renewal is retried; the lease has slack for three
                log.warning("lease renewal of %s failed", job_id, exc_info=True)

    if redis is None or job_id is None:  # called outside a worker (tests call job bodies directly)
        yield
        return
    await redis.pexpire(key, lease_ms)
    if target_pk is not None:
        await asyncio.to_thread(_begin_try, target_pk, int(ctx.get("job_try", 1)), lease_ms / 1000)
    keeper = asyncio.create_task(keep())
    try:
        yield
    finally:
        keeper.cancel()


def _begin_try(target_pk: int, attempt: int, lease_seconds: float) -> None:
    with _session() as session:
        service.begin_try(session, target_pk, attempt, lease_seconds)


def _heartbeat(target_pk: int, lease_seconds: float) -> None:
    with _session() as session:
        service.heartbeat(session, target_pk, lease_seconds)


# ---------------------------------------------------------------------------------------------------


async def plan_inspection(ctx: dict[str, Any], inspection_id: int) -> str:
    settings = get_checker_settings()
    try:
        async with _lease(ctx):
            with _session() as session:
                return await flows.plan(session, ctx["redis"], inspection_id, _registry(ctx))
    except (RegistryError, OperationalError) as exc:
        if ctx.get("job_try", 1) < settings.checker_max_tries:
            raise Retry(defer=_backoff(ctx.get("job_try", 1))) from exc
        with _session() as session:
            service.set_failed(session, inspection_id, f"无法从登记系统获取检查对象: {exc}")
        return "failed"


async def probe_round(ctx: dict[str, Any], inspection_id: int, seq: int, at_iso: str) -> str:
    """Probe the homepage of every active site of the inspection once; `at` is the monitoring time the
    round stands for. Sites already probed in this round (a retried job) are skipped."""
    at = datetime.fromisoformat(at_iso)
    with _session() as session:
        inspection = session.get(Inspection, inspection_id)
        if inspection is None or inspection.state != InspectionState.running:
            return "skipped"
        done = service.probed_seqs(session, inspection_id, seq)
        sites = [t for t in service.targets_of(session, inspection_id, TargetKind.site)
                 if t.state in RUNNING_STATES and t.url and t.target_id not in done]
    semaphore = asyncio.Semaphore(PROBE_CONCURRENCY)

    async def one(fetcher: Fetcher, target: InspectionTarget) -> None:
        async with semaphore:
            probe = await fetcher.probe(target.url)
        _record_probe(inspection_id, target.target_id, seq, at, probe)

    async with _lease(ctx), Fetcher(crawl_settings()) as fetcher:
        await asyncio.gather(*(one(fetcher, t) for t in sites))
    return f"probed {len(sites)} sites"


def _load(inspection_id: int, kind: TargetKind, target_id: int) -> tuple[Inspection | None, InspectionTarget | None]:
    with _session() as session:
        return session.get(Inspection, inspection_id), service.get_target(session, inspection_id, kind, target_id)


async def check_target(ctx: dict[str, Any], inspection_id: int, kind: str, target_id: int) -> str:
    # Database work runs in threads: a blocking query on the event loop would stall every other check
    # this worker runs at the same time (dozens of accounts each waiting on their data source).
    try:
        inspection, target = await asyncio.to_thread(_load, inspection_id, TargetKind(kind), target_id)
    except OperationalError as exc:  # the database is ours: try again later (e.g. out of connections)
        job_try = ctx.get("job_try", 1)
        if job_try < get_checker_settings().checker_max_tries:
            raise Retry(defer=_backoff(job_try)) from exc
        raise
    if inspection is None or target is None:
        return "gone"
    if inspection.state in (InspectionState.cancelled, InspectionState.failed):
        return "cancelled"
    async with _lease(ctx, target.id):
        outcome = await _check(ctx, inspection, target)
    _flush_spool()
    return outcome


_flushing: set[asyncio.Task[None]] = set()


def _flush_spool() -> None:
    """Snapshots this worker spooled go up as soon as its store answers again, in the background (the
    sweeper, which does the same, may run on another worker with another disk)."""
    if _flushing or spool.store_down() or not spool.pending():
        return

    async def flush() -> None:
        try:
            log.info("%s", await asyncio.to_thread(sweep_snapshots))
        except Exception:  # noqa: BLE001  the sweeper tries again
            log.warning("snapshot spool flush failed", exc_info=True)

    task = asyncio.create_task(flush())
    _flushing.add(task)
    task.add_done_callback(_flushing.discard)


async def _check(ctx: dict[str, Any], inspection: Inspection, target: InspectionTarget) -> str:
    settings = get_checker_settings()
    job_try = ctx.get("job_try", 1)
    kind, target_id = target.kind, target.target_id
    try:
        inputs = await _inputs(ctx, inspection, target)
    except Transient as exc:
        if job_try < settings.checker_max_tries:
            raise Retry(defer=_backoff(job_try)) from exc
        return await _stored(target, ResultStatus.error, None, f"检查所需数据无法获取: {exc}", job_try)
    except Exception as exc:  # noqa: BLE001  e.g. the inspection's indicator set no longer validates
        return await _stored(target, ResultStatus.error, None, f"检查无法开始: {type(exc).__name__}: {exc}", job_try)
    task = asyncio.create_task(_run(inspection, target, inputs))
    try:
        # Not asyncio.wait_for: it waits for the cancelled crawl to clean up, which may outlast arq's
        # job timeout (and a job arq times out is dropped without a result).
        done, _ = await asyncio.wait({task}, timeout=settings.checker_check_timeout)
        if not done:
            task.cancel()
            task.add_done_callback(lambda t: t.cancelled() or t.exception())  # nobody awaits it
            return await _stored(target, ResultStatus.error, None,
                                 f"检查超时（超过 {settings.checker_check_timeout} 秒未完成）", job_try)
        result = task.result()
    except asyncio.CancelledError:
        task.cancel()  # worker shutting down: arq runs the job again
        raise
    except Exception as exc:  # noqa: BLE001  whatever the target did, it stays that target's problem
        log.warning("check of %s:%s failed: %s", kind, target_id, traceback.format_exc(limit=5))
        return await _stored(target, ResultStatus.error, None, f"检查出错: {type(exc).__name__}: {exc}", job_try)
    return await _stored(target, ResultStatus.ok, result, None, job_try)


async def _stored(target: InspectionTarget, status: ResultStatus, result: dict[str, Any] | None,
                  error: str | None, attempts: int) -> str:
    return await asyncio.to_thread(_store, target, status, result, error, attempts)


def _store(target: InspectionTarget, status: ResultStatus, result: dict[str, Any] | None, error: str | None,
           attempts: int) -> str:
    with _session() as session:
        row = service.upsert_result(session, target, status=status, result=result, error=error, attempts=attempts)
        service.complete_if_done(session, target.inspection_id)
        return f"{row.status} {row.verdict or ''}".strip()


def _probes_of(inspection_id: int, target_id: int) -> list[Any]:
    with _session() as session:
        return service.probes_of(session, inspection_id, target_id)


def _record_probe(inspection_id: int, target_id: int, seq: int, at: datetime, probe: Any) -> None:
    with _session() as session:
        service.record_probe(session, inspection_id, target_id, seq, at=at, ok=probe.ok, status=probe.status,
                             elapsed_ms=probe.elapsed_ms, error=probe.error)


async def _probe_series(inspection: Inspection, target: InspectionTarget, url: str | None) -> list[Any]:
    """The site's availability series. Rounds whose time has passed but that never reached this site are
    made up now: a round killed with its worker is retried by arq only when its lock expires, which may be
    after the window closed, and the site must still be judged on its whole series."""
    if not (inspection.probe_count and inspection.schedule_start and target.state in RUNNING_STATES):
        return []
    rows = _probes_of(inspection.id, target.target_id)
    have = {row.seq for row in rows}
    now = utcnow()
    missed = [slot for slot in flows.schedule(inspection, now)[2]
              if slot.seq not in have and slot.run_at <= now]
    if missed and url:
        async with Fetcher(crawl_settings()) as fetcher:
            for slot in missed:
                probe = await fetcher.probe(url)
                _record_probe(inspection.id, target.target_id, slot.seq, slot.at, probe)
        rows = _probes_of(inspection.id, target.target_id)
    return runner.as_probes(rows)


_engine_sets: dict[tuple[str, int], Any] = {}


def _set_and_matcher(inspection: Inspection, org_path: str) -> tuple[Any, Any]:
    """The inspection's indicator set (a version's definition never changes, so it is validated once per
    worker) and the word list of the target's organisation (read each time: entries may change)."""
    key = (inspection.indicator_set, inspection.indicator_set_version)
    with _session() as session:
        if key not in _engine_sets:
            if len(_engine_sets) > 64:
                _engine_sets.clear()
            _engine_sets[key] = indicator_sets.engine_set(indicator_sets.get(session, None, *key).definition)
        return _engine_sets[key], wordlists.matcher_for(session, org_path)


async def _inputs(ctx: dict[str, Any], inspection: Inspection, target: InspectionTarget) -> dict[str, Any]:
    try:
        indicator_set, matcher = await asyncio.to_thread(_set_and_matcher, inspection, target.org_path)
        facts: dict[str, Any] = target.facts
        url, probes, ledger, monitored = target.url, [], None, "never"
        if target.kind == TargetKind.site:
            try:
                detail = await _registry(ctx).get_site(target.target_id)
            except RegistryError as exc:
                raise Transient(str(exc)) from exc
            facts = {**target.facts, **(detail or {})}  # a site deleted since planning keeps its planned facts
            url = facts.get("homepage_url") or target.url
            probes = await _probe_series(inspection, target, url)
            if scope_of(facts) is None:
                ledger, monitored = await asyncio.to_thread(_ledger_plan, target.target_id)
            # A 专栏 is not monitored on its own (its pages are its host's): it gets the crawl of its prefix.
    except OperationalError as exc:
        raise Transient(f"database: {exc}") from exc
    return {"indicator_set": indicator_set, "matcher": matcher, "probes": probes, "facts": facts, "url": url,
            "ledger": ledger, "monitored": monitored}


def scope_of(facts: dict[str, Any]) -> str | None:
    """The URL prefix a 信息公开专栏's check keeps to (None: a site, the whole host)."""
    return (facts.get("url_prefix") or facts.get("homepage_url")) if facts.get("kind") == "column" else None


def _ledger_plan(site_id: int) -> tuple[ledgers.LedgerPlan | None, str]:
    """The monitoring ledger of a monitored site (first full cycle ended), else None: the site gets the crawl.
    With the site's monitoring status (never, first_cycle, monitoring) for the result's coverage."""
    with _session() as session:
        return (ledgers.plan_for_inspection(session, site_id),
                ledgers.site_status(session.get(MonitorSite, site_id)))


def _apply_recheck(plan: ledgers.LedgerPlan, indicator_set: Any) -> None:
    with _session() as session:
        ledgers.apply_recheck(session, plan, indicator_set)


async def _run(inspection: Inspection, target: InspectionTarget, inputs: dict[str, Any]) -> dict[str, Any]:
    indicator_set = inputs["indicator_set"]
    if target.kind == TargetKind.site:
        ledger = inputs.get("ledger")
        result = await runner.check_site(inputs["url"], now=inspection.now, indicator_set=indicator_set,
                                         facts=runner.registry_facts(inputs["facts"]),
                                         probes=inputs["probes"] or None, matcher=inputs["matcher"],
                                         crawl_settings=crawl_settings(), ledger=ledger,
                                         scope=scope_of(inputs["facts"]))
        if ledger is not None:  # fresh evidence back into the ledger: problems no longer shown are resolved
            await asyncio.to_thread(_apply_recheck, ledger, indicator_set)
        elif result.get("coverage"):
            result["coverage"]["status"] = inputs.get("monitored", "never")
    else:
        result = await runner.check_account(inputs["facts"], now=inspection.now, indicator_set=indicator_set,
                                            matcher=inputs["matcher"])
    result.setdefault("target", {})["id"] = target.target_id
    result["target"].setdefault("kind", str(target.kind))
    return result


# ---------------------------------------------------------------------------------------------------


def sweep_snapshots() -> str:
    """Snapshots spooled while S3 was down (crawl/spool.py) are uploaded once it answers, and the evidence
    of results citing them stops saying pending (only for keys really in the store now)."""
    uploaded, left = spool.upload()
    if left:
        return f"{uploaded} spooled snapshots uploaded, {left} left: the store is still down"
    cleared = 0
    bucket = get_settings().bucket_snapshots
    # After uploads every pending result is looked at; otherwise only recent ones (a result written after
    # its snapshots were uploaded), so the routine sweep does not read every result's JSON.
    since = None if uploaded else utcnow() - timedelta(hours=1)
    with _session() as session:
        for row in service.pending_snapshot_results(session, since):
            stored: set[str] = set()
            for key in service.pending_keys(row.result):
                if spool.has(key):
                    continue  # spooled after the upload above: the next sweep takes it
                try:
                    get_s3().stat_object(bucket, key)
                except S3Error:
                    continue  # not in the store (another host's spool may hold it): stays pending
                stored.add(key)
            if stored:
                service.mark_snapshots_stored(session, row, stored)
                cleared += len(stored)
    return f"{uploaded} spooled snapshots uploaded; {cleared} evidence snapshots marked stored"


async def sweep_orphans(ctx: dict[str, Any]) -> str:
    """Give an `error` result to targets whose job is gone without one (last try killed, job expired),
    so every running inspection ends. First, spooled snapshots go to the store if it is back."""
    try:
        log.info("%s", await asyncio.to_thread(sweep_snapshots))
    except Exception:  # noqa: BLE001  the orphans below must still be closed
        log.exception("snapshot sweep failed")
    settings = get_checker_settings()
    grace = timedelta(seconds=settings.orphan_grace_seconds)
    written = 0
    with _session() as session:
        running = session.exec(select(Inspection).where(Inspection.state == InspectionState.running)).all()
        for inspection in running:
            own = f"{settings.checker_queue}:{inspection.id}:"  # job ids carry the queue they were put on
            due = (inspection.schedule_end or inspection.started_at or inspection.created_at) + grace
            if utcnow() < due:
                continue
            plan = await Job(flows.plan_job_id(inspection.id), ctx["redis"],
                             _queue_name=settings.checker_queue).status()
            if plan in (JobStatus.queued, JobStatus.deferred, JobStatus.in_progress):
                continue  # a plan killed midway is retried and enqueues the checks it had not yet
            answered = set(session.exec(select(InspectionResult.kind, InspectionResult.target_id).where(
                InspectionResult.inspection_id == inspection.id)).all())
            for target in service.targets_of(session, inspection.id):
                if (target.kind, target.target_id) in answered:
                    continue
                if target.job_id and not target.job_id.startswith(own):
                    continue  # planned on another queue: that queue's workers can see its job, we cannot
                # The queue must be named: arq's Job looks for a queued job in its default queue otherwise,
                # and a check merely waiting its turn here would look gone.
                status = await Job(target.job_id, ctx["redis"], _queue_name=settings.checker_queue).status()
                if status in (JobStatus.not_found, JobStatus.complete):
                    written += service.record_orphan(session, target, "检查任务多次中断，未能完成",
                                                     settings.checker_max_tries)
            service.complete_if_done(session, inspection.id)
    return f"{written} orphaned targets closed"


async def startup(ctx: dict[str, Any]) -> None:
    logging.basicConfig(level=logging.INFO)
    # arq's CLI gives its logger a handler of its own: through the root handler too, each job line was
    # written twice (two writes per job start and end on the worker's hot path).
    logging.getLogger("arq").propagate = False
    get_engine()
    log.info("checker worker: database %s, registry %s", get_settings().database_url.rsplit("@", 1)[-1],
             get_settings().registry_url)


async def shutdown(ctx: dict[str, Any]) -> None:
    registry = ctx.pop("registry", None)
    if registry is not None:
        await registry.aclose()
    await transport.close_clients()   # the account checks' shared feed clients and link fetchers
