"""Registry list/filter/search endpoints under load (issue 13: p95 < 50 ms at 50 clients).

Loads 50,000 sites and 200,000 accounts (spread over the demo tree) into a database of its own, starts the
registry with uvicorn on loopback and drives it with wrk (C, one thread: the load generator shares the 2 cores)
at 50 connections asking for filtered, searched, sorted pages of 50 as the SPA does (count=estimate). Then the
physical floor: pgbench runs the very SQL the registry sent for the same requests (listing.page_query) at the
same concurrency, and EXPLAIN ANALYZE gives each request's execution time on an idle connection. CPU seconds of
wrk, the uvicorn workers and the PostgreSQL backends during the run say where the time goes.

    GOVWATCH_S3_ENDPOINT=127.0.0.1:8333 .venv/bin/python -m bench.registry_api [--seconds 20] [--workers 2]
        [--skip-load] [--per-type]

Needs PostgreSQL and an S3 store (./infra/up starts both), wrk and pgbench (apt-get install wrk
postgresql-client).
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import psycopg
from jose import jwt

from services.common.auth import Principal
from services.registry.api import accounts, sites
from services.registry.listing import COUNT_EXACT_UP_TO, CountMode, ListSpec, page_query

DB = "govwatch_bench"
URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB}"
PG = URL.replace("+psycopg", "")
ROOT = Path(__file__).resolve().parents[1]
PLATFORMS = ["wechat_subscription", "wechat_service", "weibo", "douyin", "toutiao", "kuaishou", "bilibili", "app"]
WORDS = ["发展", "改革", "教育", "卫生", "健康", "交通", "水务", "农业", "文化", "旅游", "应急", "财政", "民政"]
USERS = ("weinan_supervisor", "linwei_supervisor", "hancheng_supervisor")


def prepare(sites: int, accounts: int) -> None:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    env = {**os.environ, "GOVWATCH_DATABASE_URL": URL}
    subprocess.run([sys.executable, "-m", "alembic", "-c", "services/registry/alembic.ini", "upgrade", "head"],
                   cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "-m", "services.registry.demo"], cwd=ROOT, env=env, check=True)
    rng = random.Random(7)
    with psycopg.connect(URL.replace("+psycopg", "")) as conn:
        orgs = conn.execute("SELECT id, path FROM registry.organisation").fetchall()
        t0 = time.perf_counter()
        with conn.cursor().copy("COPY registry.site (name, homepage_url, kind, site_code, icp_number, psb_number, "
                                "has_badge, host_org_id, supervising_org_id, state, org_path, icp_cancelled, "
                                "badge_cancelled, psb_cancelled, domain_released, created_at, updated_at) "
                                "FROM STDIN") as copy:
            for i in range(sites):
                org_id, path = rng.choice(orgs)
                state = rng.choices(["active", "suspended", "closed", "pending_open"], [85, 5, 5, 5])[0]
                copy.write_row((f"{rng.choice(WORDS)}{rng.choice(WORDS)}网站{i}", f"https://s{i}.bench.gov.cn/",
                                rng.choice(["portal", "department"]), f"B{i:09d}", f"陕ICP备{i}号", f"公网安备{i}",
                                True, org_id, org_id, state, path, False, False, False, False,
                                "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"))
        with conn.cursor().copy("COPY registry.account (platform, platform_id, registered_name, host_org_id, "
                                "supervising_org_id, state, org_path, created_at, updated_at) FROM STDIN") as copy:
            for i in range(accounts):
                org_id, path = rng.choice(orgs)
                copy.write_row((rng.choice(PLATFORMS), f"bench{i}", f"{rng.choice(WORDS)}发布{i}", org_id, org_id,
                                rng.choices(["active", "suspended", "deregistered"], [90, 5, 5])[0], path,
                                "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")  # visibility map: filtered counts become index-only scans
        print(f"loaded {sites} sites and {accounts} accounts in {time.perf_counter() - t0:.1f} s")




def tokens(base: str) -> dict[str, str]:
    out = {}
    for user in USERS:
        r = httpx.post(f"{base}/api/v1/auth/token", data={"username": user, "password": "Govwatch@2024"})
        r.raise_for_status()
        out[user] = r.json()["access_token"]
    return out


def request_types(org_ids: list[int]) -> dict[str, tuple[str, object]]:
    """name → (endpoint, rng → params): the six kinds of page the SPA asks for, as before issue 13."""
    return {
        "sites: state+kind filter": ("sites", lambda r: {"state": "active", "kind": "department",
                                                          "offset": r.randrange(0, 500, 50)}),
        "sites: subtree filter": ("sites", lambda r: {"org_id": r.choice(org_ids)}),
        "sites: search": ("sites", lambda r: {"q": r.choice(WORDS) + r.choice(WORDS)}),
        "sites: code search": ("sites", lambda r: {"q": f"B{r.randrange(50000):09d}"}),
        "accounts: platform filter": ("accounts", lambda r: {"platform": r.choice(PLATFORMS), "state": "active"}),
        "accounts: search": ("accounts", lambda r: {"q": r.choice(WORDS) + "发布", "sort": "-updated_at"}),
    }


def sample(types: dict[str, tuple[str, object]], names: list[str], n: int, seed: int) -> list[tuple[str, str, dict]]:
    """n requests (user, endpoint, params), uniformly over `names`."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        endpoint, build = types[rng.choice(names)]
        params = {**build(rng), "limit": 50, "count": CountMode.estimate.value}
        out.append((rng.choice(USERS), endpoint, params))
    return out


