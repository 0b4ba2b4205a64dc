"""Settings of the reporting service (environment, prefix GOVWATCH_), beside the shared ones."""
from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class ReportingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVWATCH_", extra="ignore")

    checker_url: str = "http://127.0.0.1:8002"
    # Service credentials at the registry; the shared service client is used when these are unset.
    reporting_client_id: str | None = None
    reporting_client_secret: str | None = None

    # 合格率: raw counts are stored; this is how they are printed (seed 004: 92.2% and 93%).
    pass_rate_decimals: int = 1
    pass_rate_strip_zeros: bool = True

    basis: str = "《政府网站与政务新媒体检查指标》"
    rectification_days: int = 10
    # Passing targets that still have findings are listed in the attachments as 合格 with a remark.
    list_passing_with_findings: bool = True

    soffice: str = "soffice"
    pdf_timeout_seconds: int = 180
    store_attempts: int = 4
    store_wait_seconds: float = 0.5


@lru_cache
def get_reporting_settings() -> ReportingSettings:
    return ReportingSettings()
