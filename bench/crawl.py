"""Crawl benchmark on the site farm: `python -m services.checker check-site` (whole sites, every site
check) against two link checkers that only check links, linkinator 6.1.2 (npm) and LinkChecker (PyPI),
on the same farm in the same run, politeness off on every side, whole-site coverage on every side.

    .venv/bin/python -m bench.crawl [--sites 100] [--items 4] [--latency-ms 20] [--tools /tmp/govwatch-bench]
                                    [--skip-clients] [--skip-peers] [--workers 2]

The farm runs as its own process and counts the distinct URLs it serves; URLs/s = distinct farm URLs
requested during a run ÷ its wall time. Every tool runs as a process of its own, so its CPU time (user +
system) and peak resident memory are read the same way for all (wait4's rusage); CPU ms per URL = that
CPU time ÷ the distinct URLs. Our CLI's figure includes its interpreter start and imports. check-site runs
twice: in one process (the CLI's default), and with `--workers N` (its sites spread over N processes, one
per core; CPU is then every process's, the peak memory the largest process's).

The client section measures the candidate HTTP clients for the crawler's hot path on the same farm, in
this process: httpx with a tuned pool (the GuardedTransport), aiohttp alone (asyncio and uvloop), pycurl's
multi interface alone (a blocking select loop: the floor), and the crawler's Fetcher (guard, redirects, body
limits) on its libcurl transport (crawl/curl.py), on asyncio and on uvloop.

The peers are installed on first use into --tools, never into the project's environment:
    npm install --prefix TOOLS/linkinator linkinator@6.1.2
    python3 -m venv TOOLS/lcvenv && TOOLS/lcvenv/bin/pip install linkchecker
"""
import argparse
import asyncio
import csv
import io
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
os.environ["GOVWATCH_ALLOW_PRIVATE_TARGETS"] = "1"   # the farm lives on 127.0.0.0/8

LINKINATOR_JS = """
import { check } from 'linkinator';
import { readFileSync, writeFileSync } from 'node:fs';
const [urlsFile, outFile, concurrency] = process.argv.slice(2);
const urls = JSON.parse(readFileSync(urlsFile, 'utf8'));
const runs = await Promise.all(urls.map((path) =>
  check({ path, recurse: true, concurrency: Number(concurrency), timeout: 15000 })));
writeFileSync(outFile, JSON.stringify(runs.map((r) => r.links.map((l) => ({ url: l.url, state: l.state })))));
"""


class FarmProcess:
    def __init__(self, sites: int, items: int, latency_ms: float, base: str, workdir: Path) -> None:
        # LinkChecker throttles every host to ~1/3 of 10 requests/s under one global lock unless the server
        # answers with a `LinkChecker` header (its documented opt-in for one's own servers): opt in.
        self.manifest_path = workdir / "manifest.json"
        self.manifest_path.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.fixtures.farm", "--sites", str(sites), "--items", str(items),
             "--latency-ms", str(latency_ms), "--base", base, "--header", "LinkChecker:farm",
             "--manifest", str(self.manifest_path)],
            cwd=ROOT, stdout=subprocess.DEVNULL)
        for _ in range(600):
            if self.manifest_path.exists():
                break
            time.sleep(0.05)
        self.manifest: dict[str, Any] = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        self.control = self.manifest["aux"]["govcn"] + "/__farm__/"
        self.urls = [e["url"] for e in self.manifest["sites"]]

    def stats(self, reset: bool = False) -> dict[str, int]:
        with urllib.request.urlopen(self.control + ("reset" if reset else "stats"), timeout=10) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@dataclass
class Run:
    name: str
    seconds: float
    urls: int
    requests: int
    cpu: float                  # seconds, user + system, of the tool's process
    peak_mb: float
    broken: dict[str, set[str]] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.urls / self.seconds

    @property
    def cpu_ms_per_url(self) -> float:
        return self.cpu * 1000 / max(self.urls, 1)