def lua_script(requests: list[tuple[str, str, dict]], toks: dict[str, str], path: Path) -> None:
    lines = ["local raw = {"]
    for user, endpoint, params in requests:
        lines.append(f'  {{"/api/v1/{endpoint}?{urlencode(params)}", "{user}"}},')
    lines.append("}")
    lines.append("local tokens = {" + ", ".join(f'["{u}"] = "{t}"' for u, t in toks.items()) + "}")
    lines.append("""
local reqs = {}
local i = 0
function init(args)
  for k, r in ipairs(raw) do
    reqs[k] = wrk.format("GET", r[1], {["Authorization"] = "Bearer " .. tokens[r[2]]})
  end
end
function request()
  i = i % #reqs + 1
  return reqs[i]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %d, "seconds": %.3f, "non2xx": %d, "socket_errors": %d, '
    .. '"p50": %.2f, "p95": %.2f, "p99": %.2f, "max": %.2f, "mean": %.2f}\\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000))
end
""")
    path.write_text("\n".join(lines))


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout.split()
    return [pid, *map(int, out)]


def backends() -> list[int]:
    with psycopg.connect(PG) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                            [DB]).fetchall()
    return [r[0] for r in rows]


def wrk(script: Path, seconds: float, concurrency: int, port: int) -> tuple[dict, float]:
    """Runs wrk (one thread); returns its RESULT and its own CPU seconds."""
    proc = subprocess.Popen(["wrk", "-t1", f"-c{concurrency}", f"-d{int(seconds)}s", "--timeout", "10s", "-s",
                             str(script), f"http://127.0.0.1:{port}"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    line = next((line for line in out.splitlines() if line.startswith("RESULT ")), None)
    assert line is not None, out
    return json.loads(line[7:]), usage.ru_utime + usage.ru_stime


def check_answers(base: str, toks: dict[str, str], requests: list[tuple[str, str, dict]]) -> None:
    """Every kind of request answers 200 with a page, before anything is timed."""
    for user, endpoint, params in requests:
        r = httpx.get(f"{base}/api/v1/{endpoint}", params=params, headers={"Authorization": f"Bearer {toks[user]}"})
        body = r.json()
        assert r.status_code == 200 and "items" in body and body["limit"] == 50, (endpoint, params, r.text[:300])


def principal_of(token: str) -> Principal:
    return Principal.model_validate(jwt.get_unverified_claims(token))


def statements(toks: dict[str, str], user: str, endpoint: str, params: dict) -> list[tuple[str, list]]:
    """The SQL the registry sends for this request in steady state (listing.page_query): the holder check, the
    page, and the capped count unless that passes the threshold (then the server reuses its estimate for a
    minute, listing.ESTIMATE_SECONDS, so it neither counts nor EXPLAINs again)."""
    spec: ListSpec = (sites if endpoint == "sites" else accounts).LIST
    filters = ("state", "kind") if endpoint == "sites" else ("state", "platform")
    query = page_query(spec, principal_of(toks[user]), q=params.get("q"), org_id=params.get("org_id"),
                       equals={f: params.get(f) for f in filters}, sort=params.get("sort", "id"), limit=50,
                       offset=params.get("offset", 0), cursor=None, count=CountMode(params["count"]))
    assert query.holder is not None
    with psycopg.connect(PG) as conn:
        counted = conn.execute(*query.count).fetchone()[0] <= COUNT_EXACT_UP_TO
    return [query.holder, *([query.count] if counted else []), query.page]


def db_floor(toks: dict[str, str], tagged: dict[str, list[tuple[str, str, dict]]], seconds: float,
             concurrency: int) -> dict:
    """pgbench at the same concurrency over the same SQL (one script per request), and each request's
    planning + execution time by EXPLAIN ANALYZE on an idle connection."""
    explain_ms: dict[str, list[float]] = {name: [] for name in tagged}
    requests = [(name, r) for name, rs in tagged.items() for r in rs]
    with tempfile.TemporaryDirectory() as tmp, psycopg.ClientCursor(psycopg.connect(PG, autocommit=True)) as cur:
        cur.execute("SET TimeZone = 'UTC'")
        scripts = []
        for n, (name, (user, endpoint, params)) in enumerate(requests):
            sql = [cur.mogrify(s, p) for s, p in statements(toks, user, endpoint, params)]
            ms = 0.0
            for statement in sql:
                cur.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}")
                plan = cur.fetchone()[0][0]
                ms += plan["Planning Time"] + plan["Execution Time"]
            explain_ms[name].append(ms)
            path = Path(tmp, f"r{n}.sql")
            path.write_text("".join(s.replace("\n", " ") + ";\n" for s in sql))
            scripts += ["-f", f"{path}@1"]
        log_prefix = str(Path(tmp, "log"))
        clients = concurrency
        for attempt in range(6):  # the server is shared: its connection slots may be taken for a moment
            bench = subprocess.run(["pgbench", "-n", "-M", "prepared", "-h", "127.0.0.1", "-U", "postgres",
                                    "-c", str(clients), "-j", "1", "-T", str(int(seconds)), "-l",
                                    "--log-prefix", log_prefix, *scripts, DB], capture_output=True, text=True,
                                   check=False)
            if bench.returncode == 0:
                break
            if "too many clients" not in bench.stderr or attempt == 5:
                sys.exit(f"pgbench failed: {bench.stderr[-2000:]}")
            for log in Path(tmp).glob("log*"):
                log.unlink()
            time.sleep(5)
            clients = clients if attempt < 2 else max(10, clients * 2 // 3)
        latencies = []
        for log in Path(tmp).glob("log*"):
            for line in log.read_text().splitlines():
                latencies.append(int(line.split()[2]) / 1000)
    every = [ms for values in explain_ms.values() for ms in values]
    return {"pgbench": {**summary(latencies, seconds), "clients": clients}, "explain": summary(every, None),
            "explain_per_type": {name: summary(values, None) for name, values in explain_ms.items()}}


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1] if len(values) > 1 else values[0]


def summary(values: list[float], seconds: float | None) -> dict:
    out = {"n": len(values), "p50": pct(values, 50), "p95": pct(values, 95), "p99": pct(values, 99),
           "mean": statistics.fmean(values)}
    if seconds:
        out["per_s"] = len(values) / seconds
    return out


def load_run(base: str, port: int, toks: dict[str, str], requests: list, seconds: float, concurrency: int,
             server_pids: list[int], tmp: Path) -> dict:
    script = tmp / "requests.lua"
    lua_script(requests, toks, script)
    wrk(script, 2, concurrency, port)  # warm-up: pools open, pages cached
    pg_pids = backends()
    before = (cpu_seconds(server_pids), cpu_seconds(pg_pids))
    result, wrk_cpu = wrk(script, seconds, concurrency, port)
    after = (cpu_seconds(server_pids), cpu_seconds(pg_pids))
    n = result["requests"]
    result["per_s"] = n / result["seconds"]
    result["cpu_ms_per_request"] = {"wrk": 1000 * wrk_cpu / n, "uvicorn": 1000 * (after[0] - before[0]) / n,
                                    "postgres": 1000 * (after[1] - before[1]) / n}
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=50_000)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--skip-load", action="store_true", help="reuse the data of a previous run")
    parser.add_argument("--per-type", action="store_true", help="also each kind of request alone")
    parser.add_argument("--floor-requests", type=int, default=120,
                        help="requests replayed by pgbench (one script each: at most 128)")
    args = parser.parse_args()
    for tool in ("wrk", "pgbench"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: apt-get install wrk postgresql-client")
    if not args.skip_load:
        prepare(args.sites, args.accounts)
    env = {**os.environ, "GOVWATCH_DATABASE_URL": URL}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "services.registry.main:app", "--port",
                               str(args.port), "--workers", str(args.workers), "--log-level", "warning"],
                              cwd=ROOT, env=env)
    report: dict = {"uptime_before": Path("/proc/loadavg").read_text().strip(), "workers": args.workers,
                    "concurrency": args.concurrency, "seconds": args.seconds}
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        toks = tokens(base)
        orgs = httpx.get(f"{base}/api/v1/orgs", params={"limit": 200},
                         headers={"Authorization": f"Bearer {toks['weinan_supervisor']}"}).json()["items"]
        types = request_types([o["id"] for o in orgs if o["kind"] in ("county", "department")])
        names = list(types)
        check_answers(base, toks, [sample(types, [name], 1, 1)[0] for name in names])
        pids = children(server.pid)
        with tempfile.TemporaryDirectory() as tmp:
            report["all"] = load_run(base, args.port, toks, sample(types, names, 5000, 7), args.seconds,
                                     args.concurrency, pids, Path(tmp))
            if args.per_type:
                report["per_type"] = {name: load_run(base, args.port, toks, sample(types, [name], 1000, 7),
                                                     max(3.0, args.seconds / 4), args.concurrency, pids, Path(tmp))
                                      for name in names}
    finally:
        server.terminate()
        server.wait()
    print(json.dumps(report, indent=2, ensure_ascii=False), file=sys.stderr)  # kept if the floor fails
    tagged = {name: sample(types, [name], args.floor_requests // len(names), 11) for name in names}
    report["floor"] = db_floor(toks, tagged, min(args.seconds, 10), args.concurrency)
    report["ratio_p95_api_to_pgbench"] = report["all"]["p95"] / report["floor"]["pgbench"]["p95"]
    report["uptime_after"] = Path("/proc/loadavg").read_text().strip()
    print(json.dumps(report, indent=2, ensure_ascii=False))
    a, floor = report["all"], report["floor"]["pgbench"]
    print(f"\nALL: {a['requests']} requests in {a['seconds']:.1f} s = {a['per_s']:.0f}/s, p50 {a['p50']:.1f} ms, "
          f"p95 {a['p95']:.1f} ms, p99 {a['p99']:.1f} ms, non-2xx {a['non2xx']}; "
          f"DB floor (pgbench, same SQL, {floor['clients']} clients) p95 {floor['p95']:.1f} ms; "
          f"ratio {report['ratio_p95_api_to_pgbench']:.2f}")


if __name__ == "__main__":
    main()
