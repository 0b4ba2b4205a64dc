"""Settings of the reporting service (environment, prefix GOVWATCH_), beside the shared ones."""
from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class ReportingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVWATCH_", extra="ignore")

    checker_url: str = "http://127.0.0.1:8002"
    # 合格率: raw counts are stored; this is how they are printed (seed 004: 92.2% and 93%).
    pass_rate_decimals: int = 1
    pass_rate_strip_zeros: bool = True

    basis: str = "《政府网站与政务新媒体检查指标》"
    rectification_days: int = 10
    # Passing targets that still have findings are listed in the attachments as 合格 with a remark.
    list_passing_with_findings: bool = True

    # Rectification (整改): evidence uploads, reminders, the background sweep.
    evidence_max_bytes: int = 50 * 1024 * 1024
    due_soon_days: int = 3                   # "due soon" reminder this many days before the deadline
    timezone: str = "Asia/Shanghai"          # deadlines are calendar days where the offices work
    reporting_queue: str = "govwatch:reporting"
    sweep_every_seconds: int = 60            # how often the worker's sweep runs
    sweep_enabled: bool = True               # False: this worker renders notices only (another one sweeps)
    notify_webhook_url: str | None = None    # every notification is also POSTed here (JSON)
    notify_email_to: str | None = None       # and mailed here (comma-separated), besides per-unit channels
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_from: str = "govwatch@localhost"
    notify_max_attempts: int = 5
    notify_timeout_seconds: float = 10.0

    # Self-inspection reports (自查报告): due this many days after the quarter ends.
    self_report_due_days: int = 15

    soffice: str = "soffice"
    pdf_timeout_seconds: int = 180
    # The warm LibreOffice of the worker (render_pdf.Office): the Python that has `uno` (Debian's python3-uno).
    office_python: str = "/usr/bin/python3"
    office_start_seconds: float = 60.0
    # Issuing in the background: a rendering whose worker stopped beating this long ago is redone, at most
    # this many attempts in all (then the notice is render_failed and can be issued again).
    render_stale_seconds: int = 45
    render_max_attempts: int = 3
    store_attempts: int = 4
    store_wait_seconds: float = 0.5


@lru_cache
def get_reporting_settings() -> ReportingSettings:
    return ReportingSettings()
