"""Account-inspection benchmark: one inspection of N new-media accounts (default 5,000) through the arq
queue with two worker processes, every account read from the platform simulator at 20 ms latency per
request (profile, posts pages, entries, and the interaction/menu links).

    .venv/bin/python -m bench.accounts [--accounts 5000] [--workers 2] [--latency-ms 20] [--jobs 40]

Uses a database of its own (govwatch_bench_accounts: registry demo inventory plus a bench county holding
the accounts), Redis db 11, the registry under uvicorn on a free loopback port and the simulator as its own
process. Needs PostgreSQL, Redis and the S3 store of ./infra/up (the registry checks its bucket at start;
GOVWATCH_S3_* as for the dev services). Prints total time (planning included) and accounts/s.
"""
import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = "govwatch_bench_accounts"
URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB}"
REDIS = "redis://127.0.0.1:6379/11"
QUEUE = "govwatch:bench-accounts"
os.environ.update(GOVWATCH_DATABASE_URL=URL, GOVWATCH_REDIS_URL=REDIS, GOVWATCH_CHECKER_QUEUE=QUEUE,
                  GOVWATCH_ALLOW_PRIVATE_TARGETS="1")

import psycopg  # noqa: E402
import redis  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start on {port}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (Linux /proc), to compare runs on a shared machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def prepare(manifest: dict, jobs_env: dict) -> tuple[int, str]:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    for service in ("registry", "checker"):
        subprocess.run([sys.executable, "-m", "alembic", "-c", f"services/{service}/alembic.ini", "upgrade", "head"],
                       cwd=ROOT, env=jobs_env, check=True, capture_output=True)
    demo = subprocess.run([sys.executable, "-m", "services.registry.demo"], cwd=ROOT, env=jobs_env,
                          capture_output=True, text=True)
    if demo.returncode != 0:
        raise RuntimeError(f"demo data: {demo.stderr[-2000:]}")
    with psycopg.connect(URL.replace("+psycopg", "")) as conn:
        city_id, city_path, region = conn.execute(
            "SELECT id, path, region_code FROM registry.organisation WHERE name = '渭南市'").fetchone()
        org_id = conn.execute(
            "INSERT INTO registry.organisation (name, kind, parent_id, region_code, path, created_at) "
            "VALUES ('基准测试县', 'county', %s, %s, '', now()) RETURNING id", (city_id, region)).fetchone()[0]
        path = f"{city_path}{org_id}/"
        conn.execute("UPDATE registry.organisation SET path = %s WHERE id = %s", (path, org_id))
        with conn.cursor().copy("COPY registry.account (platform, platform_id, registered_name, host_org_id, "
                                "supervising_org_id, interaction_url, state, org_path, created_at, updated_at) "
                                "FROM STDIN") as copy:
            now = datetime.now(UTC)
            for row in manifest["accounts"]:
                a = row["account"]
                copy.write_row((a["platform"], a["platform_id"], a["registered_name"], org_id, org_id,
                                a["interaction_url"], "active", path, now, now))
        conn.commit()
    return org_id, path


