"""Driver side of the whole-site monitoring benchmark (bench/monitor.py holds the farm side and calls `run`).

A province-size deep farm (tests/fixtures/farm/deep.py) on loopback, N real arq checker workers (default 2) with
politeness on (GOVWATCH_MONITOR_PER_HOST=2, GOVWATCH_MONITOR_DELAY_SECONDS=0.5: at most 2 requests at a time and
0.5 s between request starts per host, kept in Redis across the workers). Measured:

1. the first full cycle: every site from its homepage until nothing is due (every page and attachment);
2. after the farm's advance() (new articles, edited pages, removed pages): an incremental cycle — `--incremental
   all` re-validates every known URL with conditional requests (the revalidation horizon), `hub` only the
   homepages and column lists (the daily cycle; new URLs they lead to are fetched as discovered).

For each cycle: wall time, pages/s against the politeness ceiling (sites × 1/delay pages/s), worker CPU ms per
page, peak memory (VmHWM) per worker, the farm's answers by status (200 vs 304), and PostgreSQL size of the
monitoring tables (pg_total_relation_size, indexes and TOAST included).

    .venv/bin/python -m bench.monitor_driver --sites 20 --pages-max 400           # small
    .venv/bin/python -m bench.monitor_driver --scale 1                            # 2,000 sites, 50–5,000 pages

Uses its own database (govwatch_bench_monitor, checker schema only: sites are loaded straight into monitor_site,
the registry is not involved), Redis db 12 and queue govwatch:bench-monitor. S3 (snapshots cited by findings)
as configured by GOVWATCH_S3_*; without it evidence is kept without snapshots.
"""
import argparse
import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DB = "govwatch_bench_monitor"
URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB}"
REDIS = "redis://127.0.0.1:6379/12"
QUEUE = "govwatch:bench-monitor"
TABLES = ("monitor_site", "monitor_page", "monitor_link", "monitor_finding")
os.environ.update(GOVWATCH_DATABASE_URL=URL, GOVWATCH_REDIS_URL=REDIS, GOVWATCH_CHECKER_QUEUE=QUEUE, GOVWATCH_MONITOR_QUEUE=QUEUE,
                  GOVWATCH_ALLOW_PRIVATE_TARGETS="1")
os.environ.setdefault("GOVWATCH_SERVICE_CLIENT_SECRET", secrets.token_hex(32))  # workers refuse a weak one


