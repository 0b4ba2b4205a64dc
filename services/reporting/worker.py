"""The reporting worker: `arq services.reporting.worker.WorkerSettings`.

- `render_notice`: the rendering of an issued notice (services/reporting/notices/flows.py), with a warm
  LibreOffice started with the worker (render_pdf.warm) so a PDF does not wait for an office to start.
- every few seconds, renderings whose worker died get their next attempt (flows.reclaim);
- the sweep of services/reporting/jobs.py every `GOVWATCH_SWEEP_EVERY_SECONDS` (unique: one sweep at a
  time even with several workers); `GOVWATCH_SWEEP_ENABLED=0` leaves it to other workers.
"""
import asyncio
import logging
from typing import Any

from arq import cron, func
from arq.connections import RedisSettings

from services.common.settings import get_settings, require_client_secrets
from services.reporting import jobs
from services.reporting.notices import flows, render_pdf
from services.reporting.settings import get_reporting_settings

require_client_secrets("reporting_client_secret")  # a worker with an empty or well-known secret does not start
log = logging.getLogger(__name__)
_settings = get_reporting_settings()
_every = max(1, min(_settings.sweep_every_seconds, 60))
_reclaim_every = max(1, min(_settings.render_stale_seconds // 3, 15))


async def render_notice(ctx: dict[str, Any], notice_id: int, attempt: int) -> str:
    # Blocking rendering and database work: off the event loop (the heartbeat beats from its own thread).
    return await asyncio.to_thread(flows.render, notice_id, attempt)


async def reclaim_renders(ctx: dict[str, Any]) -> int:
    queued = await asyncio.to_thread(flows.reclaim)
    for notice_id, version, run, attempt in queued:
        await flows.enqueue(ctx["redis"], notice_id, version, run, attempt)
    return len(queued)


async def startup(ctx: dict[str, Any]) -> None:
    await jobs.startup(ctx)
    # The office starts in the background: the worker takes jobs at once (a PDF waits for it if need be).
    ctx["office"] = asyncio.get_running_loop().run_in_executor(None, _warm)


def _warm() -> None:
    try:
        render_pdf.warm()
    except Exception:  # noqa: BLE001 - conversions start an office of their own then
        log.exception("the warm office did not start")


async def shutdown(ctx: dict[str, Any]) -> None:
    await asyncio.to_thread(render_pdf.shutdown)


class WorkerSettings:
    functions: list = [func(render_notice, timeout=_settings.pdf_timeout_seconds * 2 + 60)]
    # Cron job ids are global to the Redis database: named after the queue, so deployments (or test
    # runs) sharing one never skip each other's.
    cron_jobs = [cron(reclaim_renders, name=f"cron:notice-renders:{_settings.reporting_queue}",
                      second=set(range(0, 60, _reclaim_every)), run_at_startup=True, unique=True, timeout=60)]
    if _settings.sweep_enabled:
        cron_jobs.append(cron(jobs.sweep, name=f"cron:sweep:{_settings.reporting_queue}",
                              second=set(range(0, 60, _every)), run_at_startup=True, unique=True, timeout=600))
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(get_settings().redis_url)
    queue_name = _settings.reporting_queue
    health_check_interval = 30
    # A rendering is one LibreOffice at a time; two at once share it (the second waits for the first).
    max_jobs = 4