def timed_process(farm: FarmProcess, argv: list[str], cwd: Path, stdout_path: Path) -> tuple[float, dict[str, int], Any]:
    """Run a tool as a child; wall time, the farm's counts, and the child's rusage."""
    farm.stats(reset=True)
    started = time.monotonic()
    with stdout_path.open("w") as out:
        child = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.PIPE, text=True)
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.monotonic() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    errors = child.stderr.read() if child.stderr else ""
    if child.returncode not in (0, 1):
        raise RuntimeError(f"{argv[0]} exited {child.returncode}: {errors[-2000:]}")
    return seconds, farm.stats(), (usage, errors)


def measure(farm: FarmProcess, name: str, argv: list[str], cwd: Path, stdout_path: Path,
            read: Callable[[Path], dict[str, set[str]]]) -> Run:
    seconds, stats, (usage, errors) = timed_process(farm, argv, cwd, stdout_path)
    run = Run(name, seconds, stats["urls"], stats["requests"], usage.ru_utime + usage.ru_stime,
              usage.ru_maxrss / 1024, read(stdout_path))
    if name.startswith("govwatch"):
        print(f"    {errors.strip().splitlines()[-1]}")   # the CLI's own summary line
    return run


def govwatch(farm: FarmProcess, args: argparse.Namespace, workers: int = 1) -> Run:
    argv = [sys.executable, "-m", "services.checker", "check-site", *farm.urls, "--now", farm.manifest["now"],
            "--delay", "0", "--per-host", str(args.peer_concurrency), "--no-snapshot",  # sites at once: the CLI's
            "--workers", str(workers)]

    def read(path: Path) -> dict[str, set[str]]:
        found = {}
        for line in path.read_text().splitlines():
            data = json.loads(line)
            found[data["target"]["url"]] = {u for f in data.get("findings", []) if f["indicator"] == "broken_link"
                                            for u in f["data"]["urls"]}
        return found

    name = f"govwatch check-site ({args.peer_concurrency}/host)" if workers == 1 else \
        f"govwatch --workers {workers} ({args.peer_concurrency}/host)"
    return measure(farm, name, argv, ROOT, args.tools / "govwatch.jsonl", read)


def linkinator(farm: FarmProcess, args: argparse.Namespace) -> Run:
    home = args.tools / "linkinator"
    if not (home / "node_modules" / "linkinator").exists():
        subprocess.run(["npm", "install", "--prefix", str(home), "linkinator@6.1.2"], check=True)
    script, urls_file, out_file = home / "bench.mjs", home / "urls.json", home / "out.json"
    script.write_text(LINKINATOR_JS)
    urls_file.write_text(json.dumps(farm.urls))
    argv = ["node", str(script), str(urls_file), str(out_file), str(args.peer_concurrency)]

    def read(_: Path) -> dict[str, set[str]]:
        runs = json.loads(out_file.read_text())
        return {url: {l["url"] for l in links if l["state"] == "BROKEN"} for url, links in zip(farm.urls, runs)}

    return measure(farm, f"linkinator 6.1.2 ({args.peer_concurrency}/site)", argv, home,
                   home / "stdout.txt", read)


def linkchecker(farm: FarmProcess, args: argparse.Namespace) -> Run:
    venv = args.tools / "lcvenv"
    if not (venv / "bin" / "linkchecker").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "linkchecker"], check=True)
    config = args.tools / "linkcheckerrc"
    config.write_text("[checking]\nmaxrequestspersecond=1000\n")
    config.chmod(0o644)                   # LinkChecker drops root privileges to nobody
    argv = [str(venv / "bin" / "linkchecker"), "-f", str(config), "--no-status", "--no-warnings", "--check-extern",
            "-r", "-1", "-t", str(args.linkchecker_threads), "--timeout", "15", "-o", "csv", *farm.urls]

    def read(path: Path) -> dict[str, set[str]]:
        lines = [l for l in path.read_text().splitlines() if not l.startswith("#")]
        found: dict[str, set[str]] = {url: set() for url in farm.urls}
        for row in csv.DictReader(io.StringIO("\n".join(lines)), delimiter=";"):
            if row.get("valid") == "False":
                site = next((u for u in farm.urls if (row.get("parentname") or row["url"]).startswith(u)), None)
                if site is not None:
                    found[site].add(row["url"])
        return found

    return measure(farm, f"LinkChecker ({args.linkchecker_threads} threads)", argv, args.tools,
                   args.tools / "linkchecker.csv", read)