# ---------------------------------------------------------------------------------------------------
# Processes


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a live process (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def prepare_database() -> None:
    import psycopg
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    subprocess.run([sys.executable, "-m", "alembic", "-c", "services/checker/alembic.ini", "upgrade", "head"],
                   cwd=ROOT, check=True, env=dict(os.environ), stdout=subprocess.DEVNULL)


def clear_redis() -> None:
    import redis
    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(match=f"*{QUEUE}*"):
        client.delete(key)
    # The schedule's registry sync is elected through this key: held, the cron never replaces our site list.
    client.set(f"{QUEUE}:monitor:sync", "bench", ex=7 * 86400)


def worker_env(per_host: int, delay: float, max_jobs: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(GOVWATCH_MONITOR_PER_HOST=str(per_host), GOVWATCH_MONITOR_DELAY_SECONDS=str(delay),
               GOVWATCH_MONITOR_SYNC_MINUTES="100000", GOVWATCH_MONITOR_MAX_JOBS=str(max_jobs),
               GOVWATCH_CHECKER_CRAWL_PROFILE="default", PYTHONUNBUFFERED="1")
    return env


def start_workers(count: int, env: dict[str, str], log_dir: Path) -> list[subprocess.Popen]:
    arq = Path(sys.executable).with_name("arq")
    return [subprocess.Popen([str(arq), "services.checker.monitor.worker.WorkerSettings"], cwd=ROOT, env=env,
                             stdout=(log_dir / f"worker{i}.log").open("ab"), stderr=subprocess.STDOUT,
                             start_new_session=True) for i in range(count)]


def stop(processes: list[subprocess.Popen]) -> None:
    for proc in processes:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in processes:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


# ---------------------------------------------------------------------------------------------------
# The database side


def load_sites(sites: list[dict[str, Any]]) -> int:
    """The farm's sites become monitored sites (homepages due now), as the registry sync would make them."""
    from sqlmodel import Session

    from services.checker.monitor import service
    from services.common.db import get_engine
    records = [{"id": s["site_id"], "homepage_url": s["url"], "name": s.get("name") or f"站点{s['site_id']}",
                "org_path": "/1/", "host_org_id": 1, "supervising_org_id": 1} for s in sites]
    with Session(get_engine()) as session:
        added, _ = service.sync_sites(session, records)
    return added


def _scalar(sql: str, **params: Any) -> Any:
    from sqlalchemy import text
    from sqlmodel import Session

    from services.common.db import get_engine
    with Session(get_engine()) as session:
        return session.exec(text(sql).bindparams(**params)).one()[0]


def unfinished(since: datetime) -> int:
    return int(_scalar("SELECT count(*) FROM checker.monitor_site WHERE active AND "
                       "(last_full_cycle_at IS NULL OR last_full_cycle_at < :s OR cycle_started_at < :s)", s=since))


def fetched_since(since: datetime) -> dict[str, int]:
    from sqlalchemy import text
    from sqlmodel import Session

    from services.common.db import get_engine
    with Session(get_engine()) as session:
        rows = session.exec(text("SELECT kind, count(*) FROM checker.monitor_page WHERE last_fetched_at >= :s "
                                 "GROUP BY kind").bindparams(s=since)).all()
    return {kind: int(n) for kind, n in rows}


def make_due(mode: str) -> int:
    """The next cycle's work: every known URL (re-validation, conditional requests) or the hub pages only."""
    from sqlalchemy import text
    from sqlmodel import Session

    from services.common.db import get_engine
    where = "gone_at IS NULL" + (" AND hub" if mode == "hub" else "")
    with Session(get_engine()) as session:
        count = session.exec(text(f"UPDATE checker.monitor_page SET due_at = now(), lease_until = NULL, "
                                  f"priority = CASE WHEN hub THEN 0 ELSE 30 END WHERE {where}")).rowcount
        session.commit()
    return count


def table_sizes() -> dict[str, int]:
    from sqlalchemy import text
    from sqlmodel import Session

    from services.common.db import get_engine
    with Session(get_engine()) as session:
        rows = session.exec(text(
            "SELECT c.relname, pg_total_relation_size(c.oid), c.reltuples::bigint FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'checker' AND c.relname = ANY(:t)"
        ).bindparams(t=list(TABLES))).all()
        session.exec(text("ANALYZE checker.monitor_page"))
    return {name: int(size) for name, size, _ in rows}


def row_counts() -> dict[str, int]:
    return {t: int(_scalar(f"SELECT count(*) FROM checker.{t}")) for t in TABLES}


async def enqueue_all() -> int:
    from arq import create_pool
    from arq.connections import RedisSettings

    from services.checker.inspections.config import get_checker_settings
    from services.checker.monitor import jobs
    ids = [int(i) for i in _ids()]
    pool = await create_pool(RedisSettings.from_dsn(REDIS))
    try:
        ttl = get_checker_settings().monitor_lease_seconds + 60
        return sum([await jobs.enqueue_slice(pool, site_id, ttl=ttl) for site_id in ids])
    finally:
        await pool.aclose()


def _ids() -> list[int]:
    from sqlalchemy import text
    from sqlmodel import Session

    from services.common.db import get_engine
    with Session(get_engine()) as session:
        return [r[0] for r in session.exec(text("SELECT site_id FROM checker.monitor_site WHERE active")).all()]


# ---------------------------------------------------------------------------------------------------
# A cycle


def cycle(name: str, workers: list[subprocess.Popen], sites: int, delay: float, timeout: float,
          farm_stats: Callable[[], dict[str, Any]] | None, farm_pid: int | None,
          start: datetime | None = None) -> dict[str, Any]:
    """`start`: taken before the cycle's work became due (the workers' own cron may start slices before the
    driver enqueues them: a site whose cycle began before `start` would never count as finished)."""
    start = start or datetime.now(UTC)
    cpu0 = {p.pid: cpu_seconds(p.pid) for p in workers}
    farm0 = cpu_seconds(farm_pid) if farm_pid else 0.0
    stats0 = farm_stats() if farm_stats else None
    t0 = time.monotonic()
    asyncio.run(enqueue_all())
    left = sites
    while time.monotonic() - t0 < timeout:
        time.sleep(2)
        left = unfinished(start)
        if left == 0:
            break
        if any(p.poll() is not None for p in workers):
            raise RuntimeError("a worker exited; see its log")
    wall = time.monotonic() - t0
    cpu = sum(cpu_seconds(p.pid) - cpu0[p.pid] for p in workers)
    kinds = fetched_since(start)
    pages = sum(kinds.values())
    ceiling = sites / delay if delay else float("inf")
    out: dict[str, Any] = {
        "cycle": name, "sites": sites, "unfinished_sites": left, "wall_s": round(wall, 1), "pages": pages,
        "pages_by_kind": kinds, "pages_per_s": round(pages / wall, 1) if wall else None,
        "politeness_ceiling_pages_per_s": ceiling,
        "share_of_ceiling": round(pages / wall / ceiling, 4) if wall else None,
        "worker_cpu_s": round(cpu, 1), "cpu_ms_per_page": round(cpu * 1000 / pages, 2) if pages else None,
        "peak_rss_mb_per_worker": [round(peak_rss_mb(p.pid), 1) for p in workers],
    }
    if farm_pid:
        out["farm_cpu_s"] = round(cpu_seconds(farm_pid) - farm0, 1)
    if farm_stats and stats0 is not None:
        after = farm_stats()
        before = stats0.get("statuses", {})
        out["farm_answers"] = {k: v - int(before.get(k, 0)) for k, v in after.get("statuses", {}).items()}
        out["farm_max_inflight_per_host"] = after.get("max_inflight")
        out["farm_min_gap_ms_per_host"] = after.get("min_gap_ms")
    return out


def run(sites: list[dict[str, Any]], *, advance: Callable[[], None] | None = None,
        farm_stats: Callable[[], dict[str, Any]] | None = None, farm_pid: int | None = None, workers: int = 2,
        per_host: int = 2, delay: float = 0.5, max_jobs: int = 100, incremental: str = "all",
        timeout: float = 6 * 3600, log_dir: Path | None = None) -> dict[str, Any]:
    """The benchmark over `sites` (the deep farm manifest's `sites`: site_id, url, name). `advance()` moves the
    farm to its next version between the cycles; `farm_stats()` returns its /__farm__/stats document."""
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="bench-monitor-"))
    prepare_database()
    clear_redis()
    load_sites(sites)
    first_start = datetime.now(UTC)
    processes = start_workers(workers, worker_env(per_host, delay, max_jobs), log_dir)
    report: dict[str, Any] = {"workers": workers, "per_host": per_host, "delay_s": delay, "max_jobs": max_jobs,
                              "logs": str(log_dir)}
    try:
        time.sleep(3)  # workers connect
        report["first"] = cycle("first", processes, len(sites), delay, timeout, farm_stats, farm_pid, first_start)
        report["after_first"] = {"bytes": table_sizes(), "rows": row_counts()}
        if advance is not None:
            advance()
            incremental_start = datetime.now(UTC)
            report["due_for_incremental"] = make_due(incremental)
            report["incremental"] = cycle(f"incremental ({incremental})", processes, len(sites), delay, timeout,
                                          farm_stats, farm_pid, incremental_start)
            report["after_incremental"] = {"bytes": table_sizes(), "rows": row_counts()}
    finally:
        stop(processes)
    return report


