"""Settings read from the environment (prefix GOVWATCH_), one object per process."""
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVWATCH_", extra="ignore")

    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/govwatch"
    redis_url: str = "redis://127.0.0.1:6379/0"

    s3_endpoint: str = "127.0.0.1:8333"
    s3_access_key: str = "govwatch"
    s3_secret_key: str = "govwatch-secret-key"
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    bucket_evidence: str = "govwatch-evidence"
    bucket_snapshots: str = "govwatch-snapshots"
    bucket_notices: str = "govwatch-notices"

    # Registry signs tokens with this RSA key (PEM); created by infra/up when missing.
    jwt_private_key_file: Path = ROOT / "var" / "keys" / "jwt-private.pem"
    jwt_issuer: str = "govwatch-registry"
    access_token_minutes: int = 60
    # Other services verify against the registry's published JWKS.
    registry_url: str = "http://127.0.0.1:8001"
    jwks_cache_seconds: int = 300

    upload_max_bytes: int = 20 * 1024 * 1024  # bulk import files
    # Evidence files (filings here, rectification in ReportingSettings: the same GOVWATCH_EVIDENCE_MAX_BYTES),
    # shown to people by GET /api/v1/uploads/limits.
    evidence_max_bytes: int = 50 * 1024 * 1024
    import_max_rows: int = 10_000  # bulk and bootstrap imports: more data rows are refused before parsing on
    allow_private_targets: bool = False
    # Non-public addresses user-entered URLs may still reach (services/common/netguard.py): comma-separated
    # `address[/prefix][:port]`, e.g. an intranet webhook receiver "10.0.3.7:8080". Empty: none.
    outbound_allow: str = ""

    # Service-to-service client credentials (client-credentials grant): the checker's, and the reporting
    # service's own, so the registry's and the checker's audit trails name which service acted.
    # No default: a service refuses to start without its secret (`require_client_secrets`); ./infra/up and
    # ./infra/test generate them (var/secrets.env).
    service_client_id: str = "govwatch-checker"
    service_client_secret: str = ""
    reporting_client_id: str = "govwatch-reporting"
    reporting_client_secret: str = ""

    # National reporting systems (全国政府网站/政务新媒体信息报送系统): REST base URL and client credentials.
    national_url: str = "http://127.0.0.1:8096"
    national_client_id: str = "govwatch"
    national_client_secret: str = ""
    national_timeout_seconds: float = 10.0
    national_max_attempts: int = 8          # then the push is marked failed
    national_backoff_seconds: float = 5.0   # first retry delay; doubles per attempt
    national_backoff_max_seconds: float = 3600.0
    national_poll_seconds: float = 2.0      # idle wait of the sync worker
    national_reconcile_minutes: float = 0   # scheduled reconciliation by the worker; 0 = off


@lru_cache
def get_settings() -> Settings:
    return Settings()


# Secrets once shipped as defaults (settings, docker-compose.yml): public, so never usable.
WELL_KNOWN_SECRETS = frozenset({
    "change-me-checker-secret", "change-me-reporting-secret", "change-me-national-secret", "change-me",
})
MIN_SECRET_LENGTH = 16


class InsecureSecretError(RuntimeError):
    """A service was started with an empty, too short or well-known client secret."""


def is_usable_secret(secret: str | None) -> bool:
    return bool(secret) and len(secret) >= MIN_SECRET_LENGTH and secret not in WELL_KNOWN_SECRETS


def require_client_secrets(*fields: str, settings: Settings | None = None) -> None:
    """Refuse to start (at start-up of a service or worker) unless each named secret is set and not a
    well-known default. `fields` are Settings attribute names, e.g. "service_client_secret"."""
    settings = settings or get_settings()
    bad = [f for f in fields if not is_usable_secret(getattr(settings, f))]
    if bad:
        names = ", ".join(f"GOVWATCH_{f.upper()}" for f in bad)
        raise InsecureSecretError(
            f"refusing to start: {names} is empty, shorter than {MIN_SECRET_LENGTH} characters or a well-known "
            "default; set a random secret (e.g. `openssl rand -hex 32`) and register the same one at the registry "
            "(./infra/up and ./infra/test generate theirs in var/secrets.env)")