def compare(run: Run, farm: FarmProcess) -> str:
    """Planted broken links recovered, and broken links reported beyond them (site roots aside)."""
    roots = set(farm.urls)
    truth = {e["url"]: set(e["broken_links"]) for e in farm.manifest["sites"]}
    planted = sum(len(t) for t in truth.values())
    hit = sum(len(truth[u] & run.broken.get(u, set())) for u in truth)
    extra = sorted({x for u in truth for x in run.broken.get(u, set()) - truth[u] - roots})
    missed = sorted({x for u in truth for x in truth[u] - run.broken.get(u, set())})
    line = f"  {run.name:34} planted broken links found {hit}/{planted}; extra {len(extra)}"
    if missed:
        line += f"\n      missed: {missed[:6]}{' …' if len(missed) > 6 else ''}"
    if extra:
        line += f"\n      extra:  {extra[:6]}{' …' if len(extra) > 6 else ''}"
    return line


# --- HTTP clients for the hot path ---------------------------------------------------------------------

async def _gather(urls: list[str], concurrency: int, get) -> int:  # noqa: ANN001 - get(url) -> bytes
    gate = asyncio.Semaphore(concurrency)
    total = 0

    async def one(url: str) -> None:
        nonlocal total
        async with gate:
            total += len(await get(url))

    await asyncio.gather(*(one(u) for u in urls))
    return total


async def _httpx(urls: list[str], concurrency: int) -> int:
    import httpx

    from services.common.netguard import GuardedTransport
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(transport=GuardedTransport(allow_private=True, limits=limits)) as client:
        async def get(url: str) -> bytes:
            return (await client.get(url)).content
        return await _gather(urls, concurrency, get)


async def _aiohttp(urls: list[str], concurrency: int) -> int:
    import aiohttp
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency), auto_decompress=False) as http:
        async def get(url: str) -> bytes:
            async with http.get(url, allow_redirects=False) as response:
                return await response.read()
        return await _gather(urls, concurrency, get)


async def _fetcher(urls: list[str], concurrency: int) -> int:
    from services.checker.crawl import CrawlSettings, Fetcher
    settings = CrawlSettings(per_host_concurrency=concurrency, per_host_delay=0, link_check_concurrency=concurrency)
    async with Fetcher(settings, connections=concurrency * 4) as fetcher:  # libcurl's own default cache: 4 per handle
        async def get(url: str) -> bytes:
            return (await fetcher.request("GET", url, deadline=15, body="any")).body or b""
        return await _gather(urls, concurrency, get)


def _pycurl(urls: list[str], concurrency: int) -> int:
    import pycurl
    multi, free, total, queue = pycurl.CurlMulti(), [], 0, list(urls)
    for _ in range(concurrency):
        handle = pycurl.Curl()
        handle.body = io.BytesIO()
        free.append(handle)
    while queue or len(free) < concurrency:
        while queue and free:
            handle = free.pop()
            handle.body = io.BytesIO()
            handle.setopt(pycurl.URL, queue.pop())
            handle.setopt(pycurl.WRITEDATA, handle.body)
            multi.add_handle(handle)
        while multi.perform()[0] == pycurl.E_CALL_MULTI_PERFORM:
            pass
        while True:
            queued, done, failed = multi.info_read()
            for handle in done + [f[0] for f in failed]:
                total += len(handle.body.getvalue())
                multi.remove_handle(handle)
                free.append(handle)
            if not queued:
                break
        if not (queue and free):
            multi.select(0.05)
    return total