async def run_inspection(org_id: int, path: str, now: datetime, expected: int) -> tuple[float, dict]:
    from sqlmodel import Session

    from services.checker.inspections import flows, service
    from services.checker.inspections.models import Inspection, TargetKind
    from services.common.db import get_engine

    pool = await flows.arq_pool()
    with Session(get_engine()) as session:
        inspection = service.create_inspection(session, None, Inspection(
            name="政务新媒体基准检查", scope_org_id=org_id, scope_org_path=path, target_kinds=[TargetKind.account],
            indicator_set="gov-2019", now=now, created_by="bench"))
        inspection_id = inspection.id
    started = time.perf_counter()
    await flows.start(pool, inspection)
    last = ""
    while True:
        await asyncio.sleep(0.5)
        with Session(get_engine()) as session:
            row = session.get(Inspection, inspection_id)
            progress = service.progress(session, row)
            state = str(row.state)
        line = f"{state} {progress.done + progress.failed}/{progress.total or expected}"
        if line != last:
            print(f"  {time.perf_counter() - started:6.1f}s {line}", flush=True)
            last = line
        if state in ("completed", "failed", "cancelled"):
            break
    elapsed = time.perf_counter() - started
    await pool.aclose()
    return elapsed, progress.model_dump()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--jobs", type=int, default=40, help="concurrent jobs per worker (checker_max_jobs)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="govwatch-bench-accounts-"))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    processes: list[subprocess.Popen] = []
    try:
        sim_port, registry_port = free_port(), free_port()
        manifest_path = workdir / "manifest.json"
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "tests.fixtures.platforms", "--port", str(sim_port), "--accounts",
             str(args.accounts), "--latency-ms", str(args.latency_ms), "--no-faults", "--no-demo", "--manifest",
             str(manifest_path)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL))
        wait_port(sim_port, "simulator")
        while not manifest_path.exists():
            time.sleep(0.1)
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        print(f"simulator: {len(manifest['accounts'])} accounts on {manifest['base']}, "
              f"{args.latency_ms:g} ms per request")
        t0 = time.perf_counter()
        org_id, path = prepare(manifest, env)
        print(f"registry database prepared in {time.perf_counter() - t0:.1f}s")
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "services.registry.main:app", "--host", "127.0.0.1", "--port",
             str(registry_port), "--log-level", "warning"], cwd=ROOT, env=env))
        wait_port(registry_port, "registry")
        redis.Redis.from_url(REDIS).flushdb()
        worker_env = {**env, "GOVWATCH_REGISTRY_URL": f"http://127.0.0.1:{registry_port}",
                      "GOVWATCH_PLATFORM_FEEDS": json.dumps(manifest["feeds"]),
                      "GOVWATCH_CHECKER_MAX_JOBS": str(args.jobs), "GOVWATCH_CHECKER_CRAWL_PROFILE": "fast"}
        arq = Path(sys.executable).with_name("arq")
        for n in range(args.workers):
            log = (workdir / f"worker{n}.log").open("ab")
            processes.append(subprocess.Popen([str(arq), "services.checker.worker.WorkerSettings"], cwd=ROOT,
                                              env=worker_env, stdout=log, stderr=subprocess.STDOUT))
        # The clock starts once both workers listen (a worker's start-up, seconds of imports on a loaded
        # machine, is not part of an inspection: the workers of a deployment are running already).
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not all(
                "Starting worker" in (workdir / f"worker{n}.log").read_text(errors="replace") for n in range(args.workers)):
            time.sleep(0.2)
        now = datetime.fromisoformat(manifest["now"])
        workers = processes[2:]
        cpu_before = [cpu_seconds(p.pid) for p in (processes[0], *workers)]
        elapsed, progress = asyncio.run(run_inspection(org_id, path, now, len(manifest["accounts"])))
        cpu = [cpu_seconds(p.pid) - b for p, b in zip((processes[0], *workers), cpu_before, strict=True)]
        total = progress["done"] + progress["failed"]
        expected_fail = sum(1 for r in manifest["accounts"] if r["expected"].get("codes"))
        print(f"\naccounts: {total} ({progress['done']} checked, {progress['failed']} errors; "
              f"{progress['passed']} pass, {progress['not_passed']} fail, {expected_fail} seeded with a defect)")
        print(f"workers: {args.workers} × {args.jobs} jobs; latency {args.latency_ms:g} ms per request")
        print(f"total time: {elapsed:.1f} s (plan + check, through the queue)")
        print(f"throughput: {total / elapsed:.1f} accounts/s")
        print(f"CPU: workers {sum(cpu[1:]):.1f} s ({1000 * sum(cpu[1:]) / max(total, 1):.1f} ms/account), simulator "
              f"{cpu[0]:.1f} s; machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        cores = min(args.workers, os.cpu_count() or 1)
        print(f"CPU floor: {sum(cpu[1:]) / cores:.1f} s (the workers' CPU spread over {cores} cores, nothing else "
              f"running); latency floor: {total} × ~4 serial requests × {args.latency_ms:g} ms ÷ "
              f"{args.workers * args.jobs} in flight = {total * 4 * args.latency_ms / 1000 / (args.workers * args.jobs):.1f} s")
        print(f"worker logs: {workdir}")
        return 0 if progress["failed"] == 0 and elapsed < 60 else 1
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
