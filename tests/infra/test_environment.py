"""One place for the settings of the processes ./infra/up starts: `infra/env` prints the environment it
builds (lib.sh up_environment), a registry API and a national simulator started with it reconcile over
HTTP with the machine's generated national client secret, and start_process restarts a process whose
environment changed (and only then)."""
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml

from tests.fixtures.national import free_port
from tests.registry.helpers import new_unit
from tests.registry.sync.processes import ROOT, stop, wait_http

SUP = "weinan_supervisor"


def base_env(national_url: str) -> dict[str, str]:
    """This machine's environment without any national setting (the database and store of this run stay)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_NATIONAL_")}
    return {**env, "GOVWATCH_NATIONAL_URL": national_url}


def infra_env(env: dict[str, str]) -> dict[str, str]:
    out = subprocess.run([str(ROOT / "infra" / "env")], env=env, cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=60).stdout
    pairs = [shlex.split(line)[1] for line in out.splitlines() if line.startswith("export ")]
    return dict(p.split("=", 1) for p in pairs)


def with_infra_env(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """`command` in the environment ./infra/up builds, as ./infra/up starts it."""
    script = 'eval "$(./infra/env)" && exec "$@"'
    return subprocess.Popen(["bash", "-c", script, "with-infra-env", *command], env=env, cwd=ROOT,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)


def secrets_file() -> dict[str, str]:
    lines = (ROOT / "var" / "secrets.env").read_text().splitlines()
    return dict(reversed([line.split("=", 1) for line in lines if "=" in line]))  # the first line wins


def test_infra_env_holds_every_setting_with_the_generated_national_secret():
    env = infra_env(base_env("http://127.0.0.1:1"))
    secret = env["GOVWATCH_NATIONAL_CLIENT_SECRET"]
    assert secret == secrets_file()["GOVWATCH_NATIONAL_CLIENT_SECRET"] and len(secret) >= 32
    assert secret != "national-test-secret"
    assert env["GOVWATCH_NATIONAL_URL"] == "http://127.0.0.1:1"  # a value already set wins
    assert env["GOVWATCH_NATIONAL_CLIENT_ID"] == "govwatch"
    assert env["GOVWATCH_DATABASE_URL"] == os.environ["GOVWATCH_DATABASE_URL"]
    for name in ("GOVWATCH_REGISTRY_URL", "GOVWATCH_CHECKER_URL", "GOVWATCH_SERVICE_CLIENT_SECRET",
                 "GOVWATCH_REPORTING_CLIENT_SECRET", "GOVWATCH_S3_ENDPOINT", "GOVWATCH_REDIS_URL"):
        assert env[name], name


def test_registry_reconciles_with_the_environment_infra_up_builds(registry, login, tmp_path):
    national_port, registry_port = free_port(), free_port()
    national_url, registry_url = f"http://127.0.0.1:{national_port}", f"http://127.0.0.1:{registry_port}"
    env = base_env(national_url)
    processes = [
        with_infra_env([sys.executable, "-m", "tests.fixtures.national", "--port", str(national_port),
                        "--db", str(tmp_path / "national.sqlite3")], env, tmp_path / "national.log"),
        with_infra_env([sys.executable, "-m", "uvicorn", "services.registry.main:app", "--host", "127.0.0.1",
                        "--port", str(registry_port), "--log-level", "warning"], env, tmp_path / "registry.log"),
    ]
    try:
        wait_http(f"{national_url}/admin/faults", processes[0], tmp_path / "national.log")
        wait_http(f"{registry_url}/healthz", processes[1], tmp_path / "registry.log")
        # The simulator takes the machine's secret, not the old hard-coded one.
        old = httpx.post(f"{national_url}/oauth/token", data={"client_id": "govwatch",
                                                               "client_secret": "national-test-secret"})
        assert old.status_code == 401
        scope_id, scope_name = new_unit("渭南市")
        scope_path = registry.get(f"/api/v1/orgs/{scope_id}", headers=login(SUP)).json()["path"]
        httpx.post(f"{national_url}/admin/register", json=[{
            "type": "site", "name": "国家系统登记网站", "site_code": "ENV0000017", "state": "active",
            "homepage_url": "https://env17.weinan.gov.cn/", "host_unit": scope_name, "org_path": scope_path,
            "site_kind": "department"}]).raise_for_status()
        response = httpx.post(f"{registry_url}/api/v1/sync/reconciliations", headers=login(SUP),
                              json={"scope_org_id": scope_id, "subject_kind": "site"}, timeout=30)
        assert response.status_code == 201, response.text
        report = response.json()
        assert report["national_count"] == 1 and report["counts"] == {"missing_here": 1}
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, 15)
            except ProcessLookupError:
                pass
            stop(process)


def alive(pid: str) -> bool:
    """Running, and not a zombie no init has reaped yet."""
    stat = subprocess.run(["ps", "-o", "stat=", "-p", pid], capture_output=True, text=True).stdout.strip()
    return bool(stat) and not stat.startswith("Z")


def run_lib(script: str, **env: str) -> str:
    return subprocess.run(["bash", "-c", f'source infra/lib.sh; {script}'], cwd=ROOT, capture_output=True,
                          text=True, check=True, timeout=60, env={**os.environ, **env}).stdout.strip()


def test_start_process_restarts_a_process_whose_environment_changed():
    name = f"envtest-{os.getpid()}-{time.monotonic_ns()}"
    start = f'start_process {name} sleep 300; cat "$VAR/run/{name}.pid"'
    try:
        first = run_lib(start, GOVWATCH_ENVTEST="a")
        assert run_lib(start, GOVWATCH_ENVTEST="a") == first  # same settings: left running
        second = run_lib(start, GOVWATCH_ENVTEST="b")
        assert second != first
        assert not alive(first)  # the old one is gone
        assert run_lib(f"is_current {name} && echo yes || echo no", GOVWATCH_ENVTEST="b") == "yes"
        assert run_lib(f"is_current {name} && echo yes || echo no", GOVWATCH_ENVTEST="c") == "no"
        # One running before its environment was recorded (an older ./infra/up) is restarted too.
        (ROOT / "var" / "run" / f"{name}.env-sha256").unlink()
        assert run_lib(start, GOVWATCH_ENVTEST="b") != second
    finally:
        run_lib(f"stop_pidfile {name}")
    assert not (ROOT / "var" / "run" / f"{name}.pid").exists() and not alive(second)


def test_compose_gives_the_national_settings_to_the_registry_api_and_the_sync_worker():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for service in ("registry", "sync-worker"):
        env = compose["services"][service]["environment"]
        assert env["GOVWATCH_NATIONAL_URL"] and env["GOVWATCH_NATIONAL_CLIENT_ID"], service
        assert ":?" in env["GOVWATCH_NATIONAL_CLIENT_SECRET"], service  # required, no default
        assert env["GOVWATCH_DATABASE_URL"] == compose["x-python"]["environment"]["GOVWATCH_DATABASE_URL"]