def clients(farm: FarmProcess, args: argparse.Namespace) -> None:
    import uvloop
    up = [e["url"] for e in farm.manifest["sites"] if e["mode"] == "up"]
    urls = [u + path for u in up for path in ("", "robots.txt", "favicon.ico")]
    urls = (urls * (args.client_requests // len(urls) + 1))[:args.client_requests]
    concurrency = 50
    runs: list[tuple[str, Callable[[], Any]]] = [
        ("httpx 0.28.1, tuned pool (asyncio)", lambda: asyncio.run(_httpx(urls, concurrency))),
        ("aiohttp 3.14.5 (asyncio)", lambda: asyncio.run(_aiohttp(urls, concurrency))),
        ("aiohttp 3.14.5 (uvloop)", lambda: uvloop.run(_aiohttp(urls, concurrency))),
        ("pycurl 7.49.0 multi alone (sync)", lambda: _pycurl(urls, concurrency)),
        ("crawler Fetcher on pycurl (asyncio)", lambda: asyncio.run(_fetcher(urls, concurrency))),
        ("crawler Fetcher on pycurl (uvloop)", lambda: uvloop.run(_fetcher(urls, concurrency))),
    ]
    print(f"HTTP clients: {len(urls)} GETs over the farm, {concurrency} at once, this process:")
    for name, run in runs:
        farm.stats(reset=True)
        cpu, started = time.process_time(), time.monotonic()
        size = run()
        seconds, cpu = time.monotonic() - started, time.process_time() - cpu
        stats = farm.stats()
        print(f"  {name:40} {len(urls) / seconds:8.0f} req/s  {cpu * 1e6 / len(urls):6.0f} µs CPU/req  "
              f"({stats['requests']} served, {size / 1e6:.1f} MB)", flush=True)


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--items", type=int, default=4, help="entries per column list; 4 gives about 60 pages a site")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--base", default="127.0.3.1")
    parser.add_argument("--tools", type=Path, default=Path("/tmp/govwatch-bench"))
    parser.add_argument("--peer-concurrency", type=int, default=10, help="requests per site (host), every tool")
    parser.add_argument("--linkchecker-threads", type=int, default=100)
    parser.add_argument("--client-requests", type=int, default=3000)
    parser.add_argument("--skip-clients", action="store_true")
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--workers", type=int, default=2,
                        help="also run check-site --workers N (N > 1; the machine's cores); peak memory is then "
                             "the largest process's")
    args = parser.parse_args()
    args.tools.mkdir(parents=True, exist_ok=True)
    farm = FarmProcess(args.sites, args.items, args.latency_ms, args.base, args.tools)
    try:
        pages = [e["pages"] for e in farm.manifest["sites"] if e["pages"]]
        print(f"farm: {args.sites} sites, {sum(pages)} HTML pages (~{sum(pages) / len(pages):.0f}/site), "
              f"{args.latency_ms:g} ms latency per response, addresses from {args.base}; {load()}")
        if not args.skip_clients:
            clients(farm, args)
        ours_runs = [partial(govwatch, workers=n) for n in dict.fromkeys((1, max(1, args.workers)))]
        tools = ours_runs + ([] if args.skip_peers else [linkinator, linkchecker])
        print(f"whole sites, politeness off on every side ({args.peer_concurrency} requests at once per site):")
        runs = []
        for tool in tools:
            run = tool(farm, args)
            runs.append(run)
            print(f"  {run.name:34} {run.seconds:7.1f} s {run.urls:6} URLs {run.requests:6} requests "
                  f"{run.rate:7.1f} URLs/s {run.cpu_ms_per_url:6.2f} CPU ms/URL {run.peak_mb:6.0f} MB peak; {load()}",
                  flush=True)
        ours, peers = runs[:len(ours_runs)], runs[len(ours_runs):]
        print("ratios (govwatch ÷ peer): URLs/s, CPU ms per URL (peer ÷ govwatch: > 1 means less CPU for us)")
        for mine in ours:
            for run in peers:
                print(f"  {mine.name.split(' (')[0]:25} vs {run.name:31} {mine.rate / run.rate:6.2f}× URLs/s   "
                      f"{run.cpu_ms_per_url / mine.cpu_ms_per_url:6.2f}× CPU per URL")
        print("broken links (ground truth: the manifest's planted broken links):")
        for run in runs:
            print(compare(run, farm))
    finally:
        farm.stop()


if __name__ == "__main__":
    main()
