"""The checker's arq worker: `arq services.checker.worker.WorkerSettings` (several may run at once).

Queue `GOVWATCH_CHECKER_QUEUE` on `GOVWATCH_REDIS_URL`; see services/checker/inspections/jobs.py for
the jobs and how a killed worker loses nothing.
"""
from arq import cron
from arq.worker import func

from services.checker.inspections import jobs
from services.checker.inspections.config import get_checker_settings
from services.checker.inspections.flows import redis_settings
from services.checker.schedules.flows import run_schedules
from services.common.settings import require_client_secrets

require_client_secrets("service_client_secret")  # a worker with an empty or well-known secret does not start
_settings = get_checker_settings()


class WorkerSettings:
    functions = [
        func(jobs.plan_inspection, name="plan_inspection"),
        func(jobs.probe_round, name="probe_round"),
        func(jobs.check_target, name="check_target"),
    ]
    # Named after the queue: cron job ids are global to the Redis database (see services/reporting/worker.py).
    cron_jobs = [cron(jobs.sweep_orphans, name=f"cron:sweep_orphans:{_settings.checker_queue}",
                      second=set(range(0, 60, max(1, min(_settings.sweep_every_seconds, 60)))),
                      run_at_startup=False, unique=True),
                 # Scheduled rounds (定期检查): at most one per schedule and period, whichever worker runs it;
                 # every 10 s, so a round starts within seconds of its time (one query when none is due).
                 cron(run_schedules, name=f"cron:run_schedules:{_settings.checker_queue}", second=set(range(0, 60, 10)),
                      run_at_startup=True, unique=True)]
    on_startup = jobs.startup
    on_shutdown = jobs.shutdown
    redis_settings = redis_settings()
    queue_name = _settings.checker_queue
    max_tries = _settings.checker_max_tries
    job_timeout = _settings.checker_job_timeout
    max_jobs = _settings.checker_max_jobs
    # Outcomes are kept an hour: the same job id cannot be enqueued again meanwhile (re-runs clear it).
    keep_result = 3600
    health_check_interval = 30
