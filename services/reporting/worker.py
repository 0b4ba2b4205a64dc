"""The reporting worker: `arq services.reporting.worker.WorkerSettings`. It runs the sweep of
services/reporting/jobs.py every `GOVWATCH_SWEEP_EVERY_SECONDS` (unique: one sweep at a time even
with several workers)."""
from arq import cron
from arq.connections import RedisSettings

from services.common.settings import get_settings, require_client_secrets
from services.reporting import jobs
from services.reporting.settings import get_reporting_settings

require_client_secrets("reporting_client_secret")  # a worker with an empty or well-known secret does not start
_settings = get_reporting_settings()
_every = max(1, min(_settings.sweep_every_seconds, 60))


class WorkerSettings:
    functions: list = []
    # The cron job id is global to the Redis database: named after the queue, so deployments (or test
    # runs) sharing one never skip each other's sweep.
    cron_jobs = [cron(jobs.sweep, name=f"cron:sweep:{_settings.reporting_queue}", second=set(range(0, 60, _every)),
                      run_at_startup=True, unique=True, timeout=600)]
    on_startup = jobs.startup
    redis_settings = RedisSettings.from_dsn(get_settings().redis_url)
    queue_name = _settings.reporting_queue
    health_check_interval = 30
