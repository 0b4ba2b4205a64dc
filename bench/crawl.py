"""Crawl benchmark on the site farm: full inspections through `check_site` against link checking only
by two peers, linkinator 6.1.2 (npm) and LinkChecker (PyPI), on the same farm.

    .venv/bin/python -m bench.crawl [--sites 100] [--items 4] [--latency-ms 20] [--tools /tmp/govwatch-bench]

The farm runs as its own process (so neither side shares a GIL with it) and counts the distinct URLs
it serves; URLs/second = distinct farm URLs requested during a run ÷ its wall time. The peers are
installed on first use into --tools, never into the project's environment:
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
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
os.environ["GOVWATCH_ALLOW_PRIVATE_TARGETS"] = "1"   # the farm lives on 127.0.0.0/8

from services.checker.crawl import CrawlSettings  # noqa: E402
from services.checker.engine import check_site  # noqa: E402
from services.checker.model import RegistryFacts  # noqa: E402

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

    def stats(self, reset: bool = False) -> dict[str, int]:
        with urllib.request.urlopen(self.control + ("reset" if reset else "stats"), timeout=10) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def measured(farm: FarmProcess, run) -> tuple[float, dict[str, int], Any]:  # noqa: ANN001
    farm.stats(reset=True)
    started = time.monotonic()
    out = run()
    return time.monotonic() - started, farm.stats(), out


def inspect_all(farm: FarmProcess, settings: CrawlSettings, concurrency: int) -> dict[str, set[str]]:
    """Every site through check_site; returns the broken_link URLs found per site URL."""
    now = datetime.fromisoformat(farm.manifest["now"])

    async def run() -> dict[str, set[str]]:
        gate = asyncio.Semaphore(concurrency)

        async def one(entry: dict[str, Any]) -> tuple[str, set[str]]:
            async with gate:
                result = await check_site(entry["url"], now=now, registry=RegistryFacts(**entry["registry"]),
                                          settings=settings)
            return entry["url"], {u for f in result.findings if f.indicator == "broken_link" for u in f.data["urls"]}

        return dict(await asyncio.gather(*(one(e) for e in farm.manifest["sites"])))

    return asyncio.run(run())


def linkinator(farm: FarmProcess, tools: Path, concurrency: int) -> dict[str, set[str]]:
    home = tools / "linkinator"
    if not (home / "node_modules" / "linkinator").exists():
        subprocess.run(["npm", "install", "--prefix", str(home), "linkinator@6.1.2"], check=True)
    script, urls_file, out_file = home / "bench.mjs", home / "urls.json", home / "out.json"
    script.write_text(LINKINATOR_JS)
    urls = [e["url"] for e in farm.manifest["sites"]]
    urls_file.write_text(json.dumps(urls))
    subprocess.run(["node", str(script), str(urls_file), str(out_file), str(concurrency)], check=True, cwd=home)
    runs = json.loads(out_file.read_text())
    return {url: {l["url"] for l in links if l["state"] == "BROKEN"} for url, links in zip(urls, runs)}


def linkchecker(farm: FarmProcess, tools: Path, threads: int) -> dict[str, set[str]]:
    venv = tools / "lcvenv"
    if not (venv / "bin" / "linkchecker").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "linkchecker"], check=True)
    urls = [e["url"] for e in farm.manifest["sites"]]
    config = tools / "linkcheckerrc"
    config.write_text("[checking]\nmaxrequestspersecond=1000\n")
    config.chmod(0o644)                   # LinkChecker drops root privileges to nobody
    done = subprocess.run([str(venv / "bin" / "linkchecker"), "-f", str(config), "--no-status", "--no-warnings",
                           "--check-extern",
                           "-r", "-1", "-t", str(threads), "--timeout", "15", "-o", "csv", *urls],
                          capture_output=True, text=True)
    rows = csv.DictReader(io.StringIO("\n".join(l for l in done.stdout.splitlines() if not l.startswith("#"))),
                          delimiter=";")
    found: dict[str, set[str]] = {url: set() for url in urls}
    for row in rows:
        if row.get("valid") == "False":
            site = next((u for u in urls if (row.get("parentname") or row["url"]).startswith(u)), None)
            if site is not None:
                found[site].add(row["url"])
    return found


def compare(name: str, found: dict[str, set[str]], farm: FarmProcess) -> str:
    """Planted broken links recovered, and broken links reported beyond them (site roots aside)."""
    roots = {e["url"] for e in farm.manifest["sites"]}
    truth = {e["url"]: set(e["broken_links"]) for e in farm.manifest["sites"]}
    planted = sum(len(t) for t in truth.values())
    hit = sum(len(truth[u] & found.get(u, set())) for u in truth)
    extra = sorted({x for u in truth for x in found.get(u, set()) - truth[u] - roots})
    missed = sorted({x for u in truth for x in truth[u] - found.get(u, set())})
    line = f"  {name:34} planted broken links found {hit}/{planted}; extra {len(extra)}"
    if missed:
        line += f"\n      missed: {missed[:6]}{' …' if len(missed) > 6 else ''}"
    if extra:
        line += f"\n      extra:  {extra[:6]}{' …' if len(extra) > 6 else ''}"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--items", type=int, default=4, help="entries per column list; 4 gives about 60 pages a site")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--base", default="127.0.3.1")
    parser.add_argument("--tools", type=Path, default=Path("/tmp/govwatch-bench"))
    parser.add_argument("--site-concurrency", type=int, default=100, help="sites inspected at once (workers)")
    parser.add_argument("--peer-concurrency", type=int, default=10, help="linkinator requests per site")
    parser.add_argument("--linkchecker-threads", type=int, default=100)
    args = parser.parse_args()
    args.tools.mkdir(parents=True, exist_ok=True)
    farm = FarmProcess(args.sites, args.items, args.latency_ms, args.base, args.tools)
    try:
        pages = [e["pages"] for e in farm.manifest["sites"] if e["pages"]]
        print(f"farm: {args.sites} sites, {sum(pages)} HTML pages (~{sum(pages) / len(pages):.0f}/site), "
              f"{args.latency_ms:g} ms latency per response, addresses from {args.base}")
        deployment = CrawlSettings()
        unhurried = replace(deployment, per_host_delay=0.0, per_host_concurrency=args.peer_concurrency)
        print(f"deployment politeness: per_host_concurrency={deployment.per_host_concurrency}, "
              f"per_host_delay={deployment.per_host_delay}s, page_budget={deployment.page_budget}, "
              f"max_link_checks={deployment.max_link_checks}; {args.site_concurrency} sites at once; snapshots to S3")
        runs = [
            ("check_site (deployment politeness)", lambda: inspect_all(farm, deployment, args.site_concurrency)),
            (f"check_site (no delay, {args.peer_concurrency}/host)",
             lambda: inspect_all(farm, unhurried, args.site_concurrency)),
            (f"linkinator 6.1.2 ({args.peer_concurrency}/site)",
             lambda: linkinator(farm, args.tools, args.peer_concurrency)),
            (f"LinkChecker ({args.linkchecker_threads} threads)",
             lambda: linkchecker(farm, args.tools, args.linkchecker_threads)),
        ]
        figures, found = [], {}
        for name, run in runs:
            seconds, stats, broken = measured(farm, run)
            figures.append((name, seconds, stats))
            found[name] = broken
            print(f"  {name:34} {seconds:8.1f} s  {stats['urls']:6} URLs  {stats['requests']:6} requests  "
                  f"{stats['urls'] / seconds:8.1f} URLs/s", flush=True)
        base_rate = figures[0][2]["urls"] / figures[0][1]
        print("ratios (URLs/s relative to check_site with deployment politeness):")
        for name, seconds, stats in figures:
            print(f"  {name:34} {stats['urls'] / seconds / base_rate:6.2f}×")
        print("broken links (ground truth: the manifest's planted broken links):")
        for name, _ in runs:
            print(compare(name, found[name], farm))
        roots = {e["url"] for e in farm.manifest["sites"]}
        reference = {u: b - roots for u, b in found[runs[0][0]].items()}
        for name, _ in runs[1:]:
            same = {u: b - roots for u, b in found[name].items()} == reference
            print(f"  broken-link set of {name} equals check_site's: {same}")
    finally:
        farm.stop()


if __name__ == "__main__":
    main()
