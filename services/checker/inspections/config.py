"""Checker-only settings (same GOVWATCH_ prefix as the shared settings, read once per process)."""
from functools import lru_cache
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class CheckerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVWATCH_", extra="ignore")

    # arq queue of the checker workers (one queue; probes and checks share it).
    checker_queue: str = "govwatch:checker"
    # A job is tried this often; a target whose last try dies still ends with a (failed) result.
    checker_max_tries: int = 5
    # arq kills a job after this. arq would lock a killed worker's job for `job_timeout + 10` s; the lease
    # below shortens that lock while the job is alive (jobs.py `_lease`).
    checker_job_timeout: int = 600
    # A running job renews its arq lock and its target's heartbeat every lease/4 s; a killed worker's job
    # is taken up by another worker this long after its last renewal (and shown as stalled meanwhile).
    checker_lease_seconds: int = 15
    # The check itself is cut at this (below the job timeout) so a hostile site yields a failed result.
    checker_check_timeout: int = 540
    checker_max_jobs: int = 20
    # Real duration of an availability window = declared duration × scale (tests compress a week to seconds).
    probe_window_scale: float = 1.0
    # Homepage probe: no complete answer within this many seconds counts as failed (indicators.md: 15 s).
    probe_timeout: float = 15.0
    # Crawl limits: "default" for deployments, "fast" (tight timeouts, no politeness delay) for tests/demos.
    checker_crawl_profile: Literal["default", "fast"] = "default"
    # Server-sent progress events poll the database this often (seconds).
    sse_interval: float = 1.0
    # Sweeper: a target with no live job and no result this long after its due time gets a failed result.
    orphan_grace_seconds: int = 120
    # How often the sweeper runs (seconds of each minute it starts at).
    sweep_every_seconds: int = 15
    # Alerts are served once their feed position is this old (longer than any monitoring transaction).
    monitor_alert_settle_seconds: float = 120.0
    # Whole-site monitoring (services/checker/monitor): every page of every active site, in leased slices.
    monitor_enabled: bool = True
    # Monitoring has its own arq queue and workers (services.checker.monitor.worker): slices wait on politeness
    # for minutes, and an inspection's checks must never queue behind a province's monitoring backlog.
    monitor_queue: str = "govwatch:monitor"
    monitor_max_jobs: int = 40                # slices at once per monitor worker (mostly waiting on hosts)
    monitor_slice_size: int = 50              # fetches per slice job (one site)
    monitor_lease_seconds: int = 120          # a slice's pages are claimable again after this (killed worker)
    monitor_hub_hours: int = 24               # homepage and column lists re-fetched this often
    monitor_revalidate_days: int = 30         # other known pages re-validated (conditional request) this often
    monitor_per_host: int = 2                 # concurrent requests per host, across all workers
    monitor_delay_seconds: float = 0.5        # minimum spacing of request starts per host, across all workers
    monitor_max_pages: int = 100_000          # known URLs per site; beyond it new URLs are "not reached: budget"
    monitor_attachment_max_bytes: int = 20 * 1024 * 1024
    monitor_sync_minutes: int = 10            # the site list is re-read from the registry this often
    monitor_indicator_set: str = "gov-2019"   # severities of monitoring findings (veto or deduct)
    monitor_hub_list_pages: int = 3           # pagination pages of a column list kept on the short cycle
    monitor_max_depth: int = 30               # link depth from the homepage (pagination chains are deep)
    monitor_prune_days: int = 30              # removed pages (404/410) are deleted this long after
    monitor_retry_minutes: int = 60           # a page that failed with a transport error is retried after
    monitor_target_hours: int = 24            # an outside link's answer serves every site linking to it this long
    monitor_max_attempts: int = 3             # transport failures before a page waits for its next cycle
    monitor_history_days: int = 365           # resolved problems are kept this long in the ledger


@lru_cache
def get_checker_settings() -> CheckerSettings:
    return CheckerSettings()
