"""Registry list/filter/search endpoints under load.

Loads 50,000 sites and 200,000 accounts (spread over the demo tree) into a database of its own,
starts the registry with uvicorn on loopback, and drives it with 50 concurrent clients asking for
filtered pages of 50. Prints p50/p95/p99 latency and requests per second per endpoint and overall.

    GOVWATCH_S3_ENDPOINT=127.0.0.1:8333 .venv/bin/python -m bench.registry_api [--seconds 20] [--workers 2]

Needs PostgreSQL and an S3 store (./infra/up starts both).
"""
import argparse
import asyncio
import io
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg

DB = "govwatch_bench"
URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB}"
ROOT = Path(__file__).resolve().parents[1]
PLATFORMS = ["wechat_subscription", "wechat_service", "weibo", "douyin", "toutiao", "kuaishou", "bilibili", "app"]
WORDS = ["发展", "改革", "教育", "卫生", "健康", "交通", "水务", "农业", "文化", "旅游", "应急", "财政", "民政"]


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


async def token(client: httpx.AsyncClient, username: str) -> str:
    r = await client.post("/api/v1/auth/token", data={"username": username, "password": "Govwatch@2024"})
    r.raise_for_status()
    return r.json()["access_token"]


async def load(base: str, seconds: float, concurrency: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30,
                                 limits=httpx.Limits(max_connections=concurrency)) as client:
        tokens = {u: await token(client, u) for u in ("weinan_supervisor", "linwei_supervisor", "hancheng_supervisor")}
        orgs = (await client.get("/api/v1/orgs", params={"limit": 200},
                                 headers={"Authorization": f"Bearer {tokens['weinan_supervisor']}"})).json()["items"]
        org_ids = [o["id"] for o in orgs if o["kind"] in ("county", "department")]
        requests = [
            ("sites: state+kind filter", lambda r: ("/api/v1/sites", {"state": "active", "kind": "department",
                                                                       "limit": 50, "offset": r.randrange(0, 500, 50)})),
            ("sites: subtree filter", lambda r: ("/api/v1/sites", {"org_id": r.choice(org_ids), "limit": 50})),
            ("sites: search", lambda r: ("/api/v1/sites", {"q": r.choice(WORDS) + r.choice(WORDS), "limit": 50})),
            ("sites: code search", lambda r: ("/api/v1/sites", {"q": f"B{r.randrange(50000):09d}", "limit": 50})),
            ("accounts: platform filter", lambda r: ("/api/v1/accounts", {"platform": r.choice(PLATFORMS),
                                                                          "state": "active", "limit": 50})),
            ("accounts: search", lambda r: ("/api/v1/accounts", {"q": r.choice(WORDS) + "发布", "limit": 50,
                                                                 "sort": "-updated_at"})),
        ]
        samples: dict[str, list[float]] = {name: [] for name, _ in requests}
        errors = 0
        deadline = time.perf_counter() + seconds

        async def client_loop(n: int) -> None:
            nonlocal errors
            rng = random.Random(n)
            headers = {"Authorization": f"Bearer {tokens[rng.choice(list(tokens))]}"}
            while time.perf_counter() < deadline:
                name, build = rng.choice(requests)
                path, params = build(rng)
                t0 = time.perf_counter()
                response = await client.get(path, params=params, headers=headers)
                elapsed = (time.perf_counter() - t0) * 1000
                if response.status_code != 200:
                    errors += 1
                samples[name].append(elapsed)

        started = time.perf_counter()
        await asyncio.gather(*(client_loop(n) for n in range(concurrency)))
        wall = time.perf_counter() - started

    def pct(values: list[float], p: float) -> float:
        return statistics.quantiles(values, n=100)[int(p) - 1] if len(values) > 1 else values[0]

    every = [v for values in samples.values() for v in values]
    print(f"\n{concurrency} concurrent clients, {wall:.1f} s, pages of 50, errors: {errors}")
    print(f"{'endpoint':30} {'n':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, values in list(samples.items()) + [("ALL", every)]:
        print(f"{name:30} {len(values):7} {pct(values, 50):8.1f} {pct(values, 95):8.1f} {pct(values, 99):8.1f}")
    print(f"throughput: {len(every) / wall:.0f} requests/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=50_000)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--skip-load", action="store_true", help="reuse the data of a previous run")
    args = parser.parse_args()
    if not args.skip_load:
        prepare(args.sites, args.accounts)
    env = {**os.environ, "GOVWATCH_DATABASE_URL": URL}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "services.registry.main:app", "--port",
                               str(args.port), "--workers", str(args.workers), "--log-level", "warning"],
                              cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{args.port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        asyncio.run(load(base, args.seconds, args.concurrency))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
