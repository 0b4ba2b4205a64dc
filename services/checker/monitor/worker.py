"""The monitoring worker: `arq services.checker.monitor.worker.WorkerSettings` (several may run, on any hosts).

Its own queue (`GOVWATCH_MONITOR_QUEUE`): a slice spends most of its time waiting for the per-host politeness
of its site, and a province's first cycle keeps thousands of slices queued for hours; inspections (the
checker's queue) must never wait behind that. A killed worker's slice is retried by arq once its lock lapses
(job timeout + 10 s); its pages are claimable again even sooner, when their lease passes.
"""
from arq import cron
from arq.worker import func

from services.checker.inspections.config import get_checker_settings
from services.checker.inspections.flows import redis_settings
from services.checker.monitor import jobs
from services.common.settings import require_client_secrets

require_client_secrets("service_client_secret")  # the site list is read from the registry with it
_settings = get_checker_settings()


class WorkerSettings:
    functions = [func(jobs.monitor_slice, name="monitor_slice")]
    # Every minute: sync the running sites, queue a slice per site with due pages. Named after the queue: cron
    # job ids are global to the Redis database.
    cron_jobs = [cron(jobs.monitor_schedule, name=f"cron:monitor_schedule:{_settings.monitor_queue}",
                      second={30}, run_at_startup=True, unique=True)]
    on_startup = jobs.startup
    on_shutdown = jobs.shutdown
    redis_settings = redis_settings()
    queue_name = _settings.monitor_queue
    # A slice stops fetching at 80 % of its lease (the homepage first, within one page deadline) and gives back
    # what it could not fetch. arq redoes a killed worker's slice only when this lapses (+ 10 s), so it is the
    # slice's own bound, not a fixed minute: the site resumes soon after the killed slice's lease has passed.
    job_timeout = _settings.monitor_lease_seconds + int(jobs.monitor_crawl_settings().page_deadline) + 10
    max_jobs = _settings.monitor_max_jobs
    keep_result = 60
    health_check_interval = 30