# ---------------------------------------------------------------------------------------------------
# Standalone: the farm as its own process (bench/monitor.py may use this too)


def http_json(url: str) -> dict[str, Any]:
    import httpx
    return httpx.get(url, timeout=600).json()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=None,
                        help="share of the province (1 = 2,000 sites of 50–5,000 pages, mean 200)")
    parser.add_argument("--sites", type=int, default=None, help="number of sites (overrides --scale)")
    parser.add_argument("--pages-min", type=int, default=50)
    parser.add_argument("--pages-max", type=int, default=5000)
    parser.add_argument("--pages-mean", type=float, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--delay", type=float, default=0.5)
    parser.add_argument("--max-jobs", type=int, default=100, help="slices (sites) in flight per worker")
    parser.add_argument("--incremental", choices=("all", "hub"), default="all")
    parser.add_argument("--latency-ms", type=float, default=5.0)
    parser.add_argument("--base", default="127.20.0.1")
    parser.add_argument("--json", type=Path, default=None, help="write the report here too")
    args = parser.parse_args(argv)
    count = args.sites or max(1, round(2000 * (args.scale if args.scale is not None else 0.01)))
    work = Path(tempfile.mkdtemp(prefix="bench-monitor-"))
    manifest = work / "manifest.json"
    farm = subprocess.Popen([sys.executable, "-m", "tests.fixtures.farm.deep", "--sites", str(count),
                             "--pages-min", str(args.pages_min), "--pages-max", str(args.pages_max),
                             "--pages-mean", str(args.pages_mean), "--latency-ms", str(args.latency_ms),
                             "--base", args.base, "--no-starts", "--manifest", str(manifest)],
                            cwd=ROOT, stdout=(work / "farm.log").open("ab"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 600
        while not manifest.exists():
            if farm.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the farm did not start; see {work / 'farm.log'}")
            time.sleep(0.5)
        data = json.loads(manifest.read_text(encoding="utf-8"))
        sites = data["sites"]
        control = sites[0]["url"].rstrip("/") + "/__farm__"
        report = run(sites, advance=lambda: http_json(f"{control}/advance"),
                     farm_stats=lambda: http_json(f"{control}/stats"), farm_pid=farm.pid, workers=args.workers,
                     per_host=args.per_host, delay=args.delay, max_jobs=args.max_jobs, incremental=args.incremental,
                     log_dir=work)
        report["farm"] = data.get("totals")
    finally:
        farm.send_signal(signal.SIGTERM)
        try:
            farm.wait(timeout=20)
        except subprocess.TimeoutExpired:
            farm.kill()
    text = json.dumps(report, ensure_ascii=False, indent=2, default=str)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
