"""No usable default secret: the services and workers refuse to start with an empty, short or
well-known client secret; ./infra/test and ./infra/up generate theirs once (var/secrets.env, mode 600)
and reuse them; docker-compose.yml has no fallback for them."""
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from services.common.settings import InsecureSecretError, Settings, get_settings, require_client_secrets

ROOT = Path(__file__).resolve().parents[2]
SECRET_VARS = ("GOVWATCH_SERVICE_CLIENT_SECRET", "GOVWATCH_REPORTING_CLIENT_SECRET")


@pytest.mark.parametrize("secret", ["", "short", "change-me-checker-secret", "change-me-reporting-secret",
                                    "change-me-national-secret", "change-me"])
def test_unusable_secrets_are_refused(secret):
    settings = Settings(service_client_secret=secret)
    with pytest.raises(InsecureSecretError, match="GOVWATCH_SERVICE_CLIENT_SECRET"):
        require_client_secrets("service_client_secret", settings=settings)


def test_the_shipped_defaults_are_empty():
    defaults = Settings.model_fields
    for field in ("service_client_secret", "reporting_client_secret", "national_client_secret"):
        assert defaults[field].default == "", field


@pytest.mark.parametrize("module, field", [("services.checker.main", "service_client_secret"),
                                           ("services.reporting.main", "reporting_client_secret")])
def test_apis_refuse_to_start_with_a_default_secret(module, field):
    app = __import__(module, fromlist=["app"]).app
    settings = get_settings()
    saved = getattr(settings, field)
    for bad in ("", "change-me-checker-secret" if "checker" in module else "change-me-reporting-secret"):
        setattr(settings, field, bad)
        try:
            with pytest.raises(InsecureSecretError, match=f"GOVWATCH_{field.upper()}"):
                with TestClient(app):
                    pass
        finally:
            setattr(settings, field, saved)


def _without_secrets(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SECRET_VARS}
    env.update(extra)
    return env


def test_a_real_api_process_and_workers_exit_with_a_clear_message():
    uvicorn = Path(sys.executable).with_name("uvicorn")
    runs = {  # started together: each only imports and refuses
        "GOVWATCH_REPORTING_CLIENT_SECRET": ([str(uvicorn), "services.reporting.main:app", "--port", "0"],
                                             {"GOVWATCH_REPORTING_CLIENT_SECRET": "change-me-reporting-secret"}),
        "GOVWATCH_SERVICE_CLIENT_SECRET": ([sys.executable, "-c", "import services.checker.worker"], {}),
        "GOVWATCH_NATIONAL_CLIENT_SECRET": ([sys.executable, "-m", "services.registry.sync"],
                                            {"GOVWATCH_NATIONAL_CLIENT_SECRET": ""}),
    }
    procs = {name: subprocess.Popen(argv, cwd=ROOT, env=_without_secrets(**extra), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True)
             for name, (argv, extra) in runs.items()}
    for name, proc in procs.items():
        _, stderr = proc.communicate(timeout=90)
        assert proc.returncode != 0 and f"refusing to start: {name}" in stderr, (name, stderr[-500:])


def test_infra_generates_the_secrets_once_private_and_reuses_them():
    script = ['bash', '-c', 'source infra/lib.sh && ensure_secrets && '
              'echo "$GOVWATCH_SERVICE_CLIENT_SECRET $GOVWATCH_REPORTING_CLIENT_SECRET"']
    first = subprocess.run(script, cwd=ROOT, env=_without_secrets(), capture_output=True, text=True, timeout=60)
    second = subprocess.run(script, cwd=ROOT, env=_without_secrets(), capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    service, reporting = first.stdout.split()
    assert first.stdout == second.stdout and service != reporting
    settings = Settings(service_client_secret=service, reporting_client_secret=reporting)
    require_client_secrets("service_client_secret", "reporting_client_secret", settings=settings)
    path = ROOT / "var" / "secrets.env"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # ./infra/test exported them to this very process (and so to every service it starts).
    assert os.environ["GOVWATCH_SERVICE_CLIENT_SECRET"] == service == get_settings().service_client_secret


def test_compose_requires_the_client_secrets():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = compose["x-python"]["environment"]
    sync = compose["services"]["sync-worker"]["environment"]
    for value in (env["GOVWATCH_SERVICE_CLIENT_SECRET"], env["GOVWATCH_REPORTING_CLIENT_SECRET"],
                  sync["GOVWATCH_NATIONAL_CLIENT_SECRET"]):
        assert ":?" in value and ":-" not in value, value
