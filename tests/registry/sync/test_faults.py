"""Fault tests with real worker processes (`python -m services.registry.sync`): a worker killed with
SIGKILL mid-push, several workers at once (FOR UPDATE SKIP LOCKED), a national system failing for a
while and one that goes away and comes back. Afterwards every filing is acknowledged exactly once
on the national side. (The sync worker does not use Redis, so there is no Redis to restart.)"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from services.registry.sync import worker
from services.registry.sync.models import OutboxState
from tests.fixtures.national import CLIENT_SECRET, Simulator, free_port
from tests.registry.sync.conftest import outbox_of, worker_env
from tests.registry.sync.helpers import acknowledged_once, active_account, active_site

ROOT = Path(__file__).resolve().parents[3]


def start_worker(simulator_url: str, log: Path, env_from: Simulator | None = None) -> subprocess.Popen:
    env = {**os.environ, **worker_env(env_from)} if env_from else {**os.environ}
    env["GOVWATCH_NATIONAL_URL"] = simulator_url
    env["GOVWATCH_NATIONAL_MAX_ATTEMPTS"] = "1000"  # outages here last longer than the in-process tests' budget
    return subprocess.Popen([sys.executable, "-m", "services.registry.sync"], cwd=ROOT, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def stop(processes: list[subprocess.Popen]) -> None:
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in processes:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def wait_acknowledged(ids: list[int], timeout: float = 60) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = outbox_of(ids)
        if rows and all(r.state == OutboxState.acknowledged for r in rows):
            return rows
        time.sleep(0.1)
    raise AssertionError([(r.id, r.state, r.attempts, r.last_error) for r in outbox_of(ids)])


def test_worker_killed_mid_push_then_several_workers(registry, login, national, tmp_path):
    worker.drain()
    ids = [active_site(registry, login)["id"] for _ in range(4)] + [active_account(registry, login)["id"]
                                                                   for _ in range(4)]
    national.faults("slow", delay=1.5)
    victim = start_worker(national.url, tmp_path / "worker.log", national)
    deadline = time.monotonic() + 20
    while not [r for r in national.received() if r["body"].get("filing_id") in ids]:
        assert time.monotonic() < deadline and victim.poll() is None, (tmp_path / "worker.log").read_text()
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)  # mid-push: the simulator is still answering
    victim.wait()
    [interrupted] = [r["key"] for r in national.received() if r["body"].get("filing_id") in ids]
    time.sleep(0.2)
    row = next(r for r in outbox_of(ids) if r.key == interrupted)
    assert row.state == OutboxState.pending  # its transaction died with the worker

    national.faults("none")
    workers = [start_worker(national.url, tmp_path / "worker.log", national) for _ in range(3)]
    try:
        wait_acknowledged(ids)
    finally:
        stop(workers)
    acknowledged_once(national, ids)
    received = [r for r in national.received() if r["body"].get("filing_id") in ids]
    keys = [r["key"] for r in received]
    assert keys.count(interrupted) == 2  # pushed again with the same key after the kill
    # With no faults, several workers never pushed one row twice (rows are claimed with SKIP LOCKED).
    assert all(keys.count(k) == 1 for k in set(keys) - {interrupted})


def test_national_system_failing_for_a_while(registry, login, national, tmp_path):
    worker.drain()
    national.faults("error_500")
    workers = [start_worker(national.url, tmp_path / "worker.log", national) for _ in range(2)]
    try:
        ids = [active_site(registry, login)["id"] for _ in range(3)] + [active_account(registry, login)["id"]
                                                                       for _ in range(3)]
        deadline = time.monotonic() + 20
        while len({r["key"] for r in national.received() if r["body"].get("filing_id") in ids}) < 6:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)
        assert all(r.state == OutboxState.pending and r.attempts >= 1 for r in outbox_of(ids))
        national.faults("none")
        rows = wait_acknowledged(ids)
    finally:
        stop(workers)
    assert all(r.attempts >= 1 and r.last_error is None for r in rows)
    acknowledged_once(national, ids)


def test_national_system_down_and_back(registry, login, tmp_path):
    """The simulator as its own process (the command line), stopped and started again on its own storage."""
    worker.drain()
    port, db = free_port(), tmp_path / "national.sqlite3"
    url = f"http://127.0.0.1:{port}"

    def simulator() -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, "-m", "tests.fixtures.national", "--port", str(port),
                                    "--db", str(db)], cwd=ROOT, stdout=(tmp_path / "sim.log").open("ab"),
                                   stderr=subprocess.STDOUT,  # expecting the workers' secret (worker_env)
                                   env={**os.environ, "GOVWATCH_NATIONAL_CLIENT_SECRET": CLIENT_SECRET})
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/admin/faults", timeout=1).raise_for_status()
                return process
            except httpx.HTTPError:
                assert time.monotonic() < deadline, (tmp_path / "sim.log").read_text()
                time.sleep(0.1)

    env = Simulator.__new__(Simulator)  # only its admin helpers, pointed at the process
    env.url = url
    sim = simulator()
    workers = [start_worker(url, tmp_path / "worker.log", env) for _ in range(2)]
    try:
        first = [active_site(registry, login)["id"]]
        wait_acknowledged(first)
        sim.send_signal(signal.SIGKILL)
        sim.wait()
        later = [active_site(registry, login)["id"], active_account(registry, login)["id"]]
        time.sleep(1.0)
        assert all(r.state == OutboxState.pending and r.attempts >= 1 for r in outbox_of(later))
        assert "ConnectError" in (outbox_of(later)[0].last_error or "")
        sim = simulator()
        wait_acknowledged(first + later)
    finally:
        stop(workers)
        stop([sim])
    sim = simulator()  # its storage survived the restarts
    try:
        acknowledged_once(env, first + later)
    finally:
        stop([sim])
